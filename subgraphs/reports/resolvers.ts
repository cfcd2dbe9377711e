import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import { todayInDistrict } from '../../lib/calendar';
import { requiredLine, requiredProse } from '../../lib/text-input';
import { actsFor, assertCaseFileReadable, assertInScope, assertKindInScope, assertPurposeGrants, disclose, forbidden, freeText, personIdentifier, type SubgraphContext } from '../shared/access';
import { pageRequest, toConnection, type PageArgs } from '../shared/pagination';
import { assertSubjectKindInScope, EntitiesSubjectDirectory } from '../shared/subject-directory';
import type { ReportsContext } from './context';
import type { CreditReport } from './entities/credit-report.entity';
import type { ReportVerification } from './entities/report-verification.entity';
import { generateReport } from './generation';
import { asUnansweredRead, PeerClient } from './peers';
import { genuineSnapshot, inPlatformNumbering, platformReportNumber, printablePath, sameCode, type Snapshot } from './platform-report';
import { currentRecordsAsker, recordsChangedNow, standingOf, type CurrentRecord, type CurrentRecordsAsker } from './record-states';
import { registerReport, type RegisterCreditReportInput } from './registration';
import { issuerFactsOn, issuerRefusals, judgeReports, type CheckRef, type IssuerFacts, type IssuerRefusal, type ConsideredReportSnapshot, type ReportRequirementSnapshot } from './check-requirement';
import type { Actor, WithdrawnListed } from './report.repository';

type Context = ReportsContext & SubgraphContext;

/** `CreditReport.withdrawal`: its fields read off the withdrawn report, whose case file decides who reads them; `subjectId` for the audit of `withdrawnBy`. */
interface Withdrawal {
  report: CreditReport;
  subjectId: string;
  withdrawnAt: Date;
}

type RefusalReason = 'WITHDRAWN' | 'EXPIRED' | 'NOT_GENUINE' | 'RECORDS_CHANGED' | IssuerRefusal;

/** Whether a genuine platform report still stands (`ReportVerificationConclusion`'s genuine values). */

function actorOf(ctx: Context): Actor {
  const { caller } = ctx.access.identity;
  if (!caller) throw forbidden('AUTHENTICATION_REQUIRED', 'registering or generating a report needs an authenticated caller');
  return { userId: caller.id, organisation: caller.organisation };
}

/**
 * A report registered, or found genuine, counts in every department's credit check of its subject:
 * so it is done for a matter that reads the subject's reports, and in its case, never on the
 * standing grant alone. Audited then under that matter and case, and kept to the kinds of subject
 * the matter covers.
 */
function assertReportPurpose(ctx: Context, what: string, subjectId: unknown): void {
  assertPurposeGrants(ctx.access.identity, ['REPORTS'], `${what} changes what other departments' credit checks rely on`, typeof subjectId === 'string' ? subjectId : null);
}

/**
 * Before a registered report is amended (a finding, a withdrawal): the purpose reads reports, and
 * the report is one the request may read, refused as `creditReport(id)` is, since the answer is
 * the report. Who may amend it is decided on the row inside the write (ReportRepository).
 */
async function assertAmendable(ctx: Context, id: string, what: string): Promise<void> {
  const report = await ctx.reportById.load(id);
  assertReportPurpose(ctx, what, report?.subjectId);
  assertInScope(ctx.access, report ? report.subjectId : null);
  if (report) await assertSubjectKindInScope(ctx.access, entitiesDirectory(ctx), report.subjectId);
}

function peers(ctx: Context): PeerClient {
  return new PeerClient(ctx.peers, ctx.signingKey, ctx.access);
}

/** The entities subgraph as a directory of subjects: lookups there are not disclosures to the caller. */
function entitiesDirectory(ctx: Context): EntitiesSubjectDirectory {
  return new EntitiesSubjectDirectory({ url: ctx.peers.url('entities'), signingKey: ctx.signingKey }, ctx.peers.timeoutMs);
}

/**
 * The records platform reports hold, as the records subgraph answers them now (status, whether a
 * check counts them, their content), for this request: one call per batch (record-states.ts), in
 * the platform's own name, whose disclosures are not the reader's (it learns only whether a report
 * still stands), so they go to a throwaway access.
 */
function currentRecords(ctx: Context): DataLoader<string, CurrentRecord | null> {
  if (!ctx.recordStates) {
    const ask = currentRecordsAsker(ctx.peers, ctx.signingKey, ctx.access.identity.requestId, ctx.access.deadline);
    ctx.recordStates = new DataLoader(async (ids: readonly string[]) => {
      try {
        return await ask(ids);
      } catch (error) {
        return asUnansweredRead(error, 'records', 'whether the records behind a platform report still stand');
      }
    });
  }
  return ctx.recordStates;
}

/**
 * How a third-party report's issuer stands today, as a check of today judges it (check-requirement.ts):
 * one call to the providers subgraph for all of the request's reports. It reads the public
 * registry alone, whatever the reader's own grants; the registry discloses nothing of a subject.
 */
function issuerStandingToday(ctx: Context, report: CreditReport): Promise<IssuerFacts | null> {
  if (!ctx.issuerStandings) {
    const registry = { ...ctx.access.identity, grants: ['PROVIDER_REGISTRY'] };
    ctx.issuerStandings = new DataLoader(
      async (reports: readonly CreditReport[]) => {
        try {
          return await issuerFactsOn(reports, todayInDistrict(), peers(ctx), registry);
        } catch (error) {
          return asUnansweredRead(error, 'providers', 'how the issuer of a third-party report stands');
        }
      },
      { cacheKeyFn: (report) => report.id },
    );
  }
  return ctx.issuerStandings.load(report);
}

/** `currentRecords` as the one asker record-states.ts's rules take: the first failure fails the question. */
function recordsNow(ctx: Context): CurrentRecordsAsker {
  return async (ids) => {
    const states = await currentRecords(ctx).loadMany(ids);
    const failed = states.find((s): s is Error => s instanceof Error);
    if (failed) throw failed;
    return states as (CurrentRecord | null)[];
  };
}

/**
 * Who registered or generated a report, for which matter and case, and what checking it with its
 * issuer found, is the registering organisation's case file and, to anyone else, the subject's
 * disclosure log (查询记录: who read the subject, for what). So is the report's verification code,
 * the key to the report itself (its printable page) long after a reader's purpose has ended.
 * Shown to that organisation (a department, or the subject for a report it generated for
 * itself), to the subject itself (SELF_INQUIRY grants DISCLOSURE_LOG, scoped to it) and to the
 * credit office in its supervision (DISCLOSURE_LOG) or audit (AUDIT), and disclosed as such; null
 * for every other reader of the report (a consent's bank, another department).
 */
function readsCaseFile(ctx: Context, report: Pick<CreditReport, 'subjectId' | 'registeredByOrganisation'>): boolean {
  if (actsFor(ctx.access, report.registeredByOrganisation)) return true;
  const group = caseFileGroup(ctx, report.subjectId);
  if (!group) return false;
  disclose(ctx.access, report.subjectId, group);
  return true;
}

/** The group under which the reader reads the case file of every report about this subject (DISCLOSURE_LOG, AUDIT), if any. */
function caseFileGroup(ctx: Context, subjectId: string): 'DISCLOSURE_LOG' | 'AUDIT' | undefined {
  const { identity } = ctx.access;
  if (identity.scope.subjectId && identity.scope.subjectId !== subjectId) return undefined;
  return (['DISCLOSURE_LOG', 'AUDIT'] as const).find((g) => identity.grants.includes(g));
}

/**
 * Which withdrawn registrations a subject's list shows the reader: those whose case file it reads
 * (`readsCaseFile`), so that the subject, the credit office and the department that made the
 * mistake still find it, and no other reader of the subject is shown a report that was never its.
 */
function withdrawnListedTo(ctx: Context, subjectId: string): WithdrawnListed {
  if (caseFileGroup(ctx, subjectId)) return 'ALL';
  const caller = ctx.access.identity.caller;
  return caller ? { registeredBy: caller.organisation.trim().toUpperCase() } : 'NONE';
}

/** Whether the reader is shown this withdrawn registration where it is listed (`withdrawnListedTo`). */
function listsWithdrawn(ctx: Context, report: CreditReport): boolean {
  const listed = withdrawnListedTo(ctx, report.subjectId);
  return listed === 'ALL' || (listed !== 'NONE' && listed.registeredBy === report.registeredByOrganisation);
}

/**
 * A report as the reader may be shown it where a request reaches it by its id (`creditReport`, a
 * check that considered it): null for a withdrawn registration it would not find listed among the
 * subject's reports (the lists apply `withdrawnListedTo` in SQL). The registration may name the
 * wrong subject or grade, and an id kept from an earlier list or a sealed check must not go on
 * showing it to the subject's other readers. References need no such rule: only this subgraph
 * returns reports, so the gateway resolves one by reference only after reaching it here.
 */
function shownReport(ctx: Context, report: CreditReport | null): CreditReport | null {
  return report && report.withdrawnAt && !listsWithdrawn(ctx, report) ? null : report;
}

/**
 * The snapshot of a platform report while it may be shown: genuine and still standing, exactly
 * when its printable page is shown (printable.ts). Otherwise null, `acceptance` saying why
 * (NOT_GENUINE, EXPIRED, RECORDS_CHANGED): what it holds would go on telling every reader of the
 * report about records the platform no longer discloses.
 */
async function shownSnapshot(report: CreditReport, ctx: Context): Promise<Snapshot | null> {
  const snapshot = genuineSnapshot(report, await ctx.snapshotById.load(report.id));
  return snapshot && (await standingOf(snapshot, recordsNow(ctx), todayInDistrict())) === 'CURRENT' ? snapshot : null;
}

/** A platform report is checked against its stored snapshot on every read; a registered one carries an officer's finding. */
async function verificationStatus(report: CreditReport, ctx: Context): Promise<'GENUINE' | 'NOT_GENUINE' | 'UNCHECKED'> {
  if (report.source === 'DISTRICT_PLATFORM') return genuineSnapshot(report, await ctx.snapshotById.load(report.id)) ? 'GENUINE' : 'NOT_GENUINE';
  return report.verificationOutcome ?? 'UNCHECKED';
}

/**
 * The checks this request judges, each once whichever of its fields asks (`reportRequirement`,
 * `reportSatisfied`, `goodReportGrade`), all of a batch together (judgeReports) and sealed
 * together (sealAll): per request, as the context is.
 */
const judgedInRequest = new WeakMap<Context, DataLoader<CheckRef, ReportRequirementSnapshot, string>>();

function judgedRequirement(ctx: Context): DataLoader<CheckRef, ReportRequirementSnapshot, string> {
  let judged = judgedInRequest.get(ctx);
  if (!judged) {
    judged = new DataLoader(
      async (checks: readonly CheckRef[]) => {
        const judgements = await judgeReports(checks, ctx.repository.reports, (ids) => ctx.repository.snapshots(ids), peers(ctx), ctx.access.identity, recordsNow(ctx));
        // A check its peers could not judge is not sealed: its reader is told, and the next one judges it.
        const sealing = checks.map((check, i) => ({ check, requirement: judgements[i] })).filter((j): j is { check: CheckRef; requirement: ReportRequirementSnapshot } => !(j.requirement instanceof Error));
        const stored = await ctx.requirements.sealAll(sealing);
        const sealed = new Map(sealing.map(({ check }, i) => [check.id, stored[i]]));
        return checks.map((check, i) => sealed.get(check.id) ?? judgements[i]);
      },
      { cacheKeyFn: (check) => check.id },
    );
    judgedInRequest.set(ctx, judged);
  }
  return judged;
}

/** A check's requirement: sealed, or judged now as of the check's instant and sealed (first reader). */
async function requirementOf(check: CheckRef, ctx: Context): Promise<ReportRequirementSnapshot> {
  const sealed = await ctx.sealedRequirement.load(check);
  if (sealed) return sealed;
  const stored = await judgedRequirement(ctx).load(check);
  ctx.sealedRequirement.clear(check).prime(check, stored);
  return stored;
}

const notGenuine = { status: 'NOT_GENUINE', genuine: false, subjectName: null, issuedOn: null, validUntil: null, isWithinValidity: null } as const;
const notIssuedHere = { ...notGenuine, status: 'NOT_ISSUED_HERE' } as const;

export const resolvers: GraphQLResolverMap<Context> = {
  Query: {
    creditReport: async (_: unknown, args: { id: string }, ctx: Context) => {
      const report = await ctx.reportById.load(args.id);
      // As `creditRecord(id)`: the consent's subject first, then the kinds the purpose covers.
      assertInScope(ctx.access, report ? report.subjectId : null);
      if (report) await assertSubjectKindInScope(ctx.access, entitiesDirectory(ctx), report.subjectId);
      return shownReport(ctx, report);
    },
    verifyCreditReport: async (_: unknown, args: { reportNumber: string; verificationCode: string }, ctx: Context) => {
      // Nothing typed is no number and no code: an answer about a report would tell an officer a
      // bidder's genuine report is forged, or another issuer's.
      const typedNumber = requiredLine(args.reportNumber, 'reportNumber', Infinity);
      requiredLine(args.verificationCode, 'verificationCode', Infinity);
      // Another issuer's number, by its form: whether a department registered that report here is
      // its case file, and a report nobody registered is no less genuine.
      if (!inPlatformNumbering(typedNumber)) return notIssuedHere;
      // As typed off the paper (bdhxy-…, ＢＤＨＸＹ－…, spaces for the hyphens), so that it is not
      // told it is forged: the platform's numbers are upper-case letters and digits in fixed parts
      // (platformReportNumber), so reading them so makes no number another. Only they are looked
      // up so: another issuer's, whose numbers may differ by letter case alone, is not.
      const reportNumber = platformReportNumber(typedNumber);
      const report = reportNumber ? await ctx.repository.findPlatformReport(reportNumber) : null;
      if (!report || !sameCode(args.verificationCode, report.verificationCode)) return notGenuine;
      const snapshot = genuineSnapshot(report, await ctx.snapshotById.load(report.id));
      if (!snapshot) return notGenuine;
      // The subject's name went to whoever asked, as each view of the printable page goes: audited
      // in its trail, but as a public lookup, under no matter, case or consent (the request's would
      // cite a bank's consent for another subject, or a case that covers no such subject).
      disclose(ctx.access, report.subjectId, 'SUBJECT_BASICS', 'ANYONE');
      return {
        // Asked of the records subgraph only when selected; whether the report stands, never which record changed.
        status: () => standingOf(snapshot, recordsNow(ctx), todayInDistrict()),
        genuine: true,
        subjectName: snapshot.subject.name,
        issuedOn: report.issuedOn,
        validUntil: report.validUntil,
        isWithinValidity: report.validUntil >= todayInDistrict(),
      };
    },
  },
  Mutation: {
    registerCreditReport: async (_: unknown, args: { input: RegisterCreditReportInput }, ctx: Context) => {
      const actor = actorOf(ctx);
      assertReportPurpose(ctx, 'registering a report', args.input.subjectId);
      // Checked before anything is stored (the kernel checks the result only after the write).
      assertInScope(ctx.access, args.input.subjectId);
      // A refusal naming the department's own standing registration of the number (DUPLICATE_REPORT's `reportId`) discloses it as the answer would.
      return await registerReport(args.input, actor, ctx.access.identity, ctx.repository, peers(ctx), undefined, (subjectId) => disclose(ctx.access, subjectId, 'REPORT_REGISTRATION'));
    },
    recordReportVerification: async (_: unknown, args: { id: string; genuine: boolean; note: string }, ctx: Context) => {
      const actor = actorOf(ctx);
      const note = requiredProse(args.note, 'note', 2000);
      await assertAmendable(ctx, args.id, 'recording what checking a report found');
      return await ctx.repository.recordVerification(args.id, args.genuine ? 'GENUINE' : 'NOT_GENUINE', note, actor);
    },
    withdrawCreditReportRegistration: async (_: unknown, args: { id: string; reason: string }, ctx: Context) => {
      const actor = actorOf(ctx);
      const reason = requiredProse(args.reason, 'reason', 2000);
      await assertAmendable(ctx, args.id, 'withdrawing a registration');
      return await ctx.repository.withdrawRegistration(args.id, reason, actor);
    },
    generateCreditReport: (_: unknown, args: { subjectId: string; idempotencyKey?: string | null }, ctx: Context) =>
      generateReport(args.subjectId, ctx.access, ctx.repository, peers(ctx), { idempotencyKey: args.idempotencyKey }),
  },
  CreditReport: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.reportById.load(ref.id),
    subject: (r: CreditReport) => ({ __typename: 'Subject', id: r.subjectId }),
    issuer: (r: CreditReport) => (r.issuerProviderId ? { __typename: 'CreditServiceProvider', id: r.issuerProviderId } : null),
    isWithinValidity: (r: CreditReport) => r.validUntil >= todayInDistrict(),
    verificationStatus: (r: CreditReport, _: unknown, ctx: Context) => verificationStatus(r, ctx),
    acceptance: async (r: CreditReport, _: unknown, ctx: Context) => {
      const reasons: RefusalReason[] = [];
      if (r.withdrawnAt) reasons.push('WITHDRAWN');
      if (r.validUntil < todayInDistrict()) reasons.push('EXPIRED');
      if ((await verificationStatus(r, ctx)) === 'NOT_GENUINE') reasons.push('NOT_GENUINE');
      if (r.source === 'DISTRICT_PLATFORM') {
        const snapshot = genuineSnapshot(r, await ctx.snapshotById.load(r.id));
        if (snapshot && (await recordsChangedNow(snapshot, recordsNow(ctx), todayInDistrict()))) reasons.push('RECORDS_CHANGED');
      }
      if (r.source === 'THIRD_PARTY_PROVIDER') reasons.push(...issuerRefusals(r.issuerProviderId ? await issuerStandingToday(ctx, r) : null));
      return { accepted: reasons.length === 0, reasons };
    },
    // A subject's own report names it by its code or citizen ID number, the latter masked as everywhere.
    registeredByOrganisation: (r: CreditReport, _: unknown, ctx: Context) => (r.registeredByOrganisation && readsCaseFile(ctx, r) ? personIdentifier(ctx.access, r.subjectId, r.registeredByOrganisation) : null),
    verificationNote: async (r: CreditReport, _: unknown, ctx: Context) => {
      if (r.verificationNote === null || !readsCaseFile(ctx, r)) return null;
      // The newest finding's note, written by the organisation that recorded it (`verifications`, newest first).
      const [newest] = await ctx.verificationsOf.load(r.id);
      return freeText(ctx.access, r.subjectId, r.verificationNote, newest?.verifiedByOrganisation ?? null);
    },
    // That it was withdrawn, and when, is for every reader of the report (its acceptance says
    // WITHDRAWN); who withdrew it and why is its case file, read as `verificationNote` is.
    withdrawal: (r: CreditReport) => (r.withdrawnAt ? { report: r, subjectId: r.subjectId, withdrawnAt: r.withdrawnAt } : null),
    // The key to the report itself, which the page shows to whoever holds it, without a token and
    // for as long as the report stands: the case file's, never a reader's whose purpose ends (a
    // bank's consent, revoked, would otherwise leave it reading the page).
    verificationCode: (r: CreditReport, _: unknown, ctx: Context) => (readsCaseFile(ctx, r) ? r.verificationCode : null),
    printableUrl: (r: CreditReport, _: unknown, ctx: Context) => (r.source === 'DISTRICT_PLATFORM' && readsCaseFile(ctx, r) ? printablePath(r) : null),
    verifications: async (r: CreditReport, _: unknown, ctx: Context) => {
      if (r.source === 'DISTRICT_PLATFORM') return [];
      const findings = await ctx.verificationsOf.load(r.id);
      const caseFile = findings.length > 0 && readsCaseFile(ctx, r);
      return findings.map((v) => ({ ...v, caseFile }));
    },
    sections: async (r: CreditReport, _: unknown, ctx: Context) => {
      if (r.source !== 'DISTRICT_PLATFORM') return null;
      const snapshot = await shownSnapshot(r, ctx);
      return snapshot?.sections.map((s) => ({ code: s.code, titleZh: s.titleZh, entryCount: s.records.length, underObjectionCount: s.records.filter((r) => r.underObjection).length })) ?? null;
    },
  },
  // `caseFile`: whether the reader reads the report's case file (readsCaseFile), set by `verifications`.
  ReportVerification: {
    genuine: (v: ReportVerification) => v.outcome === 'GENUINE',
    note: (v: ReportVerification & { caseFile?: boolean }, _: unknown, ctx: Context) => (v.caseFile ? freeText(ctx.access, v.subjectId, v.note, v.verifiedByOrganisation) : null),
    organisation: (v: ReportVerification & { caseFile?: boolean }) => (v.caseFile ? v.verifiedByOrganisation : null),
  },
  ReportWithdrawal: {
    reason: (w: Withdrawal, _: unknown, ctx: Context) => (readsCaseFile(ctx, w.report) ? freeText(ctx.access, w.subjectId, w.report.withdrawalReason, w.report.withdrawnByOrganisation) : null),
    organisation: (w: Withdrawal, _: unknown, ctx: Context) => (readsCaseFile(ctx, w.report) ? w.report.withdrawnByOrganisation : null),
    withdrawnBy: (w: Withdrawal) => w.report.withdrawnBy,
  },
  CreditCheck: {
    // The check lives in the records subgraph; the gateway hands over what @requires names.
    __resolveReference: (ref: CheckRef) => ref,
    reportRequirement: async (check: CheckRef & { caseNumber: string }, _: unknown, ctx: Context) => {
      // Read as the check's other findings are; withheld, it is the ledger's and the reports' content.
      assertCaseFileReadable(ctx.access, check, ['CREDIT_CHECK_LEDGER', 'REPORTS']);
      const requirement = await requirementOf(check, ctx);
      // The reports it names (numbers, issuers, grades) are the subject's reports, and none named
      // says the subject has none to offer: a read of its reports either way, audited as such.
      disclose(ctx.access, check.subjectId, 'REPORTS');
      return {
        ...requirement,
        // The reports as they are now, shown as they would be by id: a registration withdrawn since
        // is its case file's, whatever the check's copy (`considered`) says it was.
        reliedOn: requirement.reliedOn ? shownReport(ctx, await ctx.reportById.load(requirement.reliedOn)) : null,
        considered: requirement.considered.map((c: ConsideredReportSnapshot) => ({ ...c, report: async () => shownReport(ctx, await ctx.reportById.load(c.reportId)) })),
      };
    },
    // Not in the API (@inaccessible): read by the gateway for `verdict` and `measures`, which the records subgraph guards.
    reportSatisfied: async (check: CheckRef, _: unknown, ctx: Context) => (await requirementOf(check, ctx)).satisfied,
    goodReportGrade: async (check: CheckRef, _: unknown, ctx: Context) => (await requirementOf(check, ctx)).goodGrade,
  },
  // Subjects and providers live in other subgraphs; this one only adds their reports, so a
  // reference needs no read here: the list fields batch through the repository's page loaders.
  Subject: {
    __resolveReference: (ref: { id: string; kind?: string | null }) => ({ id: ref.id, kind: ref.kind }),
    creditReports: async (subject: { id: string; kind?: string | null }, args: PageArgs, ctx: Context, info: GraphQLResolveInfo) => {
      assertKindInScope(ctx.access, subject);
      const request = pageRequest(ctx, info, subject.id, args);
      const page = await ctx.repository.reportsAboutSubject(subject.id, request.first, request.after, request.counts, withdrawnListedTo(ctx, subject.id));
      // A withdrawn registration listed to a reader of its case file discloses that file (who registered it, for what).
      for (const report of page?.rows ?? []) if (report.withdrawnAt) readsCaseFile(ctx, report);
      return toConnection(page, request, 'issuedOn', (r) => r.id);
    },
  },
  CreditServiceProvider: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    issuedReports: async (provider: { id: string }, args: PageArgs, ctx: Context, info: GraphQLResolveInfo) => {
      const request = pageRequest(ctx, info, provider.id, args);
      const page = await ctx.repository.reportsIssuedBy(provider.id, request.first, request.after, request.counts);
      // Each report is about a subject: a registry admin reading a provider's output reads those
      // subjects' reports, so each is audited as a disclosure about its subject.
      page?.rows.forEach((report) => disclose(ctx.access, request.readAbout(report.subjectId), 'PROVIDER_ADMINISTRATION'));
      return toConnection(page, request, 'issuedOn', (r) => r.id);
    },
  },
};
