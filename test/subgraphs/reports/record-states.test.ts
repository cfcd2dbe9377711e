import { buildSections, activeRecordsSnapshotFormat, snapshotFormat, type Snapshot, type SnapshotRecord } from '../../../subgraphs/reports/platform-report';
import { recordsChanged, stillStands, type CurrentRecord } from '../../../subgraphs/reports/record-states';

/**
 * When a record a platform report holds still stands as the report holds it: it still counts (not
 * withdrawn, restored or past its disclosure, by the records subgraph's answer) and says what the
 * report prints. Pure: the records subgraph's answer is given.
 */
describe('whether a platform report still stands on its records', () => {
  const today = '2026-12-04';
  const held: SnapshotRecord = {
    id: 'r1', category: 'SERIOUS_DISHONESTY_LIST', polarity: 'NEGATIVE', severity: null, taxCreditGrade: null, documentNumber: '北戴河人社欠薪失〔2026〕3号',
    decisionDate: '2025-12-04', disclosureEndsAt: '2026-12-04', summary: '列入拖欠农民工工资失信联合惩戒对象名单', sourceDepartment: { code: 'HUMAN_RESOURCES', nameZh: '区人社局' }, underObjection: false,
  };
  const now = (changes: Partial<CurrentRecord> = {}): CurrentRecord => {
    const { underObjection: _objection, sourceDepartment, ...content } = held;
    return { ...content, sourceDepartment: { code: sourceDepartment.code }, status: 'ACTIVE', countsInCheck: true, ...changes };
  };
  const snapshot = (format: string, records: SnapshotRecord[]) => ({ format, sections: buildSections(records) }) as unknown as Snapshot;

  it('stands while the record counts, says what the report prints and is under objection exactly as the report marks it', () => {
    expect(stillStands(held, now(), snapshotFormat, today)).toBe(true);
    expect(stillStands({ ...held, underObjection: true }, now({ status: 'OBJECTED' }), snapshotFormat, today)).toBe(true);
    // The department's name is the catalogue's: renaming a department corrects no record.
    expect(stillStands({ ...held, sourceDepartment: { code: 'HUMAN_RESOURCES', nameZh: '区人力资源和社会保障局' } }, now(), snapshotFormat, today)).toBe(true);
    // Absent and null are one value (a report's record has no severity; the answer says null).
    const { severity: _severity, ...withoutSeverity } = held;
    expect(stillStands(withoutSeverity as SnapshotRecord, now(), snapshotFormat, today)).toBe(true);
  });

  it.each([
    ['withdrawn', { status: 'WITHDRAWN', countsInCheck: false }],
    ['restored', { status: 'RESTORED', countsInCheck: false }],
    ['past its disclosure period', { status: 'EXPIRED', countsInCheck: false }],
    ['no longer counted by a check (a lapsed honour, a replaced tax grade)', { countsInCheck: false }],
  ] as const)('does not stand once the record is %s', (_, changes) => {
    expect(stillStands(held, now(changes), snapshotFormat, today)).toBe(false);
  });

  it.each([
    ['decisionDate', '2025-12-03'],
    ['disclosureEndsAt', '2026-12-03'],
    ['summary', '列入拖欠农民工工资失信联合惩戒对象名单（更正）'],
    ['severity', 'SERIOUS'],
    ['category', 'DISHONEST_JUDGMENT_DEBTOR'],
    ['polarity', 'NEUTRAL'],
    ['taxCreditGrade', 'A'],
    ['documentNumber', '北戴河人社欠薪失〔2026〕4号'],
  ] as const)('does not stand once its source department corrected its %s', (field, value) => {
    expect(stillStands(held, now({ [field]: value }), snapshotFormat, today)).toBe(false);
  });

  it('stands on its document number typed otherwise, as one number is however its year’s brackets and spaces are typed', () => {
    expect(stillStands(held, now({ documentNumber: '北戴河人社欠薪失[2026] 3号' }), snapshotFormat, today)).toBe(true);
    expect(stillStands(held, now({ documentNumber: '北戴河人社欠薪失〔2026〕3-1号' }), snapshotFormat, today)).toBe(false);
  });

  it.each([
    ['filed since: the report prints it undisputed', false, 'OBJECTED'],
    ['decided since (rejected: ACTIVE again, as it was): the report prints it 异议处理中', true, 'ACTIVE'],
  ] as const)('does not stand once an objection to the record was %s', (_, underObjection, status) => {
    expect(stillStands({ ...held, underObjection }, now({ status }), snapshotFormat, today)).toBe(false);
  });

  it('compares a summary as printed: one sealed as typed stands on the masked one the records subgraph answers', () => {
    const typed = { ...held, summary: '经营者高敏（身份证号130304198001010012，电话13912345678）未按规定开具发票' };
    const masked = '经营者高敏（身份证号1303**********0012，电话139****5678）未按规定开具发票';
    expect(stillStands(typed, now({ summary: masked }), snapshotFormat, today)).toBe(true);
    expect(stillStands({ ...typed, summary: masked }, now({ summary: masked }), snapshotFormat, today)).toBe(true);
    expect(stillStands(typed, now({ summary: masked.replace('开具发票', '开具发票（更正）') }), snapshotFormat, today)).toBe(false);
  });

  it('does not stand on a record the records subgraph no longer answers, or one of another department', () => {
    expect(stillStands(held, null, snapshotFormat, today)).toBe(false);
    expect(stillStands(held, undefined, snapshotFormat, today)).toBe(false);
    expect(stillStands(held, now({ sourceDepartment: { code: 'MARKET_REGULATION' } }), snapshotFormat, today)).toBe(false);
  });

  it('holds a report of the older layout to what it said it contained: active records within their disclosure period', () => {
    // It printed lapsed honours as active records: that a check does not count one changes nothing it said.
    expect(stillStands(held, now({ countsInCheck: false }), activeRecordsSnapshotFormat, today)).toBe(true);
    expect(stillStands(held, now({ status: 'EXPIRED', countsInCheck: false }), activeRecordsSnapshotFormat, today)).toBe(false);
    // Under objection past its disclosure end (the status stays OBJECTED): its disclosure is over all the same.
    expect(stillStands({ ...held, disclosureEndsAt: '2026-12-03' }, now({ status: 'OBJECTED', disclosureEndsAt: '2026-12-03', countsInCheck: false }), activeRecordsSnapshotFormat, today)).toBe(false);
    expect(stillStands(held, now({ summary: '更正' }), activeRecordsSnapshotFormat, today)).toBe(false);
    // It held no record under objection (none marked, `underObjection` absent), and said so: one objected to since no longer stands.
    const { underObjection: _marked, ...unmarked } = held;
    expect(stillStands(unmarked, now(), activeRecordsSnapshotFormat, today)).toBe(true);
    expect(stillStands(unmarked, now({ status: 'OBJECTED' }), activeRecordsSnapshotFormat, today)).toBe(false);
  });

  it('finds a report changed when any one of its records no longer stands, and unchanged when none is', () => {
    const other: SnapshotRecord = { ...held, id: 'r2', category: 'ADMINISTRATIVE_LICENSING', polarity: 'NEUTRAL', documentNumber: '北戴河审批许〔2026〕1号', disclosureEndsAt: null };
    const report = snapshot(snapshotFormat, [held, other]);
    const answers = new Map<string, CurrentRecord>([
      ['r1', now()],
      ['r2', { ...now(), id: 'r2', category: 'ADMINISTRATIVE_LICENSING', polarity: 'NEUTRAL', documentNumber: '北戴河审批许〔2026〕1号', disclosureEndsAt: null }],
    ]);
    expect(recordsChanged(report, (id) => answers.get(id), today)).toBe(false);
    answers.set('r2', { ...answers.get('r2')!, status: 'EXPIRED', countsInCheck: false });
    expect(recordsChanged(report, (id) => answers.get(id), today)).toBe(true);
    expect(recordsChanged(snapshot(snapshotFormat, []), () => undefined, today)).toBe(false);
  });
});
