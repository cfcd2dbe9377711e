import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { GraphQLResolveInfo } from 'graphql';
import { departments, findDepartment, storedDepartment } from '../../lib/catalogue/departments';
import { decidingDepartments, recordCategories, restorableFrom, restorationRules, type RecordCategory } from '../../lib/catalogue/record-categories';
import { badInput, ErrorCode, refusedInput } from '../../lib/errors';
import { normaliseIdentifier } from '../../lib/identifiers';
import { actingUser, actsFor, assertInScope, assertKindInScope, disclose, forbidden, forbiddenAbout, freeText, groupRefusal, personIdentifier, type SubgraphContext } from '../shared/access';
import { pageRequest, toConnection } from '../shared/pagination';
import type { RecordsContext } from './context';
import { countsInCheckToday, countsToday, effectiveStatus } from '../../lib/catalogue/record-standing';
import { groupsToSee, shownDocumentNumber, type CreditRecordFilter } from './credit-record.repository';
import type { CreditRecord } from './entities/credit-record.entity';
import type { CreditRecordEvent } from './entities/credit-record-event.entity';
import type { CreditRecordObjection } from './entities/credit-record-objection.entity';
import type { RestorationApplication } from './entities/restoration-application.entity';
import { intakeChunkSize, RecordIntake, rejectionDetail, rejectionDetailNames, subjectsToldOf, type IntakeRow, type PreparedChunk, type Rejection, type RowResult } from './intake/record-intake';
import type { RecordRow } from './intake/record-input';
import { assertSubjectKindInScope, withEntitiesOrUnavailable } from '../shared/subject-directory';
import { historyOf } from './record-history';
import { objectionDueBy } from './lifecycle';
import type { ApplyForRestorationInput, DecideObjectionInput, DecideRestorationInput, FileObjectionInput, FiledCase, WithdrawCaseInput } from './record-lifecycle.repository';
import { actorOf, assertMaySeeCase, lifecycleNotShown, maySeeLifecycle } from './record-roles';
import { departmentHandlingStatistics, type DepartmentHandlingPeriod } from './department-statistics';
import { foldedDocumentNumber } from '../../lib/text';

/** Rows one `submitCreditRecords` call may carry; larger files go through `npm run import`. */
export const maxBatchRows = 5000;


type Context = RecordsContext & SubgraphContext;

/**
 * Records are shown one by one only to a request whose grants cover them (dishonesty lists,
 * records that no longer count); what is shown is reported as disclosed.
 */
function shown(ctx: Context, record: CreditRecord | null): CreditRecord | null {
  if (!record) return null;
  const missing = groupsToSee(record, ctx.today).filter((g) => !ctx.access.identity.grants.includes(g));
  if (missing.length) {
    const { advice, details } = groupRefusal(ctx.access.identity, missing[0]);
    throw forbiddenAbout(record.subjectId, details.problem, `this credit record needs the field group ${missing.join(' and ')}${advice}`, { group: missing[0], ...details }, missing);
  }
  return disclosedRecord(ctx, record);
}

/**
 * Whether a record is answered by id as an id nobody has: one that no longer counts (restored,
 * withdrawn, expired), to a request without RESTRICTED_RECORDS. The subject's list shows such a
 * request the record as to a subject that has none, and a refusal naming the group would tell a
 * caller that kept the id (a bank, from an earlier consent) that the record was since restored or
 * withdrawn, which the restoration rules say is no longer disclosed. Its source department, which
 * knows the record, is refused by the group as before.
 */
function answeredAsUnknown(ctx: Context, record: CreditRecord): boolean {
  return !countsToday(record, ctx.today) && !ctx.access.identity.grants.includes('RESTRICTED_RECORDS') && !actsFor(ctx.access, record.sourceDepartment);
}

/** Reports a record shown as disclosed, with the groups its category and status belong to. */
function disclosedRecord(ctx: Context, record: CreditRecord): CreditRecord {
  for (const group of groupsToSee(record, ctx.today)) disclose(ctx.access, record.subjectId, group);
  return record;
}

/**
 * The record a case (objection, application) is about. Whoever may see the case may see its
 * record, whatever the record's groups (the credit office decides objections to dishonesty-list
 * records without a purpose); what it shows is reported as disclosed all the same, so the audit
 * log says a dishonesty-list or restricted record was read, not only a case.
 */
async function caseRecord(ctx: Context, recordId: string): Promise<CreditRecord | null> {
  const record = await ctx.recordById.load(recordId);
  return record && disclosedRecord(ctx, record);
}

/** The department a submission is made for: the caller's own, never an input. */
function submittingDepartment(ctx: Context): string {
  const { caller } = ctx.access.identity;
  if (caller?.organisationKind !== 'DEPARTMENT' || !findDepartment(caller.organisation)) {
    throw forbidden('NOT_ENTITLED', 'credit records are submitted by a department of the catalogue, in its own name');
  }
  return caller.organisation;
}

/** The request's intake: its subject lookups and writes keep within the request's deadline. */
function intakeFor(ctx: Context): RecordIntake {
  return new RecordIntake(ctx.db, { department: submittingDepartment(ctx), actor: actorOf(ctx.access.identity, 'submitting credit records'), subjects: ctx.subjects, now: ctx.clock, deadline: ctx.access.deadline });
}

/** Prepares rows a chunk (one subject lookup) at a time; an unreachable entities subgraph fails the call, storing nothing. */
async function prepareAll(intake: RecordIntake, rows: IntakeRow[]): Promise<PreparedChunk[]> {
  const chunks: PreparedChunk[] = [];
  await withEntitiesOrUnavailable(async () => {
    for (let start = 0; start < rows.length; start += intakeChunkSize) chunks.push(await intake.prepare(rows.slice(start, start + intakeChunkSize)));
  }, 'the subjects could not be checked with the entities subgraph, so nothing was stored; retry later');
  return chunks;
}

/** A case (objection, application) is shown to its subject, its source department, its filer, the credit office and the supervision (`maySeeLifecycle`). */
function visibleCase<T extends { subjectId: string; sourceDepartment: string; submittedByOrganisation: string }>(ctx: Context, value: T | null, what: Parameters<typeof assertMaySeeCase>[2]): T | null {
  // To a request scoped to one subject, another subject's case is refused as an unknown id is.
  if (value) {
    assertInScope(ctx.access, value.subjectId);
    assertMaySeeCase(ctx.access.identity, value, what);
  }
  return value;
}

function lifecycleOf(ctx: Context, record: CreditRecord, field: string): void {
  if (!maySeeLifecycle(ctx.access.identity, record)) throw lifecycleNotShown(ctx.access.identity, record.subjectId, `CreditRecord.${field} is shown to the record's subject, its source department and the credit office's supervisors`);
}

/**
 * What intake answered is reported as disclosed in the trail of each subject it told of
 * (`subjectsToldOf`), a batch as one submission: the records it stored, and the stored records
 * its rejections describe, whatever of the answer is selected (`created` alone still says a
 * record was stored).
 */
function discloseSubmitted(ctx: Context, results: readonly RowResult[]): void {
  for (const subjectId of subjectsToldOf(results)) disclose(ctx.access, subjectId, 'RECORD_SUBMISSION');
}

/** A single submission's rejection as its refusal lists it (`refusedInput`). */
function inputProblem({ field, reason, code, details }: Rejection) {
  return { field: field ?? 'input', reason, code: code as Exclude<ErrorCode, 'INTERNAL_SERVER_ERROR'>, ...details };
}

function rejectionList(results: RowResult[]): Rejection[] {
  return results.flatMap((r) => r.rejections);
}

/**
 * The fields an objection and a restoration application share, read and masked alike: one map so
 * a privacy rule (who sees the filer, the decider, the decision's free text) is written once.
 */
const filedCaseFields = {
  record: (filed: FiledCase, _: unknown, ctx: Context) => caseRecord(ctx, filed.recordId),
  subject: (filed: FiledCase) => ({ __typename: 'Subject', id: filed.subjectId }),
  sourceDepartment: (filed: FiledCase) => storedDepartment(filed.sourceDepartment),
  decisionReason: (filed: FiledCase, _: unknown, ctx: Context) => freeText(ctx.access, filed.subjectId, filed.decisionReason, filed.decidedByOrganisation),
  submittedBy: (filed: FiledCase, _: unknown, ctx: Context) => actingUser(ctx.access, filed.submittedBy, filed.submittedByOrganisation),
  submittedByOrganisation: (filed: FiledCase, _: unknown, ctx: Context) => personIdentifier(ctx.access, filed.subjectId, filed.submittedByOrganisation),
  decidedBy: (filed: FiledCase, _: unknown, ctx: Context) => actingUser(ctx.access, filed.decidedBy, filed.decidedByOrganisation),
  // A person withdrawing its own case acted as its citizen ID number, masked as when it filed.
  decidedByOrganisation: (filed: FiledCase, _: unknown, ctx: Context) => filed.decidedByOrganisation && personIdentifier(ctx.access, filed.subjectId, filed.decidedByOrganisation),
};

export const resolvers: GraphQLResolverMap<Context> = {
  Query: {
    creditRecord: async (_: unknown, args: { id: string }, ctx: Context) => {
      const found = await ctx.recordById.load(args.id);
      // The scope first: a consent-scoped caller learns nothing of another subject's record, not even that it is restricted.
      assertInScope(ctx.access, found ? found.subjectId : null);
      // Then a record that no longer counts for this request, answered as not found (before the kind: an unknown id has none to check).
      if (found && answeredAsUnknown(ctx, found)) {
        assertInScope(ctx.access, null);
        return null;
      }
      // Then the subject's kind, before `shown` reports the record as disclosed.
      if (found) await assertSubjectKindInScope(ctx.access, ctx.subjects, found.subjectId);
      return shown(ctx, found);
    },
    creditRecordCategories: () => recordCategories,
    departments: () => departments,
    // Read as every code typed is: finance or ＦＩＮＡＮＣＥ is FINANCE.
    department: (_: unknown, args: { code: string }) => findDepartment(normaliseIdentifier(args.code)) ?? null,
    submittedCreditRecord: (_: unknown, args: { documentNumber: string }, ctx: Context) =>
      // As intake compares it: 〔２０２６〕１０号 and [2026]10号 find 〔2026〕10号.
      ctx.repository.records.findOneBy({ sourceDepartment: submittingDepartment(ctx), documentNumber: foldedDocumentNumber(args.documentNumber) }),
    creditRecordObjection: async (_: unknown, args: { id: string }, ctx: Context) => visibleCase(ctx, await ctx.objectionById.load(args.id), 'objection'),
    restorationApplication: async (_: unknown, args: { id: string }, ctx: Context) => {
      const application = visibleCase(ctx, await ctx.applicationById.load(args.id), 'restoration application');
      return application && ctx.lifecycle.asItStands(application, await ctx.recordById.load(application.recordId));
    },
    creditRecordObjections: async (
      _: unknown,
      args: { status?: string | null; overdue?: boolean | null; sourceDepartment?: string | null; first?: number; after?: string | null },
      ctx: Context,
      info: GraphQLResolveInfo,
    ) => {
      const request = pageRequest(ctx, info, null, args);
      const page = await ctx.lifecycle.list(ctx.lifecycle.objections, ctx.access.identity, args.status, request.first, request.after, args.overdue, args.sourceDepartment);
      page?.rows.forEach((o) => disclose(ctx.access, request.readAbout(o.subjectId), 'RECORD_OBJECTIONS'));
      return toConnection(page, request, 'submittedAt', (o) => o.id);
    },
    restorationApplications: async (_: unknown, args: { status?: string | null; first?: number; after?: string | null }, ctx: Context, info: GraphQLResolveInfo) => {
      const request = pageRequest(ctx, info, null, args);
      const page = await ctx.lifecycle.list(ctx.lifecycle.applications, ctx.access.identity, args.status, request.first, request.after);
      page?.rows.forEach((a) => disclose(ctx.access, request.readAbout(a.subjectId), 'RECORD_RESTORATION'));
      // As each stands today (closed at its record's disclosure end), as the status filter chose them.
      if (page) {
        const records = await ctx.recordById.loadMany(page.rows.map((a) => a.recordId));
        page.rows = page.rows.map((a, i) => ctx.lifecycle.asItStands(a, records[i] instanceof Error ? null : records[i]));
      }
      return toConnection(page, request, 'submittedAt', (a) => a.id);
    },
    departmentHandlingStatistics: (_: unknown, args: DepartmentHandlingPeriod, ctx: Context) => departmentHandlingStatistics(ctx, args),
  },
  Mutation: {
    submitCreditRecord: async (_: unknown, args: { input: RecordRow }, ctx: Context) => {
      const intake = intakeFor(ctx);
      const [chunk] = await prepareAll(intake, [{ row: 1, values: args.input }]);
      const problems = chunk.rows[0].rejections;
      if (problems.length) throw refusedInput(problems.map(inputProblem));
      const [result] = await intake.commit(chunk);
      discloseSubmitted(ctx, [result]);
      if (result.outcome === 'REJECTED') {
        // Refused on what is stored (a number already another subject's), listed as the schema says every problem is.
        throw refusedInput(result.rejections.map(inputProblem));
      }
      return { outcome: result.outcome, record: result.record };
    },
    submitCreditRecords: async (_: unknown, args: { rows: RecordRow[] }, ctx: Context) => {
      if (args.rows.length > maxBatchRows) {
        throw badInput('rows', `a batch carries at most ${maxBatchRows} rows, got ${args.rows.length}; split it, or import the file with \`npm run import\``, { maximum: maxBatchRows });
      }
      const intake = intakeFor(ctx);
      const chunks = await prepareAll(
        intake,
        args.rows.map((values, i) => ({ row: i + 1, values })),
      );
      // One transaction for the whole call: a failing mutation stores nothing.
      const results = await intake.commitTogether(chunks);
      discloseSubmitted(ctx, results);
      const count = (outcome: RowResult['outcome']) => results.filter((r) => r.outcome === outcome).length;
      return { created: count('CREATED'), updated: count('UPDATED'), unchanged: count('UNCHANGED'), rejected: count('REJECTED'), rejections: rejectionList(results) };
    },
    objectToCreditRecord: (_: unknown, args: { input: FileObjectionInput }, ctx: Context) =>
      ctx.lifecycle.fileObjection(args.input, ctx.access.identity, (subjectId) => disclose(ctx.access, subjectId, 'RECORD_OBJECTIONS')),
    decideObjection: (_: unknown, args: { input: DecideObjectionInput }, ctx: Context) => ctx.lifecycle.decideObjection(args.input, ctx.access.identity),
    applyForRestoration: (_: unknown, args: { input: ApplyForRestorationInput }, ctx: Context) =>
      ctx.lifecycle.applyForRestoration(args.input, ctx.access.identity, (subjectId) => disclose(ctx.access, subjectId, 'RECORD_RESTORATION')),
    decideRestoration: (_: unknown, args: { input: DecideRestorationInput }, ctx: Context) => ctx.lifecycle.decideRestoration(args.input, ctx.access.identity),
    withdrawObjection: (_: unknown, args: { input: WithdrawCaseInput }, ctx: Context) => ctx.lifecycle.withdrawObjection(args.input, ctx.access.identity),
    withdrawRestorationApplication: (_: unknown, args: { input: WithdrawCaseInput }, ctx: Context) => ctx.lifecycle.withdrawRestorationApplication(args.input, ctx.access.identity),
  },
  Subject: {
    // The subject's own fields live in the entities subgraph; here it anchors creditRecords, with the kind the gateway brought (@requires).
    __resolveReference: (ref: { id: string; kind?: string | null }) => ({ id: ref.id, kind: ref.kind }),
    creditRecords: async (
      subject: { id: string; kind?: string | null },
      args: { filter?: CreditRecordFilter | null; first?: number; after?: string | null },
      ctx: Context,
      info: GraphQLResolveInfo,
    ) => {
      assertKindInScope(ctx.access, subject);
      const request = pageRequest(ctx, info, subject.id, args);
      const query = ctx.repository.subjectRecordsQuery(args.filter, request.first, request.after, ctx.access.identity.grants);
      const page = await ctx.pages.load(ctx.repository.records, { ...query, count: request.counts }, subject.id);
      page?.rows.forEach((record) => shown(ctx, record));
      return toConnection(page, request, 'decisionDate', (r) => r.id);
    },
  },
  CreditRecord: {
    __resolveReference: async (ref: { id: string }, ctx: Context) => shown(ctx, await ctx.recordById.load(ref.id)),
    subject: (record: CreditRecord) => ({ __typename: 'Subject', id: record.subjectId }),
    sourceDepartment: (record: CreditRecord) => storedDepartment(record.sourceDepartment),
    summary: (record: CreditRecord, _: unknown, ctx: Context) => freeText(ctx.access, record.subjectId, record.summary, record.sourceDepartment),
    documentNumber: (record: CreditRecord) => shownDocumentNumber(record),
    status: (record: CreditRecord, _: unknown, ctx: Context) => effectiveStatus(record, ctx.today),
    countsInCheck: async (record: CreditRecord, _: unknown, ctx: Context) =>
      countsInCheckToday(record, ctx.today, record.category === 'TAX_CREDIT_GRADE' ? await ctx.standingTaxGradeBySubject.load(record.subjectId) : null),
    history: async (record: CreditRecord, _: unknown, ctx: Context) => {
      lifecycleOf(ctx, record, 'history');
      // A person objecting or applying for itself acted as its citizen ID number: masked as its
      // subject's is. What the event tells (its reasons, a correction's fields) is what its
      // organisation wrote, read as that organisation's free text.
      return historyOf(record, await ctx.eventsByRecord.load(record.id), ctx.now).map((event) => {
        const written = (text: string | null) => freeText(ctx.access, record.subjectId, text, event.organisation);
        return { ...event, organisation: personIdentifier(ctx.access, record.subjectId, event.organisation), reason: written(event.reason), beforeValues: written(event.beforeValues), afterValues: written(event.afterValues) };
      });
    },
    objections: (record: CreditRecord, _: unknown, ctx: Context) => {
      lifecycleOf(ctx, record, 'objections');
      return ctx.objectionsByRecord.load(record.id);
    },
    restorationApplications: async (record: CreditRecord, _: unknown, ctx: Context) => {
      lifecycleOf(ctx, record, 'restorationApplications');
      return (await ctx.applicationsByRecord.load(record.id)).map((a) => ctx.lifecycle.asItStands(a, record));
    },
    // Only for a record that can still be restored: a negative one of a category with restoration
    // that still counts (ACTIVE, or under objection until decided); null once it expired, was
    // restored or withdrawn, since nothing is left to restore.
    restorableFrom: (record: CreditRecord, _: unknown, ctx: Context) =>
      record.polarity === 'NEGATIVE' && restorationRules[record.category] && countsToday(record, ctx.today) ? restorableFrom(record.category, record.severity, record.decisionDate) : null,
  },
  CreditRecordEvent: {
    actor: (event: CreditRecordEvent, _: unknown, ctx: Context) => actingUser(ctx.access, event.actor, event.organisation),
    before: (event: CreditRecordEvent) => event.beforeValues,
    after: (event: CreditRecordEvent) => event.afterValues,
  },
  CreditRecordObjection: {
    ...filedCaseFields,
    decisionDueBy: (objection: CreditRecordObjection) => objectionDueBy(objection.submittedAt),
    overdue: (objection: CreditRecordObjection, _: unknown, ctx: Context) => objection.status === 'SUBMITTED' && objectionDueBy(objection.submittedAt) < ctx.today,
    reason: (objection: CreditRecordObjection, _: unknown, ctx: Context) => freeText(ctx.access, objection.subjectId, objection.reason, objection.submittedByOrganisation),
  },
  RestorationApplication: {
    ...filedCaseFields,
    correction: (application: RestorationApplication, _: unknown, ctx: Context) => freeText(ctx.access, application.subjectId, application.correction, application.submittedByOrganisation),
    evidence: (application: RestorationApplication, _: unknown, ctx: Context) => application.evidence.map((item) => freeText(ctx.access, application.subjectId, item, application.submittedByOrganisation)),
    commitment: (application: RestorationApplication, _: unknown, ctx: Context) => freeText(ctx.access, application.subjectId, application.commitment, application.submittedByOrganisation),
  },
  // Told as the single submission's refusal tells the same row's problem (`inputProblem`), each detail beside it.
  CreditRecordRejection: {
    problem: (rejection: Rejection) => rejection.details?.problem ?? null,
    ...Object.fromEntries(rejectionDetailNames.map((name) => [name, (rejection: Rejection) => rejectionDetail(rejection, name)])),
  },
  CreditRecordCategory: {
    sourceDepartments: (category: RecordCategory) => decidingDepartments(category)?.map(storedDepartment) ?? null,
  },
  Department: {
    // The catalogue is in memory: there is nothing to batch, so no loader.
    __resolveReference: (ref: { code: string }) => findDepartment(ref.code) ?? null,
  },
};
