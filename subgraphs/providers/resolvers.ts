import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { GraphQLResolveInfo } from 'graphql';
import { callerInWords } from '../../lib/access/identity';
import { todayInDistrict } from '../../lib/calendar';
import { badInput, clientError, ErrorCode, InputProblems, quotedInput } from '../../lib/errors';
import { optionalText } from '../../lib/text-input';
import { actingUser, forbidden, type SubgraphContext } from '../shared/access';
import { pageRequest, toConnection } from '../shared/pagination';
import type { ProvidersContext } from './context';
import type { CreditServiceProvider, SupervisionClass } from './entities/credit-service-provider.entity';
import type { ProviderFilingChange } from './entities/provider-filing-change.entity';
import type { ProviderFilingEvent } from './entities/provider-filing-event.entity';
import type { ProviderSanction } from './entities/provider-sanction.entity';
import type { ProviderViolation } from './entities/provider-violation.entity';
import type { SupervisionClassChange } from './entities/supervision-class-change.entity';
import {
  validCode,
  type Actor,
  type FilingChangeDecision,
  type ProviderApplicationInput,
  type ProviderFilingChangeInput,
  type ProviderHistoryRows,
  type ProviderFilter,
  type ProviderSanctionInput,
  type ProviderViolationInput,
} from './provider.repository';
import {
  classRule,
  filingChangeSteps,
  filingStatuses,
  filingStatusRules,
  filingTransitions,
  lastClassChangeDay,
  lastDayOf,
  permissions,
  sanctionRules,
  standingOn,
  supervisionClassRules,
  type FilingDecision,
  type NameHeld,
} from '../../lib/catalogue/provider-supervision';

type Context = ProvidersContext & SubgraphContext;

/** The provider's own users: a token of a credit service provider naming its id or its code. */
function isOwn(ctx: Context, provider: CreditServiceProvider | null): boolean {
  const caller = ctx.access.identity.caller;
  return !!provider && !!caller && caller.organisationKind === 'CREDIT_SERVICE_PROVIDER' && (caller.organisation === provider.id || caller.organisation === provider.unifiedSocialCreditCode);
}

/**
 * The public registry shows filed, suspended, revoked and de-registered providers; an application (APPLIED,
 * RETURNED, REJECTED) is seen only by registry admins and by the applicant itself, and reads as
 * null to anyone else.
 */
function visible(ctx: Context, provider: CreditServiceProvider | null): CreditServiceProvider | null {
  if (!provider) return null;
  if (filingStatusRules[provider.filingStatus].publiclyListed || isAdmin(ctx) || isOwn(ctx, provider)) return provider;
  return null;
}

/** A part of a provider's supervision file (PROVIDER_SUPERVISION_FILE): the registry's admins read every provider's, a provider its own. */
function supervisionFile<T>(ctx: Context, provider: CreditServiceProvider | null, read: () => T): T {
  if (isAdmin(ctx) || isOwn(ctx, provider)) return read();
  throw forbidden('NOT_ENTITLED', `a provider's supervision file is read by the registry's admins and by the provider itself, not by ${ctx.access.identity.caller ? callerInWords(ctx.access.identity.caller) : 'an anonymous caller'}`, { group: 'PROVIDER_SUPERVISION_FILE' });
}

/**
 * A part of the supervision file kept on a step of the provider's history (what an application
 * said, the sanction a step carried out): judged by the provider the step belongs to, which its
 * history's resolver has put in the loader.
 */
async function supervisionFileOfStep<T>(ctx: Context, step: { providerId: string }, read: () => T | Promise<T>): Promise<T> {
  const provider = isAdmin(ctx) ? null : await ctx.providerById.load(step.providerId);
  return supervisionFile(ctx, provider, read);
}

/**
 * The provider a provider's own write is about (its application resubmitted, a change of its
 * particulars): an application no one else may read is unknown to anyone else here too, so that
 * its id cannot be probed; refused as "not yours" only where the registry lists it anyway.
 */
async function ownProvider(ctx: Context, id: string, what: string): Promise<CreditServiceProvider> {
  const provider = visible(ctx, await ctx.providerById.load(id));
  if (!provider) throw clientError(ErrorCode.NOT_FOUND, `no credit service provider has the id ${quotedInput(id)}`, { field: 'id' });
  if (!isOwn(ctx, provider)) throw forbidden('NOT_ENTITLED', `only the provider itself ${what}: this token acts for ${tokenActsFor(ctx)}`);
  return provider;
}

/**
 * The names a provider was filed under, oldest first: each former name until the day the change
 * that replaced it took effect, which is the day the next one starts; the current name last.
 */
function nameHistoryOf(provider: CreditServiceProvider, formerNames: readonly { name: string; heldUntil: Date }[]): NameHeld[] {
  const history: NameHeld[] = [];
  let from = provider.filedOn;
  for (const former of formerNames) {
    const until = todayInDistrict(former.heldUntil);
    history.push({ name: former.name, from, until });
    from = until;
  }
  history.push({ name: provider.name, from, until: null });
  return history;
}

/** A provider's history steps, its row kept for `supervisionFileOfStep`, however the provider was found (by code, in a list). */
async function historyOf(ctx: Context, provider: CreditServiceProvider): Promise<ProviderHistoryRows> {
  ctx.providerById.prime(provider.id, provider);
  return await ctx.historyByProvider.load(provider.id);
}

/**
 * The step a decision names as the one its admin reviewed (`reviewedEventId`): left out, null or
 * blank it is none (README, Errors: an optional `ID` left blank is none), as the reports
 * subgraph reads a blank `issuerProviderId`; otherwise trimmed.
 */
function reviewedStep(id: string | null | undefined): string | null {
  return optionalText(id, 'reviewedEventId', Infinity);
}

function isAdmin(ctx: Context): boolean {
  return ctx.access.identity.grants.includes('PROVIDER_ADMINISTRATION');
}

function actorOf(ctx: Context): Actor {
  const { caller } = ctx.access.identity;
  if (!caller) throw forbidden('AUTHENTICATION_REQUIRED', 'changing the registry needs an authenticated caller');
  return { userId: caller.id, organisation: caller.organisation };
}

/** Whom the token acts for, as a refusal of a provider's own write names it (callerInWords). */
function tokenActsFor(ctx: Context): string {
  const { caller } = ctx.access.identity;
  return caller ? callerInWords(caller) : 'no organisation';
}

const scheme = {
  filingStatuses: filingStatuses.map((s) => filingStatusRules[s]),
  supervisionClasses: supervisionClassRules,
  transitions: filingTransitions,
  filingChanges: filingChangeSteps,
  sanctions: Object.values(sanctionRules).map((r) => ({ ...r, filingDecision: r.filingAction })),
};

/** A report reference as the gateway sends it, with the fields this subgraph @requires. */
interface ReportRepresentation {
  id: string;
  issuedOn: string;
  issuer: { id: string } | null;
}

/** Whether the registry has found, by today, that the provider gave false information (提供虚假信息). */
async function falseInformationBy(ctx: Context, provider: CreditServiceProvider): Promise<boolean> {
  const { falseInformationFoundOn } = await ctx.falseInformationByProvider.load(provider.id);
  return falseInformationFoundOn !== null && falseInformationFoundOn <= todayInDistrict();
}

/** The sanction a step carried out: the provider reads it in its own file (`sanctions`) anyway. */
function sanctionOfStep(ctx: Context, step: { providerId: string; sanctionId: string | null }): Promise<ProviderSanction | null> {
  return supervisionFileOfStep(ctx, step, () => (step.sanctionId ? ctx.sanctionById.load(step.sanctionId) : null));
}

export const resolvers: GraphQLResolverMap<Context> = {
  Query: {
    creditServiceProvider: async (_: unknown, args: { id: string }, ctx: Context) => visible(ctx, await ctx.providerById.load(args.id)),
    creditServiceProviderByCode: async (_: unknown, args: { code: string }, ctx: Context) => visible(ctx, await ctx.repository.findByCode(args.code)),
    creditServiceProviders: async (_: unknown, args: ProviderFilter & { first?: number; after?: string }, ctx: Context, info: GraphQLResolveInfo) => {
      const request = pageRequest(ctx, info, null, args);
      return toConnection(await ctx.repository.list(args, request.first, request.after, !isAdmin(ctx)), request, 'name', (p) => p.id);
    },
    providerSupervisionScheme: () => scheme,
  },
  Mutation: {
    applyForProviderFiling: async (_: unknown, args: { input: ProviderApplicationInput }, ctx: Context) => {
      const actor = actorOf(ctx);
      // An invalid code names no applicant: it is told with the application's other problems (`apply`).
      const code = new InputProblems().read(() => validCode(args.input.unifiedSocialCreditCode, 'unifiedSocialCreditCode'));
      // A provider applies in its own name only: the token says who it is, not the input.
      if (code !== undefined && (ctx.access.identity.caller?.organisationKind !== 'CREDIT_SERVICE_PROVIDER' || actor.organisation !== code)) {
        throw forbidden('NOT_ENTITLED', `a credit service provider applies for filing in its own name: this token acts for ${tokenActsFor(ctx)}, the application names ${code}`);
      }
      return await ctx.repository.apply(args.input, actor);
    },
    resubmitProviderFiling: async (_: unknown, args: { id: string; input: ProviderApplicationInput }, ctx: Context) => {
      const actor = actorOf(ctx);
      return await ctx.repository.resubmit(await ownProvider(ctx, args.id, 'resubmits its application'), args.input, actor);
    },
    applyForProviderFilingChange: async (_: unknown, args: { id: string; input: ProviderFilingChangeInput }, ctx: Context) => {
      const actor = actorOf(ctx);
      const provider = await ownProvider(ctx, args.id, 'applies for a change of its filed particulars');
      return await ctx.repository.applyForChange(provider.id, args.input, actor);
    },
    decideProviderFilingChange: (_: unknown, args: { id: string; decision: FilingChangeDecision; reason: string; reviewedEventId?: string | null }, ctx: Context) =>
      ctx.repository.decideChange(args.id, args.decision, args.reason, actorOf(ctx), reviewedStep(args.reviewedEventId)),
    decideProviderFiling: (_: unknown, args: { id: string; decision: FilingDecision; reason: string; reviewedEventId?: string | null }, ctx: Context) =>
      ctx.repository.decide(args.id, args.decision, args.reason, actorOf(ctx), reviewedStep(args.reviewedEventId)),
    setProviderSupervisionClass: (_: unknown, args: { id: string; supervisionClass: SupervisionClass; reason: string; reviewedEventId?: string | null }, ctx: Context) =>
      ctx.repository.setClass(args.id, args.supervisionClass, args.reason, actorOf(ctx), reviewedStep(args.reviewedEventId)),
    recordProviderViolation: (_: unknown, args: { input: ProviderViolationInput }, ctx: Context) => ctx.repository.recordViolation(args.input, actorOf(ctx)),
    withdrawProviderViolation: (_: unknown, args: { id: string; reason: string }, ctx: Context) => ctx.repository.withdrawViolation(args.id, args.reason, actorOf(ctx)),
    sanctionProvider: (_: unknown, args: { input: ProviderSanctionInput }, ctx: Context) => ctx.repository.sanction(args.input, actorOf(ctx)),
  },
  CreditServiceProvider: {
    __resolveReference: async (ref: { id: string }, ctx: Context) => visible(ctx, await ctx.providerById.load(ref.id)),
    // Now, false information found since included (a department refuses its reports dated from
    // then on); a report is judged by its issue date, in `standingOn`.
    inGoodStanding: async (p: CreditServiceProvider, _: unknown, ctx: Context) => permissions(p.filingStatus, p.supervisionClass).reportsAccepted && !(await falseInformationBy(ctx, p)),
    mayCollectPublicCreditData: async (p: CreditServiceProvider, _: unknown, ctx: Context) => permissions(p.filingStatus, p.supervisionClass).mayCollectPublicCreditData && !(await falseInformationBy(ctx, p)),
    standingOn: async (p: CreditServiceProvider, args: { date: string }, ctx: Context) => {
      // Read from the histories as they stand: a day to come would read as today, as if known.
      const today = todayInDistrict();
      if (args.date > today) throw badInput('date', `standingOn reads a day that has come, today (${today}) or earlier in the district's calendar, got ${args.date}`);
      return standingOn(p, await ctx.historyByProvider.load(p.id), args.date);
    },
    filingHistory: async (p: CreditServiceProvider, _: unknown, ctx: Context) => (await historyOf(ctx, p)).events,
    classHistory: async (p: CreditServiceProvider, _: unknown, ctx: Context) => (await historyOf(ctx, p)).classChanges,
    violations: (p: CreditServiceProvider, _: unknown, ctx: Context) => supervisionFile(ctx, p, () => ctx.violationsByProvider.load(p.id)),
    sanctions: (p: CreditServiceProvider, _: unknown, ctx: Context) => supervisionFile(ctx, p, () => ctx.sanctionsByProvider.load(p.id)),
    nameHistory: async (p: CreditServiceProvider, _: unknown, ctx: Context) => nameHistoryOf(p, await ctx.formerNamesByProvider.load(p.id)),
    pendingFilingChange: (p: CreditServiceProvider, _: unknown, ctx: Context) => supervisionFile(ctx, p, () => ctx.pendingChangeByProvider.load(p.id)),
  },
  ProviderFilingEvent: {
    effectiveOn: (e: ProviderFilingEvent) => todayInDistrict(e.occurredAt),
    sanction: (e: ProviderFilingEvent, _: unknown, ctx: Context) => sanctionOfStep(ctx, e),
    application: (e: ProviderFilingEvent, _: unknown, ctx: Context) => supervisionFileOfStep(ctx, e, () => e.application),
    filingChange: (e: ProviderFilingEvent, _: unknown, ctx: Context) => supervisionFileOfStep(ctx, e, () => (e.filingChangeId ? ctx.filingChangeById.load(e.filingChangeId) : null)),
  },
  ProviderFilingChange: {
    provider: (c: ProviderFilingChange, _: unknown, ctx: Context) => ctx.providerById.load(c.providerId),
    decision: async (c: ProviderFilingChange, _: unknown, ctx: Context) => {
      if (c.status === 'PENDING') return null;
      const { events } = await ctx.historyByProvider.load(c.providerId);
      return events.find((e) => e.filingChangeId === c.id && e.action !== 'APPLY_CHANGE') ?? null;
    },
  },
  SupervisionClassChange: {
    effectiveOn: (c: SupervisionClassChange) => todayInDistrict(c.occurredAt),
    sanction: (c: SupervisionClassChange, _: unknown, ctx: Context) => sanctionOfStep(ctx, c),
  },
  ProviderViolation: {
    provider: (v: ProviderViolation, _: unknown, ctx: Context) => ctx.providerById.load(v.providerId),
    sanctions: (v: ProviderViolation, _: unknown, ctx: Context) => ctx.sanctionsByViolation.load(v.id),
    // A provider reading its own supervision file reads the registry, never the admin who acted.
    recordedBy: (v: ProviderViolation, _: unknown, ctx: Context) => actingUser(ctx.access, v.recordedBy, v.recordedByOrganisation),
    withdrawal: (v: ProviderViolation, _: unknown, ctx: Context) =>
      v.withdrawnAt ? { withdrawnAt: v.withdrawnAt, reason: v.withdrawalReason, withdrawnBy: actingUser(ctx.access, v.withdrawnBy, v.withdrawnByOrganisation), withdrawnByOrganisation: v.withdrawnByOrganisation } : null,
  },
  ProviderSanction: {
    provider: (s: ProviderSanction, _: unknown, ctx: Context) => ctx.providerById.load(s.providerId),
    violation: (s: ProviderSanction, _: unknown, ctx: Context) => ctx.violationById.load(s.violationId),
    imposedBy: (s: ProviderSanction, _: unknown, ctx: Context) => actingUser(ctx.access, s.imposedBy, s.imposedByOrganisation),
  },
  CreditReport: {
    // The representation carries the @requires fields (issuedOn, issuer { id }): nothing to read here.
    __resolveReference: (ref: ReportRepresentation) => ref,
    issuerStanding: async (report: ReportRepresentation, _: unknown, ctx: Context) => {
      if (!report.issuer) return null;
      // Not filtered by `visible`: how an issuer stood is public, whatever its status now.
      const [provider, history] = await Promise.all([ctx.providerById.load(report.issuer.id), ctx.historyByProvider.load(report.issuer.id)]);
      if (!provider) return null;
      const onIssue = standingOn(provider, history, report.issuedOn);
      return {
        filingStatusOnIssueDate: onIssue.filingStatus,
        supervisionClassOnIssueDate: onIssue.supervisionClass,
        acceptedOnIssueDate: onIssue.reportsAccepted,
        currentFilingStatus: provider.filingStatus,
        stillAccepted: onIssue.reportsAccepted && filingStatusRules[provider.filingStatus].earlierReportsAccepted && classRule(provider.supervisionClass).earlierReportsAccepted,
        suspendedSince: provider.filingStatus === 'SUSPENDED' ? lastDayOf(history, 'SUSPEND') : null,
        revokedOn: provider.filingStatus === 'REVOKED' ? lastDayOf(history, 'REVOKE') : null,
        classDSince: provider.supervisionClass === 'D' ? (lastClassChangeDay(history) ?? provider.filedOn) : null,
      };
    },
  },
};
