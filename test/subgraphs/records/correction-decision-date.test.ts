import { randomUUID } from 'node:crypto';
import { addDays, startOfDistrictDay, todayInDistrict } from '../../../lib/calendar';
import { addMonths } from '../../../lib/catalogue/record-categories';
import { effectiveStatus } from '../../../lib/catalogue/record-standing';
import { buildCreditRecord } from '../../../subgraphs/records/credit-record.repository';
import { CreditRecord } from '../../../subgraphs/records/entities/credit-record.entity';
import { CreditRecordEvent } from '../../../subgraphs/records/entities/credit-record-event.entity';
import { CreditRecordObjection } from '../../../subgraphs/records/entities/credit-record-objection.entity';
import { RestorationApplication } from '../../../subgraphs/records/entities/restoration-application.entity';
import { expiryInstant } from '../../../subgraphs/records/record-history';
import { testDatabases } from '../../helpers/databases';
import type { GraphQLResponse } from '../../helpers/graphql';
import { officerOf, useRecordsWithSubjects } from './records-harness';

/**
 * A correction's decision date (更正后的决定日期) is the day the decision was in fact made: a
 * department sends a decision once it is made, so it is no later than the district day its record
 * entered the platform (`recordedAt`), which a corrected record keeps. Earlier or later than the
 * date it corrects, it may be. Both ways a department corrects a record are held to it: accepting
 * an objection as CORRECTED, and sending the record again with changed content. An accepted
 * objection may not make the record graver, so there a later date that would disclose it longer is
 * refused too.
 *
 * The record entered on day R at 00:30 in the district, which is still R-1 in UTC: the rule counts
 * district days, as every date of the platform does.
 */
const today = todayInDistrict();
const R = addDays(today, -30);
const recordedAt = new Date(startOfDistrictDay(R).getTime() + 30 * 60_000);
const originalDecision = addDays(R, -6);

const OBJECT = /* GraphQL */ `mutation($input: ObjectToCreditRecordInput!) { objectToCreditRecord(input: $input) { id } }`;
const DECIDE = /* GraphQL */ `mutation($input: DecideObjectionInput!) { decideObjection(input: $input) { status record { decisionDate } } }`;
const SUBMIT = /* GraphQL */ `mutation($input: SubmitCreditRecordInput!) { submitCreditRecord(input: $input) { outcome record { decisionDate } } }`;
const SUBMIT_MANY = /* GraphQL */ `mutation($rows: [SubmitCreditRecordInput!]!) { submitCreditRecords(rows: $rows) { created updated unchanged rejected rejections { row field reason } } }`;

describe.each(testDatabases)("a correction's decision date on $label", (database) => {
  const { world, records } = useRecordsWithSubjects(database, 'correctiondate');
  const market = officerOf('MARKET_REGULATION');
  const window = officerOf('CREDIT_OFFICE');
  const enterprise = () => world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
  let serial = 0;

  /** A general penalty of market regulation, decided (six days before, by default) before it entered the platform on R. */
  async function stored(decisionDate = originalDecision): Promise<CreditRecord> {
    serial += 1;
    const record = buildCreditRecord(
      {
        subjectId: enterprise().id, category: 'ADMINISTRATIVE_PENALTY', polarity: 'NEGATIVE', severity: 'GENERAL', sourceDepartment: 'MARKET_REGULATION',
        documentNumber: `北戴河市监罚〔2026〕更正${serial}号`, decisionDate, summary: '销售超过保质期的食品，罚款15000元',
      },
      { id: randomUUID(), recordedAt, today },
    );
    await records.db().getRepository(CreditRecord).insert(record);
    return record;
  }

  /** Everything a correction could change: the record, its history, its objections. */
  async function state(recordId: string) {
    return {
      record: await records.db().getRepository(CreditRecord).findOneByOrFail({ id: recordId }),
      events: await records.db().getRepository(CreditRecordEvent).countBy({ recordId }),
      objections: (await records.db().getRepository(CreditRecordObjection).findBy({ recordId })).map((o) => o.status),
    };
  }

  describe('accepting an objection as CORRECTED', () => {
    async function objected(): Promise<{ record: CreditRecord; objectionId: string }> {
      const record = await stored();
      const filed = await records.queryAs<{ objectToCreditRecord: { id: string } }>(window, OBJECT, { input: { recordId: record.id, reason: '决定日期有误' } });
      expect(filed.errors).toBeUndefined();
      return { record, objectionId: filed.data!.objectToCreditRecord.id };
    }
    const decide = (id: string, decisionDate: string, severity?: string) =>
      records.queryAs<{ decideObjection: { status: string; record: { decisionDate: string } } | null }>(market, DECIDE, {
        input: { id, decision: 'ACCEPT', resolution: 'CORRECTED', correction: { decisionDate, ...(severity ? { severity } : {}) }, reason: '决定日期更正' },
      });

    it.each([
      ['the day after the record entered the platform', addDays(R, 1)],
      ['a week after it', addDays(R, 7)],
    ])('refuses a decision date %s with BAD_USER_INPUT naming correction.decisionDate, and changes nothing', async (_, decisionDate) => {
      const { record, objectionId } = await objected();
      const before = await state(record.id);
      const answer = await decide(objectionId, decisionDate);
      expect(answer.data?.decideObjection ?? null).toBeNull();
      expect(answer.errors?.map((e) => e.extensions)).toEqual([
        expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'correction.decisionDate', problems: [{ field: 'correction.decisionDate', reason: expect.stringContaining(`entered the platform on ${R}`), problem: 'OUT_OF_RANGE', latest: R }] }),
      ]);
      expect(answer.errors![0].message).toContain(`must not be after ${R}, got ${decisionDate}`);
      expect(await state(record.id)).toEqual(before);
    });

    it('refuses a decision date in the future once, as the one problem of the field', async () => {
      const { record, objectionId } = await objected();
      const before = await state(record.id);
      const answer = await decide(objectionId, addDays(today, 1));
      expect(answer.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'correction.decisionDate' });
      expect((answer.errors?.[0].extensions?.problems as { field: string }[]).map((p) => p.field)).toEqual(['correction.decisionDate']);
      expect(await state(record.id)).toEqual(before);
    });

    it.each([
      ['a day earlier than the date it corrects', addDays(originalDecision, -1), undefined],
      ['the day the record entered the platform (in the district, though the day before in UTC), with a severity lowered', R, 'MINOR'],
      ['a day later than it, before the record entered, with a severity lowered', addDays(originalDecision, 1), 'MINOR'],
    ])('accepts a decision date on %s', async (_, decisionDate, severity) => {
      const { objectionId } = await objected();
      const answer = await decide(objectionId, decisionDate, severity);
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.decideObjection).toEqual({ status: 'ACCEPTED', record: { decisionDate } });
    });

    it('refuses a later decision date that would disclose the record longer, as a graver correction, and changes nothing', async () => {
      const { record, objectionId } = await objected();
      const before = await state(record.id);
      const answer = await decide(objectionId, R);
      expect(answer.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'correction.decisionDate', problem: 'GRAVER_CORRECTION' })]);
      expect(answer.errors![0].message).toContain(`would disclose it until ${addMonths(R, 12)}, where its disclosure ends ${record.disclosureEndsAt}`);
      expect(await state(record.id)).toEqual(before);
    });
  });

  describe('sending the record again with a changed decision date', () => {
    const row = (record: CreditRecord, decisionDate: string) => ({
      subjectCode: enterprise().identifier, category: 'ADMINISTRATIVE_PENALTY', severity: 'GENERAL', documentNumber: record.documentNumber, decisionDate, summary: record.summary,
    });

    it('refuses a decision date after the day the record entered the platform with BAD_USER_INPUT naming decisionDate, and changes nothing', async () => {
      const record = await stored();
      const before = await state(record.id);
      const answer = await records.queryAs<{ submitCreditRecord: unknown }>(market, SUBMIT, { input: row(record, addDays(R, 1)) });
      expect(answer.data?.submitCreditRecord ?? null).toBeNull();
      expect(answer.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'decisionDate' });
      expect(answer.errors![0].message).toContain(`entered the platform on ${R}`);
      expect(await state(record.id)).toEqual(before);
    });

    it('dates an expired record anew, so that it counts again, and keeps the application pending at its end CLOSED, by the platform, then', async () => {
      // Decided 14 months ago, a general penalty's disclosure is over; the application was pending at its end.
      const record = await stored(addMonths(today, -14));
      const end = record.disclosureEndsAt!;
      const application = Object.assign(new RestorationApplication(), {
        id: randomUUID(), recordId: record.id, subjectId: record.subjectId, sourceDepartment: record.sourceDepartment, status: 'SUBMITTED', correction: '已缴纳罚款并完成整改',
        evidence: ['罚款缴纳凭证'], commitment: '承诺今后守法经营', submittedBy: 'self', submittedByOrganisation: enterprise().identifier,
        submittedAt: new Date(expiryInstant(end).getTime() - 10 * 86_400_000), decidedBy: null, decidedByOrganisation: null, decidedAt: null, decisionReason: null,
      });
      await records.db().getRepository(RestorationApplication).insert(application);
      const answer = await records.queryAs<{ submitCreditRecord: { outcome: string; record: { decisionDate: string } } | null }>(market, SUBMIT, { input: row(record, R) });
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.submitCreditRecord).toEqual({ outcome: 'UPDATED', record: { decisionDate: R } });
      expect(effectiveStatus(await records.db().getRepository(CreditRecord).findOneByOrFail({ id: record.id }), today)).toBe('ACTIVE');
      // Stored as it read before: closed at the end of the disclosure that held then. CLOSED is final: the subject applies anew.
      expect(await records.db().getRepository(RestorationApplication).findOneByOrFail({ id: application.id })).toMatchObject({ status: 'CLOSED', decidedBy: 'platform', decidedByOrganisation: 'PLATFORM', decidedAt: expiryInstant(end) });
    });

    it('rejects such a row of a batch, naming its field, and stores the rest', async () => {
      const [late, onTime] = [await stored(), await stored()];
      const before = await state(late.id);
      const answer = (await records.queryAs(market, SUBMIT_MANY, { rows: [row(late, addDays(R, 2)), row(onTime, R)] })) as GraphQLResponse<{
        submitCreditRecords: { updated: number; rejected: number; rejections: { row: number; field: string; reason: string }[] };
      }>;
      expect(answer.errors).toBeUndefined();
      expect(answer.data!.submitCreditRecords).toMatchObject({ updated: 1, rejected: 1, rejections: [{ row: 1, field: 'decisionDate', reason: expect.stringContaining(`must not be after ${R}, got ${addDays(R, 2)}`) }] });
      expect(await state(late.id)).toEqual(before);
      expect((await state(onTime.id)).record.decisionDate).toBe(R);
    });
  });
});
