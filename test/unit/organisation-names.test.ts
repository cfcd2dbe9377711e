import { callerFromClaims } from '../../gateway/authentication';
import { departmentsReadAs, platformOrganisationReadAs } from '../../lib/access/organisation-names';
import { granteeOrganisationOf } from '../../subgraphs/entities/consent.repository';

/** Whether a bank's user could carry `org` in a token the gateway takes. */
function carriedByBankToken(org: string): boolean {
  try {
    callerFromClaims({ sub: 'user-1', org, org_kind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' });
    return true;
  } catch {
    return false;
  }
}

/** Whether the consent register stores `org` as a bank grantee. */
function storedAsBankGrantee(org: string): boolean {
  try {
    granteeOrganisationOf(org, 'FINANCIAL_INSTITUTION');
    return true;
  } catch {
    return false;
  }
}

describe("a bank's organisation id, as the gateway and the consent register read it", () => {
  // A consent is used by a token naming its grantee: one stored for an id no token can carry
  // reads ACTIVE to its subject and lets no one read.
  it.each([
    ['the name the platform records for itself', 'PLATFORM'],
    ["the name recorded for a printable page's reader", 'anonymous'],
    ['the name recorded for a refused token, spaced', ' Un-Verified '],
    ['the name the platform records for itself, in full width', 'ｐｌａｔｆｏｒｍ'],
    ["the name recorded for a printable page's reader, with a Cyrillic о", 'anonym\u043eus'],
    ["a department's code", 'FINANCE'],
    ["a department's code in lower case", ' credit_office '],
    ["a department's code with a full stop", 'Finance.'],
    ["a department's code with a Cyrillic А", 'FIN\u0410NCE'],
    ["a department's code spaced, without its underscore", 'Credit Office'],
    ["a department's code in small capitals", 'ᴄʀᴇᴅɪᴛ_ᴏꜰꜰɪᴄᴇ'],
    // From the security probe: drawn alike in the sans-serif fonts of forms and logs.
    ["a department's code with a small l for its I", 'FlNANCE'],
    ["a department's code with a 0 for its O", 'CREDIT_0FFICE'],
    ["a department's code with a 1 for its I", 'ORGAN1SATION'],
    ['the name the platform records for itself, with a 0 for its O', 'PLATF0RM'],
  ])('is refused by both when it is %s', (_label, org) => {
    expect({ token: carriedByBankToken(org), consent: storedAsBankGrantee(org) }).toEqual({ token: false, consent: false });
  });

  it.each([
    ['an id of its identity provider', 'BANK_HEBEI_BEIDAIHE'],
    ["an id holding a department's code", 'BANK_FINANCE'],
    ['an id holding a platform name', 'PLATFORM_BANK'],
    ['a Chinese name', '河北银行北戴河支行'],
    ['an id of digits split by separators', 'BANK-130304-900101-123'],
    ['an id of letters and digits as long as a code', 'BANK0001'],
  ])('is taken by both when it is %s', (_label, org) => {
    expect({ token: carriedByBankToken(org), consent: storedAsBankGrantee(org) }).toEqual({ token: true, consent: true });
  });

  it.each([
    ['the platform itself', 'PLATFORM', /reads as PLATFORM.*no token can carry it/],
    // Of small capitals only, it reads as every code of twelve letters: none is told as the one.
    ['a department in small capitals', 'ᴄʀᴇᴅɪᴛ_ᴏꜰꜰɪᴄᴇ', /reads as ORGANISATION, .* or as CREDIT_OFFICE, .* or as PEOPLES_COURT, .*no token can carry it/],
    ['a department written with a Cyrillic А', 'FIN\u0410NCE', /reads as FINANCE.*Finance Bureau.*no token can carry it/],
  ])("tells a grantor, for %s, that no token can carry the id and why", (_label, org, message) => {
    expect(() => granteeOrganisationOf(org, 'FINANCIAL_INSTITUTION')).toThrow(expect.objectContaining({ message: expect.stringMatching(message), extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'granteeOrganisation' }) }));
  });
});

describe('what an organisation id reads as', () => {
  it.each([
    ['FINANCE', ['FINANCE']],
    [' credit_office ', ['CREDIT_OFFICE']],
    ['Finance.', ['FINANCE']],
    ['F\u0130NANCE', ['FINANCE']],
    ['FIN\u0410NCE', ['FINANCE']],
    ['ꓝꓲꓠꓮꓠꓚꓰ', ['FINANCE']],
    ['ᴄʀᴇᴅɪᴛ_ᴏꜰꜰɪᴄᴇ', ['ORGANISATION', 'CREDIT_OFFICE', 'PEOPLES_COURT']],
    ['BANK_FINANCE', []],
    ['河北银行北戴河支行', []],
    ['PLATFORM', []],
  ])('reads %j as the code of %j', (id, codes) => {
    expect(departmentsReadAs(id).map((d) => d.code)).toEqual(codes);
  });

  it.each([
    ['PLATFORM', 'PLATFORM'],
    ['ｐｌａｔｆｏｒｍ', 'PLATFORM'],
    ['ANONYMOUS', 'anonymous'],
    ['anonym\u043eus', 'anonymous'],
    [' Un-Verified ', 'unverified'],
    ['PLATFORM_BANK', undefined],
    ['FINANCE', undefined],
  ])('reads %j as the platform name %j', (id, name) => {
    expect(platformOrganisationReadAs(id)).toBe(name);
  });
});
