import { recordCategories } from '../../../lib/catalogue/record-categories';
import { canonicalJson, sha256Hex } from '../../../lib/canonical-json';
import { CreditReport } from '../../../subgraphs/reports/entities/credit-report.entity';
import { activeRecordsSnapshotFormat, genuineSnapshot, printedSummary, sectionCodes, sections, snapshotFormat, type SnapshotRecord } from '../../../subgraphs/reports/platform-report';
import { renderPrintable } from '../../../subgraphs/reports/printable';
import { splitText } from '../../../subgraphs/reports/report.repository';
import { listedRecord, reportSnapshot } from '../../helpers/report-snapshot';

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
    expect(genuineSnapshot(Object.assign(new CreditReport(), report, { validUntil: '2099-12-31' }), content)).toBeNull();
    expect(genuineSnapshot(Object.assign(new CreditReport(), report, { source: 'CREDIT_CHINA' }), content)).toBeNull();
    expect(genuineSnapshot(report, null)).toBeNull();
  });

  it('keeps reports sealed before objected records were included genuine, as they were issued', () => {
    const snapshot = { format: activeRecordsSnapshotFormat, reportNumber: 'BDHXY-20261120-AAAAAAAA', verificationCode: 'CODE', issuedOn: '2026-11-20', validUntil: '2027-02-17', subject: { id: 's1', name: '示例' } };
    const content = canonicalJson(snapshot);
    const report = Object.assign(new CreditReport(), { source: 'DISTRICT_PLATFORM', reportNumber: snapshot.reportNumber, verificationCode: 'CODE', issuedOn: '2026-11-20', validUntil: '2027-02-17', subjectId: 's1', documentSha256: sha256Hex(content) });
    expect(genuineSnapshot(report, content)).toMatchObject({ format: activeRecordsSnapshotFormat });
    expect(genuineSnapshot(report, canonicalJson({ ...snapshot, format: 'bdh-public-credit-report/0' }))).toBeNull();
  });
});

describe('the printable page', () => {
  const listing = listedRecord;
  const snapshotWith = (format: string, records: SnapshotRecord[]) => reportSnapshot(records, format);

  it('marks a record under objection in its row, and says the report includes such records', () => {
    const page = renderPrintable(snapshotWith(snapshotFormat, [{ ...listing, underObjection: true }]), 'ab'.repeat(32));
    const row = page.split('</tr>').find((r) => r.includes(listing.documentNumber))!;
    expect(row).toContain('<span class="objected">异议处理中</span>');
    expect(page).toContain('含异议处理中的信息');
    expect(page).not.toContain('不含异议处理中');
    expect(renderPrintable(snapshotWith(snapshotFormat, [{ ...listing, underObjection: false }]), 'ab'.repeat(32))).not.toContain('<span class="objected">');
  });

  it('prints an ENTERPRISE subject as 企业: partnerships, branches and cooperatives are registered as ENTERPRISE too, and are no 企业法人', () => {
    const page = renderPrintable(snapshotWith(snapshotFormat, [listing]), 'ab'.repeat(32));
    expect(page).toContain('<tr><th scope="row">主体类型</th><td>企业</td></tr>');
    expect(page).not.toContain('企业法人');
  });

  it('prints the terms the API says: 中性 for a neutral record, 列入经营异常名录 for an ABNORMAL subject, 守信红名单、表彰奖励 for the red-list category', () => {
    const licence: SnapshotRecord = { ...listing, id: 'r2', category: 'ADMINISTRATIVE_LICENSING', polarity: 'NEUTRAL', documentNumber: '北戴河市监许〔2026〕5号', summary: '食品经营许可证核发' };
    const honour: SnapshotRecord = { ...listing, id: 'r3', category: 'RED_LIST_HONOUR', polarity: 'POSITIVE', documentNumber: '北戴河信用激〔2026〕2号', summary: '获评诚信之星' };
    const snapshot = snapshotWith(snapshotFormat, [licence, honour]);
    const page = renderPrintable({ ...snapshot, subject: { ...snapshot.subject, status: 'ABNORMAL' } }, 'ab'.repeat(32));
    expect(page.split('</tr>').find((r) => r.includes(licence.documentNumber))).toContain('<td>中性</td>');
    expect(page.split('</tr>').find((r) => r.includes(honour.documentNumber))).toContain('<td>守信红名单、表彰奖励</td>');
    expect(page).toContain('<td>列入经营异常名录</td>');
    expect(page).not.toContain('基础');
  });

  it('masks ID numbers and mobile numbers in a summary, one sealed as typed included', () => {
    const typed = { ...listing, summary: '经营者高敏（身份证号130304198001010012，电话139-1234-5678）未按规定开具发票' };
    const page = renderPrintable(snapshotWith(snapshotFormat, [typed]), 'ab'.repeat(32));
    expect(page).toContain('<td class="summary">经营者高敏（身份证号1303**********0012，电话139****5678）未按规定开具发票</td>');
    expect(page).not.toContain('130304198001010012');
  });

  it('prints an older report with the account of its contents it was issued with', () => {
    const page = renderPrintable(snapshotWith(activeRecordsSnapshotFormat, [listing]), 'ab'.repeat(32));
    expect(page).toContain('不含异议处理中、已信用修复或公示期满的信息');
    expect(page).not.toContain('<span class="objected">');
  });

  it('heads every printed page with the report number and validity alone, and foots it with the subject and the page number', () => {
    const style = renderPrintable(snapshotWith(snapshotFormat, [listing]), 'ab'.repeat(32)).split('<style>')[1].split('</style>')[0];
    expect(style).toContain('@top-right { content: "报告编号 BDHXY-20261125-AAAAAAAA · 有效期至 2027-02-22"');
    expect(style).not.toMatch(/@top-(left|center)/);
    expect(style).toContain('@bottom-left { content: "信用主体：示例"');
    expect(style).toContain('@bottom-right { content: "第 " counter(page) " 页 共 " counter(pages) " 页"');
  });

  it('writes a name into the running head as one CSS string, whatever quotes, backslashes or markup it holds', () => {
    const name = '示例"; } \\</style><script>\u0001';
    const page = renderPrintable({ ...snapshotWith(snapshotFormat, [listing]), subject: { ...snapshotWith(snapshotFormat, []).subject, name } }, 'ab'.repeat(32));
    expect(page.split('</style>')).toHaveLength(2);
    expect(page).not.toContain('<script>');
    const style = page.split('<style>')[1].split('</style>')[0];
    expect(style).toContain(String.raw`@bottom-left { content: "信用主体：示例\22 ; } \5c \3c /style\3e \3c script\3e \1 ";`);
  });

  it('prints the first 30 characters of a name in the margin, each run of blanks one space: the body prints it whole', () => {
    const named = (name: string) => {
      const page = renderPrintable({ ...snapshotWith(snapshotFormat, [listing]), subject: { ...snapshotWith(snapshotFormat, []).subject, name } }, 'ab'.repeat(32));
      return { margin: /@bottom-left \{ content: "([^"]*)"/.exec(page)![1], body: page.split('<main>')[1] };
    };
    expect(named('甲'.repeat(30)).margin).toBe(`信用主体：${'甲'.repeat(30)}`);
    expect(named('甲'.repeat(31))).toEqual({ margin: `信用主体：${'甲'.repeat(30)}…`, body: expect.stringContaining('甲'.repeat(31)) });
    expect(named('\u3000秦皇岛\u00a0\u00a0示例\u3000\u2003\t有限公司 ').margin).toBe('信用主体：秦皇岛 示例 有限公司');
    // Characters, not UTF-16 units: a character outside the BMP is never cut in half.
    expect(named('𠀀'.repeat(31)).margin).toBe(`信用主体：${'𠀀'.repeat(30)}…`);
  });

  it('cuts runs of blank lines in a summary to one, and keeps its other line breaks and blanks as written', () => {
    const written = '一、警告；\r\n\r\n\r\n\r\n二、罚款；\n \n\u3000\n\n三、公示。\n\n四、  其他\r\n';
    expect(printedSummary(written)).toBe('一、警告；\n\n二、罚款；\n\n三、公示。\n\n四、  其他\r\n');
    const page = renderPrintable(snapshotWith(snapshotFormat, [{ ...listing, summary: `甲${'\n'.repeat(200)}乙` }]), 'ab'.repeat(32));
    expect(page).toContain('<td class="summary">甲\n\n乙</td>');
  });

  it("prints when the report was generated in Beijing time, on the district's calendar as its issue date", () => {
    // Generated at 00:17 in the district on 6 December: still 5 December in UTC.
    const lateNight = { ...snapshotWith(snapshotFormat, [listing]), issuedOn: '2026-12-06', generatedAt: '2026-12-05T16:17:39.261Z' };
    const page = renderPrintable(lateNight, 'ab'.repeat(32));
    expect(page).toContain('<tr><th scope="row">出具日期</th><td>2026-12-06</td></tr>');
    expect(page).toContain('<tr><th scope="row">生成时间</th><td>2026-12-06 00:17:39（北京时间）</td></tr>');
    expect(page).not.toContain('2026-12-05');
    expect(page).not.toContain('UTC');
    // Noon UTC is 20:00 the same day; a district midnight is 00:00:00, not 24:00:00 the day before.
    expect(renderPrintable({ ...lateNight, generatedAt: '2026-11-25T12:00:00.000Z' }, 'ab'.repeat(32))).toContain('2026-11-25 20:00:00（北京时间）');
    expect(renderPrintable({ ...lateNight, generatedAt: '2026-12-05T16:00:00.000Z' }, 'ab'.repeat(32))).toContain('2026-12-06 00:00:00（北京时间）');
  });
});
