import { randomUUID } from 'node:crypto';
import type { Caller } from '../../../lib/access/identity';
import { addDays, todayInDistrict } from '../../../lib/calendar';
import * as catalogue from '../../../lib/catalogue/matters';
import { auditedRefusalExtension } from '../../../lib/errors';
import { buildCreditRecord } from '../../../subgraphs/records/credit-record.repository';
import { CreditRecord } from '../../../subgraphs/records/entities/credit-record.entity';
import { CreditRecordObjection } from '../../../subgraphs/records/entities/credit-record-objection.entity';
import { insertMany } from '../../../subgraphs/shared/bulk-insert';
import { testDatabases } from '../../helpers/databases';
import { identityOf, lossesOf, useRecordsWithSubjects } from './records-harness';

/**
 * What only the supervision (CREDIT_SUPERVISION) opens, asked by a supervising department whose
 * supervision the catalogue no longer grants it (withdrawn, or no longer its department's): the
 * department handling statistics, every department's objections, a name search listing natural
 * persons. The gateway cuts these fields itself, with the refusal's problem; a gateway of an
 * earlier release signed the purpose with the groups it granted and no refusal, and the subgraphs
 * decide the refusal again (refusalOf). Each is then refused as the gateway refuses it, with the
 * refusal's `problem` and `header` (not PURPOSE_MISMATCH or NOT_ENTITLED, which send the client to
 * the header it did send), FORBIDDEN, which the gateway audits DENIED, and nothing is answered:
 * not even the objections of the department's own records, as if that were every department's.
 */
const today = todayInDistrict();
const supervision = catalogue.findMatter('CREDIT_SUPERVISION')!;
const approval: Caller = { id: 'supervisor-administrative_approval', organisation: 'ADMINISTRATIVE_APPROVAL', organisationKind: 'DEPARTMENT', role: 'CREDIT_OFFICE_SUPERVISOR' };
/** As a gateway signed it while CREDIT_SUPERVISION was the bureau's: its groups, no refusal. */
const signedWhileItHeld = identityOf(approval, 'CREDIT_SUPERVISION');

const losses = lossesOf(supervision, ['CREDIT_OFFICE']);

describe.each(testDatabases)('what only the supervision opens, under a supervision refused since, on $label', (database) => {
  const { world, entities, records } = useRecordsWithSubjects(database, 'refusedsup', 8);
  afterEach(() => jest.restoreAllMocks());
  const objectionOf: Record<string, { id: string; recordId: string; subjectId: string }> = {};

  beforeAll(async () => {
    const subjectId = world.subjects.find((s) => s.kind === 'ENTERPRISE')!.id;
    const rows = ['FINANCE', 'ADMINISTRATIVE_APPROVAL'].map((sourceDepartment, n) => {
      const record = buildCreditRecord(
        { subjectId, category: 'ADMINISTRATIVE_PENALTY', polarity: 'NEGATIVE', severity: 'GENERAL', sourceDepartment, documentNumber: `监督〔2026〕${n + 1}号`, decisionDate: addDays(today, -60), summary: '未按规定公示年度报告，罚款5000元' },
        { id: randomUUID(), recordedAt: new Date(Date.now() - 50 * 86_400_000), today },
      );
      record.status = 'OBJECTED';
      const objection = Object.assign(new CreditRecordObjection(), {
        id: randomUUID(), recordId: record.id, subjectId, sourceDepartment, status: 'SUBMITTED', reason: '处罚对象认定有误',
        submittedBy: 'officer-credit_office', submittedByOrganisation: 'CREDIT_OFFICE', submittedAt: new Date(Date.now() - 86_400_000),
        resolution: null, decidedBy: null, decidedByOrganisation: null, decidedAt: null, decisionReason: null,
      });
      objectionOf[sourceDepartment] = { id: objection.id, recordId: record.id, subjectId };
      return { record, objection };
    });
    await insertMany(records.db().manager, CreditRecord, rows.map((r) => r.record));
    await insertMany(records.db().manager, CreditRecordObjection, rows.map((r) => r.objection));
  });

  it('answers all of it while the supervision holds', async () => {
    const statistics = await records.queryAs(signedWhileItHeld, `query { departmentHandlingStatistics(from: "2026-01-01", to: "2026-01-02") { department { code } } }`);
    expect(statistics.errors).toBeUndefined();
    const objection = await records.queryAs(signedWhileItHeld, `query($id: ID!) { creditRecordObjection(id: $id) { id } }`, { id: objectionOf.FINANCE.id });
    expect(objection.errors).toBeUndefined();
    const search = await entities.queryAs(signedWhileItHeld, `query { searchSubjects(name: "张三", kind: NATURAL_PERSON) { totalCount } }`);
    expect(search.errors).toBeUndefined();
  });

  it.each(losses)('refuses each reader under a supervision %s with the refusal’s problem and header, answering nothing', async (_, lose, problem) => {
    lose();
    const { id, recordId, subjectId } = objectionOf.FINANCE;
    const asked = {
      departmentHandlingStatistics: await records.queryAs(signedWhileItHeld, `query { departmentHandlingStatistics(from: "2026-01-01", to: "2026-01-02") { department { code } } }`),
      creditRecordObjection: await records.queryAs(signedWhileItHeld, `query($id: ID!) { creditRecordObjection(id: $id) { id } }`, { id }),
      'CreditRecord.objections': await records.queryAs(signedWhileItHeld, `query($id: ID!) { creditRecord(id: $id) { objections { id } } }`, { id: recordId }),
      creditRecordObjections: await records.queryAs(signedWhileItHeld, `query { creditRecordObjections(first: 5) { edges { node { id } } } }`),
      searchSubjects: await entities.queryAs(signedWhileItHeld, `query { searchSubjects(name: "张三", kind: NATURAL_PERSON) { totalCount } }`),
    };
    const about = (reader: string) => (reader.includes('.') || reader === 'creditRecordObjection' ? { [auditedRefusalExtension]: { subjectId } } : {});
    const answered = Object.fromEntries(
      Object.entries(asked).map(([reader, result]) => [reader, { data: Object.values(result.data ?? {}).map((value) => (reader.includes('.') ? ((value as { objections: unknown } | null)?.objections ?? null) : value)), errors: result.errors?.map((e) => e.extensions) }]),
    );
    expect(answered).toEqual(
      Object.fromEntries(Object.keys(asked).map((reader) => [reader, { data: [null], errors: [{ code: 'FORBIDDEN', problem, header: 'x-credit-matter', ...about(reader) }] }])),
    );
  });
});
