import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { authenticate, callerFromClaims, createTokenVerifier, RefusedClaims, tokenProblems } from '../../gateway/authentication';
import { GatewayMetrics } from '../../gateway/metrics';
import type { Logger } from '../../lib/logger';
import { clockToleranceSeconds } from '../../lib/access/identity';
import { projectRoot } from '../../lib/project-root';

const secret = new Uint8Array(randomBytes(32));
const settings = { keys: { kind: 'secret' as const, secret }, issuer: 'beidaihe-credit-platform', audience: 'beidaihe-credit-api' };

async function token(expiresAt: number, sub = 'officer-1'): Promise<string> {
  return new SignJWT({ org: 'FINANCE' }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuer(settings.issuer).setAudience(settings.audience).setIssuedAt().setExpirationTime(expiresAt).sign(secret);
}

describe('the gateway remembers tokens it verified', () => {
  afterEach(() => jest.useRealTimers());

  it('answers a token again with its claims, and refuses it once it has expired', async () => {
    const verify = createTokenVerifier(settings);
    const now = Math.floor(Date.now() / 1000);
    const shortLived = await token(now + 30);
    expect((await verify(shortLived)).sub).toBe('officer-1');
    expect((await verify(shortLived)).sub).toBe('officer-1');
    // Past its exp and the clocks' tolerance, the remembered verification has lapsed with it.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'], now: (now + 30 + clockToleranceSeconds + 10) * 1000 });
    await expect(verify(shortLived)).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
  });

  it("takes a fresh token from an identity provider whose clock runs a few seconds ahead of the gateway's", async () => {
    const verify = createTokenVerifier(settings);
    const now = Math.floor(Date.now() / 1000);
    const ahead = await new SignJWT({ org: 'FINANCE' }).setProtectedHeader({ alg: 'HS256' }).setSubject('officer-1').setIssuer(settings.issuer).setAudience(settings.audience).setIssuedAt(now + 5).setNotBefore(now + 5).setExpirationTime(now + 3600).sign(secret);
    expect((await verify(ahead)).sub).toBe('officer-1');
    // Beyond the tolerance a token is not yet valid.
    const farAhead = await new SignJWT({ org: 'FINANCE' }).setProtectedHeader({ alg: 'HS256' }).setSubject('officer-1').setIssuer(settings.issuer).setAudience(settings.audience).setIssuedAt(now + 120).setNotBefore(now + 120).setExpirationTime(now + 3600).sign(secret);
    await expect(verify(farAhead)).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'nbf' });
  });

  it('refuses a token without an expiry, which would be good for ever once leaked', async () => {
    const verify = createTokenVerifier(settings);
    const forever = await new SignJWT({ org: 'FINANCE' }).setProtectedHeader({ alg: 'HS256' }).setSubject('officer-1').setIssuer(settings.issuer).setAudience(settings.audience).setIssuedAt().sign(secret);
    await expect(verify(forever)).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'exp' });
  });

  it.each([
    ['without an expiry', (jwt: SignJWT) => jwt.setAudience(settings.audience), 'its "exp" claim is missing', 'TOKEN_INVALID'],
    ['for another audience', (jwt: SignJWT) => jwt.setAudience('another-api').setExpirationTime('1h'), `its "aud" claim names another issuer or audience than this platform's`, 'TOKEN_AUDIENCE_MISMATCH'],
    ['without an audience', (jwt: SignJWT) => jwt.setExpirationTime('1h'), 'its "aud" claim is missing', 'TOKEN_AUDIENCE_MISMATCH'],
    ['from another issuer', (jwt: SignJWT) => jwt.setAudience(settings.audience).setIssuer('someone-else').setExpirationTime('1h'), `its "iss" claim names another issuer or audience than this platform's`, 'TOKEN_ISSUER_MISMATCH'],
    ['expired', (jwt: SignJWT) => jwt.setAudience(settings.audience).setExpirationTime(Math.floor(Date.now() / 1000) - 60), 'its "exp" claim has passed: get a new token', 'TOKEN_EXPIRED'],
    ['not yet valid', (jwt: SignJWT) => jwt.setAudience(settings.audience).setExpirationTime('2h').setNotBefore('1h'), 'its "nbf" claim failed its check', 'TOKEN_NOT_YET_VALID'],
  ])('tells a client whose token is %s which claim to fix, and which refusal it is', async (_label, shape, said, problem) => {
    const verify = createTokenVerifier(settings);
    const jwt = shape(new SignJWT({ org: 'FINANCE' }).setProtectedHeader({ alg: 'HS256' }).setSubject('officer-1').setIssuer(settings.issuer).setIssuedAt());
    // An expired token's refusal comes with the user its signature proved, for the audit log.
    const refused = authenticate(`Bearer ${await jwt.sign(secret)}`, verify).catch((error: unknown) => Promise.reject(error instanceof RefusedClaims ? error.refusal : error));
    await expect(refused).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED', problem }, message: expect.stringMatching(/^the bearer token was refused \(jwt (claim validation failed|expired)\): /) });
    await expect(refused).rejects.toMatchObject({ message: expect.stringContaining(said) });
  });

  it('never remembers a token that failed, and checks a tampered copy of a remembered one', async () => {
    const verify = createTokenVerifier(settings);
    const good = await token(Math.floor(Date.now() / 1000) + 600);
    await verify(good);
    const [header, payload, signature] = good.split('.');
    const tampered = [header, Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), org: 'TAX' })).toString('base64url'), signature].join('.');
    await expect(verify(tampered)).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    await expect(verify(tampered)).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  });
});

describe("a refused token's problems", () => {
  it('are each documented in the README, where front ends look up what to switch on', () => {
    const readme = fs.readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
    expect(tokenProblems.filter((problem) => !readme.includes(`\`${problem}\``))).toEqual([]);
  });
});

describe('the caller a token names', () => {
  const claims = (org: string, orgKind: string) => ({ sub: 'user-1', org, org_kind: orgKind, role: orgKind === 'DEPARTMENT' ? 'DEPARTMENT_OFFICER' : 'EXTERNAL_USER' });

  it.each([
    ['an enterprise by its code', 'ENTERPRISE', ' 91130304ma0text12y ', '91130304MA0TEXT12Y'],
    ['a provider by its code', 'CREDIT_SERVICE_PROVIDER', '91130304ma0text12y', '91130304MA0TEXT12Y'],
    ['a person by the ID number', 'INDIVIDUAL', '13030219900101106x ', '13030219900101106X'],
    ['a bank by the id its identity provider gives it, as it is', 'FINANCIAL_INSTITUTION', 'Bank_Hebei', 'Bank_Hebei'],
    ['a bank by its id, trimmed as the consent register trims a grantee', 'FINANCIAL_INSTITUTION', ' Bank_Hebei  ', 'Bank_Hebei'],
    ['a department by its code, trimmed', 'DEPARTMENT', 'FINANCE ', 'FINANCE'],
  ])('names %s as the platform holds it', (_label, kind, org, organisation) => {
    expect(callerFromClaims(claims(org, kind))).toMatchObject({ organisation, organisationKind: kind });
  });

  it.each([
    ['an enterprise', 'ENTERPRISE'],
    ['a provider', 'CREDIT_SERVICE_PROVIDER'],
    ['a bank', 'FINANCIAL_INSTITUTION'],
  ])('refuses a citizen ID number as %s: a person is named as INDIVIDUAL, whose number the trail masks and the statistics never name', (_label, kind) => {
    const refusal = () => callerFromClaims(claims('13030219900101106X', kind));
    expect(refusal).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }), message: expect.stringContaining('its org_kind must be INDIVIDUAL') }));
    // The refusal does not repeat the number whole.
    expect(refusal).toThrow(expect.objectContaining({ message: expect.not.stringContaining('13030219900101106X') }));
  });

  it.each([
    ['in full-width digits', '１３０３０２１９９００１０１１０６Ｘ'],
    ['with spaces', '130302 19900101 106X'],
    ['with hyphens', '130302-19900101-106X'],
    ['of 15 digits, as before 1999', '130302900101106'],
  ])('refuses, as a bank, an org that reads as a citizen ID number written %s, naming it masked', (_label, org) => {
    const refusal = () => callerFromClaims(claims(org, 'FINANCIAL_INSTITUTION'));
    expect(refusal).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }), message: expect.stringContaining('reads as a citizen ID number') }));
    expect(refusal).toThrow(expect.objectContaining({ message: expect.not.stringContaining(org) }));
  });

  // From a probe: `130304199406220815@idp` was taken as a bank's id, and stood whole in its audit
  // entries, and a department's token naming it was refused with the number whole in the message.
  it.each([
    ['a bank, beside a domain', 'FINANCIAL_INSTITUTION', '13030219900101106X@idp'],
    ['a bank, after a prefix', 'FINANCIAL_INSTITUTION', 'CN-13030219900101106X'],
    ['a bank, 15 digits as before 1999, after a prefix', 'FINANCIAL_INSTITUTION', 'ID130302900101106'],
    ['a department', 'DEPARTMENT', '13030219900101106X@idp'],
    ['a provider', 'CREDIT_SERVICE_PROVIDER', '13030219900101106X-A'],
  ])('refuses, as %s, an org that holds a citizen ID number among other characters, never naming it', (_label, kind, org) => {
    const refusal = () => callerFromClaims(claims(org, kind));
    expect(refusal).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED', problem: 'TOKEN_CLAIMS_INVALID' }) }));
    // Not the birth date, whole or in its 15-digit form, nor the org as sent.
    expect(refusal).toThrow(expect.objectContaining({ message: expect.not.stringMatching(/19900101|900101|@idp|CN-/) }));
  });

  // Digits split by separators are not joined into a number: ids built of a division code, a date
  // and a serial are an organisation's (from the probe of that refusal).
  it.each(['BANK-130304-900101-123', 'PSBC 130304 19900101 0012', 'CCB_1303_2019_0101_001'])('takes %s as a bank\'s id', (org) => {
    expect(callerFromClaims(claims(org, 'FINANCIAL_INSTITUTION')).organisation).toBe(org);
  });

  it.each([
    ['a bank', 'FINANCIAL_INSTITUTION', 'FINANCE'],
    ['a bank, in lower case', 'FINANCIAL_INSTITUTION', 'finance'],
    ['a bank, in full width', 'FINANCIAL_INSTITUTION', 'ＣＲＥＤＩＴ＿ＯＦＦＩＣＥ'],
    ['an enterprise', 'ENTERPRISE', 'CREDIT_OFFICE'],
    ['a provider', 'CREDIT_SERVICE_PROVIDER', 'HEALTH'],
    ['a bank, with a full stop', 'FINANCIAL_INSTITUTION', 'FINANCE.'],
    ['a bank, with a dotted capital I', 'FINANCIAL_INSTITUTION', 'F\u0130NANCE'],
    ['a bank, spaced and without the underscore', 'FINANCIAL_INSTITUTION', 'Credit Office'],
    ['a bank, with a Cyrillic А', 'FINANCIAL_INSTITUTION', 'FIN\u0410NCE'],
    ['an enterprise, with a Greek Ο and Cyrillic о and с', 'ENTERPRISE', 'CREDIT_\u039fFFI\u0441E'],
    ['a bank, with a Greek α', 'FINANCIAL_INSTITUTION', 'fin\u03b1nce'],
    ['a bank, with a lunate sigma for its C', 'FINANCIAL_INSTITUTION', '\u03f9REDIT_OFFICE'],
    ['a bank, in small capitals', 'FINANCIAL_INSTITUTION', 'ᴄʀᴇᴅɪᴛ_ᴏꜰꜰɪᴄᴇ'],
    ['a bank, in Lisu letters', 'FINANCIAL_INSTITUTION', 'ꓝꓲꓠꓮꓠꓚꓰ'],
    ['a bank, with a Cherokee Ꭺ', 'FINANCIAL_INSTITUTION', 'FIN\u13aaNCE'],
  ])("refuses a department's code as %s: it would be taken for the department wherever an organisation is compared by its id", (_label, kind, org) => {
    expect(() => callerFromClaims(claims(org, kind))).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED', problem: 'TOKEN_CLAIMS_INVALID' }), message: expect.stringContaining('its org_kind must be DEPARTMENT') }),
    );
  });

  it.each([
    ['a bank', 'FINANCIAL_INSTITUTION', 'anonymous'],
    ['a bank, upper-cased', 'FINANCIAL_INSTITUTION', 'ANONYMOUS'],
    ['a bank', 'FINANCIAL_INSTITUTION', 'unverified'],
    ['a bank, spaced', 'FINANCIAL_INSTITUTION', ' Un-Verified '],
    ['a bank', 'FINANCIAL_INSTITUTION', 'PLATFORM'],
    ['a bank, in full width', 'FINANCIAL_INSTITUTION', 'ｐｌａｔｆｏｒｍ'],
    ['a bank, with a Cyrillic о', 'FINANCIAL_INSTITUTION', 'anonym\u043eus'],
    ['a bank, with a Cyrillic ԁ', 'FINANCIAL_INSTITUTION', 'unverifie\u0501'],
  ])("refuses %s whose org reads as a name the platform records for itself or where no token names one: the audit log would show the caller as that", (_label, kind, org) => {
    expect(() => callerFromClaims(claims(org, kind))).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }), message: expect.stringContaining('is a name the platform records where no token names an organisation') }),
    );
  });

  it.each([
    ['a zero-width space after a department code', 'org', 'FINANCE\u200b'],
    ['a lone surrogate', 'org', 'BANK\ud800X'],
    ['a control character', 'org', 'BANK\u0001'],
    ['a right-to-left override', 'sub', 'user\u202e1'],
    ['a line break', 'sub', 'user\n1'],
  ])("refuses a claim with %s: it is recorded in the audit chain, whose hashes a lone surrogate broke, and shown to readers", (_label, claim, value) => {
    const token = { ...claims('BANK_HEBEI', 'FINANCIAL_INSTITUTION'), [claim]: value };
    expect(() => callerFromClaims(token)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED', problem: 'TOKEN_CLAIMS_INVALID' }), message: expect.stringContaining(`the token's ${claim} holds characters a reader does not see`) }));
  });

  // From an audit: `officer-e\u0301` and `officer-\u00e9` were two actors in the audit log that
  // read alike, and so were `officer 1` and `officer\u00a01`.
  it.each([
    ['a decomposed é (e and U+0301)', 'officer-e\u0301', 'must be in Unicode normalisation form C'],
    ['a decomposed Hangul syllable', 'officer-\u1100\u1161', 'must be in Unicode normalisation form C'],
    ['a no-break space (U+00A0)', 'officer\u00a01', 'holds a space other than U+0020: U+00A0'],
    ['an ideographic space (U+3000)', 'officer\u30001', 'holds a space other than U+0020: U+3000'],
    ['a no-break space at its end', 'officer-1\u00a0', 'holds a space other than U+0020: U+00A0'],
    ['a thin space (U+2009)', 'officer\u20091', 'holds a space other than U+0020: U+2009'],
  ])('refuses a sub with %s, which reads as another user id the audit log records', (_label, sub, message) => {
    expect(() => callerFromClaims({ ...claims('Bank_Hebei', 'FINANCIAL_INSTITUTION'), sub })).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED', problem: 'TOKEN_CLAIMS_INVALID' }), message: expect.stringContaining(`the token's sub ${message}`) }),
    );
  });

  it('takes a sub composed (NFC) with its accents, and one with a plain space in it, as they are', () => {
    for (const sub of ['officer-\u00e9', 'officer 1', '王 小明', 'officer-\u1ec7']) expect(callerFromClaims({ ...claims('Bank_Hebei', 'FINANCIAL_INSTITUTION'), sub }).id).toBe(sub);
  });

  it('takes the user trimmed, as it reads in the audit log, and refuses one of spaces only', () => {
    expect(callerFromClaims({ ...claims('Bank_Hebei', 'FINANCIAL_INSTITUTION'), sub: ' banker ' }).id).toBe('banker');
    expect(() => callerFromClaims({ ...claims('Bank_Hebei', 'FINANCIAL_INSTITUTION'), sub: '   ' })).toThrow(expect.objectContaining({ message: 'the token names no user (sub)' }));
  });

  // An import's actor reads `import:<name>` in a record's history and the audit log: a user so
  // named would read as an import run in its organisation's name.
  it.each(['import:mr-officer', ' Import:batch', 'IMPORT:', 'ｉｍｐｏｒｔ：run1', 'import：x', '\u0456mport:x', '\u0130mport:x', 'imp0rt:x'])('refuses a sub that reads as an import run, %j', (sub) => {
    expect(() => callerFromClaims({ ...claims('MARKET_REGULATION', 'DEPARTMENT'), role: 'DEPARTMENT_OFFICER', sub })).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED', problem: 'TOKEN_CLAIMS_INVALID' }), message: "the token's sub must not begin import: (however written), which marks the record import's runs in records' history and the audit log" }),
    );
    for (const id of ['importer-1', 'export:x', 'imports:x', 'import-x']) expect(callerFromClaims({ ...claims('MARKET_REGULATION', 'DEPARTMENT'), role: 'DEPARTMENT_OFFICER', sub: id }).id).toBe(id);
  });

  it('takes an enterprise by its all-digit credit code that is also a valid citizen ID number', () => {
    expect(callerFromClaims(claims('913101200004010077', 'ENTERPRISE'))).toMatchObject({ organisation: '913101200004010077', organisationKind: 'ENTERPRISE' });
  });

  it.each([
    ['a department officer role', 'INDIVIDUAL', 'DEPARTMENT_OFFICER'],
    ['a registry admin role', 'INDIVIDUAL', 'REGISTRY_ADMIN'],
    ['a department kind', 'DEPARTMENT', 'DEPARTMENT_OFFICER'],
    ['an analyst role for a bank', 'FINANCIAL_INSTITUTION', 'ANALYST'],
  ])('names a citizen ID number masked when it refuses a token for %s: refused tokens are audited with their message', (_label, orgKind, role) => {
    const refusal = () => callerFromClaims({ sub: 'p', org: '13030219900101106X', org_kind: orgKind, role });
    expect(refusal).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }));
    expect(refusal).toThrow(expect.objectContaining({ message: expect.stringContaining('1303**********106X') }));
    expect(refusal).toThrow(expect.objectContaining({ message: expect.not.stringContaining('13030219900101106X') }));
  });

  // From a probe: `BANK_HEBEI_BEIDAIHE` as an enterprise or a provider was accepted and audited, so
  // that the statistics counted the bank under three kinds and its trail could not be asked for.
  it.each([
    ['a bank\'s id as an enterprise', 'ENTERPRISE', 'BANK_HEBEI_BEIDAIHE', 'expected an 18-character'],
    ['a bank\'s id as a provider', 'CREDIT_SERVICE_PROVIDER', 'BANK_HEBEI_BEIDAIHE', 'expected an 18-character'],
    ['a code with a wrong check character as an enterprise', 'ENTERPRISE', '91130304MA0TEXT12X', 'check character should be Y'],
    ['a name as a provider', 'CREDIT_SERVICE_PROVIDER', '河北征信服务有限公司', 'expected an 18-character'],
  ])('refuses %s: an enterprise or a provider is named by its unified social credit code, as its consents and the provider registry name it', (_label, kind, org, problem) => {
    expect(() => callerFromClaims(claims(org, kind))).toThrow(
      expect.objectContaining({
        extensions: expect.objectContaining({ code: 'UNAUTHENTICATED', problem: 'TOKEN_CLAIMS_INVALID' }),
        message: expect.stringMatching(new RegExp(`^the token's org must be the organisation's unified social credit code when org_kind is ${kind}, got .*${problem}`)),
      }),
    );
  });

  it.each([
    ['a credit code', '91130304MA0TEXT12Y'],
    ['a user name', 'person-1'],
    ['a number with a wrong check character', '130302199001011231'],
  ])('refuses %s as the organisation of a person (INDIVIDUAL)', (_label, org) => {
    expect(() => callerFromClaims(claims(org, 'INDIVIDUAL'))).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }), message: expect.stringContaining("must be the person's citizen ID number") }));
  });

  it.each([
    ['the credit office supervisor role for the tax bureau', 'TAXATION', 'DEPARTMENT', 'CREDIT_OFFICE_SUPERVISOR'],
    ['the registry admin role for the finance bureau', 'FINANCE', 'DEPARTMENT', 'REGISTRY_ADMIN'],
    ['the analyst role for a bank', 'BANK_HEBEI_BEIDAIHE', 'FINANCIAL_INSTITUTION', 'ANALYST'],
    ['the officer role for an enterprise', '91130304MA0TEXT12Y', 'ENTERPRISE', 'DEPARTMENT_OFFICER'],
    ['an outside user role for a department', 'FINANCE', 'DEPARTMENT', 'EXTERNAL_USER'],
  ])('refuses %s: every grant downstream reads the role as its holder', (_label, org, orgKind, role) => {
    expect(() => callerFromClaims({ sub: 'user-1', org, org_kind: orgKind, role })).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED', problem: 'TOKEN_CLAIMS_INVALID' }), message: expect.stringContaining(`role ${role} is held only by`) }));
  });

  it('accepts an organisation named in Chinese, or in Latin letters that name no department', () => {
    for (const org of ['河北银行北戴河支行', 'BANK_HEBEI_BEIDAIHE', 'Finance Lease Co.', 'ＢＡＮＫ－ＨＥＢＥＩ']) {
      expect(callerFromClaims({ sub: 'user-1', org, org_kind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' })).toMatchObject({ organisation: org.trim() });
    }
  });

  it('accepts each role where it is held', () => {
    for (const [org, orgKind, role] of [
      ['CREDIT_OFFICE', 'DEPARTMENT', 'CREDIT_OFFICE_SUPERVISOR'],
      ['ADMINISTRATIVE_APPROVAL', 'DEPARTMENT', 'CREDIT_OFFICE_SUPERVISOR'],
      ['CREDIT_OFFICE', 'DEPARTMENT', 'REGISTRY_ADMIN'],
      ['DEVELOPMENT_REFORM', 'DEPARTMENT', 'ANALYST'],
      ['TAXATION', 'DEPARTMENT', 'DEPARTMENT_OFFICER'],
      ['BANK_HEBEI_BEIDAIHE', 'FINANCIAL_INSTITUTION', 'EXTERNAL_USER'],
    ]) {
      expect(callerFromClaims({ sub: 'user-1', org, org_kind: orgKind, role })).toMatchObject({ organisation: org, role });
    }
  });

  it('reads a department with spaces about its code as the department for its roles too, as for its other checks', () => {
    for (const [org, role] of [
      [' CREDIT_OFFICE ', 'REGISTRY_ADMIN'],
      ['CREDIT_OFFICE  ', 'CREDIT_OFFICE_SUPERVISOR'],
      [' ADMINISTRATIVE_APPROVAL', 'CREDIT_OFFICE_SUPERVISOR'],
    ]) {
      expect(callerFromClaims({ sub: 'user-1', org, org_kind: 'DEPARTMENT', role })).toMatchObject({ organisation: org.trim(), role });
    }
    expect(() => callerFromClaims({ sub: 'user-1', org: ' FINANCE ', org_kind: 'DEPARTMENT', role: 'REGISTRY_ADMIN' })).toThrow(expect.objectContaining({ message: expect.stringContaining('role REGISTRY_ADMIN is held only by') }));
  });
});

// The identity provider's key set (AUTH_JWKS_URL), as production verifies tokens, served here; and
// unreadable, as when the provider is down: not the caller's fault, so not a 401, which a front end
// takes as "sign in again" and drops its user's session for.
describe('tokens verified against a JWKS endpoint', () => {
  let server: http.Server;
  let answer: (res: http.ServerResponse) => void;
  let url: string;
  const issuer = 'https://idp.example';
  const audience = 'credit-platform';
  let sign: (claims: Record<string, unknown>) => Promise<string>;
  let privateJwk: Record<string, unknown>;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    privateJwk = { ...(await exportJWK(privateKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    sign = (claims) => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(issuer).setAudience(audience).setExpirationTime('5m').sign(privateKey);
    answer = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    server = http.createServer((_req, res) => {
      // No connection kept alive: once the server is closed, a call meets a refused connection (ECONNREFUSED), as from a provider that is down.
      res.shouldKeepAlive = false;
      answer(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(async () => {
    if (server.listening) await new Promise((resolve) => server.close(resolve));
  });

  const caller = { sub: 'officer-zhang', org: 'FINANCE', org_kind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };

  it('takes a token the key set verifies, and refuses one it does not as a bad token', async () => {
    const verify = createTokenVerifier({ keys: { kind: 'jwks', url }, issuer, audience });
    expect(await authenticate(`Bearer ${await sign(caller)}`, verify)).toMatchObject({ id: 'officer-zhang', organisation: 'FINANCE' });
    const forged = await new SignJWT(caller).setProtectedHeader({ alg: 'HS256' }).setIssuer(issuer).setAudience(audience).setExpirationTime('5m').sign(randomBytes(32));
    await expect(authenticate(`Bearer ${forged}`, verify)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED', problem: 'TOKEN_INVALID' } });
  });

  // The client is told what it means for its request, never where the key set is or what the
  // network said (README, Errors: no internal host name reaches a client); the operator reads both
  // in the gateway's log.
  const unavailableMessage = "the identity provider's key set could not be read: the token could not be checked; retry later";
  let lines: { fields: Record<string, unknown>; message: string }[];
  let metrics: GatewayMetrics;
  beforeEach(() => {
    lines = [];
    metrics = new GatewayMetrics({ warn: (fields: Record<string, unknown>, message: string) => lines.push({ fields, message }) } as unknown as Logger);
  });
  afterEach(() => metrics.close());
  const keySetLine = (cause: RegExp) => ({
    fields: { keySet: url, cause: expect.stringMatching(cause), callsSinceLastLine: 1 },
    message: "the identity provider's key set could not be read: requests with a token answer AUTHENTICATION_UNAVAILABLE",
  });

  it.each([
    ['answers 500', (res: http.ServerResponse) => res.writeHead(500).end('down'), /200 OK/],
    ['answers what is no JSON', (res: http.ServerResponse) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>'), /JSON/],
    // AUTH_JWKS_URL set to the provider's discovery document, a common slip (from the operator
    // probe): every token was refused 401 "(jwks invalid)", and each client signed in again, in a loop.
    [
      'is an OpenID configuration, not a key set',
      (res: http.ServerResponse) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer, jwks_uri: `${issuer}/protocol/openid-connect/certs`, authorization_endpoint: `${issuer}/auth`, id_token_signing_alg_values_supported: ['RS256'] })),
      /^the document is not a JSON Web Key Set, which has a "keys" array of keys \(is it the OpenID configuration\? set AUTH_JWKS_URL to its jwks_uri\)$/,
    ],
    ['holds a private key', (res: http.ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [privateJwk] })), /^the key set is not one to verify with: JSON Web Key Set members must be public keys$/],
  ])('answers AUTHENTICATION_UNAVAILABLE, 503 with Retry-After, when the key set %s, and logs where and why', async (_label, failing, cause) => {
    const verify = createTokenVerifier({ keys: { kind: 'jwks', url }, issuer, audience }, metrics);
    const working = answer;
    answer = failing;
    try {
      const refusal = await authenticate(`Bearer ${await sign(caller)}`, verify).catch((error: unknown) => error);
      expect(refusal).toMatchObject({ message: unavailableMessage, extensions: { code: 'AUTHENTICATION_UNAVAILABLE', retryAfterSeconds: 5, http: { status: 503 } } });
      expect(JSON.stringify(refusal)).not.toContain('127.0.0.1');
      expect(lines).toEqual([keySetLine(cause)]);
    } finally {
      answer = working;
    }
  });

  // A token signed with a key the set does not hold (its kid unknown) is the token's fault, not the set's.
  it('refuses a token whose key the set does not hold as a bad token, and logs nothing', async () => {
    const verify = createTokenVerifier({ keys: { kind: 'jwks', url }, issuer, audience }, metrics);
    const { privateKey } = await generateKeyPair('RS256');
    const stranger = await new SignJWT(caller).setProtectedHeader({ alg: 'RS256', kid: 'k9' }).setIssuer(issuer).setAudience(audience).setExpirationTime('5m').sign(privateKey);
    await expect(authenticate(`Bearer ${stranger}`, verify)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED', problem: 'TOKEN_INVALID' } });
    expect(lines).toEqual([]);
  });

  it('answers AUTHENTICATION_UNAVAILABLE when nothing listens at the key set, and logs where and why', async () => {
    const verify = createTokenVerifier({ keys: { kind: 'jwks', url }, issuer, audience }, metrics);
    await new Promise((resolve) => server.close(resolve));
    await expect(authenticate(`Bearer ${await sign(caller)}`, verify)).rejects.toMatchObject({ message: unavailableMessage, extensions: { code: 'AUTHENTICATION_UNAVAILABLE' } });
    expect(lines).toEqual([keySetLine(/ECONNREFUSED/)]);
  });
});

/**
 * From a probe: an enterprise's token whose subject_id was its id in upper case passed as its own
 * (the entities subgraph reads ids so) and then was shown nothing of its own, without an error:
 * the request's scope held the id as sent, which matched no subject.
 */
describe("a token's subject_id", () => {
  const enterprise = { sub: 'self-user', org: '91130304MA0TEXT12Y', org_kind: 'ENTERPRISE', role: 'EXTERNAL_USER' };
  const id = 'c437ca86-67cf-4b11-a9b5-7225232ee487';

  it.each([
    ['as the platform writes it', id],
    ['in upper case', id.toUpperCase()],
    ['with a space after it', `${id} `],
    ['in full width', id.replace(/[0-9a-f]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))],
  ])('names the subject %s, as the platform writes its id', (_label, subjectId) => {
    expect(callerFromClaims({ ...enterprise, subject_id: subjectId }).subjectId).toBe(id);
  });

  it.each([undefined, null, '', '  '])('left out (%p) names no subject', (subjectId) => {
    expect(callerFromClaims({ ...enterprise, subject_id: subjectId })).not.toHaveProperty('subjectId');
  });

  it.each([['not a UUID', 'subject-1'], ['a number', 42]])('%s is refused as a claim that names no subject', (_label, subjectId) => {
    expect(() => callerFromClaims({ ...enterprise, subject_id: subjectId })).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED', problem: 'TOKEN_CLAIMS_INVALID' }), message: expect.stringContaining("the token's subject_id must be a subject's id") }),
    );
  });
});
