import type { IncomingMessage } from 'node:http';
import { purposeFrom } from '../../gateway/request-access';

/**
 * x-credit-case as Node hands it over: each byte of the header value one Latin-1 character, so
 * UTF-8 text arrives as its bytes. A case number typed in full width names the case typed in half
 * width, whichever way it was sent: in the audit log, auditCases and creditChecks it is one case.
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
    ['half width, as ever', 'BDH-CG-2026-0117'],
  ])('takes a case number typed in full width, sent %s, for the half-width one', (_label, sent) => {
    expect(caseOf(sent)).toBe('BDH-CG-2026-0117');
  });

  it('keeps what has no half-width form as it was typed: Chinese text, brackets, letter case', () => {
    expect(caseOf(onTheWire('北财采〔2026〕17号'))).toBe('北财采〔2026〕17号');
    expect(caseOf(onTheWire('bdh-cg-2026-0117'))).toBe('bdh-cg-2026-0117');
  });

  it('folds only the case number: the matter is read as sent', () => {
    expect(purposeFrom(request({ 'x-credit-matter': onTheWire('ＧＯＶ'), 'x-credit-case': 'A1' }))).toEqual({ matter: 'ＧＯＶ', caseNumber: 'A1' });
  });
});
