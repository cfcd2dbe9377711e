import { randomUUID } from 'node:crypto';
import { addMonths } from '../../../lib/catalogue/record-categories';
import { inDistrictTime, todayInDistrict } from '../../../lib/calendar';
import { buildCreditRecord } from '../../../subgraphs/records/credit-record.repository';
import type { CreditRecordDraft } from '../../../subgraphs/records/credit-record.validation';
import { CreditRecord } from '../../../subgraphs/records/entities/credit-record.entity';
import { CreditRecordEvent } from '../../../subgraphs/records/entities/credit-record-event.entity';
import { CreditRecordObjection } from '../../../subgraphs/records/entities/credit-record-objection.entity';
import { RestorationApplication } from '../../../subgraphs/records/entities/restoration-application.entity';
import { recordsSubgraph } from '../../../subgraphs/records/subgraph';
import { testDatabases } from '../../helpers/databases';
import type { GraphQLResponse } from '../../helpers/graphql';
import { useSubgraph } from '../../helpers/subgraph';
import { creditOffice, identityOf, officerOf, selfOf } from './records-harness';

/**
 * A mutation sent again by a client that lost the first answer (a timeout, a dropped connection).
 * Filing an objection or a restoration application, and deciding either, answer the same request
 * from the same user with what the first one stored, changing nothing, as withdrawals do; any
 * other request is refused as before, a second filing naming the pending case by its id
 * (`objectionId`, `applicationId`) to whoever may read it, and a second decision saying who
 * decided and when.
 */
const OBJECT = /* GraphQL */ `mutation($input: ObjectToCreditRecordInput!) { objectToCreditRecord(input: $input) { id status reason submittedAt record { id status } } }`;
const DECIDE_OBJECTION = /* GraphQL */ `mutation($input: DecideObjectionInput!) { decideObjection(input: $input) { id status resolution decidedBy decidedAt decisionReason record { id status summary severity } } }`;
const APPLY = /* GraphQL */ `mutation($input: ApplyForRestorationInput!) { applyForRestoration(input: $input) { id status evidence submittedAt } }`;
const DECIDE_RESTORATION = /* GraphQL */ `mutation($input: DecideRestorationInput!) { decideRestoration(input: $input) { id status decidedBy decidedAt decisionReason record { id status } } }`;

type Answer<K extends string> = GraphQLResponse<Record<K, (Record<string, unknown> & { id: string }) | null>>;

describe.each(testDatabases)('lifecycle mutations sent again, on $label', (database) => {
  const { db, queryAs } = useSubgraph(recordsSubgraph, database, 'retries');
  const today = todayInDistrict();
  const subject = { id: randomUUID(), identifier: '91130304MA0RETRYXX', kind: 'ENTERPRISE' };
  const self = selfOf(subject);
  const market = officerOf('MARKET_REGULATION');
  const marketColleague = identityOf({ id: 'officer-market-colleague', organisation: 'MARKET_REGULATION', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' });
  // The platform's window, which files for subjects but reads only the cases it filed.
  const window = officerOf('CREDIT_OFFICE');
  let serial = 0;

  const record = async (draft: Partial<CreditRecordDraft> = {}): Promise<CreditRecord> => {
    serial += 1;
    const row = buildCreditRecord(
      {
        subjectId: subject.id,
        category: 'ADMINISTRATIVE_PENALTY',
        polarity: 'NEGATIVE',
        severity: 'GENERAL',
        sourceDepartment: 'MARKET_REGULATION',
        documentNumber: `重试〔2026〕${serial}号`,
        decisionDate: addMonths(today, -5),
        summary: '虚构原价进行价格欺诈，罚款20000元',
        ...draft,
      },
      { id: randomUUID(), recordedAt: new Date(), today },
    );
    await db().getRepository(CreditRecord).insert(row);
    return row;
  };
  const stored = (id: string) => db().getRepository(CreditRecord).findOneByOrFail({ id });
  const events = (recordId: string) => db().getRepository(CreditRecordEvent).countBy({ recordId });
  const object = (recordId: string, identity = self, reason = '处罚对象认定有误') => queryAs(identity, OBJECT, { input: { recordId, reason } }) as Promise<Answer<'objectToCreditRecord'>>;
  const decideObjection = (id: string, input: Record<string, unknown>, identity = market) => queryAs(identity, DECIDE_OBJECTION, { input: { id, reason: '经核查', ...input } }) as Promise<Answer<'decideObjection'>>;
  const applyInput = { correction: '已缴纳罚款并完成整改', evidence: ['罚款缴纳凭证 No. 2026-118', '整改报告'], commitment: '承诺今后守法经营' };
  const apply = (recordId: string, identity = self, input: Record<string, unknown> = {}) => queryAs(identity, APPLY, { input: { recordId, ...applyInput, ...input } }) as Promise<Answer<'applyForRestoration'>>;
  const decideRestoration = (id: string, decision: 'APPROVE' | 'REJECT', identity = market, reason = '同意修复') =>
    queryAs(identity, DECIDE_RESTORATION, { input: { id, decision, reason } }) as Promise<Answer<'decideRestoration'>>;
  const refusal = (result: GraphQLResponse) => ({ data: result.data, extensions: result.errors?.map((e) => e.extensions) });

  describe('objectToCreditRecord', () => {
    it('answers the same objection sent again by the same user with the pending one, storing nothing', async () => {
      const r = await record();
      const first = await object(r.id);
      expect(first.errors).toBeUndefined();
      const again = await object(r.id, self, ' 处罚对象认定有误 ');
      expect(again.errors).toBeUndefined();
      expect(again.data).toEqual(first.data);
      expect(await db().getRepository(CreditRecordObjection).countBy({ recordId: r.id })).toBe(1);
      expect(await events(r.id)).toBe(1);
    });

    it('refuses another objection while one is pending, naming it by its id to the subject and the source department, and only saying so to the window', async () => {
      const r = await record();
      const pending = (await object(r.id)).data!.objectToCreditRecord!;
      for (const [identity, reason] of [
        [self, '另一理由'],
        [market, '窗口代为提出'],
      ] as const) {
        const again = await object(r.id, identity, reason);
        expect(refusal(again)).toEqual({
          data: { objectToCreditRecord: null },
          extensions: [{ code: 'BAD_USER_INPUT', field: 'recordId', problem: 'TRANSITION_NOT_ALLOWED', recordStatus: 'OBJECTED', objectionId: pending.id }],
        });
        expect(again.errors?.[0].message).toBe(`the record is OBJECTED: an objection to it is pending (${pending.id}, filed at ${inDistrictTime(new Date(String(pending.submittedAt)))}); one objection at a time`);
        // The refusal names the subject's case: audited in its trail, as the answer would have been.
        expect(again.extensions?.disclosures).toEqual([{ subjectId: subject.id, groups: ['RECORD_OBJECTIONS'] }]);
      }
      // The window reads only the cases it filed: it is told that one is pending, not which.
      const byWindow = await object(r.id, window, '处罚对象认定有误');
      expect(refusal(byWindow).extensions).toEqual([{ code: 'BAD_USER_INPUT', field: 'recordId', problem: 'TRANSITION_NOT_ALLOWED', recordStatus: 'OBJECTED' }]);
      expect(byWindow.errors?.[0].message).toBe('the record is OBJECTED: an objection to it is pending; one objection at a time');
      // That still tells the window the record's status, which it reads nowhere else: audited in the subject's trail.
      expect(byWindow.extensions?.disclosures).toEqual([{ subjectId: subject.id, groups: ['RECORD_OBJECTIONS'] }]);
      expect(await db().getRepository(CreditRecordObjection).countBy({ recordId: r.id })).toBe(1);
    });

    it('answers the same objection sent several times at once with one objection', async () => {
      const r = await record();
      const answers = await Promise.all(Array.from({ length: 4 }, () => object(r.id)));
      expect(answers.map((a) => a.errors)).toEqual([undefined, undefined, undefined, undefined]);
      expect(new Set(answers.map((a) => a.data!.objectToCreditRecord!.id)).size).toBe(1);
      expect(await events(r.id)).toBe(1);
    });
  });

  describe('decideObjection', () => {
    it.each<[string, Record<string, unknown>]>([
      ['a rejection', { decision: 'REJECT' }],
      ['an acceptance withdrawing the record', { decision: 'ACCEPT', resolution: 'WITHDRAWN' }],
      ['an acceptance correcting the record', { decision: 'ACCEPT', resolution: 'CORRECTED', correction: { summary: '虚构原价进行价格欺诈，罚款2000元', severity: 'MINOR' } }],
    ])('answers %s sent again by the same officer with the objection as decided, changing nothing', async (_label, decision) => {
      const r = await record();
      const objection = (await object(r.id)).data!.objectToCreditRecord!;
      const first = await decideObjection(objection.id, decision);
      expect(first.errors).toBeUndefined();
      const [before, count] = [await stored(r.id), await events(r.id)];
      const again = await decideObjection(objection.id, decision);
      expect(again.errors).toBeUndefined();
      expect(again.data).toEqual(first.data);
      expect([await stored(r.id), await events(r.id)]).toEqual([before, count]);
    });

    // An identity provider may name an officer's account by the officer's citizen ID number: the
    // refusal named the decider's sub whole, where every message masks a person's number (userInWords).
    it('names a decider whose sub is a citizen ID number by the number masked', async () => {
      const r = await record();
      const objection = (await object(r.id)).data!.objectToCreditRecord!;
      const numbered = identityOf({ ...market.caller!, id: '130304199406220815' });
      const decided = (await decideObjection(objection.id, { decision: 'REJECT' }, numbered)).data!.decideObjection!;
      const again = await decideObjection(objection.id, { decision: 'ACCEPT', resolution: 'WITHDRAWN' });
      expect(again.errors?.[0].message).toBe(`this objection is already REJECTED (decided by 1303**********0815 of MARKET_REGULATION at ${inDistrictTime(new Date(String(decided.decidedAt)))}); an objection is decided once`);
      expect(JSON.stringify(again)).not.toContain('130304199406220815');
    });

    it('refuses any other decision after it, saying who decided and when', async () => {
      const r = await record();
      const objection = (await object(r.id)).data!.objectToCreditRecord!;
      const correction = { summary: '虚构原价进行价格欺诈，罚款2000元', severity: 'MINOR' };
      const decided = (await decideObjection(objection.id, { decision: 'ACCEPT', resolution: 'CORRECTED', correction })).data!.decideObjection!;
      const [before, count] = [await stored(r.id), await events(r.id)];
      for (const [input, identity] of [
        [{ decision: 'ACCEPT', resolution: 'CORRECTED', correction, reason: '另一理由' }, market],
        [{ decision: 'ACCEPT', resolution: 'CORRECTED', correction: { severity: 'MINOR' } }, market],
        [{ decision: 'ACCEPT', resolution: 'CORRECTED', correction: { ...correction, severity: 'SERIOUS' } }, market],
        [{ decision: 'ACCEPT', resolution: 'WITHDRAWN' }, market],
        [{ decision: 'REJECT' }, market],
        [{ decision: 'ACCEPT', resolution: 'CORRECTED', correction }, marketColleague],
      ] as const) {
        const again = await decideObjection(objection.id, input, identity);
        // Audited DENIED against the subject (the gateway takes `auditedRefusal` off), as a decision refused to another department is.
        expect(refusal(again)).toEqual({ data: { decideObjection: null }, extensions: [{ code: 'BAD_USER_INPUT', field: 'id', problem: 'TRANSITION_NOT_ALLOWED', status: 'ACCEPTED', auditedRefusal: { subjectId: subject.id } }] });
        expect(again.errors?.[0].message).toBe(`this objection is already ACCEPTED (decided by ${market.caller!.id} of MARKET_REGULATION at ${inDistrictTime(new Date(String(decided.decidedAt)))}); an objection is decided once`);
      }
      expect([await stored(r.id), await events(r.id)]).toEqual([before, count]);
    });
  });

  describe('applyForRestoration', () => {
    it('answers the same application sent again by the same user with the pending one, storing nothing', async () => {
      const r = await record();
      const first = await apply(r.id);
      expect(first.errors).toBeUndefined();
      const again = await apply(r.id);
      expect(again.errors).toBeUndefined();
      expect(again.data).toEqual(first.data);
      expect(await db().getRepository(RestorationApplication).countBy({ recordId: r.id })).toBe(1);
    });

    it('refuses another application while one is pending, naming it by its id only to whoever may read it', async () => {
      const r = await record();
      const pending = (await apply(r.id)).data!.applyForRestoration!;
      for (const [identity, input] of [
        [self, { evidence: [...applyInput.evidence].reverse() }],
        [self, { commitment: '另一承诺' }],
        [market, {}],
      ] as const) {
        const again = await apply(r.id, identity, input);
        expect(refusal(again)).toEqual({ data: { applyForRestoration: null }, extensions: [{ code: 'BAD_USER_INPUT', field: 'recordId', problem: 'TRANSITION_NOT_ALLOWED', applicationId: pending.id }] });
        expect(again.errors?.[0].message).toBe(`an application for this record is already pending (${pending.id}, filed at ${inDistrictTime(new Date(String(pending.submittedAt)))}); wait for its decision`);
        expect(again.extensions?.disclosures).toEqual([{ subjectId: subject.id, groups: ['RECORD_RESTORATION'] }]);
      }
      const byWindow = await apply(r.id, window);
      expect(refusal(byWindow).extensions).toEqual([{ code: 'BAD_USER_INPUT', field: 'recordId', problem: 'TRANSITION_NOT_ALLOWED' }]);
      expect(byWindow.errors?.[0].message).toBe('an application for this record is already pending; wait for its decision');
      expect(JSON.stringify(byWindow)).not.toContain(pending.id);
      expect(await db().getRepository(RestorationApplication).countBy({ recordId: r.id })).toBe(1);
    });
  });

  describe('decideRestoration', () => {
    it.each<['APPROVE' | 'REJECT']>([['APPROVE'], ['REJECT']])('answers %s sent again by the same decider with the application as decided, changing nothing', async (decision) => {
      const r = await record();
      const application = (await apply(r.id)).data!.applyForRestoration!;
      const first = await decideRestoration(application.id, decision, creditOffice);
      expect(first.errors).toBeUndefined();
      const [before, count] = [await stored(r.id), await events(r.id)];
      const again = await decideRestoration(application.id, decision, creditOffice);
      expect(again.errors).toBeUndefined();
      expect(again.data).toEqual(first.data);
      expect([await stored(r.id), await events(r.id)]).toEqual([before, count]);
    });

    it('refuses any other decision after it, saying who decided and when', async () => {
      const r = await record();
      const application = (await apply(r.id)).data!.applyForRestoration!;
      const decided = (await decideRestoration(application.id, 'REJECT', market, '罚款尚未缴纳')).data!.decideRestoration!;
      for (const [decision, identity, reason] of [
        ['REJECT', market, '另一理由'],
        ['APPROVE', market, '罚款尚未缴纳'],
        ['REJECT', marketColleague, '罚款尚未缴纳'],
        ['REJECT', creditOffice, '罚款尚未缴纳'],
      ] as const) {
        const again = await decideRestoration(application.id, decision, identity, reason);
        expect(refusal(again)).toEqual({ data: { decideRestoration: null }, extensions: [{ code: 'BAD_USER_INPUT', field: 'id', problem: 'TRANSITION_NOT_ALLOWED', status: 'REJECTED', auditedRefusal: { subjectId: subject.id } }] });
        expect(again.errors?.[0].message).toBe(
          `this application is already REJECTED (decided by ${market.caller!.id} of MARKET_REGULATION at ${inDistrictTime(new Date(String(decided.decidedAt)))}); an application is decided once (a rejected subject may apply again)`,
        );
      }
      expect((await stored(r.id)).status).toBe('ACTIVE');
    });
  });
});
