import { todayInDistrict } from '../calendar';

/**
 * The registry's rules as data (policy section 四: filing 备案, supervision by class 分类监管,
 * sanctions): which filing transitions exist and who makes them, and what each filing status and
 * supervision class allows a provider to do. Resolvers and the repository only read these tables;
 * `Query.providerSupervisionScheme` serves them, so that clients show the same rules. In the
 * catalogue, not the providers subgraph, because the reports subgraph reads them too, to say why
 * a provider's report is not accepted.
 */

export const filingStatuses = ['APPLIED', 'RETURNED', 'REJECTED', 'FILED', 'SUSPENDED', 'REVOKED', 'DEREGISTERED'] as const;
export type FilingStatus = (typeof filingStatuses)[number];

export const supervisionClasses = ['A', 'B', 'C', 'D'] as const;
export type SupervisionClass = (typeof supervisionClasses)[number];

/** The actions that move a filing from one status to another (`filingTransitions`). */
export const filingTransitionActions = ['APPLY', 'RESUBMIT', 'FILE', 'RETURN_FOR_CORRECTION', 'REJECT', 'SUSPEND', 'REINSTATE', 'REVOKE', 'DEREGISTER'] as const;
/** The steps of a change of a filed provider's particulars (变更备案, `filingChangeSteps`): the status stays as it is. */
export const filingChangeActions = ['APPLY_CHANGE', 'APPROVE_CHANGE', 'REJECT_CHANGE'] as const;
export type FilingChangeAction = (typeof filingChangeActions)[number];
/** Every step a provider's filing history records. Keep in sync with `FilingAction` in schema.graphql. */
export const filingActions = [...filingTransitionActions, ...filingChangeActions] as const;
export type FilingAction = (typeof filingActions)[number];
/** The transitions a registry admin decides (`decideProviderFiling`); APPLY and RESUBMIT are the provider's own. */
export type FilingDecision = Exclude<(typeof filingTransitionActions)[number], 'APPLY' | 'RESUBMIT'>;

export const violationKinds = ['FALSE_INFORMATION', 'TRADE_SECRET_BREACH', 'PRIVACY_BREACH', 'OTHER'] as const;
export type ViolationKind = (typeof violationKinds)[number];

export const sanctionKinds = ['WARNING', 'CLASS_DOWNGRADE', 'SUSPENSION', 'REVOCATION'] as const;
export type SanctionKind = (typeof sanctionKinds)[number];

/**
 * The earliest issue date of a report departments rely on: the year of the national opinion on
 * using credit records and reports in administrative matters (发改财金〔2013〕920号), the first
 * basis the district's policy names. An earlier issue date is a slip (0001-01-01): within the
 * longest validity, such a report lapsed years before the district platform existed. A
 * provider's violation is dated no earlier either: false information dated before it reaches back
 * to no report one dated that day does not (0000-01-01, 2001 typed for 2021).
 */
export const earliestReportIssueDate = '2013-01-01';

export interface FilingTransition {
  action: (typeof filingTransitionActions)[number];
  nameZh: string;
  /** Statuses the action starts from; null: a provider the registry does not know yet. */
  from: readonly (FilingStatus | null)[];
  to: FilingStatus;
  /** PROVIDER: the provider itself (PROVIDER_APPLICATION); REGISTRY: a registry admin (PROVIDER_ADMINISTRATION). */
  by: 'PROVIDER' | 'REGISTRY';
}

/** Every allowed transition; anything else is refused. Keep in sync with `FilingAction` in schema.graphql. */
export const filingTransitions: readonly FilingTransition[] = [
  // A rejected applicant may apply afresh; a revoked provider may not.
  { action: 'APPLY', nameZh: '申请备案', from: [null, 'REJECTED'], to: 'APPLIED', by: 'PROVIDER' },
  { action: 'RESUBMIT', nameZh: '补正后重新提交', from: ['RETURNED'], to: 'APPLIED', by: 'PROVIDER' },
  { action: 'FILE', nameZh: '予以备案', from: ['APPLIED'], to: 'FILED', by: 'REGISTRY' },
  { action: 'RETURN_FOR_CORRECTION', nameZh: '退回补正', from: ['APPLIED'], to: 'RETURNED', by: 'REGISTRY' },
  { action: 'REJECT', nameZh: '不予备案', from: ['APPLIED'], to: 'REJECTED', by: 'REGISTRY' },
  { action: 'SUSPEND', nameZh: '暂停备案', from: ['FILED'], to: 'SUSPENDED', by: 'REGISTRY' },
  { action: 'REINSTATE', nameZh: '恢复备案', from: ['SUSPENDED'], to: 'FILED', by: 'REGISTRY' },
  // A de-registered provider is still revoked for what it did while filed: de-registering does
  // not shield its reports from the sanction.
  { action: 'REVOKE', nameZh: '撤销备案', from: ['FILED', 'SUSPENDED', 'DEREGISTERED'], to: 'REVOKED', by: 'REGISTRY' },
  // At the provider's request (it stops trading), recorded by the registry. Only from FILED: a
  // suspended provider de-registering would make its reports, not relied on while the breach is
  // investigated, accepted again without a reinstatement.
  { action: 'DEREGISTER', nameZh: '注销备案', from: ['FILED'], to: 'DEREGISTERED', by: 'REGISTRY' },
];

export function transitionFor(action: FilingTransition['action']): FilingTransition {
  const transition = filingTransitions.find((t) => t.action === action);
  if (!transition) throw new Error(`filing action ${action} is not in the scheme`);
  return transition;
}

/**
 * A step of a change of the particulars a provider filed (变更备案: its name, address, legal
 * representative, business scope, contact): the provider applies, the registry approves or
 * rejects. None moves the filing status, so a provider's standing on any day reads as before.
 */
export interface FilingChangeStep {
  action: FilingChangeAction;
  nameZh: string;
  /** Statuses the step is taken in. */
  from: readonly FilingStatus[];
  by: FilingTransition['by'];
}

/** Keep in sync with `FilingAction` in schema.graphql. */
export const filingChangeSteps: readonly FilingChangeStep[] = [
  // A suspended provider may correct its particulars while the breach is investigated or corrected
  // (a new legal representative may be the correction); a revoked or de-registered one has no
  // filing left to change.
  { action: 'APPLY_CHANGE', nameZh: '申请变更备案', from: ['FILED', 'SUSPENDED'], by: 'PROVIDER' },
  { action: 'APPROVE_CHANGE', nameZh: '准予变更', from: ['FILED', 'SUSPENDED'], by: 'REGISTRY' },
  // A change still pending when the filing was revoked or de-registered is closed by rejecting it.
  { action: 'REJECT_CHANGE', nameZh: '不予变更', from: ['FILED', 'SUSPENDED', 'REVOKED', 'DEREGISTERED'], by: 'REGISTRY' },
];

export function changeStepFor(action: FilingChangeAction): FilingChangeStep {
  const step = filingChangeSteps.find((s) => s.action === action);
  if (!step) throw new Error(`filing change step ${action} is not in the scheme`);
  return step;
}

export interface FilingStatusRule {
  status: FilingStatus;
  nameZh: string;
  /** Shown in the public registry; applications are seen only by registry admins and the applicant. */
  publiclyListed: boolean;
  /** Whether the status lets a provider collect public credit data through the platform (依法采集). */
  mayCollectPublicCreditData: boolean;
  /** Whether reports issued in this status are accepted by departments. */
  mayIssueAcceptedReports: boolean;
  /** Whether reports issued earlier, while the provider was in good standing, stay accepted while it is in this status. */
  earlierReportsAccepted: boolean;
}

export const filingStatusRules: Record<FilingStatus, FilingStatusRule> = {
  APPLIED: { status: 'APPLIED', nameZh: '已申请', publiclyListed: false, mayCollectPublicCreditData: false, mayIssueAcceptedReports: false, earlierReportsAccepted: false },
  RETURNED: { status: 'RETURNED', nameZh: '退回补正', publiclyListed: false, mayCollectPublicCreditData: false, mayIssueAcceptedReports: false, earlierReportsAccepted: false },
  REJECTED: { status: 'REJECTED', nameZh: '不予备案', publiclyListed: false, mayCollectPublicCreditData: false, mayIssueAcceptedReports: false, earlierReportsAccepted: false },
  FILED: { status: 'FILED', nameZh: '已备案', publiclyListed: true, mayCollectPublicCreditData: true, mayIssueAcceptedReports: true, earlierReportsAccepted: true },
  // A suspension is an investigation or a correction period: nothing the provider issued is relied
  // on meanwhile; reinstatement restores its earlier reports.
  SUSPENDED: { status: 'SUSPENDED', nameZh: '暂停备案', publiclyListed: true, mayCollectPublicCreditData: false, mayIssueAcceptedReports: false, earlierReportsAccepted: false },
  // Revocation is final, and it withdraws every report the provider issued (policy 四: a provider
  // that supplied false information is not to be relied on).
  REVOKED: { status: 'REVOKED', nameZh: '撤销备案', publiclyListed: true, mayCollectPublicCreditData: false, mayIssueAcceptedReports: false, earlierReportsAccepted: false },
  // De-registration (注销) at the provider's request ends the filing without a sanction: what it
  // issued while filed stays accepted, nothing after. Listed, so that its name stays its own (its
  // reports are registered under it, by its id: ISSUER_IS_REGISTERED_PROVIDER) and no newcomer
  // passes for it.
  DEREGISTERED: { status: 'DEREGISTERED', nameZh: '注销备案', publiclyListed: true, mayCollectPublicCreditData: false, mayIssueAcceptedReports: false, earlierReportsAccepted: true },
};

export interface SupervisionClassRule {
  /** Null: a filed provider the registry has not classified yet. */
  supervisionClass: SupervisionClass | null;
  nameZh: string;
  description: string;
  mayCollectPublicCreditData: boolean;
  mayIssueAcceptedReports: boolean;
  /** Whether reports issued earlier, while the provider was in good standing, stay accepted while it is in this class. */
  earlierReportsAccepted: boolean;
}

/**
 * Classes from best to worst, as commonly used in the supervision of credit service providers.
 * Class D withdraws the provider's earlier reports as a suspension does, for as long as it lasts:
 * a serious violation (严重违法违规: false information, a breach of trade secrets or privacy, policy
 * 四(三)) makes nothing it issued reliable, and the SDL's `SupervisionClass.D` says its reports are
 * not accepted, not only those issued from the downgrade on; an upgrade restores them (the reports
 * subgraph's ISSUER_CLASS_D, keep in sync). Not 严重失信, which names the serious-dishonesty list
 * (严重失信主体名单) alone. Each nameZh is also in its `SupervisionClass` value's description (keep
 * in sync; test/unit/terminology.test.ts).
 */
export const supervisionClassRules: readonly SupervisionClassRule[] = [
  { supervisionClass: 'A', nameZh: 'A类（诚信）', description: 'Good: lawful, truthful, no complaints; supervised lightly, checked at random.', mayCollectPublicCreditData: true, mayIssueAcceptedReports: true, earlierReportsAccepted: true },
  { supervisionClass: 'B', nameZh: 'B类（基本诚信）', description: 'Fairly good: compliant with minor shortcomings; routine supervision.', mayCollectPublicCreditData: true, mayIssueAcceptedReports: true, earlierReportsAccepted: true },
  { supervisionClass: 'C', nameZh: 'C类（失信风险）', description: 'Concerns: problems found; supervised closely, checked more often, may be interviewed (约谈).', mayCollectPublicCreditData: true, mayIssueAcceptedReports: true, earlierReportsAccepted: true },
  { supervisionClass: 'D', nameZh: 'D类（严重违法违规）', description: 'Serious concerns such as false information or a privacy breach: may neither collect public credit data nor issue reports that departments accept; while it stays in class D, departments accept none of its reports, those issued before the downgrade included, until it is upgraded.', mayCollectPublicCreditData: false, mayIssueAcceptedReports: false, earlierReportsAccepted: false },
  { supervisionClass: null, nameZh: '未分类', description: 'Filed, not yet classified: treated like class B until classified.', mayCollectPublicCreditData: true, mayIssueAcceptedReports: true, earlierReportsAccepted: true },
];

export function classRule(supervisionClass: SupervisionClass | null): SupervisionClassRule {
  const rule = supervisionClassRules.find((r) => r.supervisionClass === supervisionClass);
  if (!rule) throw new Error(`supervision class ${supervisionClass} is not in the scheme`);
  return rule;
}

/** Worse is greater: a downgrade must move to a greater rank. */
export function classRank(supervisionClass: SupervisionClass): number {
  return supervisionClasses.indexOf(supervisionClass);
}

export interface SanctionRule {
  kind: SanctionKind;
  nameZh: string;
  /** The filing action the sanction carries out, if any. */
  filingAction: FilingDecision | null;
  /** Whether it lowers the supervision class. */
  downgradesClass: boolean;
}

export const sanctionRules: Record<SanctionKind, SanctionRule> = {
  WARNING: { kind: 'WARNING', nameZh: '警示约谈', filingAction: null, downgradesClass: false },
  CLASS_DOWNGRADE: { kind: 'CLASS_DOWNGRADE', nameZh: '降低监管类别', filingAction: null, downgradesClass: true },
  SUSPENSION: { kind: 'SUSPENSION', nameZh: '暂停备案', filingAction: 'SUSPEND', downgradesClass: false },
  REVOCATION: { kind: 'REVOCATION', nameZh: '撤销备案', filingAction: 'REVOKE', downgradesClass: false },
};

/** What a status and a class together allow: both must allow it. */
export function permissions(status: FilingStatus | null, supervisionClass: SupervisionClass | null): { mayCollectPublicCreditData: boolean; reportsAccepted: boolean } {
  if (!status) return { mayCollectPublicCreditData: false, reportsAccepted: false };
  const byStatus = filingStatusRules[status];
  const byClass = classRule(supervisionClass);
  return {
    mayCollectPublicCreditData: byStatus.mayCollectPublicCreditData && byClass.mayCollectPublicCreditData,
    reportsAccepted: byStatus.mayIssueAcceptedReports && byClass.mayIssueAcceptedReports,
  };
}

/** The parts of a provider's history the standing is read from, each in the order it happened. */
export interface ProviderHistory {
  events: readonly { toStatus: FilingStatus; action: FilingAction; occurredAt: Date }[];
  classChanges: readonly { toClass: SupervisionClass; occurredAt: Date }[];
  /**
   * The day of the earliest false information (提供虚假信息) the registry found the provider gave,
   * of the findings it has not withdrawn as recorded in error; null if none. A provider's reports are not relied on from that day, though it stood filed and
   * classed until the registry found out: its status and class say when it was sanctioned, not
   * since when its reports are worthless.
   */
  falseInformationFrom: string | null;
  /**
   * The day the registry recorded the earliest such finding, null if none: collecting public
   * credit data is an act of the day, allowed until the registry knew, unlike a report, whose
   * worth is judged afresh by the day it was issued.
   */
  falseInformationFoundOn: string | null;
}

export interface Standing {
  date: string;
  /** Null: the provider had not applied yet on that day. */
  filingStatus: FilingStatus | null;
  supervisionClass: SupervisionClass | null;
  mayCollectPublicCreditData: boolean;
  reportsAccepted: boolean;
  /**
   * Whether its filing status and class allowed accepted reports at any time of the day, false
   * information aside: `reportsAccepted` is this and no false information on or before the day.
   * Tells the two causes apart, as the status and class at the end of the day cannot: on the day
   * of a downgrade to class D they refuse while the day still counts as in good standing.
   */
  statusAndClassAllowedReports: boolean;
}

/**
 * The provider's standing on `date` (district calendar). `filingStatus` and `supervisionClass` are
 * those at the end of that day: set by the last event and class change on or before it.
 * `reportsAccepted` says whether a report issued that day is accepted: it is when the provider was
 * in good standing at any time of the day (at its start, or after any step taken that day), as a
 * report's issue date has no hour and the registry cannot tell whether it was issued before or
 * after a filing, suspension, revocation, de-registration or change of class of that day; as
 * either name is taken on the day of a change of name (`namesHeldOn`). Its reports are not
 * accepted from the day of a false information found since (`falseInformationFrom`), that day
 * included. `mayCollectPublicCreditData` reads the end of the day: a collection is judged at its
 * instant, not by a date. A provider without any recorded event (a row from before the history
 * was kept) is taken to have had its current status and class since its filing date.
 */
export function standingOn(current: { filingStatus: FilingStatus; supervisionClass: SupervisionClass | null; filedOn: string | null }, history: ProviderHistory, date: string): Standing {
  const endOfDay = standingWhen(current, history, date, (at) => todayInDistrict(at) <= date);
  // The start of the day, then the instant of each step taken that day.
  const during = [standingWhen(current, history, date, (at) => todayInDistrict(at) < date)];
  const instants = [...history.events, ...history.classChanges].map((s) => s.occurredAt).filter((at) => todayInDistrict(at) === date);
  for (const instant of instants) during.push(standingWhen(current, history, date, (at) => todayInDistrict(at) < date || (todayInDistrict(at) === date && at.getTime() <= instant.getTime())));
  const allowed = permissions(endOfDay.filingStatus, endOfDay.supervisionClass);
  const inGoodStandingThatDay = during.some((s) => permissions(s.filingStatus, s.supervisionClass).reportsAccepted);
  const falseInformation = history.falseInformationFrom !== null && history.falseInformationFrom <= date;
  const falseInformationKnown = history.falseInformationFoundOn !== null && history.falseInformationFoundOn <= date;
  // Only a provider in good standing collects public credit data or issues reports departments accept (domain.md).
  return { date, ...endOfDay, mayCollectPublicCreditData: allowed.mayCollectPublicCreditData && !falseInformationKnown, reportsAccepted: inGoodStandingThatDay && !falseInformation, statusAndClassAllowedReports: inGoodStandingThatDay };
}

/** The filing status and class set by the last event and class change that had taken effect (`tookEffect`) on `date`. */
function standingWhen(
  current: { filingStatus: FilingStatus; supervisionClass: SupervisionClass | null; filedOn: string | null },
  history: ProviderHistory,
  date: string,
  tookEffect: (occurredAt: Date) => boolean,
): { filingStatus: FilingStatus | null; supervisionClass: SupervisionClass | null } {
  if (history.events.length === 0) {
    const filingStatus = current.filedOn && current.filedOn <= date ? current.filingStatus : null;
    return { filingStatus, supervisionClass: filingStatus ? current.supervisionClass : null };
  }
  const filingStatus = lastThat(history.events, tookEffect)?.toStatus ?? null;
  const supervisionClass = history.classChanges.length === 0 ? (filingStatus ? current.supervisionClass : null) : (lastThat(history.classChanges, tookEffect)?.toClass ?? null);
  return { filingStatus, supervisionClass };
}

/** The last of `items` (in the order they happened) that had taken effect. */
function lastThat<T extends { occurredAt: Date }>(items: readonly T[], tookEffect: (occurredAt: Date) => boolean): T | undefined {
  let found: T | undefined;
  for (const item of items) if (tookEffect(item.occurredAt)) found = item;
  return found;
}

/** The day of the latest event with this action, in the district calendar; null if there is none. */
export function lastDayOf(history: ProviderHistory, action: FilingAction): string | null {
  const event = [...history.events].reverse().find((e) => e.action === action);
  return event ? todayInDistrict(event.occurredAt) : null;
}

/** The day of the latest change of class, in the district calendar; null if none is recorded. */
export function lastClassChangeDay(history: ProviderHistory): string | null {
  const change = history.classChanges.at(-1);
  return change ? todayInDistrict(change.occurredAt) : null;
}

/** One name a provider was filed under and the days it bore it (`CreditServiceProvider.nameHistory`). */
export interface NameHeld {
  name: string;
  /** The day it took effect: the filing day for the name filed first (null while the provider is not filed), a change's day for a later one. */
  from: string | null;
  /** The day a change replaced it (it was borne that day too); null for the current name. */
  until: string | null;
}

/**
 * The names a provider bore during `date`, the one it bore at the end of that day last: one, or on
 * the day a change of name took effect, the old and the new. A report issued that day may bear
 * either, as the registry knows the day of a change and not its hour. Before its filing, the name
 * filed first, which is the name it applied under.
 */
export function namesHeldOn(history: readonly NameHeld[], date: string): string[] {
  return history.filter((h, i) => (i === 0 || h.from === null || h.from <= date) && (h.until === null || date <= h.until)).map((h) => h.name);
}
