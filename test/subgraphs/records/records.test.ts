import { Kind, parse, type EnumTypeDefinitionNode } from 'graphql';
import { departments } from '../../../lib/catalogue/departments';
import { maxQuotedCharacters } from '../../../lib/errors';
import { addMonths, disclosureEndsAt, recordCategories } from '../../../lib/catalogue/record-categories';
import { readSdl } from '../../../schema/subgraphs';
import { demoWorld } from '../../../scripts/demo/world';
import { disclosureEndedBy, effectiveStatus } from '../../../lib/catalogue/record-standing';
import { buildCreditRecord, groupsToSee } from '../../../subgraphs/records/credit-record.repository';
import { CreditCheckRepository } from '../../../subgraphs/records/credit-check.repository';
import { type CreditRecordDraft } from '../../../subgraphs/records/credit-record.validation';
import { todayInDistrict } from '../../../lib/calendar';
import { CreditRecord } from '../../../subgraphs/records/entities/credit-record.entity';
import { CreditRecordEvent } from '../../../subgraphs/records/entities/credit-record-event.entity';
import { CreditRecordObjection } from '../../../subgraphs/records/entities/credit-record-objection.entity';
import { RestorationApplication } from '../../../subgraphs/records/entities/restoration-application.entity';
import { seedRecords } from '../../../subgraphs/records/seed';
import { recordsSubgraph } from '../../../subgraphs/records/subgraph';
import { CursorSeal, type CursorPosition } from '../../../subgraphs/shared/cursors';
import { loadPages, type Page } from '../../../subgraphs/shared/pagination';
import { openDatabase } from '../../../subgraphs/shared/database';
import { testDatabases } from '../../helpers/databases';
import type { Connection } from '../../helpers/graphql';
import { useSubgraph } from '../../helpers/subgraph';
import { identityOf } from './records-harness';

interface RecordNode {
  id: string;
  category: string;
  polarity: string;
  severity: string | null;
  taxCreditGrade: string | null;
  status: string;
  decisionDate: string;
  disclosureEndsAt: string | null;
}
type RecordPage = Connection<RecordNode>;
type SubjectPages = { _entities: ({ id: string; creditRecords: RecordPage } | null)[] };

const SUBJECT_RECORDS = /* GraphQL */ `
  query ($r: [_Any!]!, $filter: CreditRecordFilter, $first: Int, $after: String) {
    _entities(representations: $r) {
      ... on Subject {
        id
        creditRecords(filter: $filter, first: $first, after: $after) {
          totalCount
          pageInfo { hasNextPage endCursor }
          edges { cursor node { id category polarity severity taxCreditGrade status decisionDate disclosureEndsAt } }
        }
      }
    }
  }
`;

const addDays = (isoDate: string, days: number) => new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe.each(testDatabases)('records subgraph on $label', (database) => {
  const { db, sql, query, queryAs } = useSubgraph(recordsSubgraph, database);
  const world = demoWorld({ subjects: 60 });
  const subjectRef = (id: string) => ({ __typename: 'Subject', id });

  // A hand-made subject whose records cover every status rule, relative to the real today.
  const today = todayInDistrict();
  const subjectId = 'f0000000-0000-4000-8000-00000000000a';
  const base = { subjectId, polarity: 'NEGATIVE', summary: '测试记录' } as const;
  const fixtures: [string, Omit<CreditRecordDraft, 'subjectId' | 'summary' | 'documentNumber'>][] = [
    ['r01', { ...base, category: 'ADMINISTRATIVE_PENALTY', severity: 'GENERAL', sourceDepartment: 'MARKET_REGULATION', decisionDate: addDays(today, -10) }],
    ['r02', { ...base, category: 'ADMINISTRATIVE_PENALTY', severity: 'GENERAL', sourceDepartment: 'MARKET_REGULATION', decisionDate: '2020-03-01' }],
    ['r03', { ...base, category: 'ADMINISTRATIVE_PENALTY', severity: 'MINOR', sourceDepartment: 'TAXATION', decisionDate: '2020-05-01', status: 'OBJECTED' }],
    ['r04', { ...base, category: 'DISHONEST_JUDGMENT_DEBTOR', sourceDepartment: 'PEOPLES_COURT', decisionDate: '2020-06-01', status: 'RESTORED' }],
    ['r05', { ...base, category: 'TAX_CREDIT_GRADE', polarity: 'POSITIVE', taxCreditGrade: 'A', sourceDepartment: 'TAXATION', decisionDate: '2021-04-20' }],
    ['r06', { ...base, category: 'RED_LIST_HONOUR', polarity: 'POSITIVE', sourceDepartment: 'CREDIT_OFFICE', decisionDate: '2022-01-10' }],
    ['r07', { ...base, category: 'REGISTRATION_BASICS', polarity: 'NEUTRAL', sourceDepartment: 'ADMINISTRATIVE_APPROVAL', decisionDate: '2010-01-01' }],
    ['r08', { ...base, category: 'CREDIT_COMMITMENT', polarity: 'NEUTRAL', sourceDepartment: 'FINANCE', decisionDate: '2023-05-05' }],
    ['r09', { ...base, category: 'CREDIT_COMMITMENT', polarity: 'NEUTRAL', sourceDepartment: 'FINANCE', decisionDate: '2023-05-05' }],
    ['r10', { ...base, category: 'ADMINISTRATIVE_ENFORCEMENT', severity: 'SERIOUS', sourceDepartment: 'TAXATION', decisionDate: addDays(today, -30) }],
    // Disclosure ends today: still ACTIVE. Ended yesterday: EXPIRED.
    ['r11', { ...base, category: 'ADMINISTRATIVE_PENALTY', severity: 'GENERAL', sourceDepartment: 'HEALTH', decisionDate: addMonths(today, -12) }],
    ['r12', { ...base, category: 'ADMINISTRATIVE_PENALTY', severity: 'GENERAL', sourceDepartment: 'HEALTH', decisionDate: addMonths(addDays(today, -1), -12) }],
  ];
  const idOf = (key: string) => `f0000000-0000-4000-8000-0000000000${key.slice(1)}`;
  const handMade = fixtures.map(([key, draft], i) =>
    buildCreditRecord({ ...draft, subjectId, summary: `测试记录${key}`, documentNumber: `测试〔2026〕${i + 1}号` }, { id: idOf(key), recordedAt: new Date(`${today}T00:00:00Z`), today }),
  );
  const ids = (...keys: string[]) => keys.map(idOf);
  /** The hand-made subject's records in the documented order: decision date, then id, both descending. */
  const newestFirst = [...handMade].sort((a, b) => b.decisionDate.localeCompare(a.decisionDate) || b.id.localeCompare(a.id)).map((r) => r.id);

  const pageOf = async (filter: Record<string, unknown> | null, first = 100, after: string | null = null) => {
    const result = await query<SubjectPages>(SUBJECT_RECORDS, { r: [subjectRef(subjectId)], filter, first, after });
    expect(result.errors).toBeUndefined();
    return result.data!._entities[0]!.creditRecords;
  };

  describe('seedRecords', () => {
    let seeded: CreditRecord[] = [];

    it('seeds the demo world once: a second seed adds nothing', async () => {
      const inserted = (await seedRecords(db(), world)) ?? 0;
      expect(inserted).toBeGreaterThan(world.subjects.length);
      expect(await seedRecords(db(), world)).toBeNull();
      seeded = await db().getRepository(CreditRecord).find();
      expect(seeded).toHaveLength(inserted);
      await db().getRepository(CreditRecord).insert(handMade);
    });

    it('is deterministic: the same world gives the same records', async () => {
      const other = await openDatabase('records', { kind: 'sqlite', directory: ':memory:' }, recordsSubgraph);
      try {
        await seedRecords(other, demoWorld({ subjects: 60 }));
        const fingerprint = (rows: CreditRecord[]) => rows.map((r) => `${r.id} ${r.documentNumber} ${r.decisionDate} ${r.recordedAt.toISOString()}`).sort();
        expect(fingerprint(await other.getRepository(CreditRecord).find())).toEqual(fingerprint(seeded));
      } finally {
        await other.destroy();
      }
    });

    it('holds every category and every status', () => {
      expect(new Set(seeded.map((r) => r.category))).toEqual(new Set(recordCategories.map((c) => c.code)));
      expect(new Set(seeded.map((r) => effectiveStatus(r, today)))).toEqual(new Set(['ACTIVE', 'OBJECTED', 'RESTORED', 'EXPIRED', 'WITHDRAWN']));
    });

    it('puts every category and every status in even the smallest demo world', async () => {
      const small = await openDatabase('records', { kind: 'sqlite', directory: ':memory:' }, recordsSubgraph);
      try {
        await seedRecords(small, demoWorld({ subjects: 10 }));
        const rows = await small.getRepository(CreditRecord).find();
        expect(new Set(rows.map((r) => r.category))).toEqual(new Set(recordCategories.map((c) => c.code)));
        expect(new Set(rows.map((r) => effectiveStatus(r, today)))).toEqual(new Set(['ACTIVE', 'OBJECTED', 'RESTORED', 'EXPIRED', 'WITHDRAWN']));
      } finally {
        await small.destroy();
      }
    });

    it('seeds the lifecycle: objections and restoration applications in every state, and events that explain every status', async () => {
      const objections = await db().getRepository(CreditRecordObjection).find();
      const applications = await db().getRepository(RestorationApplication).find();
      const events = await db().getRepository(CreditRecordEvent).find();
      expect(new Set(objections.map((o) => o.status))).toEqual(new Set(['SUBMITTED', 'ACCEPTED', 'REJECTED']));
      expect(new Set(objections.filter((o) => o.status === 'ACCEPTED').map((o) => o.resolution))).toEqual(new Set(['CORRECTED', 'WITHDRAWN']));
      expect(new Set(applications.map((a) => a.status))).toEqual(new Set(['SUBMITTED', 'APPROVED', 'REJECTED']));
      const created = new Set(events.filter((e) => e.kind === 'CREATED').map((e) => e.recordId));
      expect(seeded.every((r) => created.has(r.id))).toBe(true);
      for (const record of seeded) {
        const pending = objections.filter((o) => o.recordId === record.id && o.status === 'SUBMITTED');
        expect([record.documentNumber, pending.length]).toEqual([record.documentNumber, record.status === 'OBJECTED' ? 1 : 0]);
        if (record.status === 'RESTORED') expect(applications.some((a) => a.recordId === record.id && a.status === 'APPROVED')).toBe(true);
        if (record.status === 'WITHDRAWN') expect(objections.some((o) => o.recordId === record.id && o.resolution === 'WITHDRAWN')).toBe(true);
        // Restored or withdrawn, its disclosure ended on the day of that decision, as the lifecycle ends it.
        if (record.status === 'RESTORED' || record.status === 'WITHDRAWN') {
          const decided = events.find((e) => e.recordId === record.id && e.kind === record.status)!;
          const ended = disclosureEndedBy(disclosureEndsAt(record.category, record.polarity, record.severity, record.decisionDate), todayInDistrict(decided.occurredAt));
          expect([record.documentNumber, record.disclosureEndsAt]).toEqual([record.documentNumber, ended]);
        }
      }
      // Nothing seeded happens after the demo's today.
      expect(events.every((e) => e.occurredAt.getTime() <= Date.parse('2026-11-25T09:00:00Z'))).toBe(true);
    });

    it('gives natural persons fewer records, and no tax grades', () => {
      const persons = new Set(world.subjects.filter((s) => s.kind === 'NATURAL_PERSON').map((s) => s.id));
      const ofPersons = seeded.filter((r) => persons.has(r.subjectId));
      expect(ofPersons.filter((r) => r.category === 'TAX_CREDIT_GRADE')).toEqual([]);
      expect(ofPersons.length / persons.size).toBeLessThan((seeded.length - ofPersons.length) / (world.subjects.length - persons.size));
    });

    it('says 严重失信 of a record on a serious-dishonesty list (严重失信主体名单) only, never of a tax grade D', () => {
      // Not vacuous: the demo world holds grade D records, whose summaries once said 存在严重失信行为.
      expect(seeded.filter((r) => r.taxCreditGrade === 'D').length).toBeGreaterThan(0);
      expect(seeded.filter((r) => r.category !== 'SERIOUS_DISHONESTY_LIST' && r.summary.includes('严重失信')).map((r) => r.summary)).toEqual([]);
    });

    it('gives a tax grade M the tax bureau\'s whole rule, as TaxCreditGrade.M does: without income only with a score of 70 or more', () => {
      const summaries = seeded.filter((r) => r.taxCreditGrade === 'M').map((r) => r.summary);
      expect(summaries.length).toBeGreaterThan(0);
      expect(summaries.filter((summary) => !summary.includes('新设立企业，或评价年度内无生产经营业务收入且评价得分70分以上'))).toEqual([]);
    });

    it('gives the first subjects the documented illustrative records', async () => {
      const result = await query<SubjectPages>(SUBJECT_RECORDS, { r: world.subjects.slice(0, 7).map((s) => subjectRef(s.id)), first: 100 });
      const [clean, general, serious, listed, debtor, restored, expired] = result.data!._entities.map((e) => e!.creditRecords.edges.map((edge) => edge.node));
      expect(clean.filter((r) => r.polarity === 'NEGATIVE')).toEqual([]);
      expect(clean).toEqual(expect.arrayContaining([expect.objectContaining({ category: 'RED_LIST_HONOUR' }), expect.objectContaining({ category: 'TAX_CREDIT_GRADE', taxCreditGrade: 'A' })]));
      expect(general).toEqual([expect.objectContaining({ category: 'ADMINISTRATIVE_PENALTY', severity: 'GENERAL', status: 'ACTIVE' })]);
      expect(serious).toEqual([expect.objectContaining({ category: 'ADMINISTRATIVE_PENALTY', severity: 'SERIOUS', status: 'ACTIVE' })]);
      expect(listed).toEqual(expect.arrayContaining([expect.objectContaining({ category: 'SERIOUS_DISHONESTY_LIST', status: 'ACTIVE' })]));
      expect(debtor).toEqual([expect.objectContaining({ category: 'DISHONEST_JUDGMENT_DEBTOR', status: 'ACTIVE', disclosureEndsAt: '2028-02-03' })]);
      expect(restored).toEqual([expect.objectContaining({ status: 'RESTORED' })]);
      expect(expired).toEqual([expect.objectContaining({ status: 'EXPIRED' })]);
    });
  });

  describe('Query', () => {
    it('returns a credit record with its subject reference, department and computed disclosure end', async () => {
      const result = await query<{ creditRecord: Record<string, unknown> }>(
        `query($id: ID!) { creditRecord(id: $id) { id subject { id } category polarity severity taxCreditGrade sourceDepartment { code nameZh kind } documentNumber decisionDate disclosureEndsAt status summary recordedAt } }`,
        { id: idOf('r10') },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data?.creditRecord).toEqual({
        id: idOf('r10'),
        subject: { id: subjectId },
        category: 'ADMINISTRATIVE_ENFORCEMENT',
        polarity: 'NEGATIVE',
        severity: 'SERIOUS',
        taxCreditGrade: null,
        sourceDepartment: { code: 'TAXATION', nameZh: '区税务局', kind: 'ADMINISTRATIVE' },
        documentNumber: '测试〔2026〕10号',
        decisionDate: addDays(today, -30),
        disclosureEndsAt: addMonths(addDays(today, -30), 36),
        status: 'ACTIVE',
        summary: '测试记录r10',
        recordedAt: `${today}T00:00:00.000Z`,
      });
    });

    it('returns a tax grade record with its grade and no severity or disclosure end', async () => {
      const result = await query<{ creditRecord: Record<string, unknown> }>(`query($id: ID!) { creditRecord(id: $id) { polarity severity taxCreditGrade disclosureEndsAt } }`, { id: idOf('r05') });
      expect(result.data?.creditRecord).toEqual({ polarity: 'POSITIVE', severity: null, taxCreditGrade: 'A', disclosureEndsAt: null });
    });

    it('returns null for an unknown credit record id', async () => {
      const result = await query<{ creditRecord: null }>(`{ creditRecord(id: "no-such-record") { id } }`);
      expect(result.errors).toBeUndefined();
      expect(result.data?.creditRecord).toBeNull();
    });

    it('lists the departments of the catalogue and finds one by code, null for an unknown code', async () => {
      const result = await query<{ departments: { code: string; name: string; nameZh: string }[]; court: { nameZh: string; kind: string }; unknown: null }>(
        `{ departments { code name nameZh } court: department(code: "PEOPLES_COURT") { nameZh kind } unknown: department(code: "POLICE") { code } }`,
      );
      expect(result.data?.departments).toEqual(departments.map(({ code, name, nameZh }) => ({ code, name, nameZh })));
      expect(result.data?.court).toEqual({ nameZh: '北戴河区人民法院', kind: 'JUDICIAL' });
      expect(result.data?.unknown).toBeNull();
    });

    it('finds a department by its code typed in any letter case and width, trimmed, as every code typed is', async () => {
      for (const code of ['finance', ' Finance ', 'ＦＩＮＡＮＣＥ', '\u3000ｆｉｎａｎｃｅ']) {
        const result = await query<{ department: { code: string } | null }>(`query($code: ID!) { department(code: $code) { code } }`, { code });
        expect({ code, errors: result.errors, department: result.data?.department }).toEqual({ code, errors: undefined, department: { code: 'FINANCE' } });
      }
    });

    it('lists the record categories of the catalogue with their rules', async () => {
      const result = await query<{ creditRecordCategories: { code: string; nameZh: string; polarities: string[]; severityRequired: boolean; sourceDepartments: { code: string }[] | null }[] }>(
        `{ creditRecordCategories { code nameZh polarities severityRequired sourceDepartments { code } } }`,
      );
      expect(result.data?.creditRecordCategories).toEqual(
        recordCategories.map((c) => ({
          code: c.code,
          nameZh: c.nameZh,
          polarities: [...c.polarities],
          severityRequired: c.severityRequired,
          // The credit office decides its honours and the commitments made to it, every other department the rest.
          sourceDepartments: c.sourceDepartments
            ? c.sourceDepartments.map((code) => ({ code }))
            : ['RED_LIST_HONOUR', 'CREDIT_COMMITMENT'].includes(c.code)
              ? null
              : departments.filter((d) => d.code !== 'CREDIT_OFFICE').map((d) => ({ code: d.code })),
        })),
      );
    });

    it('declares exactly the catalogue categories in the RecordCategory enum, each with its Chinese name', () => {
      const enumType = parse(readSdl('records')).definitions.find((d): d is EnumTypeDefinitionNode => d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value === 'RecordCategory');
      const values = enumType?.values ?? [];
      expect(values.map((v) => v.name.value)).toEqual(recordCategories.map((c) => c.code));
      for (const category of recordCategories) {
        expect(values.find((v) => v.name.value === category.code)?.description?.value).toContain(category.nameZh);
      }
    });
  });

  describe('Subject.creditRecords', () => {
    const procurement = identityOf({ id: 'officer-finance', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' }, 'GOVERNMENT_PROCUREMENT');
    const supervision = identityOf({ id: 'supervisor', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'CREDIT_OFFICE_SUPERVISOR' }, 'CREDIT_SUPERVISION');
    /** An enterprise's records as `identity` is shown them: id and status, in the order listed. */
    const listedTo = async (identity: typeof procurement, enterprise: string, filter: Record<string, unknown> | null) => {
      const result = await queryAs<SubjectPages>(identity, SUBJECT_RECORDS, { r: [{ ...subjectRef(enterprise), kind: 'ENTERPRISE' }], filter, first: 100 });
      expect(result.errors).toBeUndefined();
      const records = result.data!._entities[0]!.creditRecords;
      expect(records.totalCount).toBe(records.edges.length);
      return records.edges.map((e) => [e.node.id, e.node.status]);
    };

    it('pages newest decision first, the id breaking ties, with cursors and a total count', async () => {
      const seen: string[] = [];
      let after: string | null = null;
      for (let pages = 0; pages < 10; pages++) {
        const page: RecordPage = await pageOf(null, 5, after);
        expect(page.totalCount).toBe(handMade.length);
        expect(page.edges.length).toBeLessThanOrEqual(5);
        seen.push(...page.edges.map((e) => e.node.id));
        expect(page.pageInfo.hasNextPage).toBe(seen.length < handMade.length);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(seen).toEqual(newestFirst);
      // The tie on 2023-05-05: the larger id first.
      expect(newestFirst.indexOf(idOf('r09'))).toBeLessThan(newestFirst.indexOf(idOf('r08')));
    });

    it('gives the page info of a Relay connection: the first cursor, and whether pages come before (forward paging only)', async () => {
      const PAGE_INFO = `query($r: [_Any!]!, $after: String) { _entities(representations: $r) { ... on Subject { creditRecords(first: 2, after: $after) {
        pageInfo { hasPreviousPage hasNextPage startCursor endCursor } edges { cursor } } } } }`;
      type Paged = { _entities: { creditRecords: { pageInfo: { hasPreviousPage: boolean; hasNextPage: boolean; startCursor: string | null; endCursor: string | null }; edges: { cursor: string }[] } }[] };
      const answer = await query<Paged>(PAGE_INFO, { r: [subjectRef(subjectId)] });
      expect(answer.errors).toBeUndefined();
      const first = answer.data!._entities[0].creditRecords;
      expect(first.pageInfo).toEqual({ hasPreviousPage: false, hasNextPage: true, startCursor: first.edges[0].cursor, endCursor: first.edges[1].cursor });
      const second = (await query<Paged>(PAGE_INFO, { r: [subjectRef(subjectId)], after: first.pageInfo.endCursor })).data!._entities[0].creditRecords;
      expect(second.pageInfo).toMatchObject({ hasPreviousPage: true, startCursor: second.edges[0].cursor });
      const empty = (await query<Paged>(PAGE_INFO, { r: [subjectRef('no-such-subject')] })).data!._entities[0].creditRecords;
      expect(empty.pageInfo).toEqual({ hasPreviousPage: false, hasNextPage: false, startCursor: null, endCursor: null });
    });

    it.each([
      ['of a kind the purpose covers', 'ENTERPRISE', null],
      ['of a kind the purpose does not cover', 'NATURAL_PERSON', ['SUBJECT_KIND_NOT_COVERED', 'does not cover subjects of kind NATURAL_PERSON']],
      ['whose kind the gateway did not bring', undefined, ['SUBJECT_KIND_UNKNOWN', 'kind could not be established']],
    ])('answers a purpose for organisations only about a subject %s', async (_label, kind, refusal) => {
      expect(procurement.scope.subjectKinds).not.toContain('NATURAL_PERSON');
      const result = await queryAs<SubjectPages>(procurement, SUBJECT_RECORDS, { r: [{ ...subjectRef(subjectId), ...(kind ? { kind } : {}) }] });
      if (!refusal) {
        expect(result.errors).toBeUndefined();
        expect(result.data!._entities[0]!.creditRecords.totalCount).toBeGreaterThan(0);
      } else {
        const [problem, message] = refusal;
        expect(result.errors?.map((e) => [e.extensions?.code, e.extensions?.problem, e.message])).toEqual([['FORBIDDEN', problem, expect.stringContaining(message)]]);
        expect(result.data?._entities[0]?.creditRecords ?? null).toBeNull();
      }
    });

    it('shows a reader without RESTRICTED_RECORDS the records that count: active ones and those under objection within their disclosure period, marked OBJECTED', async () => {
      const disputed = 'f0000000-0000-4000-8000-0000000000d1';
      const draft = { subjectId: disputed, polarity: 'NEGATIVE', category: 'ADMINISTRATIVE_PENALTY', sourceDepartment: 'MARKET_REGULATION', summary: '异议中的记录', status: 'OBJECTED' } as const;
      const pending = buildCreditRecord({ ...draft, severity: 'GENERAL', documentNumber: '异议〔2026〕1号', decisionDate: addDays(today, -10) }, { id: 'f0000000-0000-4000-8000-0000000000d2', recordedAt: new Date(), today });
      // Objected after its disclosure had ended: kept for its history, counting no more.
      const lapsed = buildCreditRecord({ ...draft, severity: 'GENERAL', documentNumber: '异议〔2020〕1号', decisionDate: '2020-03-01' }, { id: 'f0000000-0000-4000-8000-0000000000d3', recordedAt: new Date(), today });
      const active = buildCreditRecord({ ...draft, status: 'ACTIVE', severity: 'GENERAL', documentNumber: '异议〔2026〕2号', decisionDate: addDays(today, -20) }, { id: 'f0000000-0000-4000-8000-0000000000d4', recordedAt: new Date(), today });
      await db().getRepository(CreditRecord).insert([pending, lapsed, active]);
      expect(procurement.grants).not.toContain('RESTRICTED_RECORDS');
      const read = (identity: typeof procurement, filter: Record<string, unknown> | null) => listedTo(identity, disputed, filter);
      expect(await read(procurement, null)).toEqual([[pending.id, 'OBJECTED'], [active.id, 'ACTIVE']]);
      expect(await read(procurement, { statuses: ['OBJECTED', 'EXPIRED'] })).toEqual([[pending.id, 'OBJECTED']]);
      // Supervision sees all three.
      expect(await read(supervision, { statuses: ['OBJECTED'] })).toEqual([[pending.id, 'OBJECTED'], [lapsed.id, 'OBJECTED']]);
      expect([groupsToSee(pending, today), groupsToSee(lapsed, today)]).toEqual([['PUBLIC_RECORDS'], ['PUBLIC_RECORDS', 'RESTRICTED_RECORDS']]);
    });

    it('shows a reader without RESTRICTED_RECORDS a record, active or under objection, through the last day of its disclosure, and neither from the day after', async () => {
      const subject = 'f0000000-0000-4000-8000-0000000000d5';
      const recordOf = (n: number, status: 'ACTIVE' | 'OBJECTED', disclosureEndsAt: string) =>
        db().getRepository(CreditRecord).create({
          id: `f0000000-0000-4000-8000-0000000000d${n}`, subjectId: subject, category: 'ADMINISTRATIVE_PENALTY', polarity: 'NEGATIVE', severity: 'GENERAL', taxCreditGrade: null, sourceDepartment: 'MARKET_REGULATION',
          documentNumber: `公示期〔2025〕${n}号`, decisionDate: addMonths(disclosureEndsAt, -12), disclosureEndsAt, validUntil: null, status, summary: '公示期最后一天', recordedAt: new Date(),
        });
      const [lastDayActive, lastDayObjected, endedActive, endedObjected] = [recordOf(6, 'ACTIVE', today), recordOf(7, 'OBJECTED', today), recordOf(8, 'ACTIVE', addDays(today, -1)), recordOf(9, 'OBJECTED', addDays(today, -1))];
      await db().getRepository(CreditRecord).insert([lastDayActive, lastDayObjected, endedActive, endedObjected]);
      expect(await listedTo(procurement, subject, null)).toEqual([[lastDayObjected.id, 'OBJECTED'], [lastDayActive.id, 'ACTIVE']]);
      expect(await listedTo(supervision, subject, null)).toEqual([[lastDayObjected.id, 'OBJECTED'], [lastDayActive.id, 'ACTIVE'], [endedObjected.id, 'OBJECTED'], [endedActive.id, 'EXPIRED']]);
    });

    describe('countsInCheck: true, the records a credit check counts today (计入核查)', () => {
      // A supplier with a listing under objection, a tax grade replaced by a later one, a lapsed
      // honour; and a subject whose newest tax grade is past its term, over the one it replaced.
      const supplier = 'f0000000-0000-4000-8000-0000000000e1';
      const graded = 'f0000000-0000-4000-8000-0000000000e2';
      const recordId = (key: string) => `f0000000-0000-4000-8000-000000000${key}`;
      const yesterday = addDays(today, -1);
      const recordOf = (key: string, subject: string, fields: Partial<CreditRecord>): CreditRecord =>
        db().getRepository(CreditRecord).create({
          id: recordId(key), subjectId: subject, category: 'ADMINISTRATIVE_PENALTY', polarity: 'NEGATIVE', severity: 'GENERAL', taxCreditGrade: null, sourceDepartment: 'MARKET_REGULATION',
          documentNumber: `计入〔2026〕${key}号`, decisionDate: addDays(today, -45), disclosureEndsAt: addMonths(addDays(today, -45), 12), validUntil: null, status: 'ACTIVE',
          summary: `计入核查${key}`, recordedAt: new Date(), ...fields,
        });
      const grade = (key: string, subject: string, taxCreditGrade: 'A' | 'B' | 'D', decisionDate: string, fields: Partial<CreditRecord> = {}) =>
        recordOf(key, subject, {
          category: 'TAX_CREDIT_GRADE', polarity: taxCreditGrade === 'A' ? 'POSITIVE' : taxCreditGrade === 'D' ? 'NEGATIVE' : 'NEUTRAL', severity: null, taxCreditGrade, sourceDepartment: 'TAXATION',
          decisionDate, disclosureEndsAt: taxCreditGrade === 'D' ? addMonths(decisionDate, 12) : null, ...fields,
        });
      const honour = (key: string, decisionDate: string, validUntil: string) =>
        recordOf(key, supplier, { category: 'RED_LIST_HONOUR', polarity: 'POSITIVE', severity: null, sourceDepartment: 'CREDIT_OFFICE', decisionDate, disclosureEndsAt: null, validUntil });
      const supplierRef = { ...subjectRef(supplier), kind: 'ENTERPRISE' };
      const gradedRef = { ...subjectRef(graded), kind: 'ENTERPRISE' };
      const pagesOf = async (refs: Record<string, unknown>[], filter: Record<string, unknown> | null, first = 100, after: string | null = null) => {
        const result = await queryAs<SubjectPages>(procurement, SUBJECT_RECORDS, { r: refs, filter, first, after });
        expect(result.errors).toBeUndefined();
        return result.data!._entities.map((e) => e!.creditRecords);
      };
      const listed = (page: RecordPage) => page.edges.map((e) => [e.node.id, e.node.status]);

      beforeAll(async () => {
        await db().getRepository(CreditRecord).insert([
          recordOf('e11', supplier, { category: 'SERIOUS_DISHONESTY_LIST', severity: null, sourceDepartment: 'MARKET_REGULATION', decisionDate: addDays(today, -30), disclosureEndsAt: addMonths(addDays(today, -30), 36), status: 'OBJECTED' }),
          recordOf('e12', supplier, {}),
          grade('e13', supplier, 'D', addMonths(today, -8)),
          grade('e14', supplier, 'B', addMonths(today, -2)),
          // Withdrawn on an objection, it never stood: the B before it does.
          grade('e15', supplier, 'A', addDays(today, -10), { status: 'WITHDRAWN' }),
          honour('e16', addMonths(today, -24), yesterday),
          honour('e17', addMonths(today, -12), today),
          recordOf('e18', supplier, { decisionDate: '2021-01-10', disclosureEndsAt: '2022-01-10' }),
          recordOf('e19', supplier, { decisionDate: '2021-02-10', disclosureEndsAt: '2022-02-10', status: 'OBJECTED' }),
          // Two grades of one day: the larger id is the newer, as a check orders them.
          grade('e20', graded, 'B', addMonths(today, -6)),
          grade('e21', graded, 'D', addMonths(today, -6), { validUntil: yesterday }),
          grade('e22', graded, 'A', addMonths(today, -18)),
        ]);
      });

      it('lists a listing under objection, marked OBJECTED, and not a replaced tax grade or a lapsed honour, though they read ACTIVE', async () => {
        const [all] = await pagesOf([supplierRef], null);
        expect(listed(all)).toEqual([[recordId('e11'), 'OBJECTED'], [recordId('e12'), 'ACTIVE'], [recordId('e14'), 'ACTIVE'], [recordId('e13'), 'ACTIVE'], [recordId('e17'), 'ACTIVE'], [recordId('e16'), 'ACTIVE']]);
        const [counting] = await pagesOf([supplierRef], { countsInCheck: true });
        expect([counting.totalCount, listed(counting)]).toEqual([4, [[recordId('e11'), 'OBJECTED'], [recordId('e12'), 'ACTIVE'], [recordId('e14'), 'ACTIVE'], [recordId('e17'), 'ACTIVE']]]);
        // The README's supplier check: the negative records that count, the disputed listing among them.
        const [negative] = await pagesOf([supplierRef], { polarity: 'NEGATIVE', countsInCheck: true });
        expect([negative.totalCount, listed(negative)]).toEqual([2, [[recordId('e11'), 'OBJECTED'], [recordId('e12'), 'ACTIVE']]]);
        const [ignored] = await pagesOf([supplierRef], { countsInCheck: false });
        expect([ignored.totalCount, listed(ignored)]).toEqual([2, [[recordId('e13'), 'ACTIVE'], [recordId('e16'), 'ACTIVE']]]);
      });

      it('leaves out the newest tax grade past its term, and every grade it replaced', async () => {
        const [counting] = await pagesOf([gradedRef], { countsInCheck: true });
        expect([counting.totalCount, listed(counting)]).toEqual([0, []]);
        const [ignored] = await pagesOf([gradedRef], { countsInCheck: false });
        expect(ignored.edges.map((e) => e.node.id)).toEqual([recordId('e21'), recordId('e20'), recordId('e22')]);
      });

      it('pages them with the total of the filtered records, alone and batched with another subject, in one SQL statement', async () => {
        const seen: string[] = [];
        let after: string | null = null;
        for (let more = true; more; ) {
          const [page]: RecordPage[] = await pagesOf([supplierRef], { countsInCheck: true }, 1, after);
          expect(page.totalCount).toBe(4);
          seen.push(...page.edges.map((e) => e.node.id));
          ({ hasNextPage: more, endCursor: after } = page.pageInfo);
        }
        expect(seen).toEqual([recordId('e11'), recordId('e12'), recordId('e14'), recordId('e17')]);
        const [alone] = await pagesOf([supplierRef], { countsInCheck: true }, 2);
        const statements = await sql.selectsDuring(async () => {
          const [batched, none] = await pagesOf([supplierRef, gradedRef], { countsInCheck: true }, 2);
          expect(batched).toEqual(alone);
          expect([batched.totalCount, batched.pageInfo.hasNextPage, none.totalCount, none.edges]).toEqual([4, true, 0, []]);
        });
        expect(statements).toBe(1);
      });

      it('lists exactly the records a credit check of the subject considers', async () => {
        const checks = new CreditCheckRepository(db());
        for (const subject of [supplier, graded]) {
          const check = await checks.run({ subjectId: subject, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0117' }, { userId: 'officer-finance', department: 'FINANCE' }, new Date());
          const [counting] = await pagesOf([{ ...subjectRef(subject), kind: 'ENTERPRISE' }], { countsInCheck: true });
          expect(counting.edges.map((e) => e.node.id)).toEqual(check.recordsSnapshot.map((r) => r.id));
        }
      });
    });

    it('defaults to 20 records a page and answers an empty connection for a subject without records', async () => {
      const result = await query<SubjectPages>(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Subject { id creditRecords { totalCount pageInfo { hasNextPage endCursor } edges { cursor } } } } }`, {
        r: [subjectRef(subjectId), subjectRef('no-such-subject')],
      });
      expect(result.data?._entities[0]?.creditRecords.edges).toHaveLength(handMade.length);
      expect(result.data?._entities[1]).toEqual({ id: 'no-such-subject', creditRecords: { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] } });
    });

    it.each<[string, Record<string, unknown>, string[]]>([
      ['categories', { categories: ['ADMINISTRATIVE_PENALTY'] }, ids('r01', 'r02', 'r03', 'r11', 'r12')],
      ['several categories', { categories: ['TAX_CREDIT_GRADE', 'RED_LIST_HONOUR'] }, ids('r05', 'r06')],
      // More parameters than SQLite takes in one statement, were each sent.
      ['several categories, each listed 20,000 times', { categories: Array.from({ length: 40_000 }, (_, i) => (i % 2 ? 'TAX_CREDIT_GRADE' : 'RED_LIST_HONOUR')) }, ids('r05', 'r06')],
      ['statuses listed 20,000 times', { statuses: Array.from({ length: 40_000 }, (_, i) => (i % 2 ? 'EXPIRED' : 'OBJECTED')) }, ids('r02', 'r03', 'r12')],
      ['an empty category list', { categories: [] }, []],
      ['polarity', { polarity: 'NEUTRAL' }, ids('r07', 'r08', 'r09')],
      ['status ACTIVE, which excludes records past their disclosure end', { statuses: ['ACTIVE'] }, ids('r01', 'r05', 'r06', 'r07', 'r08', 'r09', 'r10', 'r11')],
      ['status EXPIRED, derived from the disclosure end', { statuses: ['EXPIRED'] }, ids('r02', 'r12')],
      ['statuses OBJECTED and RESTORED, which never expire', { statuses: ['OBJECTED', 'RESTORED'] }, ids('r03', 'r04')],
      ['source department', { sourceDepartment: 'TAXATION' }, ids('r03', 'r05', 'r10')],
      // Read as every code typed is: in any letter case and width, trimmed.
      ['source department typed in lower case', { sourceDepartment: 'taxation' }, ids('r03', 'r05', 'r10')],
      ['source department typed in full width and mixed case, with spaces', { sourceDepartment: '\u3000Ｔａｘａｔｉｏｎ ' }, ids('r03', 'r05', 'r10')],
      ['a decision date range, both ends included', { decidedFrom: '2020-05-01', decidedTo: '2022-01-10' }, ids('r03', 'r04', 'r05', 'r06')],
      ['several fields at once', { categories: ['ADMINISTRATIVE_PENALTY'], statuses: ['ACTIVE'], decidedFrom: '2021-01-01' }, ids('r01', 'r11')],
      // Not r03 (objected after its disclosure ended) nor r05 (a tax grade of 2021, past its annual term).
      ['countsInCheck, the records a check counts today', { countsInCheck: true }, ids('r01', 'r06', 'r07', 'r08', 'r09', 'r10', 'r11')],
      ['countsInCheck: false, the records a check does not count', { countsInCheck: false }, ids('r02', 'r03', 'r04', 'r05', 'r12')],
      ['status ACTIVE among the records a check does not count: a tax grade past its term', { statuses: ['ACTIVE'], countsInCheck: false }, ids('r05')],
    ])('filters by %s', async (_label, filter, expected) => {
      const page = await pageOf(filter);
      expect(page.edges.map((e) => e.node.id)).toEqual(newestFirst.filter((id) => expected.includes(id)));
      expect(page.totalCount).toBe(expected.length);
    });

    it('reads the same status in the field as in the filter, for every seeded record', async () => {
      const everyone = world.subjects.map((s) => subjectRef(s.id));
      const all = await query<SubjectPages>(SUBJECT_RECORDS, { r: everyone, first: 100 });
      const byStatus = new Map<string, Set<string>>();
      for (const entity of all.data!._entities) {
        for (const { node } of entity!.creditRecords.edges) byStatus.set(node.status, (byStatus.get(node.status) ?? new Set()).add(node.id));
      }
      for (const status of ['ACTIVE', 'OBJECTED', 'RESTORED', 'EXPIRED', 'WITHDRAWN']) {
        const filtered = await query<SubjectPages>(SUBJECT_RECORDS, { r: everyone, first: 100, filter: { statuses: [status] } });
        const found = new Set(filtered.data!._entities.flatMap((e) => e!.creditRecords.edges.map((edge) => edge.node.id)));
        expect(found.size).toBeGreaterThan(0);
        expect(found).toEqual(byStatus.get(status));
      }
    });

    it('counts in the filter the records countsInCheck marks and a credit check considers, for every seeded subject', async () => {
      const COUNTS = `query($r: [_Any!]!, $filter: CreditRecordFilter) { _entities(representations: $r) { ... on Subject { id creditRecords(filter: $filter, first: 100) { totalCount edges { node { id countsInCheck } } } } } }`;
      type Counts = { _entities: { id: string; creditRecords: Connection<{ id: string; countsInCheck: boolean }> }[] };
      const subjects = [...world.subjects.map((s) => s.id), subjectId];
      const read = async (filter: Record<string, unknown> | null) => {
        const result = await query<Counts>(COUNTS, { r: subjects.map(subjectRef), filter });
        expect(result.errors).toBeUndefined();
        return result.data!._entities.map((e) => e.creditRecords);
      };
      const [all, counting, ignored] = [await read(null), await read({ countsInCheck: true }), await read({ countsInCheck: false })];
      const checks = new CreditCheckRepository(db());
      for (const [i, subject] of subjects.entries()) {
        const marked = all[i].edges.filter((e) => e.node.countsInCheck).map((e) => e.node.id);
        const check = await checks.run({ subjectId: subject, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0117' }, { userId: 'officer-finance', department: 'FINANCE' }, new Date());
        expect([subject, counting[i].edges.map((e) => e.node.id)]).toEqual([subject, marked]);
        expect([subject, counting[i].totalCount, ignored[i].totalCount]).toEqual([subject, marked.length, all[i].totalCount - marked.length]);
        expect([subject, check.recordsSnapshot.map((r) => r.id)]).toEqual([subject, marked]);
      }
      // The seeded world has records of both kinds, tax grades among those left out.
      expect(counting.some((page) => page.totalCount > 0) && ignored.some((page) => page.edges.length > 0)).toBe(true);
    });

    it.each<[string, Record<string, unknown>, string, string | undefined]>([
      ['a page size of 0', { first: 0 }, 'BAD_USER_INPUT', 'first'],
      ['a page size over 100', { first: 101 }, 'BAD_USER_INPUT', 'first'],
      ['a forged cursor', { after: 'not-a-cursor' }, 'INVALID_CURSOR', 'after'],
      ['an unknown department', { filter: { sourceDepartment: 'POLICE' } }, 'BAD_USER_INPUT', 'filter.sourceDepartment'],
      ['a date range that ends before it starts', { filter: { decidedFrom: '2024-01-02', decidedTo: '2024-01-01' } }, 'BAD_USER_INPUT', 'filter.decidedTo'],
      ['an impossible date', { filter: { decidedFrom: '2024-02-30' } }, 'BAD_USER_INPUT', undefined],
      ['an unknown status', { filter: { statuses: ['DELETED'] } }, 'BAD_USER_INPUT', undefined],
    ])('refuses %s with a typed error', async (_label, variables, code, field) => {
      const result = await query<SubjectPages>(SUBJECT_RECORDS, { r: [subjectRef(subjectId)], ...variables });
      expect(result.errors?.[0].extensions).toMatchObject({ code, ...(field ? { field } : {}) });
      expect(result.errors?.[0].extensions).not.toHaveProperty('stacktrace');
    });

    it('quotes a long department code refused by its first characters and its length', async () => {
      const result = await query<SubjectPages>(SUBJECT_RECORDS, { r: [subjectRef(subjectId)], filter: { sourceDepartment: 'A'.repeat(5_000) } });
      expect(result.errors?.[0]).toMatchObject({
        message: `sourceDepartment must be a department code from Query.departments, got "${'A'.repeat(maxQuotedCharacters)}"… (5000 characters in all)`,
        extensions: { code: 'BAD_USER_INPUT', field: 'filter.sourceDepartment' },
      });
    });
  });

  describe('reference resolution', () => {
    it('resolves credit records in one SQL statement for 5 and for 50 ids, null for an unknown id', async () => {
      const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on CreditRecord { id status sourceDepartment { code } } } }`;
      const recordIds = (await db().getRepository(CreditRecord).find({ order: { id: 'ASC' }, take: 50 })).map((r) => r.id);
      const statementsFor = (n: number) =>
        sql.selectsDuring(async () => {
          const representations = recordIds.slice(0, n).map((id) => ({ __typename: 'CreditRecord', id }));
          const result = await query<{ _entities: ({ id: string } | null)[] }>(ENTITIES, { r: [...representations, { __typename: 'CreditRecord', id: 'missing' }] });
          expect(result.data?._entities.slice(0, n).map((e) => e?.id)).toEqual(recordIds.slice(0, n));
          expect(result.data?._entities[n]).toBeNull();
        });
      expect(await statementsFor(5)).toBe(1);
      expect(await statementsFor(50)).toBe(1);
    });

    it('pages the records of 5 and of 50 subjects in one SQL statement', async () => {
      const statementsFor = (n: number) =>
        sql.selectsDuring(async () => {
          const result = await query<SubjectPages>(SUBJECT_RECORDS, { r: world.subjects.slice(0, n).map((s) => subjectRef(s.id)), first: 3, filter: { polarity: 'NEGATIVE' } });
          expect(result.errors).toBeUndefined();
          expect(result.data?._entities.map((e) => e?.id)).toEqual(world.subjects.slice(0, n).map((s) => s.id));
        });
      expect(await statementsFor(5)).toBe(1);
      expect(await statementsFor(50)).toBe(1);
    });

    it('tells whether a check counts each record of 5 and of 50 subjects with one more SQL statement, whatever their tax grades', async () => {
      const COUNTS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Subject { id creditRecords(first: 20) { edges { node { category countsInCheck } } } } } }`;
      let grades = 0;
      const statementsFor = (n: number) =>
        sql.selectsDuring(async () => {
          const result = await query<{ _entities: { creditRecords: { edges: { node: { category: string; countsInCheck: boolean } }[] } }[] }>(COUNTS, { r: world.subjects.slice(0, n).map((s) => subjectRef(s.id)) });
          expect(result.errors).toBeUndefined();
          grades += result.data!._entities.flatMap((e) => e.creditRecords.edges).filter((e) => e.node.category === 'TAX_CREDIT_GRADE').length;
        });
      // The first five subjects may have no tax grade, and then need no second statement.
      expect(await statementsFor(5)).toBeLessThanOrEqual(2);
      expect(await statementsFor(50)).toBe(2);
      expect(grades).toBeGreaterThan(1);
    });

    it("reads one subject's page with ORDER BY ... LIMIT, counting in the same statement only when totalCount is asked, and pages it as a batch does", async () => {
      const perSubject = new Map<string, number>();
      for (const record of await db().getRepository(CreditRecord).find()) perSubject.set(record.subjectId, (perSubject.get(record.subjectId) ?? 0) + 1);
      const [busiest] = [...perSubject].sort((a, b) => b[1] - a[1])[0];
      expect(perSubject.get(busiest)).toBeGreaterThan(4);
      const other = world.subjects.find((s) => s.id !== busiest)!.id;
      const pageOf = async (subjects: string[], after?: string | null) => {
        const result = await query<SubjectPages>(SUBJECT_RECORDS, { r: subjects.map(subjectRef), first: 2, after });
        expect(result.errors).toBeUndefined();
        return result.data!._entities[0]!.creditRecords;
      };

      expect(await sql.selectsDuring(() => pageOf([busiest]))).toBe(1);
      expect(sql.selects[0]).toMatch(/COUNT\(\*\).* ORDER BY .* LIMIT/);
      expect(sql.selects[0]).not.toMatch(/OVER \(/);
      const WITHOUT_COUNT = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Subject { creditRecords(first: 2) { edges { node { id } } } } } }`;
      expect(await sql.selectsDuring(async () => expect((await query(WITHOUT_COUNT, { r: [subjectRef(busiest)] })).errors).toBeUndefined())).toBe(1);
      expect(sql.selects[0]).not.toMatch(/COUNT\(/);

      // Alone or batched with another subject (window functions), the same first page; then
      // paged alone to the end, every record once, newest decision first.
      const first = await pageOf([busiest]);
      expect(await pageOf([busiest, other])).toEqual(first);
      let page = first;
      const seen = first.edges.map((e) => e.node);
      while (page.pageInfo.hasNextPage) {
        page = await pageOf([busiest], page.pageInfo.endCursor);
        seen.push(...page.edges.map((e) => e.node));
      }
      const newestFirst = [...seen].sort((a, b) => b.decisionDate.localeCompare(a.decisionDate) || (b.id < a.id ? -1 : 1));
      expect(seen.map((n) => n.id)).toEqual(newestFirst.map((n) => n.id));
      expect(new Set(seen.map((n) => n.id)).size).toBe(perSubject.get(busiest));
      expect(page.totalCount).toBe(perSubject.get(busiest));
      // The batch's windows rank only the rows after a cursor and count them all. The API's
      // cursors name one parent, so a batch is paged on here below the API: the same pages.
      const records = db().getRepository(CreditRecord);
      const batchIds: string[] = [];
      let position: CursorPosition | null = null;
      for (let more = true; more; ) {
        const pages: Map<string, Page<CreditRecord>> = await loadPages(records, { parent: 'subjectId', parentIds: [busiest, other], orderBy: 'decisionDate', direction: 'DESC', first: 2, after: position });
        const batch = pages.get(busiest)!;
        expect(batch.totalCount).toBe(perSubject.get(busiest));
        batchIds.push(...batch.rows.map((r) => r.id));
        const last = batch.rows.at(-1)!;
        position = [last.decisionDate, last.id];
        more = batch.hasNextPage;
      }
      expect(batchIds).toEqual(seen.map((n) => n.id));
      // Past the last row there is no row to carry the count: it is counted on its own.
      const pastTheEnd = await pageOf([busiest], page.pageInfo.endCursor);
      expect(pastTheEnd.edges).toEqual([]);
      expect(pastTheEnd.totalCount).toBe(perSubject.get(busiest));
    });

    it('seals cursors only when the client asks for them', async () => {
      const seal = jest.spyOn(CursorSeal.prototype, 'seal');
      try {
        const read = async (selection: string) => {
          seal.mockClear();
          const result = await query(`query ($r: [_Any!]!) { _entities(representations: $r) { ... on Subject { creditRecords(first: 5) { ${selection} } } } }`, { r: world.subjects.slice(0, 3).map((s) => subjectRef(s.id)) });
          expect(result.errors).toBeUndefined();
          return seal.mock.calls.length;
        };
        expect(await read('totalCount edges { node { id } } pageInfo { hasNextPage }')).toBe(0);
        const edges = await read('edges { cursor node { id } }');
        expect(edges).toBeGreaterThan(3);
        expect(await read('pageInfo { endCursor }')).toBe(3);
      } finally {
        seal.mockRestore();
      }
    });

    it('resolves departments from the catalogue without SQL, null for an unknown code', async () => {
      sql.reset();
      const result = await query<{ _entities: ({ code: string; nameZh: string } | null)[] }>(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Department { code nameZh } } }`, {
        r: [{ __typename: 'Department', code: 'MARKET_REGULATION' }, { __typename: 'Department', code: 'POLICE' }],
      });
      expect(result.data?._entities).toEqual([{ code: 'MARKET_REGULATION', nameZh: '区市场监管局' }, null]);
      expect(sql.statements).toEqual([]);
    });
  });
});
