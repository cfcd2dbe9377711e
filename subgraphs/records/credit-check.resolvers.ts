import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { GraphQLResolveInfo } from 'graphql';
import { purposeHeaders, type RequestIdentity } from '../../lib/access/identity';
import { storedDepartment } from '../../lib/catalogue/departments';
import { findMatter } from '../../lib/catalogue/matters';
import { findingsTellOfReports, measureKinds, measuresByMatter, type AppliedMeasure, type MeasureKind } from '../../lib/catalogue/measures';
import { minimumSubjectsPerStatistic } from '../../lib/access/policy';
import { badInput, clientError, ErrorCode, quotedInput } from '../../lib/errors';
import { idempotencyKeyOf } from '../../lib/text-input';
import { normaliseIdentifier, optionalCode } from '../../lib/identifiers';
import { peerCallFailure } from '../../lib/internal-client';
import { acceptedPurpose, assertCaseFileReadable, assertInScope, disclose, forbidden, forbiddenAbout, freeText, purposeMismatch, refusalOf, underCheckPurpose, underSupervision, type SubgraphContext } from '../shared/access';
import { pageRequest, toConnection, type PageArgs } from '../shared/pagination';
import type { RecordsContext } from './context';
import { anotherDepartmentsCheck, caseNumberOf, filtersByFindings, type CheckedRecordSnapshot, type LedgerFilter } from './credit-check.repository';
import { categoryGroup } from './credit-record.repository';
import type { CreditCheck } from './entities/credit-check.entity';
import { unknownSubjectId, withEntitiesOrUnavailable } from '../shared/subject-directory';

type Context = RecordsContext & SubgraphContext;

/** A front end's key for one attempt: a UUID or any such token, never text a person could read into. */

/** The credit office reads every department's checks; a department only its own. */
function ledgerScope(identity: RequestIdentity): string | null {
  const caller = identity.caller;
  if (!caller) throw forbidden('AUTHENTICATION_REQUIRED', 'the review ledger needs an authenticated caller');
  if (caller.role === 'CREDIT_OFFICE_SUPERVISOR') return null;
  if (caller.organisationKind !== 'DEPARTMENT') throw forbidden('NOT_ENTITLED', 'the review ledger is open to departments and the credit office only');
  return caller.organisation;
}

function readable(ctx: Context, check: CreditCheck | null): CreditCheck | null {
  if (!check) return null;
  const department = ledgerScope(ctx.access.identity);
  if (department && check.department !== department) throw anotherDepartmentsCheck(check);
  return check;
}

/**
 * What a check found (the records it considered, the measures and verdict they led to, the
 * feedback on those measures) tells of those records' content, whichever of them is read: read
 * only in the check's own case or under supervision (`assertCaseFileReadable`), and audited, or
 * refused, with the ledger's group and the groups of every record the check considered. Once
 * sealed, its measures and verdict (and the feedback that mirrors them) may tell of the subject's
 * reports too (a good grade, a required report on file or missing): then with REPORTS as well;
 * the records considered (`recordsOnly`) never do.
 */
function readFindings(ctx: Context, check: CreditCheck, recordsOnly = false): void {
  const tellsOfReports = !recordsOnly && check.verdict !== null && findingsTellOfReports(check.matter, check.measures, check.verdict);
  const groups = [...new Set(['CREDIT_CHECK_LEDGER', ...check.recordsSnapshot.map((r) => categoryGroup(r.category)), ...(tellsOfReports ? ['REPORTS'] : [])])];
  assertCaseFileReadable(ctx.access, check, groups);
  for (const group of groups) disclose(ctx.access, check.subjectId, group);
}

/**
 * The filters that select checks by what they found (`verdict`, `measuresNotApplied`) tell of
 * each check they list what `verdict`, `measures` and `feedback` would: they are used where those
 * are read, and each check listed is audited as if they were (`readFindings`). The credit office
 * under CREDIT_SUPERVISION filters every department's checks; a department, in the case its
 * request names (x-credit-matter, x-credit-case), filters that case's checks only, which the
 * answer is then kept to (null: no restriction beyond the ledger's scope). Anyone else, or a
 * department without a case, is FORBIDDEN: the ledger's line needs no purpose, its findings do; a
 * purpose the gateway refused is none, and the refusal says why.
 */
function findingsScope(identity: RequestIdentity, scope: string | null, filter: LedgerFilter): { matter: string; caseNumber: string } | null {
  if (!filtersByFindings(filter)) return null;
  const purpose = acceptedPurpose(identity);
  if (scope === null) {
    if (underSupervision(identity)) return null;
    throw purposeMismatch(identity, 'filtering the ledger by what checks found (verdict, measuresNotApplied) is done under x-credit-matter CREDIT_SUPERVISION, as reading it is');
  }
  if (!purpose?.caseNumber || !Object.hasOwn(measuresByMatter, purpose.matter)) {
    throw purposeMismatch(identity, 'a department filters its checks by what they found (verdict, measuresNotApplied) in the case it reads them in: name the checks’ matter and case (x-credit-matter, x-credit-case)');
  }
  if ((filter.matter ?? null) !== null && filter.matter !== purpose.matter) {
    throw forbidden('PURPOSE_MISMATCH', `filtering by what checks found is kept to the case the request names (x-credit-matter ${purpose.matter}); matter ${filter.matter} is not it`);
  }
  const caseNumber = caseNumberOf(filter.caseNumber);
  if (caseNumber !== null && caseNumber !== purpose.caseNumber) {
    throw forbidden('PURPOSE_MISMATCH', `filtering by what checks found is kept to the case the request names (x-credit-case ${purpose.caseNumber}); caseNumber ${caseNumber} is not it`);
  }
  return { matter: purpose.matter, caseNumber: purpose.caseNumber };
}

/** A record of the check of `subjectId` as the reader sees it: its summary as its source department's free text. */
function checkedRecord(ctx: Context, subjectId: string) {
  return (snapshot: CheckedRecordSnapshot) => ({
    ...snapshot,
    recordId: snapshot.id,
    sourceDepartment: storedDepartment(snapshot.sourceDepartment),
    summary: freeText(ctx.access, subjectId, snapshot.summary, snapshot.sourceDepartment),
    underObjection: snapshot.underObjection === true,
  });
}

/**
 * The check with its verdict sealed: as it is once sealed (when it was run, or at an earlier
 * read), else sealed now with the reports subgraph's findings as of its instant, asked for every
 * check the request seals in one call (`reportFindings`). When the reports subgraph cannot answer,
 * nothing is sealed and the refusal says so as any failed call to a peer is told: its own outage
 * in its words (`DATABASE_UNAVAILABLE`, or `SUBGRAPH_UNAVAILABLE` naming the subgraph it could not
 * ask), or `SUBGRAPH_UNAVAILABLE` naming it with a reason; `consequence` says what was not done.
 */
async function sealed(check: CreditCheck, ctx: Context, consequence: string): Promise<CreditCheck> {
  if (check.verdict) return check;
  const unavailable = (error: unknown) => peerCallFailure('reports', error, consequence);
  if (!ctx.reportFindings) throw unavailable(new Error('no reports subgraph is configured (SUBGRAPH_REPORTS_URL)'));
  let findings: { satisfied: boolean; goodGrade: boolean };
  try {
    findings = await ctx.reportFindings.load({ check, requestId: ctx.access.identity.requestId });
  } catch (error) {
    throw unavailable(error);
  }
  return await ctx.checks.seal(check, findings);
}

/** What a check's `verdict` and `measures` are not, while the reports subgraph cannot judge its report requirement. */
const findingsNotSealed = 'the check was run while the reports subgraph could not judge its report requirement, and its verdict and measures are sealed only once it can: read them again later';

export const creditCheckResolvers: GraphQLResolverMap<Context> = {
  Query: {
    creditCheck: async (_: unknown, args: { id: string }, ctx: Context) => readable(ctx, await ctx.checkById.load(args.id)),
    creditChecks: async (_: unknown, args: LedgerFilter & PageArgs, ctx: Context, info: GraphQLResolveInfo) => {
      const scope = ledgerScope(ctx.access.identity);
      // Catalogue codes, read as every code typed is: finance or ＦＩＮＡＮＣＥ is FINANCE, government_procurement GOVERNMENT_PROCUREMENT.
      const typed = { ...args, department: optionalCode(args.department), matter: optionalCode(args.matter) };
      const caseFile = findingsScope(ctx.access.identity, scope, typed);
      // A department's filtered list is its case's: a cursor of one case's list opens no other's.
      const request = pageRequest(ctx, info, caseFile && JSON.stringify([caseFile.matter, caseFile.caseNumber]), args);
      const filter = caseFile ? { ...typed, ...caseFile } : typed;
      const page = await ctx.checks.ledger(filter, scope, request.first, request.after);
      // Each check names its subject and what counted against it: a read about that subject, but
      // for a page counted alone, which names none (`readAbout`). Listed or counted by what it
      // found, a read of its findings about its subject: a count tells what a check the caller can
      // name (by its case, its instant) found, however few of its fields are asked.
      page?.rows.forEach((check) => (filtersByFindings(args) ? readFindings(ctx, check) : disclose(ctx.access, request.readAbout(check.subjectId), 'CREDIT_CHECK_LEDGER')));
      return toConnection(page, request, 'checkedAt', (c) => c.id);
    },
    // The measures called for and applied, by polarity, are findings (a punishment called for: a
    // dishonesty list), so the whole query is the credit office's under supervision, in whole
    // district days. A row about fewer than `minimumSubjectsPerStatistic` subjects tells of each
    // what its checks found: each of its checks is audited as a read of its findings, as the
    // findings filters audit the checks they list; larger rows are aggregates, audited as none.
    // The checks below repeat the field's group (SUPERVISION_STATISTICS, which CREDIT_SUPERVISION
    // alone grants), should the policy ever grant it elsewhere.
    creditCheckStatistics: async (_: unknown, args: { from: Date; to: Date }, ctx: Context) => {
      if (ledgerScope(ctx.access.identity) !== null) throw forbidden('NOT_ENTITLED', 'statistics across departments are for the credit office');
      if (!underSupervision(ctx.access.identity)) {
        throw purposeMismatch(ctx.access.identity, 'the credit check statistics count what checks found (the punishments and incentives called for and applied): read them under x-credit-matter CREDIT_SUPERVISION, as the findings are');
      }
      const rows = await ctx.checks.statistics(args.from, args.to);
      const few = rows.filter((row) => row.subjects < minimumSubjectsPerStatistic);
      for (const check of await ctx.checks.checksOfRows(args.from, args.to, few)) readFindings(ctx, check);
      return rows.map(({ subjects: _subjects, ...s }) => ({ ...s, department: storedDepartment(s.department) }));
    },
  },
  Mutation: {
    runCreditCheck: async (_: unknown, args: { input: { subjectId: string; matter: string; caseNumber: string; idempotencyKey?: string | null } }, ctx: Context) => {
      const { identity } = ctx.access;
      const caller = identity.caller;
      if (!caller || caller.organisationKind !== 'DEPARTMENT' || caller.role !== 'DEPARTMENT_OFFICER') throw forbidden('NOT_ENTITLED', 'credit checks are run by department officers');
      const input = {
        subjectId: args.input.subjectId.trim(),
        // A catalogue code, read as every code typed is: government_procurement is GOVERNMENT_PROCUREMENT.
        matter: normaliseIdentifier(args.input.matter),
        // As the gateway takes x-credit-case: ＢＤＨ－ＣＧ－２０２６－０１１７ is the case BDH-CG-2026-0117.
        caseNumber: caseNumberOf(args.input.caseNumber)!,
        idempotencyKey: idempotencyKeyOf(args.input.idempotencyKey),
      };
      if (!Object.hasOwn(measuresByMatter, input.matter)) throw badInput('matter', `matter must be an administrative matter of the catalogue (docs/measures.md), got ${quotedInput(args.input.matter)}`);
      // The check is run under the purpose the request names, which is what the grants were decided on.
      // One an earlier gateway signed with its groups, which this release's catalogue refuses, opens no case file.
      if (refusalOf(identity)) throw purposeMismatch(identity, `a check for ${input.matter} is run under that purpose, which this request may not name`);
      // A form marks the input field at fault (named as in its input, as every input error is) and
      // the header that disagrees with it; no `group`, since CREDIT_CHECK was granted.
      if (identity.purpose?.matter !== input.matter || identity.purpose?.caseNumber !== input.caseNumber) {
        const field = identity.purpose?.matter !== input.matter ? 'matter' : 'caseNumber';
        const header = purposeHeaders[field];
        const named = identity.purpose?.[field];
        throw forbidden('PURPOSE_MISMATCH', `a check for ${input.matter}, case ${input.caseNumber}, must be run under that purpose (x-credit-matter, x-credit-case): ${header} ${named ? `names ${quotedInput(named)}` : 'was not sent'}`, { field, header });
      }
      assertInScope(ctx.access, input.subjectId);
      const found = await withEntitiesOrUnavailable(
        () => ctx.subjects.lookUp([input.subjectId], [], identity.requestId, ctx.access.deadline),
        'the subject could not be checked with the entities subgraph, so nothing was stored: retry later',
      );
      if (!found.ids.has(input.subjectId)) throw unknownSubjectId(input.subjectId);
      const kind = found.kinds?.get(input.subjectId);
      if (kind && identity.scope.subjectKinds && !identity.scope.subjectKinds.includes(kind)) {
        throw forbiddenAbout(input.subjectId, 'SUBJECT_KIND_NOT_COVERED', `${input.matter} does not cover subjects of kind ${kind}`);
      }
      const check = await ctx.checks.run(input, { userId: caller.id, department: caller.organisation }, ctx.clock());
      // Sealed now, so the ledger holds the verdict whatever the client selected. If the reports
      // subgraph cannot answer (in the time the request has left), the check stays unsealed and the
      // first read seals it as of its instant; its `verdict` and `measures` in this answer say why
      // they are missing (the loader keeps the failure: the reports subgraph is not asked again).
      try {
        return await sealed(check, ctx, findingsNotSealed);
      } catch {
        return check;
      }
    },
    recordCheckFeedback: async (_: unknown, args: { input: { checkId: string; appliedMeasures: MeasureKind[]; note?: string | null } }, ctx: Context) => {
      const caller = ctx.access.identity.caller;
      if (!caller || caller.organisationKind !== 'DEPARTMENT') throw forbidden('NOT_ENTITLED', 'feedback is reported by the department that ran the check');
      const check = await ctx.checkById.load(args.input.checkId);
      if (!check) throw clientError(ErrorCode.NOT_FOUND, `no credit check has the id ${quotedInput(args.input.checkId)}`, { field: 'checkId' });
      if (check.department !== caller.organisation) throw anotherDepartmentsCheck(check);
      // Feedback belongs to the case the check was run for: reported under another purpose, it
      // would be audited under a matter that never called for the check.
      if (!underCheckPurpose(ctx.access.identity, check)) {
        throw purposeMismatch(ctx.access.identity, `feedback on this check is reported under its own purpose: x-credit-matter ${check.matter} and x-credit-case ${check.caseNumber}`, check.subjectId);
      }
      // Judged against the measures the check called for, final once its verdict is sealed: a check
      // run while the reports subgraph could not be asked holds its records' measures alone (a good
      // grade's incentive not yet among them), and feedback judged against those would stand for good.
      const sealedCheck = await sealed(check, ctx, 'the check was run while the reports subgraph could not be asked, and its measures are final only once it is: nothing was stored; send the feedback again later');
      // Whatever follows tells of the findings: a refusal names the measures the check called for
      // (or that it called for more than were applied), or the feedback already reported, and an
      // acceptance that the measures applied were among them. A check that could not be sealed
      // told nothing of them.
      readFindings(ctx, sealedCheck);
      return await ctx.checks.recordFeedback(sealedCheck, args.input.appliedMeasures, args.input.note ?? null, { userId: caller.id, department: caller.organisation });
    },
  },
  Subject: {
    creditChecks: async (subject: { id: string }, args: PageArgs, ctx: Context, info: GraphQLResolveInfo) => {
      const request = pageRequest(ctx, info, subject.id, args);
      return toConnection(await ctx.checks.subjectChecks(subject.id, ledgerScope(ctx.access.identity), request.first, request.after), request, 'checkedAt', (c) => c.id);
    },
  },
  AppliedMeasure: {
    // Reached through `measures` only, which has read the check's findings.
    triggeredBy: (measure: { subjectId: string; triggering: CheckedRecordSnapshot[] }, _: unknown, ctx: Context) => measure.triggering.map(checkedRecord(ctx, measure.subjectId)),
  },
  CreditCheck: {
    __resolveReference: async (ref: { id: string }, ctx: Context) => readable(ctx, await ctx.checkById.load(ref.id)),
    subject: (check: CreditCheck) => ({ __typename: 'Subject', id: check.subjectId }),
    matterNameZh: (check: CreditCheck) => findMatter(check.matter)?.nameZh ?? check.matter,
    department: (check: CreditCheck) => storedDepartment(check.department),
    recordsConsidered: (check: CreditCheck, _: unknown, ctx: Context) => {
      readFindings(ctx, check, true);
      return check.recordsSnapshot.map(checkedRecord(ctx, check.subjectId));
    },
    measures: async (check: CreditCheck, _: unknown, ctx: Context) => {
      // Final once the verdict is sealed (before, the records' measures alone, without a good
      // grade's incentive). Sealed first (which tells nothing), so that the audit names what the
      // sealed measures tell.
      const sealedCheck = await sealed(check, ctx, findingsNotSealed);
      readFindings(ctx, sealedCheck);
      const records = new Map(sealedCheck.recordsSnapshot.map((r) => [r.id, r]));
      return sealedCheck.measures.map((m: AppliedMeasure) => ({
        kind: m.kind,
        nameZh: measureKinds[m.kind].nameZh,
        polarity: measureKinds[m.kind].polarity,
        situation: m.situation,
        subjectId: sealedCheck.subjectId,
        triggering: m.recordIds.map((id) => records.get(id)).filter((r): r is CheckedRecordSnapshot => !!r),
      }));
    },
    verdict: async (check: CreditCheck, _: unknown, ctx: Context) => {
      const sealedCheck = await sealed(check, ctx, findingsNotSealed);
      readFindings(ctx, sealedCheck);
      return sealedCheck.verdict;
    },
    // What the department applied mirrors the measures (EXCLUSION: the subject is on a dishonesty
    // list), and its note may say more: one of the check's findings.
    feedback: (check: CreditCheck, _: unknown, ctx: Context) => {
      readFindings(ctx, check);
      return check.feedbackAt ? { appliedMeasures: JSON.parse(check.feedbackApplied ?? '[]'), note: freeText(ctx.access, check.subjectId, check.feedbackNote, check.department), reportedBy: check.feedbackBy, reportedAt: check.feedbackAt } : null;
    },
  },
};
