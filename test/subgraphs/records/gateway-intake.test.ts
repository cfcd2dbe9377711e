import type { Caller } from '../../../lib/access/identity';
import { todayInDistrict } from '../../../lib/calendar';
import * as errors from '../../../lib/errors';
import { characterCount } from '../../../lib/text';
import { demoWorld } from '../../../scripts/demo/world';
import { CreditRecord } from '../../../subgraphs/records/entities/credit-record.entity';
import { testDatabases } from '../../helpers/databases';
import { usePlatform } from '../../helpers/platform';

const world = demoWorld({ subjects: 20 });
const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
const market: Caller = { id: 'officer-sun', organisation: 'MARKET_REGULATION', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };
const owner: Caller = { id: 'self-user', organisation: enterprise.identifier, organisationKind: 'ENTERPRISE', role: 'EXTERNAL_USER', subjectId: enterprise.id };
const bank: Caller = { id: 'banker', organisation: 'BANK_HEBEI_BEIDAIHE', organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' };
const selfInquiry = { 'x-credit-matter': 'SELF_INQUIRY' };

const SUBMIT = /* GraphQL */ `mutation($input: SubmitCreditRecordInput!) { submitCreditRecord(input: $input) { outcome record { id status } } }`;

// The whole path a department's record takes through the gateway: tokens, grants decided from the
// catalogue, the records subgraph asking the entities subgraph about the subject with a
// gateway-signed identity, and the subject's objection decided by the department.
describe.each(testDatabases)('record intake and objections through the gateway on $label', (database) => {
  const platform = usePlatform(database, 'gateway_intake', { seedSubjects: world.subjects.length });
  it('lets a department officer submit in its own name, the subject object, and the department decide', async () => {
    const input = { subjectCode: enterprise.identifier, category: 'ADMINISTRATIVE_PENALTY', severity: 'GENERAL', documentNumber: '北戴河市监罚〔2026〕777号', decisionDate: todayInDistrict(), summary: '虚构原价进行价格欺诈，罚款8000元' };
    const submitted = await platform.query<{ submitCreditRecord: { outcome: string; record: { id: string } } }>(SUBMIT, { input }, { caller: market });
    expect(submitted.errors).toBeUndefined();
    expect(submitted.data?.submitCreditRecord.outcome).toBe('CREATED');
    const recordId = submitted.data!.submitCreditRecord.record.id;
    // The record it answers with is audited, against its subject, like any record shown.
    const audited = (await platform.databases.audit.query('SELECT organisation, field_groups, outcome FROM audit_entry WHERE subject_id = ? AND actor = ?', [enterprise.id, market.id])) as { organisation: string; field_groups: string; outcome: string }[];
    expect(audited).toEqual([{ organisation: 'MARKET_REGULATION', field_groups: 'RECORD_SUBMISSION', outcome: 'DISCLOSED' }]);

    const objected = await platform.query<{ objectToCreditRecord: { id: string; status: string } }>(
      `mutation($input: ObjectToCreditRecordInput!) { objectToCreditRecord(input: $input) { id status } }`,
      { input: { recordId, reason: '罚款金额有误' } },
      { caller: owner, headers: selfInquiry },
    );
    expect(objected.errors).toBeUndefined();
    const decided = await platform.query<{ decideObjection: { status: string; record: { status: string } } }>(
      `mutation($input: DecideObjectionInput!) { decideObjection(input: $input) { status record { status } } }`,
      { input: { id: objected.data!.objectToCreditRecord.id, decision: 'REJECT', reason: '经复核，罚款金额无误' } },
      { caller: market },
    );
    expect(decided.data?.decideObjection).toEqual({ status: 'REJECTED', record: { status: 'ACTIVE' } });

    const history = await platform.query<{ creditRecord: { history: { kind: string; organisation: string }[]; objections: { status: string; decisionReason: string }[] } }>(
      `query($id: ID!) { creditRecord(id: $id) { history { kind organisation } objections { status decisionReason } } }`,
      { id: recordId },
      { caller: owner, headers: selfInquiry },
    );
    expect(history.data?.creditRecord).toEqual({
      history: [
        { kind: 'CREATED', organisation: 'MARKET_REGULATION' },
        { kind: 'OBJECTED', organisation: enterprise.identifier },
        { kind: 'OBJECTION_REJECTED', organisation: 'MARKET_REGULATION' },
      ],
      objections: [{ status: 'REJECTED', decisionReason: '经复核，罚款金额无误' }],
    });
  });

  // The credit office's window reads neither the record nor its subject (no PUBLIC_RECORDS, no
  // SUBJECT_BASICS); a walk-in subject's printed report names each record by its document number
  // (文书号), with no id. So the window names the record by that and the subject's code.
  it("lets the window file a walk-in subject's objection for the record its report prints, by the subject's code and document number", async () => {
    const window: Caller = { id: 'window-sun', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };
    const input = { subjectCode: enterprise.identifier, category: 'ADMINISTRATIVE_PENALTY', severity: 'GENERAL', documentNumber: '北戴河市监罚〔2026〕770号', decisionDate: todayInDistrict(), summary: '未按规定公示价格，罚款2000元' };
    const recordId = (await platform.query<{ submitCreditRecord: { record: { id: string } } }>(SUBMIT, { input }, { caller: market })).data!.submitCreditRecord.record.id;
    const OBJECT = `mutation($input: ObjectToCreditRecordInput!) { objectToCreditRecord(input: $input) { status submittedByOrganisation record { id status } } }`;
    const atTheCounter = { subjectCode: enterprise.identifier.toLowerCase(), documentNumber: '北戴河市监罚〔２０２６〕７７０号', reason: '罚款已于决定前缴纳' };
    const objected = await platform.query<{ objectToCreditRecord: unknown }>(OBJECT, { input: atTheCounter }, { caller: window });
    expect(objected.errors).toBeUndefined();
    expect(objected.data?.objectToCreditRecord).toEqual({ status: 'SUBMITTED', submittedByOrganisation: 'CREDIT_OFFICE', record: { id: recordId, status: 'OBJECTED' } });
    // What the window learnt of the subject is in the subject's trail, as for a filing by id.
    const audited = (await platform.databases.audit.query('SELECT field_groups, outcome FROM audit_entry WHERE subject_id = ? AND actor = ?', [enterprise.id, window.id])) as { field_groups: string; outcome: string }[];
    expect(audited.map((e) => e.outcome)).toEqual(['DISCLOSED']);
    expect(audited[0].field_groups).toContain('RECORD_OBJECTIONS');
    // A number the subject has none under, NOT_FOUND on the field the window typed it in.
    const unknown = await platform.query<{ objectToCreditRecord: unknown }>(OBJECT, { input: { ...atTheCounter, documentNumber: '北戴河市监罚〔2026〕771号' } }, { caller: window });
    expect(unknown.data?.objectToCreditRecord).toBeNull();
    expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'documentNumber', serviceName: 'records' });
  });

  /** The subject objects to the record, and the department accepts, correcting it so: the objection's id. */
  const objectAndCorrect = async (recordId: string, correction: Record<string, string>) => {
    const objected = await platform.query<{ objectToCreditRecord: { id: string } }>(
      `mutation($input: ObjectToCreditRecordInput!) { objectToCreditRecord(input: $input) { id } }`,
      { input: { recordId, reason: '认定有误' } },
      { caller: owner, headers: selfInquiry },
    );
    const decided = await platform.query(
      `mutation($input: DecideObjectionInput!) { decideObjection(input: $input) { status } }`,
      { input: { id: objected.data!.objectToCreditRecord.id, decision: 'ACCEPT', resolution: 'CORRECTED', reason: '经复核', correction } },
      { caller: market },
    );
    expect(decided.errors).toBeUndefined();
    return objected.data!.objectToCreditRecord.id;
  };

  /**
   * A general penalty of `documentNumber` submitted by `market`, objected to and corrected to
   * `correctedSummary`, then applied for restoration by its subject: the objection's and the
   * application's ids.
   */
  const correctedAndApplied = async (documentNumber: string, correctedSummary: string) => {
    const input = { subjectCode: enterprise.identifier, category: 'ADMINISTRATIVE_PENALTY', severity: 'GENERAL', documentNumber, decisionDate: '2026-06-02', summary: '未按规定明码标价，罚款1000元' };
    const recordId = (await platform.query<{ submitCreditRecord: { record: { id: string } } }>(SUBMIT, { input }, { caller: market })).data!.submitCreditRecord.record.id;
    const objectionId = await objectAndCorrect(recordId, { summary: correctedSummary });
    const applied = await platform.query<{ applyForRestoration: { id: string } }>(
      `mutation($input: ApplyForRestorationInput!) { applyForRestoration(input: $input) { id } }`,
      { input: { recordId, correction: '已缴纳罚款并完成整改', evidence: ['罚款缴纳凭证'], commitment: '承诺今后守法经营' } },
      { caller: owner, headers: selfInquiry },
    );
    expect(applied.errors).toBeUndefined();
    return { objectionId, applicationId: applied.data!.applyForRestoration.id };
  };

  it('refuses a re-submission that sends back what an accepted objection corrected, and stores any other correction', async () => {
    const input = { subjectCode: enterprise.identifier, category: 'ADMINISTRATIVE_PENALTY', severity: 'GENERAL', documentNumber: '北戴河市监罚〔2026〕778号', decisionDate: todayInDistrict(), summary: '未按规定明码标价，罚款5000元' };
    const recordId = (await platform.query<{ submitCreditRecord: { record: { id: string } } }>(SUBMIT, { input }, { caller: market })).data!.submitCreditRecord.record.id;
    const objectionId = await objectAndCorrect(recordId, { severity: 'MINOR' });
    const stored = async () => (await platform.databases.records.query('SELECT severity, summary FROM credit_record WHERE id = ?', [recordId]))[0];
    const events = async () => Number((await platform.databases.records.query('SELECT COUNT(*) AS n FROM credit_record_event WHERE record_id = ?', [recordId]))[0].n);
    const before = await events();

    // The department's file, sent again as it was: it would undo the subject's objection.
    const again = await platform.query<{ submitCreditRecord: { outcome: string } | null }>(SUBMIT, { input }, { caller: market });
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'severity' });
    expect(again.errors?.[0].message).toContain(objectionId);
    expect(await stored()).toEqual({ severity: 'MINOR', summary: input.summary });
    expect(await events()).toBe(before);

    // As corrected, with another change: stored.
    const corrected = await platform.query<{ submitCreditRecord: { outcome: string } }>(SUBMIT, { input: { ...input, severity: 'MINOR', summary: '未按规定明码标价，罚款3000元' } }, { caller: market });
    expect(corrected.errors).toBeUndefined();
    expect(corrected.data?.submitCreditRecord.outcome).toBe('UPDATED');
    expect(await stored()).toEqual({ severity: 'MINOR', summary: '未按规定明码标价，罚款3000元' });
  });

  // From a probe of the subject's rights: re-sent SERIOUS, a record the subject's objection had
  // made MINOR (and so expired) was ACTIVE again, disclosed for three years, with no objection.
  it('refuses a re-submission that changes a field an accepted objection decided, to a graver value as to the one it had', async () => {
    const input = { subjectCode: enterprise.identifier, category: 'ADMINISTRATIVE_PENALTY', severity: 'GENERAL', documentNumber: '北戴河市监罚〔2026〕780号', decisionDate: '2026-06-01', summary: '未按规定明码标价，罚款4000元' };
    const recordId = (await platform.query<{ submitCreditRecord: { record: { id: string } } }>(SUBMIT, { input }, { caller: market })).data!.submitCreditRecord.record.id;
    const objectionId = await objectAndCorrect(recordId, { severity: 'MINOR' });
    const stored = async () => (await platform.databases.records.query('SELECT severity, status, disclosure_ends_at FROM credit_record WHERE id = ?', [recordId]))[0];
    const events = async () => Number((await platform.databases.records.query('SELECT COUNT(*) AS n FROM credit_record_event WHERE record_id = ?', [recordId]))[0].n);
    const [asCorrected, before] = [await stored(), await events()];
    for (const severity of ['SERIOUS', 'GENERAL']) {
      const graver = await platform.query<{ submitCreditRecord: { outcome: string } | null }>(SUBMIT, { input: { ...input, severity } }, { caller: market });
      expect(graver.data?.submitCreditRecord ?? null).toBeNull();
      expect(graver.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'severity' });
      expect(graver.errors?.[0].message).toContain(`objection ${objectionId}`);
    }
    expect(await stored()).toEqual(asCorrected);
    expect(await events()).toBe(before);
    // A field the objection left alone is still the department's to correct.
    const summary = await platform.query<{ submitCreditRecord: { outcome: string } }>(SUBMIT, { input: { ...input, severity: 'MINOR', summary: '未按规定明码标价，罚款3500元' } }, { caller: market });
    expect(summary.data?.submitCreditRecord.outcome).toBe('UPDATED');
  });

  // From the probe of that rule: the decision date, which the objection had not corrected, re-sent
  // later, disclosed again the record the objection had made MINOR and so ended.
  it('refuses a re-submission that would disclose a record an accepted objection corrected until later, and stores one that ends it sooner', async () => {
    const input = { subjectCode: enterprise.identifier, category: 'ADMINISTRATIVE_PENALTY', severity: 'SERIOUS', documentNumber: '北戴河市监罚〔2026〕781号', decisionDate: '2026-02-01', summary: '未按规定明码标价，罚款9000元' };
    const recordId = (await platform.query<{ submitCreditRecord: { record: { id: string } } }>(SUBMIT, { input }, { caller: market })).data!.submitCreditRecord.record.id;
    const objectionId = await objectAndCorrect(recordId, { severity: 'MINOR' });
    const stored = async () => (await platform.databases.records.query('SELECT decision_date, disclosure_ends_at FROM credit_record WHERE id = ?', [recordId]))[0];
    const asCorrected = await stored();
    expect(String(asCorrected.disclosure_ends_at)).toBe('2026-05-01');
    const later = await platform.query<{ submitCreditRecord: { outcome: string } | null }>(SUBMIT, { input: { ...input, severity: 'MINOR', decisionDate: todayInDistrict() } }, { caller: market });
    expect(later.data?.submitCreditRecord ?? null).toBeNull();
    expect(later.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'decisionDate' });
    expect(later.errors?.[0].message).toContain(objectionId);
    expect(later.errors?.[0].message).toContain('its disclosure ends 2026-05-01');
    expect(await stored()).toEqual(asCorrected);
    // Dated earlier (the day it was in fact decided), it ends sooner: the department's correction.
    const earlier = await platform.query<{ submitCreditRecord: { outcome: string } }>(SUBMIT, { input: { ...input, severity: 'MINOR', decisionDate: '2026-01-20' } }, { caller: market });
    expect(earlier.data?.submitCreditRecord.outcome).toBe('UPDATED');
    expect(String((await stored()).disclosure_ends_at)).toBe('2026-04-20');
    // Graver and later at once: each field a problem of its own, in one answer.
    const both = await platform.query(SUBMIT, { input: { ...input, severity: 'SERIOUS', decisionDate: todayInDistrict() } }, { caller: market });
    expect((both.errors?.[0].extensions?.problems as { field: string }[]).map((p) => p.field)).toEqual(['severity', 'decisionDate']);
  });

  // From the probe of that: dated back far enough for its disclosure to end no later, a penalty
  // whose summary an objection had corrected was re-sent as a serious-dishonesty listing, and
  // checks then excluded the subject.
  it('keeps what a record an accepted objection corrected found, whichever field the objection corrected', async () => {
    const input = { subjectCode: enterprise.identifier, category: 'ADMINISTRATIVE_PENALTY', severity: 'GENERAL', documentNumber: '北戴河市监罚〔2026〕782号', decisionDate: '2026-10-01', summary: '未按规定明码标价，罚款7000元' };
    const recordId = (await platform.query<{ submitCreditRecord: { record: { id: string } } }>(SUBMIT, { input }, { caller: market })).data!.submitCreditRecord.record.id;
    await objectAndCorrect(recordId, { summary: '未按规定明码标价，罚款700元' });
    const current = { ...input, summary: '未按规定明码标价，罚款700元' };
    const stored = async () => (await platform.databases.records.query('SELECT category, severity, decision_date, disclosure_ends_at FROM credit_record WHERE id = ?', [recordId]))[0];
    const asCorrected = await stored();
    for (const [graver, fields] of [
      [{ category: 'SERIOUS_DISHONESTY_LIST', severity: null, decisionDate: '2024-10-01' }, ['category', 'severity']],
      [{ severity: 'SERIOUS', decisionDate: '2024-10-01' }, ['severity']],
      [{ severity: 'MINOR' }, ['severity']],
    ] as const) {
      const refused = await platform.query(SUBMIT, { input: { ...current, ...graver } }, { caller: market });
      expect(refused.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect((refused.errors?.[0].extensions?.problems as { field: string }[]).map((p) => p.field)).toEqual(fields);
      expect(refused.errors?.[0].message).toContain('keeps what it found');
    }
    expect(await stored()).toEqual(asCorrected);
    // Decided after it entered the platform, and graver: both told in one answer.
    await platform.databases.records.getRepository(CreditRecord).update(recordId, { recordedAt: new Date('2026-10-05T02:00:00Z') });
    const twice = await platform.query(SUBMIT, { input: { ...current, severity: 'SERIOUS', decisionDate: '2026-10-10' } }, { caller: market });
    expect((twice.errors?.[0].extensions?.problems as { field: string }[]).map((p) => p.field)).toEqual(['decisionDate', 'severity']);
  });

  it('judges a re-submission by the latest objection to correct each field, and names every field it changes with the objection that decided it', async () => {
    const input = { subjectCode: enterprise.identifier, category: 'ADMINISTRATIVE_PENALTY', severity: 'SERIOUS', documentNumber: '北戴河市监罚〔2026〕779号', decisionDate: todayInDistrict(), summary: '未按规定公示价格，罚款6000元' };
    const recordId = (await platform.query<{ submitCreditRecord: { record: { id: string } } }>(SUBMIT, { input }, { caller: market })).data!.submitCreditRecord.record.id;
    await objectAndCorrect(recordId, { severity: 'GENERAL' });
    const summaryObjection = await objectAndCorrect(recordId, { summary: '未按规定公示价格，罚款600元' });
    // A later objection corrects the severity again: MINOR is what the record holds, by the subject's latest objection to it.
    const severityObjection = await objectAndCorrect(recordId, { severity: 'MINOR' });

    const current = { ...input, severity: 'MINOR', summary: '未按规定公示价格，罚款600元' };
    const asItStands = await platform.query<{ submitCreditRecord: { outcome: string } }>(SUBMIT, { input: current }, { caller: market });
    expect(asItStands.data?.submitCreditRecord.outcome).toBe('UNCHANGED');

    const undoing = await platform.query(SUBMIT, { input: { ...current, severity: 'GENERAL', summary: input.summary } }, { caller: market });
    expect(undoing.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'severity' });
    expect(undoing.errors?.[0].message).toContain(`objections ${severityObjection}, ${summaryObjection}`);
    expect(undoing.errors?.[0].message).toContain(`severity "GENERAL" for "MINOR", summary ${JSON.stringify(input.summary)} for ${JSON.stringify(current.summary)}`);
    // Each field it changes is a problem of its own, for a front end that marks fields by `problems`.
    expect((undoing.errors?.[0].extensions?.problems as { field: string }[]).map((p) => p.field)).toEqual(['severity', 'summary']);
  });

  // From the probe of the records subgraph: a batch answered `created: 1` and left no audit entry,
  // where one submission of the same row left one against its subject.
  it("audits a batch in the trail of every subject whose record it stored or whose stored record its rejections tell of, as one submission is audited", async () => {
    // The subject whose objection corrects a record (`owner`), and two others.
    const [second, third] = world.subjects.filter((s) => s.kind === 'ENTERPRISE' && s.id !== enterprise.id);
    const officer: Caller = { ...market, id: 'officer-batch' };
    const penalty = (subject: typeof enterprise, documentNumber: string, summary = '未按规定明码标价，罚款1000元') => ({ subjectCode: subject.identifier, category: 'ADMINISTRATIVE_PENALTY', severity: 'GENERAL', documentNumber, decisionDate: '2026-03-02', summary });
    // A record its subject's objection corrected: re-sent as it was, the row is refused naming the objection.
    const corrected = penalty(enterprise, '北戴河市监罚〔2026〕790号');
    const recordId = (await platform.query<{ submitCreditRecord: { record: { id: string } } }>(SUBMIT, { input: corrected }, { caller: market })).data!.submitCreditRecord.record.id;
    await objectAndCorrect(recordId, { summary: '未按规定明码标价，罚款100元' });
    const rows = [
      penalty(second, '北戴河市监罚〔2026〕791号'),
      penalty(third, '北戴河市监罚〔2026〕792号'),
      // Refused before anything stored is read: it tells of no record, so of no subject.
      { ...penalty(third, '北戴河市监罚〔2026〕793号'), decisionDate: '2026-02-30' },
      corrected,
    ];
    const batch = await platform.query<{ submitCreditRecords: { created: number; rejected: number } }>(
      `mutation Batch($rows: [SubmitCreditRecordInput!]!) { submitCreditRecords(rows: $rows) { created rejected } }`,
      { rows },
      { caller: officer },
    );
    expect(batch.errors).toBeUndefined();
    expect(batch.data?.submitCreditRecords).toEqual({ created: 2, rejected: 2 });
    const entries = (await platform.databases.audit.query('SELECT subject_id, organisation, field_groups, outcome, request_id FROM audit_entry WHERE actor = ?', [officer.id])) as Record<string, string>[];
    expect(entries.map(({ request_id: _, ...entry }) => entry).sort((a, b) => a.subject_id.localeCompare(b.subject_id))).toEqual(
      [enterprise, second, third].map((s) => ({ subject_id: s.id, organisation: 'MARKET_REGULATION', field_groups: 'RECORD_SUBMISSION', outcome: 'DISCLOSED' })).sort((a, b) => a.subject_id.localeCompare(b.subject_id)),
    );
    // One request: one entry per subject, however many of its rows were about it.
    expect(new Set(entries.map((e) => e.request_id)).size).toBe(1);
    // As one submission refused on its stored record is: the refusal tells of the record.
    const single = await platform.query(SUBMIT, { input: corrected }, { caller: { ...officer, id: 'officer-single' } });
    expect(single.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await platform.databases.audit.query('SELECT subject_id, field_groups, outcome FROM audit_entry WHERE actor = ?', ['officer-single'])).toEqual([{ subject_id: enterprise.id, field_groups: 'RECORD_SUBMISSION', outcome: 'DISCLOSED' }]);
  });

  // From the probe of the records subgraph: a second decision on an approved application, refused
  // with who decided it and when, left no entry, where a decision refused to another department
  // leaves a DENIED one.
  it("audits a decision refused because the case was decided already DENIED in its subject's trail, for restoration and objections alike", async () => {
    const [decider, colleague]: Caller[] = [{ ...market, id: 'officer-decider' }, { ...market, id: 'officer-colleague' }];
    const { objectionId, applicationId } = await correctedAndApplied('北戴河市监罚〔2026〕795号', '未按规定明码标价，罚款500元');
    const DECIDE_RESTORATION = `mutation($input: DecideRestorationInput!) { decideRestoration(input: $input) { status } }`;
    const decide = (caller: Caller, decision: string, reason: string) => platform.query(DECIDE_RESTORATION, { input: { id: applicationId, decision, reason } }, { caller });
    expect((await decide(decider, 'APPROVE', '同意修复')).errors).toBeUndefined();
    const denied = (actor: string) => platform.databases.audit.query("SELECT subject_id, field_groups FROM audit_entry WHERE actor = ? AND outcome = 'DENIED'", [actor]);
    expect(await denied(colleague.id)).toEqual([]);
    for (const [caller, decision, reason] of [[decider, 'REJECT', '罚款尚未缴纳'], [colleague, 'APPROVE', '同意修复']] as const) {
      const again = await decide(caller, decision, reason);
      // What the subgraph told the audit is not told the caller.
      expect(again.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'id', problem: 'TRANSITION_NOT_ALLOWED', status: 'APPROVED', serviceName: 'records' });
      expect(again.errors?.[0].message).toContain(`decided by ${decider.id} of MARKET_REGULATION`);
    }
    expect(await denied(decider.id)).toEqual([{ subject_id: enterprise.id, field_groups: 'RECORD_RESTORATION' }]);
    expect(await denied(colleague.id)).toEqual([{ subject_id: enterprise.id, field_groups: 'RECORD_RESTORATION' }]);
    // The objection `market` decided (ACCEPTED, CORRECTED) above, decided again by a colleague.
    const objectionAgain = await platform.query(`mutation($input: DecideObjectionInput!) { decideObjection(input: $input) { status } }`, { input: { id: objectionId, decision: 'REJECT', reason: '经复核' } }, { caller: colleague });
    expect(objectionAgain.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'id', problem: 'TRANSITION_NOT_ALLOWED', status: 'ACCEPTED', serviceName: 'records' });
    expect(await denied(colleague.id)).toHaveLength(2);
    expect(await denied(colleague.id)).toContainEqual({ subject_id: enterprise.id, field_groups: 'RECORD_OBJECTIONS' });
  });

  // A withdrawal refused because the case was settled already tells its caller the case's status
  // and when it was settled, as a refused decision does: audited DENIED likewise.
  it("audits a withdrawal refused because the case was settled already DENIED in its subject's trail, for objections and restoration alike", async () => {
    const { objectionId, applicationId } = await correctedAndApplied('北戴河市监罚〔2026〕796号', '未按规定明码标价，罚款800元');
    const decided = await platform.query(`mutation($input: DecideRestorationInput!) { decideRestoration(input: $input) { status } }`, { input: { id: applicationId, decision: 'APPROVE', reason: '同意修复' } }, { caller: market });
    expect(decided.errors).toBeUndefined();
    const denied = () => platform.databases.audit.query("SELECT subject_id, field_groups FROM audit_entry WHERE actor = ? AND outcome = 'DENIED' ORDER BY field_groups", [owner.id]);
    expect(await denied()).toEqual([]);
    for (const [mutation, id, status] of [['withdrawObjection', objectionId, 'ACCEPTED'], ['withdrawRestorationApplication', applicationId, 'APPROVED']] as const) {
      const input = mutation === 'withdrawObjection' ? 'WithdrawObjectionInput' : 'WithdrawRestorationApplicationInput';
      const refused = await platform.query(`mutation($input: ${input}!) { ${mutation}(input: $input) { status } }`, { input: { id, reason: '不再申请' } }, { caller: owner, headers: selfInquiry });
      // What the subgraph told the audit is not told the caller.
      expect(refused.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'id', problem: 'TRANSITION_NOT_ALLOWED', status, serviceName: 'records' });
    }
    expect(await denied()).toEqual([
      { subject_id: enterprise.id, field_groups: 'RECORD_OBJECTIONS' },
      { subject_id: enterprise.id, field_groups: 'RECORD_RESTORATION' },
    ]);
  });

  // From the probe of the credit office's window: window-sun took a subject's objection to one of
  // the office's own records (a commitment) and rejected it himself a second later; the subject read
  // CREDIT_OFFICE on both sides and could not tell its one clerk had done both.
  it("refuses the officer who filed an objection for its subject the decision on it, audited DENIED in the subject's trail; another officer decides it", async () => {
    const window: Caller = { id: 'window-sun', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };
    const commitment = { subjectCode: enterprise.identifier, category: 'CREDIT_COMMITMENT', polarity: 'NEUTRAL', documentNumber: '北戴河信用办承诺〔2026〕7号', decisionDate: todayInDistrict(), summary: '作出信用承诺' };
    const recordId = (await platform.query<{ submitCreditRecord: { record: { id: string } } }>(SUBMIT, { input: commitment }, { caller: window })).data!.submitCreditRecord.record.id;
    const objected = await platform.query<{ objectToCreditRecord: { id: string } }>(`mutation($input: ObjectToCreditRecordInput!) { objectToCreditRecord(input: $input) { id } }`, { input: { recordId, reason: '承诺已履行' } }, { caller: window });
    expect(objected.errors).toBeUndefined();
    const DECIDE = `mutation($input: DecideObjectionInput!) { decideObjection(input: $input) { status decidedBy } }`;
    const input = { id: objected.data!.objectToCreditRecord.id, decision: 'REJECT', reason: '经核查' };
    const denied = () => platform.databases.audit.query("SELECT subject_id, field_groups FROM audit_entry WHERE actor = ? AND outcome = 'DENIED'", [window.id]);
    expect(await denied()).toEqual([]);
    const refused = await platform.query(DECIDE, { input }, { caller: window });
    expect(refused.errors?.[0].extensions).toEqual({ code: 'FORBIDDEN', problem: 'NOT_ENTITLED', serviceName: 'records' });
    expect(refused.errors?.[0].message).toContain('not decided by the officer who filed it, window-sun');
    expect(await denied()).toEqual([{ subject_id: enterprise.id, field_groups: 'RECORD_OBJECTIONS' }]);
    const colleague: Caller = { ...window, id: 'window-qian' };
    expect((await platform.query(DECIDE, { input }, { caller: colleague })).data?.decideObjection).toEqual({ status: 'REJECTED', decidedBy: 'window-qian' });
  });

  // The credit office's window officer holds RECORD_SUBMISSION (a DEPARTMENT_OFFICER): it put a
  // subject on the serious-dishonesty list in the credit office's name, which decides no such list.
  it("refuses the credit office's records of a category it does not decide, and says which departments do", async () => {
    const window: Caller = { id: 'window-sun', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };
    const listing = { subjectCode: enterprise.identifier, category: 'SERIOUS_DISHONESTY_LIST', documentNumber: '北戴河信用办〔2026〕1号', decisionDate: todayInDistrict(), summary: '列入严重失信主体名单' };
    const refused = await platform.query(SUBMIT, { input: listing }, { caller: window });
    expect(refused.data?.submitCreditRecord).toBeNull();
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'category' });
    expect(await platform.databases.records.query('SELECT id FROM credit_record WHERE document_number = ?', [listing.documentNumber])).toEqual([]);
    const honour = { ...listing, category: 'RED_LIST_HONOUR', documentNumber: '北戴河信用激〔2026〕1号', summary: '获评北戴河区“诚信之星”' };
    expect((await platform.query<{ submitCreditRecord: { outcome: string } }>(SUBMIT, { input: honour }, { caller: window })).data?.submitCreditRecord.outcome).toBe('CREATED');
    const categories = await platform.query<{ creditRecordCategories: { code: string; sourceDepartments: { code: string }[] | null }[] }>(`{ creditRecordCategories { code sourceDepartments { code } } }`, {}, { caller: market });
    const deciding = Object.fromEntries(categories.data!.creditRecordCategories.map((c) => [c.code, c.sourceDepartments?.map((d) => d.code) ?? null]));
    expect(deciding.SERIOUS_DISHONESTY_LIST).toContain('MARKET_REGULATION');
    expect(deciding.SERIOUS_DISHONESTY_LIST).not.toContain('CREDIT_OFFICE');
    expect(deciding.RED_LIST_HONOUR).toBeNull();
    expect(deciding.DISHONEST_JUDGMENT_DEBTOR).toEqual(['PEOPLES_COURT']);
  });

  it('refuses submission to callers the catalogue does not grant it, at the gateway', async () => {
    const result = await platform.query<{ submitCreditRecord: null }>(SUBMIT, { input: { subjectCode: enterprise.identifier } }, { caller: bank });
    expect(result.data?.submitCreditRecord).toBeNull();
    expect(result.errors?.[0]).toMatchObject({ path: ['submitCreditRecord'], extensions: { code: 'FORBIDDEN' } });
  });

  // The README's Errors section: a message of at most 1,000 characters, one quoting a longer value
  // ending with how many it had. The subgraph bounds it and the gateway again, which left the
  // 1,026 characters the subgraph made and counted those, not the original's.
  it(`answers a subgraph's message quoting a long value as at most ${errors.maxMessageCharacters} characters, counting the original's`, async () => {
    const long = 'A'.repeat(5_000);
    const submitted = await platform.query(SUBMIT, { input: { subjectCode: enterprise.identifier, category: long, severity: 'GENERAL', documentNumber: 'X-1', decisionDate: todayInDistrict(), summary: 'x' } }, { caller: market });
    // Every value a subgraph refuses is quoted bounded (quotedInput) now: a message over the cap is
    // made here by quoting one whole, as any site that forgot to would.
    const quotedWhole = jest.spyOn(errors, 'quotedInput').mockImplementation((value) => JSON.stringify(value));
    const listed = await platform.query(`query($department: ID) { creditRecordObjections(sourceDepartment: $department) { totalCount } }`, { department: long }, { caller: market }).finally(() => quotedWhole.mockRestore());
    for (const error of [submitted.errors?.[0], listed.errors?.[0]]) {
      expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(characterCount(error!.message)).toBeLessThanOrEqual(errors.maxMessageCharacters);
      const stated = /… \((\d+) characters in all\)$/.exec(error!.message);
      expect(Number(stated?.[1])).toBeGreaterThanOrEqual(long.length);
    }
  });

  it('records the officer who submitted by the whole name the token gives, characters beyond the BMP included', async () => {
    // 100 characters (the most a token's sub may hold), 199 UTF-16 units: 𠮷 is one character in two units.
    const officer = { ...market, id: `x${'\u{20BB7}'.repeat(99)}` };
    const input = { subjectCode: enterprise.identifier, category: 'ADMINISTRATIVE_PENALTY', severity: 'GENERAL', documentNumber: '北戴河市监罚〔2026〕9001号', decisionDate: todayInDistrict(), summary: '未按规定明码标价，罚款2000元' };
    const submitted = await platform.query<{ submitCreditRecord: { record: { id: string } } }>(SUBMIT, { input }, { caller: officer });
    expect(submitted.errors).toBeUndefined();
    const events = await platform.databases.records.query('SELECT kind, actor FROM credit_record_event WHERE record_id = ?', [submitted.data!.submitCreditRecord.record.id]);
    expect(events).toEqual([{ kind: 'CREATED', actor: officer.id }]);
  });
});
