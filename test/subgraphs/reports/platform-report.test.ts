import { recordCategories } from '../../../lib/catalogue/record-categories';
import { CreditReport } from '../../../subgraphs/reports/entities/credit-report.entity';
import { canonicalJson, genuineSnapshot, sectionCodes, sections, sha256Hex, snapshotFormat } from '../../../subgraphs/reports/platform-report';
import { splitText } from '../../../subgraphs/reports/report.repository';

describe('the platform report\'s sealing', () => {
  it('writes one canonical JSON text per value: keys sorted at every level, no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: null, e: '二' }], c: true } })).toBe('{"a":{"c":true,"d":[3,{"e":"二","f":null}]},"b":1}');
    expect(canonicalJson({ a: 1, skipped: undefined })).toBe('{"a":1}');
  });

  it('files every record category of the catalogue under exactly one section', () => {
    for (const category of recordCategories) {
      expect(sectionCodes.filter((code) => (sections[code].categories as readonly string[]).includes(category.code))).toHaveLength(1);
    }
  });

  it('cuts a snapshot into parts that join back exactly, never inside a surrogate pair', () => {
    const text = `${'信'.repeat(9)}😀${'用'.repeat(20)}`;
    const parts = splitText(text, 10);
    expect(parts.join('')).toBe(text);
    expect(parts.every((p) => p.length <= 10)).toBe(true);
    for (const part of parts) expect(() => encodeURIComponent(part)).not.toThrow();
    expect(splitText('', 10)).toEqual(['']);
  });

  it('takes a snapshot as genuine only when its digest and its statements agree with the report', () => {
    const snapshot = { format: snapshotFormat, reportNumber: 'BDHXY-20261125-AAAAAAAA', verificationCode: 'CODE', issuedOn: '2026-11-25', validUntil: '2027-02-22', subject: { id: 's1', name: '示例' } };
    const content = canonicalJson(snapshot);
    const report = Object.assign(new CreditReport(), { source: 'DISTRICT_PLATFORM', reportNumber: snapshot.reportNumber, verificationCode: 'CODE', issuedOn: '2026-11-25', validUntil: '2027-02-22', subjectId: 's1', documentSha256: sha256Hex(content) });
    expect(genuineSnapshot(report, content)).toMatchObject({ subject: { name: '示例' } });
    expect(genuineSnapshot(report, content.replace('示例', '篡改'))).toBeNull();
    expect(genuineSnapshot({ ...report, validUntil: '2099-12-31' }, content)).toBeNull();
    expect(genuineSnapshot({ ...report, source: 'CREDIT_CHINA' }, content)).toBeNull();
    expect(genuineSnapshot(report, null)).toBeNull();
  });
});
