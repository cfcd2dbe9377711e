import type { IncomingMessage } from 'node:http';
import { purposeFrom } from '../../gateway/request-access';

/**
 * The purpose headers as Node hands them over: each byte of a header value one Latin-1 character,
 * so UTF-8 text arrives as its bytes. A case number typed in full width names the case typed in
 * half width, whichever way it was sent: in the audit log, auditCases and creditChecks it is one
 * case; a matter code typed in lower case or full width is the catalogue's code.
 */
function request(headers: Record<string, string>): IncomingMessage {
  return { headers, headersDistinct: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])) } as unknown as IncomingMessage;
}
const onTheWire = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
const caseOf = (sent: string) => purposeFrom(request({ 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': sent }))?.caseNumber;

describe('x-credit-case', () => {
  it.each([
    ['as UTF-8 bytes', onTheWire('ＢＤＨ－ＣＧ－２０２６－０１１７')],
    ['with ideographic spaces around it', onTheWire('\u3000ＢＤＨ－ＣＧ－２０２６－０１１７\u3000')],
    ["percent-encoded after UTF-8'' (RFC 8187), as a browser sends it", `UTF-8''${encodeURIComponent('ＢＤＨ－ＣＧ－２０２６－０１１７')}`],
    ["percent-encoded after UTF-8'zh', the language tag RFC 8187 allows there ignored", `UTF-8'zh'${encodeURIComponent('ＢＤＨ－ＣＧ－２０２６－０１１７')}`],
    ['half width, as ever', 'BDH-CG-2026-0117'],
  ])('takes a case number typed in full width, sent %s, for the half-width one', (_label, sent) => {
    expect(caseOf(sent)).toBe('BDH-CG-2026-0117');
  });

  it('keeps what has no half-width form as it was typed: Chinese text, brackets, letter case', () => {
    expect(caseOf(onTheWire('北财采〔2026〕17号'))).toBe('北财采〔2026〕17号');
    expect(caseOf(onTheWire('bdh-cg-2026-0117'))).toBe('bdh-cg-2026-0117');
  });

  it('keeps a matter the catalogue does not hold as sent, for the audit log to show', () => {
    expect(purposeFrom(request({ 'x-credit-matter': onTheWire('ＧＯＶ'), 'x-credit-case': 'A1' }))).toEqual({ matter: 'ＧＯＶ', caseNumber: 'A1' });
  });
});

describe('x-credit-matter', () => {
  it.each([
    ['in lower case', 'government_procurement'],
    ['in mixed case, with spaces around it', '  Government_Procurement '],
    ['in full width, as UTF-8 bytes', onTheWire('ＧＯＶＥＲＮＭＥＮＴ＿ＰＲＯＣＵＲＥＭＥＮＴ')],
    ["in full width lower case, percent-encoded after UTF-8''", `UTF-8''${encodeURIComponent('ｇｏｖｅｒｎｍｅｎｔ＿ｐｒｏｃｕｒｅｍｅｎｔ')}`],
    ["after UTF-8'en', a language tag", `UTF-8'en'GOVERNMENT_PROCUREMENT`],
  ])('reads a matter code typed %s as the code', (_label, sent) => {
    expect(purposeFrom(request({ 'x-credit-matter': sent, 'x-credit-case': 'A1' }))).toEqual({ matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'A1' });
  });

  it('folds only what reads as a code: a matter with other words in it is another matter', () => {
    expect(purposeFrom(request({ 'x-credit-matter': 'government procurement' }))).toEqual({ matter: 'government procurement' });
  });
});

describe('x-credit-consent', () => {
  it("reads a consent id percent-encoded after UTF-8'' or after a language tag as the id", () => {
    const id = '3f2b8c1e-7d4a-4e6b-9c2d-1a5e8f7b6c4d';
    for (const sent of [`UTF-8''${id}`, `UTF-8'en-GB'${id.toUpperCase()}`]) {
      expect(purposeFrom(request({ 'x-credit-matter': 'FINANCIAL_SERVICES', 'x-credit-consent': sent }))).toEqual({ matter: 'FINANCIAL_SERVICES', consentId: id });
    }
  });
});

describe('an RFC 8187 value that is malformed', () => {
  it.each([
    ['a language tag that is none', `UTF-8'z h'${encodeURIComponent('北财采')}`],
    ['a percent-encoding cut short after a language tag', `UTF-8'zh'%E5%8C`],
  ])('is refused, naming the header: %s', (_label, sent) => {
    expect(() => caseOf(sent)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'x-credit-case' }) }));
  });
});
