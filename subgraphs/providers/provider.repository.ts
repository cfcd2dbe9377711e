import { randomUUID } from 'node:crypto';
import { Equal, In, IsNull, MoreThan, type DataSource, type EntityManager, type Repository } from 'typeorm';
import { inDistrictTime, todayInDistrict } from '../../lib/calendar';
import { badInput, chosen, clientError, ErrorCode, InputProblems, quotedInput } from '../../lib/errors';
import { assertNoRepeats, isBlank, optionalLine, requiredLine, requiredProse } from '../../lib/text-input';
import { normaliseIdentifier } from '../../lib/identifiers';
import { characterCount, nameAsRead, nameKey } from '../../lib/text';
import type { CursorPosition } from '../shared/cursors';
import { groupedByKey } from '../shared/loaders';
import { assertValidIdentifier } from '../shared/subject-directory';
import { loadPages, type Page } from '../shared/pagination';
import { isIsoDate } from '../shared/scalars';
import { lockFor, writeTransaction } from '../shared/write-queue';
import type { RequestDeadline } from '../../lib/deadline';
import { CreditServiceProvider, type FilingStatus, type SupervisionClass } from './entities/credit-service-provider.entity';
import { ProviderFilingChange, providerParticulars, type ParticularChange, type ProviderParticular } from './entities/provider-filing-change.entity';
import { ProviderFilingEvent, type ApplicationDetails } from './entities/provider-filing-event.entity';
import { ProviderFormerName } from './entities/provider-former-name.entity';
import { ProviderSanction } from './entities/provider-sanction.entity';
import { ProviderViolation } from './entities/provider-violation.entity';
import { SupervisionClassChange } from './entities/supervision-class-change.entity';
import {
  changeStepFor,
  classRank,
  earliestReportIssueDate,
  filingStatuses,
  filingStatusRules,
  filingTransitions,
  sanctionKinds,
  sanctionRules,
  supervisionClasses,
  transitionFor,
  violationKinds,
  type FilingAction,
  type FilingChangeAction,
  type FilingDecision,
  type FilingTransition,
  type ProviderHistory,
  type SanctionKind,
  type ViolationKind,
} from '../../lib/catalogue/provider-supervision';
import { publicSourceNamed } from '../../lib/catalogue/public-sources';

export interface ProviderFilter {
  filingStatus?: FilingStatus | null;
  supervisionClass?: SupervisionClass | null;
  /** Part of the name or of a former name, compared as read (`nameKey`). */
  name?: string | null;
  /** Only providers with (true) or without (false) a change of filed particulars awaiting decision. */
  filingChangePending?: boolean | null;
}

/** Who acts, from the caller's token: the user and the organisation it acts for. */
export interface Actor {
  userId: string;
  organisation: string;
}

/** What a provider states when it applies for filing (备案申请). */
export interface ProviderApplicationInput {
  unifiedSocialCreditCode: string;
  name: string;
  registeredAddress: string;
  legalRepresentative: string;
  businessScope: string;
  contact?: string | null;
}

/** The filed particulars a change gives: left out or null, a particular stays as filed. */
export type ProviderParticularsInput = Partial<Record<ParticularField, string | null>>;

/** What a filed provider asks to change of its filed particulars (变更备案申请), and why. */
export interface ProviderFilingChangeInput {
  particulars: ProviderParticularsInput;
  reason: string;
  supportingMaterial: string;
}

/** The registry's decision on a change of filed particulars. */
export type FilingChangeDecision = 'APPROVE' | 'REJECT';

export interface ProviderViolationInput {
  providerId: string;
  kind: ViolationKind;
  description: string;
  evidence: string[];
  occurredOn: string;
}

export interface ProviderSanctionInput {
  violationId: string;
  kind: SanctionKind;
  reason: string;
  downgradeTo?: SupervisionClass | null;
}

const publicStatuses = filingStatuses.filter((s) => filingStatusRules[s].publiclyListed);
const decisions = filingTransitions.filter((t) => t.by === 'REGISTRY').map((t) => t.action);
/** The reason a provider's own resubmission step records; it writes none. */
const resubmissionReason = 'corrected application resubmitted';
/** The reason a provider's application for a change records on its step, which is public: its own reason stays in its supervision file. */
export const changeApplicationReason = 'application for a change of filed particulars';
const changeDecisions: Record<FilingChangeDecision, FilingChangeAction> = { APPROVE: 'APPROVE_CHANGE', REJECT: 'REJECT_CHANGE' };

/**
 * Every query the providers subgraph makes, in one place. Writes change a provider's row only
 * from the status (or class) it was read in, inside the transaction that appends the history
 * row, so a racing second decision fails instead of overwriting the first.
 */
export class ProviderRepository {
  readonly providers: Repository<CreditServiceProvider>;
  readonly violations: Repository<ProviderViolation>;
  readonly filingChanges: Repository<ProviderFilingChange>;

  /** `deadline`: the request's, which its writes keep within (lib/deadline.ts). */
  constructor(
    private readonly db: DataSource,
    private readonly deadline?: RequestDeadline,
  ) {
    this.providers = db.getRepository(CreditServiceProvider);
    this.violations = db.getRepository(ProviderViolation);
    this.filingChanges = db.getRepository(ProviderFilingChange);
  }

  /** A malformed code is the caller's mistake, reported as such rather than as "not found". */
  findByCode(code: string): Promise<CreditServiceProvider | null> {
    return this.providers.findOneBy({ unifiedSocialCreditCode: validCode(code, 'code') });
  }

  /** One page of the registry, by name. `publicOnly` leaves out applications (APPLIED, RETURNED, REJECTED). */
  async list(filter: ProviderFilter, first: number, after: CursorPosition | null | undefined, publicOnly: boolean): Promise<Page<CreditServiceProvider> | undefined> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (filter.filingStatus) {
      conditions.push('t.filing_status = ?');
      params.push(filter.filingStatus);
    }
    if (filter.supervisionClass) {
      conditions.push('t.supervision_class = ?');
      params.push(filter.supervisionClass);
    }
    if (filter.name !== null && filter.name !== undefined) {
      // A former name finds its provider too: the reports it issued under it bear it.
      conditions.push("(t.name_key LIKE ? ESCAPE '!' OR EXISTS (SELECT 1 FROM provider_former_name f WHERE f.provider_id = t.id AND f.name_key LIKE ? ESCAPE '!'))");
      // LIKE wildcards in the user's text are matched literally ('!' escapes: see the subjects' search).
      const pattern = `%${nameSearchKey(filter.name).replace(/[!%_]/g, (c) => `!${c}`)}%`;
      params.push(pattern, pattern);
    }
    if (filter.filingChangePending !== null && filter.filingChangePending !== undefined) {
      conditions.push(`${filter.filingChangePending ? '' : 'NOT '}EXISTS (SELECT 1 FROM provider_filing_change c WHERE c.provider_id = t.id AND c.status = ?)`);
      params.push('PENDING');
    }
    if (publicOnly) {
      conditions.push(`t.filing_status IN (${publicStatuses.map(() => '?').join(', ')})`);
      params.push(...publicStatuses);
    }
    const where = conditions.length ? { sql: conditions.join(' AND '), params } : undefined;
    const pages = await loadPages(this.providers, { where, orderBy: 'name', direction: 'ASC', first, after });
    return pages.get('');
  }

  /** The filing events, class changes and false information found of many providers: three statements, lists in key order, oldest first. */
  async histories(providerIds: readonly string[]): Promise<ProviderHistoryRows[]> {
    const ids = [...providerIds];
    const [events, classChanges, falseInformation] = await Promise.all([
      this.db.getRepository(ProviderFilingEvent).find({ where: { providerId: In(ids) }, order: { occurredAt: 'ASC', id: 'ASC' } }),
      this.db.getRepository(SupervisionClassChange).find({ where: { providerId: In(ids) }, order: { occurredAt: 'ASC', id: 'ASC' } }),
      this.falseInformation(ids),
    ]);
    const eventsOf = groupedByKey(ids, events, (e) => e.providerId);
    const changesOf = groupedByKey(ids, classChanges, (c) => c.providerId);
    return ids.map((_, i) => ({ events: eventsOf[i], classChanges: changesOf[i], ...falseInformation[i] }));
  }

  /**
   * For each provider, the day of the earliest false information recorded against it and the day
   * the registry recorded it, or nulls; one statement. A finding withdrawn as recorded in error
   * counts for no day, as if it had never been recorded.
   */
  async falseInformation(providerIds: readonly string[]): Promise<Pick<ProviderHistory, 'falseInformationFrom' | 'falseInformationFoundOn'>[]> {
    const rows = await this.violations.find({ select: { providerId: true, occurredOn: true, recordedAt: true }, where: { providerId: In([...providerIds]), kind: 'FALSE_INFORMATION', withdrawnAt: IsNull() } });
    return groupedByKey(providerIds, rows, (v) => v.providerId).map((found) => ({
      falseInformationFrom: found.map((v) => v.occurredOn).sort()[0] ?? null,
      falseInformationFoundOn: found.map((v) => todayInDistrict(v.recordedAt)).sort()[0] ?? null,
    }));
  }

  /** The violations of many providers in one statement, newest first. */
  async violationsOf(providerIds: readonly string[]): Promise<ProviderViolation[][]> {
    const rows = await this.violations.find({ where: { providerId: In([...providerIds]) }, order: { recordedAt: 'DESC', id: 'DESC' } });
    return groupedByKey(providerIds, rows, (v) => v.providerId);
  }

  /** Sanctions by provider (or by violation) in one statement, newest first. */
  async sanctionsBy(key: 'providerId' | 'violationId', ids: readonly string[]): Promise<ProviderSanction[][]> {
    const rows = await this.db.getRepository(ProviderSanction).find({ where: { [key]: In([...ids]) }, order: { imposedAt: 'DESC', id: 'DESC' } });
    return groupedByKey(ids, rows, (s) => s[key]);
  }

  async sanctionsById(ids: readonly string[]): Promise<(ProviderSanction | null)[]> {
    const rows = await this.db.getRepository(ProviderSanction).findBy({ id: In([...ids]) });
    const by = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => by.get(id) ?? null);
  }

  /** The former names of many providers in one statement, oldest first. */
  async formerNamesOf(providerIds: readonly string[]): Promise<ProviderFormerName[][]> {
    const rows = await this.db.getRepository(ProviderFormerName).find({ where: { providerId: In([...providerIds]) }, order: { heldUntil: 'ASC', id: 'ASC' } });
    return groupedByKey(providerIds, rows, (n) => n.providerId);
  }

  /** The change awaiting decision of many providers in one statement; null for a provider without one. */
  async pendingChangesOf(providerIds: readonly string[]): Promise<(ProviderFilingChange | null)[]> {
    const rows = await this.filingChanges.findBy({ providerId: In([...providerIds]), status: 'PENDING' });
    return groupedByKey(providerIds, rows, (c) => c.providerId).map(([pending]) => pending ?? null);
  }

  /**
   * A provider applies for filing in its own name: `applicant` must be the organisation the code
   * names. A new provider is added as APPLIED; a REJECTED one may apply afresh with new details.
   */
  async apply(input: ProviderApplicationInput, actor: Actor): Promise<CreditServiceProvider> {
    const details = validApplication(input);
    return await this.write(async (manager) => {
      const existing = await manager.findOne(CreditServiceProvider, { where: { unifiedSocialCreditCode: details.unifiedSocialCreditCode }, lock: lockFor(manager) });
      const now = existing ? await this.instantAfterHistory(manager, existing.id) : new Date();
      const transition = transitionFor('APPLY');
      // The same application sent again (a retried request, a double-clicked form) while it is
      // under review answers the one stored, as a consent granted twice does.
      if (existing?.filingStatus === 'APPLIED' && applicationFields.every((field) => existing[field] === details[field])) return existing;
      if (existing && !transition.from.includes(existing.filingStatus)) {
        const hint = existing.filingStatus === 'RETURNED' ? ': correct the application with resubmitProviderFiling' : '';
        throw badInput('unifiedSocialCreditCode', `a provider with the code ${details.unifiedSocialCreditCode} is already in the registry with filing status ${existing.filingStatus}; a new application is possible only for an unknown provider or after REJECTED${hint}`, { problem: 'TRANSITION_NOT_ALLOWED' });
      }
      await this.assertNameFree(manager, details, 'name');
      const previous = existing?.filingStatus ?? null;
      const provider = existing ?? manager.create(CreditServiceProvider, { id: randomUUID(), filingStatus: 'APPLIED', supervisionClass: null, filedOn: null, createdAt: now, ...rowOf(details) });
      if (existing) {
        await this.move(manager, existing, 'APPLY', rowOf(details), 'unifiedSocialCreditCode');
        Object.assign(existing, rowOf(details), { filingStatus: 'APPLIED' });
      } else {
        await manager.insert(CreditServiceProvider, provider);
      }
      await manager.insert(ProviderFilingEvent, event(provider.id, 'APPLY', previous, 'APPLIED', previous ? 'new application after rejection' : 'application for filing', actor, now, details));
      return provider;
    });
  }

  /** A provider returned for correction (退回补正) resubmits its corrected application. */
  async resubmit(provider: CreditServiceProvider, input: ProviderApplicationInput, actor: Actor): Promise<CreditServiceProvider> {
    const details = validApplication(input);
    if (details.unifiedSocialCreditCode !== provider.unifiedSocialCreditCode) {
      throw badInput('unifiedSocialCreditCode', `the unified social credit code of an application cannot change: provider ${provider.id} has ${provider.unifiedSocialCreditCode}, got ${details.unifiedSocialCreditCode}`);
    }
    return await this.write(async (manager) => {
      // Read again under the lock: the status a refusal names is the current one.
      const current = await this.existing(manager, provider.id, 'id');
      // The same corrected application sent after a later return is a new resubmission, not a retry.
      const [latest] = await this.latestSteps(manager, current.id, 1);
      if (latest?.action === 'RESUBMIT' && isRetryOf(latest, actor, resubmissionReason) && sameApplication(latest.application, details)) return current;
      const now = await this.instantAfterHistory(manager, current.id);
      // A resubmission names only its provider: the filing it cannot move is the `id`'s.
      await this.move(manager, current, 'RESUBMIT', rowOf(details), 'id');
      await this.assertNameFree(manager, details, 'name');
      await manager.insert(ProviderFilingEvent, event(current.id, 'RESUBMIT', current.filingStatus, 'APPLIED', resubmissionReason, actor, now, details));
      return Object.assign(current, rowOf(details), { filingStatus: 'APPLIED' as const });
    });
  }

  /** A registry admin's decision on the filing: file, return, reject, suspend, reinstate or revoke. */
  async decide(id: string, decision: FilingDecision, reason: string, actor: Actor, reviewedEventId: string | null = null): Promise<CreditServiceProvider> {
    chosen(decision, decisions, 'decision');
    const why = requiredProse(reason, 'reason', 2000);
    return await this.write(async (manager) => {
      if (decision === 'FILE') await this.lockNamesakes(manager, id);
      const provider = await this.existing(manager, id, 'id');
      // A retry names the event the decision was taken on, which is the one before it.
      const [latest, before] = await this.latestSteps(manager, provider.id, 2);
      if (latest?.action === decision && isRetryOf(latest, actor, why) && (reviewedEventId === null || before?.id === reviewedEventId)) return provider;
      if (reviewedEventId !== null) await this.assertNothingSince(manager, provider, reviewedEventId);
      const decided = await this.applyDecision(manager, provider, decision, why, actor, await this.instantAfterHistory(manager, provider.id), null);
      // Filing puts the name into the registry: of two applications under one name, the second
      // filed is refused here (an application is checked only against the registry's names).
      if (decision === 'FILE') await this.assertNameFree(manager, decided, 'decision');
      return decided;
    });
  }

  /**
   * Locks, on MySQL, every provider whose name key is `id`'s, `id`'s own row among them, in id
   * order. Two filings under one name each lock only their own provider otherwise, and each then
   * reads the other as still unfiled (READ COMMITTED): both were filed. Taken in one order before
   * any other lock, so the second filing waits for the first to commit, then reads it FILED and is
   * refused, without a deadlock. Read again once locked: a name changed meanwhile (a
   * resubmission) has its own namesakes locked in turn.
   */
  private async lockNamesakes(manager: EntityManager, id: string): Promise<void> {
    const lock = lockFor(manager);
    let locked: string | null = null;
    for (;;) {
      const own = lock && (await manager.findOne(CreditServiceProvider, { select: { id: true, nameKey: true }, where: { id } }));
      if (!own || own.nameKey === locked) return;
      locked = own.nameKey;
      await manager.find(CreditServiceProvider, { select: { id: true }, where: { nameKey: locked }, order: { id: 'ASC' }, lock });
    }
  }

  /**
   * Locks, on MySQL, for the approval of a change to a name of this key, the changes asked to it
   * and then the providers bearing it, each in id order, before the provider's own row. The
   * providers alone would not do: two providers changing to one new name find none bearing it yet
   * and would both be approved. Once the first commits, the second reads its name and is refused;
   * a filing under the name locks its bearers as the approval does (`lockNamesakes`).
   */
  private async lockChangesToName(manager: EntityManager, key: string): Promise<void> {
    const lock = lockFor(manager);
    if (!lock) return;
    await manager.find(ProviderFilingChange, { select: { id: true }, where: { nameKey: key }, order: { id: 'ASC' }, lock });
    await manager.find(CreditServiceProvider, { select: { id: true }, where: { nameKey: key }, order: { id: 'ASC' }, lock });
  }

  /**
   * A decision taken on the provider as the admin read it: refused if `histories` changed since
   * the step it reviewed (an application resubmitted meanwhile is not decided unseen, a class set
   * meanwhile not overwritten unseen).
   */
  private async assertNothingSince(manager: EntityManager, provider: CreditServiceProvider, reviewedEventId: string, histories: readonly HistoryEntity[] = [ProviderFilingEvent]): Promise<void> {
    const { reviewed: reviewedStep, later } = await this.firstStepAfter(manager, provider, reviewedEventId, histories);
    if (later) {
      const what = later instanceof ProviderFilingEvent ? later.action : `class set to ${later.toClass}`;
      const reviewed = reviewedStep instanceof ProviderFilingEvent ? reviewedStep.action : `class set to ${reviewedStep.toClass}`;
      throw badInput(
        'reviewedEventId',
        `provider ${provider.id} has changed since the step reviewed (${reviewed} at ${inDistrictTime(reviewedStep.occurredAt)}): ${what} at ${inDistrictTime(later.occurredAt)} by ${later.actorOrganisation}, now ${provider.filingStatus}${provider.supervisionClass ? ` in class ${provider.supervisionClass}` : ''}; read it again before deciding`,
        { problem: 'CONCURRENT_CHANGE' },
      );
    }
  }

  /**
   * The step `reviewedEventId` (one of `histories`'), and the first step of `histories` recorded
   * after it, in the order the histories list them (by instant, then id); null if there is none.
   */
  private async firstStepAfter(
    manager: EntityManager,
    provider: CreditServiceProvider,
    reviewedEventId: string,
    histories: readonly HistoryEntity[],
  ): Promise<{ reviewed: ProviderFilingEvent | SupervisionClassChange; later: ProviderFilingEvent | SupervisionClassChange | null }> {
    const found = await Promise.all(histories.map((entity) => manager.findOne<ProviderFilingEvent | SupervisionClassChange>(entity, { where: { id: reviewedEventId, providerId: provider.id } })));
    const reviewed = found.find((step) => step !== null);
    if (!reviewed) {
      const named = histories.length > 1 ? 'filing or class history' : 'filing history';
      throw badInput('reviewedEventId', `${quotedInput(reviewedEventId)} is not a step of provider ${provider.id}'s ${named}`);
    }
    const later = await Promise.all(
      histories.map((entity) =>
        manager.findOne<ProviderFilingEvent | SupervisionClassChange>(entity, {
          where: [
            { providerId: provider.id, occurredAt: MoreThan(reviewed.occurredAt) },
            { providerId: provider.id, occurredAt: Equal(reviewed.occurredAt), id: MoreThan(reviewed.id) },
          ],
          order: { occurredAt: 'ASC', id: 'ASC' },
        }),
      ),
    );
    const first = later.reduce<ProviderFilingEvent | SupervisionClassChange | null>((first, step) => (step && (!first || step.occurredAt < first.occurredAt || (+step.occurredAt === +first.occurredAt && step.id < first.id)) ? step : first), null);
    return { reviewed, later: first };
  }

  /**
   * A name in the registry names one provider: refused when `applicant`'s reads (`nameAsRead`:
   * NFKC, letter case, spaces, punctuation and invisible characters aside) as the name of another
   * provider the registry lists (FILED, SUSPENDED, REVOKED or DEREGISTERED), or as a name it was
   * filed under before a change (`ProviderFormerName`), whose filing, history and reports it would
   * pass for. Looked up by the stored search key, the name as read (cut at its column's length, so
   * the names themselves decide). Nor is it a public source's (`publicSourceNamed`): judged here,
   * where every application, filing and change of name is, so that one stored before the rule is
   * neither filed nor approved under it.
   */
  private async assertNameFree(manager: EntityManager, applicant: Pick<CreditServiceProvider, 'name' | 'unifiedSocialCreditCode'>, field: string): Promise<void> {
    assertNoPublicSourceName(applicant.name, field);
    const key = nameKey(applicant.name);
    const columns = { id: true, name: true, unifiedSocialCreditCode: true, filingStatus: true } as const;
    const [listed, formerly] = await Promise.all([
      manager.find(CreditServiceProvider, { select: columns, where: { filingStatus: In(publicStatuses), nameKey: key } }),
      manager.find(ProviderFormerName, { select: { providerId: true, name: true }, where: { nameKey: key } }),
    ]);
    const formerHolders = formerly.length ? await manager.find(CreditServiceProvider, { select: columns, where: { id: In(formerly.map((f) => f.providerId)), filingStatus: In(publicStatuses) } }) : [];
    const bearers = [
      ...listed.map((holder) => ({ holder, name: holder.name, former: false })),
      ...formerly.flatMap((f) => formerHolders.filter((h) => h.id === f.providerId).map((holder) => ({ holder, name: f.name, former: true }))),
    ];
    const name = nameAsRead(applicant.name);
    const namesake = bearers.find((b) => b.holder.unifiedSocialCreditCode !== applicant.unifiedSocialCreditCode && nameAsRead(b.name) === name);
    if (namesake) {
      const { holder } = namesake;
      // A former name stays its provider's: the reports it issued under it bear it.
      const whose = namesake.former ? 'a former name of' : 'the name of';
      throw badInput(field, `the name ${JSON.stringify(applicant.name)} reads as ${JSON.stringify(namesake.name)}, ${whose} provider ${holder.id} (${holder.unifiedSocialCreditCode}, ${holder.filingStatus}) in the registry; a name in the registry names one provider`, {
        problem: 'NAME_OF_ANOTHER_PROVIDER',
        providerId: holder.id,
      });
    }
  }

  /**
   * A filed provider applies for a change of its filed particulars (变更备案), in its own name (the
   * resolver checks the caller): the particulars given that differ from those filed, why, and what
   * supports it. One change at a time; the provider stays as filed until the registry decides.
   */
  async applyForChange(providerId: string, input: ProviderFilingChangeInput, actor: Actor): Promise<ProviderFilingChange> {
    // Every problem of the form at once (README, Errors: `extensions.problems`).
    const problems = new InputProblems();
    const { requested, reason, supportingMaterial } = problems.checked({
      requested: requestedParticulars(input.particulars, problems),
      reason: problems.read(() => requiredProse(input.reason, 'reason', 2000)),
      supportingMaterial: problems.read(() => requiredProse(input.supportingMaterial, 'supportingMaterial', 2000)),
    });
    return await this.write(async (manager) => {
      const provider = await this.existing(manager, providerId, 'id');
      const changes = requested.flatMap(({ particular, field, value }) => (provider[field] === value ? [] : [{ particular, before: provider[field], after: value }]));
      const pending = await manager.findOneBy(ProviderFilingChange, { providerId: provider.id, status: 'PENDING' });
      // Judged before a retry is answered: a change left pending when the filing was revoked or
      // de-registered can no longer be approved, only closed by the registry's rejection
      // (REJECT_CHANGE), so the same change sent again is refused, not answered as awaiting a
      // decision; the refusal names it, so that the provider learns it was stored.
      const step = changeStepFor('APPLY_CHANGE');
      if (!step.from.includes(provider.filingStatus)) {
        const hint = pending
          ? `: its change ${pending.id}, applied at ${inDistrictTime(pending.appliedAt)}, is left for the registry to close by rejecting it`
          : provider.filingStatus === 'RETURNED'
            ? ': an application returned for correction is corrected with resubmitProviderFiling'
            : '';
        throw badInput('id', `a change of filed particulars applies to a provider whose filing is ${step.from.join(' or ')}; provider ${provider.id} is ${provider.filingStatus}${hint}`, {
          problem: 'TRANSITION_NOT_ALLOWED',
          ...(pending ? { filingChangeId: pending.id } : {}),
        });
      }
      // The same change sent again (a retried request) while it is pending is the one pending.
      if (pending && pending.reason === reason && pending.supportingMaterial === supportingMaterial && sameChanges(pending.changes, changes)) return pending;
      if (pending) {
        throw badInput('id', `provider ${provider.id} already has a change of its filed particulars awaiting the registry's decision (${pending.id}, applied at ${inDistrictTime(pending.appliedAt)}); one change at a time`, { problem: 'TRANSITION_NOT_ALLOWED', filingChangeId: pending.id });
      }
      if (changes.length === 0) throw badInput('particulars', `the change alters none of provider ${provider.id}'s filed particulars: give those that change, as they are to be filed`);
      const renamed = changes.find((c) => c.particular === 'NAME');
      if (renamed?.after) await this.assertNameFree(manager, { name: renamed.after, unifiedSocialCreditCode: provider.unifiedSocialCreditCode }, 'particulars.name');
      const now = await this.instantAfterHistory(manager, provider.id);
      const change = manager.create(ProviderFilingChange, { id: randomUUID(), providerId: provider.id, status: 'PENDING', changes, nameKey: renamed?.after ? nameKey(renamed.after) : '', reason, supportingMaterial, appliedAt: now });
      await manager.insert(ProviderFilingChange, change);
      await manager.insert(ProviderFilingEvent, { ...event(provider.id, 'APPLY_CHANGE', provider.filingStatus, provider.filingStatus, changeApplicationReason, actor, now), filingChangeId: change.id });
      return change;
    });
  }

  /**
   * A registry admin approves or rejects a change of filed particulars, with the reason. Approval
   * files the particulars asked for, a name after checking it is no other provider's, and keeps
   * the name replaced as a former name; rejection leaves the provider as filed. Final: the same
   * decision sent again by the same admin (a retried request) answers the change as decided.
   */
  async decideChange(id: string, decision: FilingChangeDecision, reason: string, actor: Actor, reviewedEventId: string | null = null): Promise<ProviderFilingChange> {
    const action = changeDecisions[chosen(decision, Object.keys(changeDecisions) as FilingChangeDecision[], 'decision')];
    const why = requiredProse(reason, 'reason', 2000);
    return await this.write(async (manager) => {
      const asked = await manager.findOne(ProviderFilingChange, { select: { id: true, providerId: true, nameKey: true }, where: { id } });
      if (!asked) throw clientError(ErrorCode.NOT_FOUND, `no change of a provider's filed particulars has the id ${quotedInput(id)}`, { field: 'id' });
      if (action === 'APPROVE_CHANGE' && asked.nameKey) await this.lockChangesToName(manager, asked.nameKey);
      const provider = await this.existing(manager, asked.providerId, 'id');
      // Read again under the provider's lock: another admin may have decided it meanwhile.
      const change = await manager.findOneByOrFail(ProviderFilingChange, { id });
      if (change.status !== 'PENDING') {
        const decided = await manager.findOne(ProviderFilingEvent, { where: { filingChangeId: change.id, action: In(Object.values(changeDecisions)) } });
        if (decided?.action === action && isRetryOf(decided, actor, why)) return change;
        const when = decided ? ` at ${inDistrictTime(decided.occurredAt)} by ${decided.actorOrganisation}` : '';
        throw badInput('id', `change ${change.id} was already ${change.status}${when}; a decision on a change is final (a new change is applied for afresh)`, { problem: 'TRANSITION_NOT_ALLOWED' });
      }
      if (reviewedEventId !== null) await this.assertNothingSince(manager, provider, reviewedEventId);
      const step = changeStepFor(action);
      if (!step.from.includes(provider.filingStatus)) {
        throw badInput('decision', `${action} applies to a provider whose filing is ${step.from.join(' or ')}; provider ${provider.id} is ${provider.filingStatus} (a change left pending is closed by REJECT)`, { problem: 'TRANSITION_NOT_ALLOWED' });
      }
      const now = await this.instantAfterHistory(manager, provider.id);
      if (action === 'APPROVE_CHANGE') await this.fileChange(manager, provider, change, now);
      const status = action === 'APPROVE_CHANGE' ? 'APPROVED' : 'REJECTED';
      await manager.update(ProviderFilingChange, { id: change.id }, { status });
      await manager.insert(ProviderFilingEvent, { ...event(provider.id, action, provider.filingStatus, provider.filingStatus, why, actor, now), filingChangeId: change.id });
      return Object.assign(change, { status });
    });
  }

  /** Files the particulars an approved change asks for, keeping a name it replaces as a former name. */
  private async fileChange(manager: EntityManager, provider: CreditServiceProvider, change: ProviderFilingChange, now: Date): Promise<void> {
    // What each change was asked against is what is filed still: nothing but an approved change
    // alters a filed provider's particulars, and one change is pending at a time.
    const filed: Partial<CreditServiceProvider> = Object.fromEntries(change.changes.map(({ particular, after }) => [particularRules[particular].field, after]));
    if (filed.name !== undefined && filed.name !== null) {
      await this.assertNameFree(manager, { name: filed.name, unifiedSocialCreditCode: provider.unifiedSocialCreditCode }, 'decision');
      filed.nameKey = nameKey(filed.name);
      await manager.insert(ProviderFormerName, { id: randomUUID(), providerId: provider.id, name: provider.name, nameKey: nameKey(provider.name), heldUntil: now, filingChangeId: change.id });
    }
    await manager.update(CreditServiceProvider, { id: provider.id }, filed);
    Object.assign(provider, filed);
  }

  /**
   * Sets the supervision class (分类监管) of a filed or suspended provider, with the reason. Like a
   * filing decision, it may name the last step of the provider's filing or class history the
   * admin reviewed (`reviewedEventId`), and is refused if either changed since: of two admins
   * classifying one provider at once, the second is told, not silently overwritten.
   */
  async setClass(id: string, supervisionClass: SupervisionClass, reason: string, actor: Actor, reviewedEventId: string | null = null): Promise<CreditServiceProvider> {
    chosen(supervisionClass, supervisionClasses, 'supervisionClass');
    const why = requiredProse(reason, 'reason', 2000);
    return await this.write(async (manager) => {
      const provider = await this.existing(manager, id, 'id');
      const latest = await manager.findOne(SupervisionClassChange, { where: { providerId: provider.id }, order: { occurredAt: 'DESC', id: 'DESC' } });
      // A retry names the step the change was made on: the change is the first step after it.
      const retried = latest?.toClass === supervisionClass && isRetryOf(latest, actor, why);
      if (retried && (reviewedEventId === null || (await this.firstStepAfter(manager, provider, reviewedEventId, bothHistories)).later?.id === latest.id)) return provider;
      if (reviewedEventId !== null) await this.assertNothingSince(manager, provider, reviewedEventId, bothHistories);
      await this.changeClass(manager, provider, supervisionClass, why, actor, await this.instantAfterHistory(manager, provider.id), null, 'supervisionClass');
      return provider;
    });
  }

  async recordViolation(input: ProviderViolationInput, actor: Actor): Promise<ProviderViolation> {
    const { description, evidence } = violationForm(input);
    return await this.write(async (manager) => {
      const provider = await this.existing(manager, input.providerId, 'providerId');
      const facts = { providerId: provider.id, kind: input.kind, description, occurredOn: input.occurredOn };
      // The same violation sent again (a retried request, a second click) is the one recorded.
      // Compared exactly here too: MySQL's collation would take `Doc-A` for `DOC-a`, another document.
      // Not a withdrawn one: recorded again after its withdrawal, it is recorded anew, and counts.
      const candidates = await manager.findBy(ProviderViolation, { ...facts, withdrawnAt: IsNull() });
      const recorded = candidates.find((v) => v.description === description && JSON.stringify(v.evidence) === JSON.stringify(evidence));
      if (recorded) return recorded;
      const violation = manager.create(ProviderViolation, { id: randomUUID(), ...facts, evidence, recordedBy: actor.userId, recordedByOrganisation: actor.organisation, recordedAt: new Date() });
      await manager.insert(ProviderViolation, violation);
      return violation;
    });
  }

  /**
   * Withdraws a violation recorded in error (撤销违规记录): kept, with who withdrew it, when and
   * why, and counted for nothing from then on (`falseInformation`). Its sanctions and their
   * effects stand: each was a decision of its own, published in the provider's history, undone
   * by another (schema.graphql, `withdrawProviderViolation`). Final: the same admin sending the
   * same reason again (a retry) is answered the withdrawn violation; any other withdrawal of it
   * is refused, so that the reason on file stays the one given when it was withdrawn.
   */
  async withdrawViolation(id: string, reason: string, actor: Actor): Promise<ProviderViolation> {
    const why = requiredProse(reason, 'reason', 2000);
    return await this.write(async (manager) => {
      const { violation } = await this.violationToAmend(manager, id, 'id');
      if (violation.withdrawnAt) {
        if (violation.withdrawnBy === actor.userId && violation.withdrawnByOrganisation === actor.organisation && violation.withdrawalReason === why) return violation;
        throw badInput('id', `violation ${violation.id} was already withdrawn at ${inDistrictTime(violation.withdrawnAt)} by ${violation.withdrawnByOrganisation}; a withdrawal is final`, { problem: 'TRANSITION_NOT_ALLOWED' });
      }
      const withdrawal = { withdrawnAt: new Date(), withdrawnBy: actor.userId, withdrawnByOrganisation: actor.organisation, withdrawalReason: why };
      await manager.update(ProviderViolation, { id: violation.id }, withdrawal);
      return Object.assign(violation, withdrawal);
    });
  }

  /**
   * Imposes a sanction for a recorded violation and carries out its effect in the same
   * transaction: a class downgrade, a suspension or a revocation, each recorded in the history
   * with the sanction's id. A warning changes nothing else.
   */
  async sanction(input: ProviderSanctionInput, actor: Actor): Promise<ProviderSanction> {
    // Every problem of the form at once (README, Errors: `extensions.problems`); downgradeTo as its kind asks, once that is known.
    const problems = new InputProblems();
    const kindRule = problems.read(() => {
      return sanctionRules[chosen(input.kind, sanctionKinds, 'kind')];
    });
    const givenReason = problems.read(() => requiredProse(input.reason, 'reason', 2000));
    const downgradeTo = input.downgradeTo ?? null;
    problems.read(() => {
      if (kindRule?.downgradesClass && !downgradeTo) throw badInput('downgradeTo', `a ${input.kind} sanction names the class it downgrades to (downgradeTo)`);
      if (kindRule && !kindRule.downgradesClass && downgradeTo) throw badInput('downgradeTo', `downgradeTo applies only to CLASS_DOWNGRADE, not to ${input.kind}`);
    });
    const { rule, reason } = problems.checked({ rule: kindRule, reason: givenReason });
    return await this.write(async (manager) => {
      const { violation, provider } = await this.violationToAmend(manager, input.violationId, 'violationId');
      const now = await this.instantAfterHistory(manager, provider.id);
      // One sanction of a kind per violation: the same one sent again is the one imposed (its
      // effect is not carried out twice); another of that kind for the violation is refused.
      const imposed = await manager.findOneBy(ProviderSanction, { violationId: violation.id, kind: input.kind });
      if (imposed && imposed.reason === reason && imposed.downgradedTo === downgradeTo) return imposed;
      if (violation.withdrawnAt) {
        throw badInput('violationId', `violation ${violation.id} was withdrawn as recorded in error at ${inDistrictTime(violation.withdrawnAt)}; a withdrawn violation takes no sanction`, { problem: 'TRANSITION_NOT_ALLOWED' });
      }
      if (imposed) {
        throw badInput('violationId', `violation ${violation.id} already has a ${input.kind} sanction (${imposed.id}, imposed at ${inDistrictTime(imposed.imposedAt)}); a violation is sanctioned once with each kind`, { problem: 'ALREADY_SANCTIONED', sanctionId: imposed.id });
      }
      const sanction = manager.create(ProviderSanction, {
        id: randomUUID(),
        providerId: provider.id,
        violationId: violation.id,
        kind: input.kind,
        reason,
        downgradedTo: downgradeTo,
        imposedBy: actor.userId,
        imposedByOrganisation: actor.organisation,
        imposedAt: now,
      });
      await manager.insert(ProviderSanction, sanction);
      if (downgradeTo) {
        // The scheme treats a provider not yet classified like class B: a downgrade from it is to C or D.
        const current = provider.supervisionClass ?? 'B';
        if (classRank(downgradeTo) <= classRank(current)) {
          const unclassified = provider.supervisionClass ? '' : ' (not yet classified)';
          // Refused by the class the provider is in, as setting the class it has is: another
          // downgrade may have been imposed since the registrar read it.
          throw badInput('downgradeTo', `a downgrade moves to a worse class than the current ${current}${unclassified}, got ${downgradeTo}`, { problem: 'TRANSITION_NOT_ALLOWED' });
        }
        await this.changeClass(manager, provider, downgradeTo, reason, actor, now, sanction.id, 'kind');
      }
      if (rule.filingAction) await this.applyDecision(manager, provider, rule.filingAction, reason, actor, now, sanction.id, 'kind');
      return sanction;
    });
  }

  private async applyDecision(
    manager: EntityManager,
    provider: CreditServiceProvider,
    decision: FilingDecision,
    reason: string,
    actor: Actor,
    now: Date,
    sanctionId: string | null,
    field = 'decision',
  ): Promise<CreditServiceProvider> {
    const transition = transitionFor(decision);
    const changes: Partial<CreditServiceProvider> = decision === 'FILE' && !provider.filedOn ? { filedOn: todayInDistrict(now) } : {};
    await this.move(manager, provider, decision, changes, field);
    await manager.insert(ProviderFilingEvent, { ...event(provider.id, decision, provider.filingStatus, transition.to, reason, actor, now), sanctionId });
    return Object.assign(provider, changes, { filingStatus: transition.to });
  }

  /** Moves the provider's row along a transition, only from the status it was read in. */
  private async move(manager: EntityManager, provider: CreditServiceProvider, action: FilingTransition['action'], changes: Partial<CreditServiceProvider>, field: string): Promise<void> {
    const transition = transitionFor(action);
    if (!transition.from.includes(provider.filingStatus)) {
      const from = transition.from.map((s) => s ?? 'a provider not yet in the registry').join(' or ');
      throw badInput(field, `${action} applies to a provider whose filing is ${from}; provider ${provider.id} is ${provider.filingStatus}`, { problem: 'TRANSITION_NOT_ALLOWED' });
    }
    const result = await manager.update(CreditServiceProvider, { id: provider.id, filingStatus: provider.filingStatus }, { ...changes, filingStatus: transition.to });
    if (!result.affected) throw badInput(field, `provider ${provider.id} changed while this decision was made; read it again and retry`, { problem: 'CONCURRENT_CHANGE' });
  }

  private async changeClass(manager: EntityManager, provider: CreditServiceProvider, to: SupervisionClass, reason: string, actor: Actor, now: Date, sanctionId: string | null, field: string): Promise<void> {
    if (provider.filingStatus !== 'FILED' && provider.filingStatus !== 'SUSPENDED') {
      throw badInput(field, `only a FILED or SUSPENDED provider is classified; provider ${provider.id} is ${provider.filingStatus}`, { problem: 'TRANSITION_NOT_ALLOWED' });
    }
    if (provider.supervisionClass === to) throw badInput(field, `provider ${provider.id} is already in class ${to}`, { problem: 'TRANSITION_NOT_ALLOWED' });
    const from = provider.supervisionClass;
    const result = await manager.update(CreditServiceProvider, { id: provider.id, supervisionClass: from ?? IsNull() }, { supervisionClass: to });
    if (!result.affected) throw badInput(field, `provider ${provider.id} changed while this decision was made; read it again and retry`, { problem: 'CONCURRENT_CHANGE' });
    await manager.insert(SupervisionClassChange, { id: randomUUID(), providerId: provider.id, fromClass: from, toClass: to, reason, actor: actor.userId, actorOrganisation: actor.organisation, sanctionId, occurredAt: now });
    provider.supervisionClass = to;
  }

  /**
   * The instant of a write about a provider, taken once the write holds the provider's lock and
   * after everything already in its histories: the histories (by instant) then list the writes in
   * the order they committed, even two within one millisecond, and `standingOn` reads them right.
   */
  private async instantAfterHistory(manager: EntityManager, providerId: string): Promise<Date> {
    const latest = await Promise.all(
      [ProviderFilingEvent, SupervisionClassChange].map((entity) => manager.findOne(entity, { select: { occurredAt: true }, where: { providerId }, order: { occurredAt: 'DESC' } })),
    );
    return new Date(Math.max(Date.now(), ...latest.map((row) => (row ? row.occurredAt.getTime() + 1 : 0))));
  }

  /** The provider's last `count` filing steps, newest first, in the order `filingHistory` lists them. */
  private latestSteps(manager: EntityManager, providerId: string, count: number): Promise<ProviderFilingEvent[]> {
    return manager.find(ProviderFilingEvent, { where: { providerId }, order: { occurredAt: 'DESC', id: 'DESC' }, take: count });
  }

  /**
   * The violation a write amends (a sanction, a withdrawal), read once its provider's row is
   * locked (`existing`): a sanction and a withdrawal of one violation take turns, and the second
   * reads whether the first withdrew it.
   */
  private async violationToAmend(manager: EntityManager, id: string, field: string): Promise<{ violation: ProviderViolation; provider: CreditServiceProvider }> {
    const found = await manager.findOne(ProviderViolation, { select: { id: true, providerId: true }, where: { id } });
    if (!found) throw clientError(ErrorCode.NOT_FOUND, `no provider violation has the id ${quotedInput(id)}`, { field });
    const provider = await this.existing(manager, found.providerId, field);
    return { violation: await manager.findOneByOrFail(ProviderViolation, { id }), provider };
  }

  /** The provider a write is about, its row locked on MySQL so that writes about one provider take turns. */
  private async existing(manager: EntityManager, id: string, field: string): Promise<CreditServiceProvider> {
    const provider = await manager.findOne(CreditServiceProvider, { where: { id }, lock: lockFor(manager) });
    if (!provider) throw clientError(ErrorCode.NOT_FOUND, `no credit service provider has the id ${quotedInput(id)}`, { field });
    return provider;
  }

  /**
   * Each write in a transaction: in turn on SQLite, ordered by the provider's row lock on MySQL.
   * READ COMMITTED there, so that what a write reads once it holds the lock (the sanctions a
   * violation has) is what the write before it committed, not a snapshot taken before the wait.
   * Not committed once too little of the request's time is left.
   */
  private write<T>(task: (manager: EntityManager) => Promise<T>): Promise<T> {
    return writeTransaction(this.db, task, 'READ COMMITTED', this.deadline);
  }
}

/** A history of a provider's steps, each listed by instant, then id. */
type HistoryEntity = typeof ProviderFilingEvent | typeof SupervisionClassChange;
/** Where a class decision's reviewed step may be: the class depends on the filing status too. */
const bothHistories: readonly HistoryEntity[] = [ProviderFilingEvent, SupervisionClassChange];

export interface ProviderHistoryRows extends ProviderHistory {
  events: ProviderFilingEvent[];
  classChanges: SupervisionClassChange[];
}

/**
 * Refuses a name that reads as the issuer's of a public source of reports (lib/catalogue/public-sources.ts):
 * the provider's reports would be registered under it beside the source's own and pass for them,
 * and the name, once in the registry, would make every report of the source a provider's
 * (`ISSUER_IS_REGISTERED_PROVIDER`) for good.
 */
function assertNoPublicSourceName(name: string, field: string): void {
  const issuer = publicSourceNamed(name);
  if (issuer) {
    throw badInput(field, `the name ${JSON.stringify(name)} reads as ${issuer.printedName}, the issuer of ${issuer.source} reports; no provider is filed under the name of a public source of credit reports, whose reports its own would pass for`, {
      problem: 'NAME_OF_A_PUBLIC_SOURCE',
      source: issuer.source,
    });
  }
}

/** A filing event; `application` is what the provider submitted, for its own APPLY and RESUBMIT. */
function event(providerId: string, action: FilingAction, fromStatus: FilingStatus | null, toStatus: FilingStatus, reason: string, actor: Actor, now: Date, application: ApplicationDetails | null = null): ProviderFilingEvent {
  return Object.assign(new ProviderFilingEvent(), { id: randomUUID(), providerId, action, fromStatus, toStatus, reason, actor: actor.userId, actorOrganisation: actor.organisation, application, sanctionId: null, filingChangeId: null, occurredAt: now });
}

/**
 * Whether the last step of a history is the one this request would record: the same user's, for
 * the same reason, and not a sanction's effect. A client that lost the answer sends the request
 * again; refused as a transition from the status (or class) the step led to, the retry would read
 * as if the step had failed, so it is answered with what the step left. Only the last step: the
 * same request sent after anything else happened is a new one.
 */
function isRetryOf(step: Pick<ProviderFilingEvent, 'actor' | 'actorOrganisation' | 'reason' | 'sanctionId'>, actor: Actor, reason: string): boolean {
  return step.actor === actor.userId && step.actorOrganisation === actor.organisation && step.reason === reason && step.sanctionId === null;
}

/**
 * A violation's description and evidence as recorded, every problem of the form thrown at once
 * (README, Errors: `extensions.problems`), its kind's and day's included.
 */
function violationForm(input: ProviderViolationInput): { description: string; evidence: string[] } {
  const problems = new InputProblems();
  problems.read(() => chosen(input.kind, violationKinds, 'kind'));
  const description = problems.read(() => requiredProse(input.description, 'description', 4000));
  const evidence = problems.read(() => {
    if (!Array.isArray(input.evidence) || input.evidence.length === 0 || input.evidence.length > 50) {
      throw badInput('evidence', `evidence must list 1 to 50 items (document numbers, file references or hashes), got ${Array.isArray(input.evidence) ? input.evidence.length : 'none'}`);
    }
    const items = input.evidence.map((item, i) => problems.read(() => requiredLine(item, `evidence[${i}]`, 500)));
    const readable = items.filter((item) => item !== undefined);
    // Repeats are judged once every item reads.
    if (readable.length === items.length) assertNoRepeats(readable, 'evidence', 'item of evidence');
    return readable;
  });
  problems.read(() => {
    const today = todayInDistrict();
    if (!isIsoDate(input.occurredOn)) throw badInput('occurredOn', `occurredOn must be a calendar date as YYYY-MM-DD, got ${quotedInput(input.occurredOn)}`);
    if (input.occurredOn > today) throw badInput('occurredOn', `occurredOn cannot be after today (${today}), got ${input.occurredOn}`);
    if (input.occurredOn < earliestReportIssueDate) {
      throw badInput('occurredOn', `occurredOn is the day the violation began, not before ${earliestReportIssueDate} (no report departments rely on is older), got ${input.occurredOn}`);
    }
  });
  return problems.checked({ description, evidence });
}

/** Whether a step kept this application, field by field (a JSON column keeps no key order). */
function sameApplication(kept: ApplicationDetails | null, details: ApplicationDetails): boolean {
  return kept !== null && applicationFields.every((field) => (kept[field] ?? null) === details[field]);
}

/**
 * A provider's code as given (an application's, a lookup's), normalised: required, so a blank one
 * is BAD_USER_INPUT naming `field` (README, Errors: INVALID_CREDIT_CODE is for a code typed), as
 * a subject's code is (`identifierOf`); a malformed one the caller's typo, refused in the words
 * and with the `problem` a subject's code is.
 */
export function validCode(code: unknown, field: string): string {
  if (typeof code !== 'string' || isBlank(code)) throw badInput(field, `${field} must not be empty: give a unified social credit code`, { problem: 'EMPTY' });
  const canonical = normaliseIdentifier(code);
  assertValidIdentifier(canonical, 'UNIFIED_SOCIAL_CREDIT_CODE', field);
  return canonical;
}

/** The provider's row as an application sets it: its details, and its name's search key. */
function rowOf(details: ApplicationDetails): ApplicationDetails & Pick<CreditServiceProvider, 'nameKey'> {
  return { ...details, nameKey: nameKey(details.name) };
}

/** A name search's term as keys are compared; refused when nothing of it is left to compare. */
function nameSearchKey(term: string): string {
  const length = characterCount(term.trim());
  if (length > 200) throw badInput('name', `a provider's name is at most 200 characters, so a search term can be no longer, got ${length}`);
  const key = nameKey(term);
  if (!key) throw badInput('name', `search by at least one letter or digit of a name (spaces, punctuation and invisible characters are left out), got ${quotedInput(term)}`);
  return key;
}

const applicationFields = ['unifiedSocialCreditCode', 'name', 'registeredAddress', 'legalRepresentative', 'businessScope', 'contact'] as const satisfies readonly (keyof ApplicationDetails)[];

type ParticularField = Exclude<keyof ApplicationDetails, 'unifiedSocialCreditCode'>;

/** How each filed particular is read, in an application and in a change alike: its field, and its rule and length. */
const particularRules = {
  NAME: { field: 'name', read: (value: unknown, field: string): string => requiredLine(value, field, 200) },
  REGISTERED_ADDRESS: { field: 'registeredAddress', read: (value: unknown, field: string): string => requiredLine(value, field, 300) },
  LEGAL_REPRESENTATIVE: { field: 'legalRepresentative', read: (value: unknown, field: string): string => requiredLine(value, field, 100) },
  BUSINESS_SCOPE: { field: 'businessScope', read: (value: unknown, field: string): string => requiredProse(value, field, 2000) },
  // Optional: a cleared contact box is no contact (README, Errors), not a contact of nothing.
  CONTACT: { field: 'contact', read: (value: unknown, field: string): string | null => optionalLine(value, field, 40) },
} as const satisfies Record<ProviderParticular, { field: ParticularField; read: (value: unknown, field: string) => string | null }>;

/**
 * The application's fields, every problem of them thrown at once (README, Errors:
 * `extensions.problems`), in the input's order, so that the first names the first bad field.
 */
function validApplication(input: ProviderApplicationInput): ApplicationDetails {
  const problems = new InputProblems();
  return problems.checked({
    unifiedSocialCreditCode: problems.read(() => validCode(input.unifiedSocialCreditCode, 'unifiedSocialCreditCode')),
    name: problems.read(() => particularRules.NAME.read(input.name, 'name')),
    registeredAddress: problems.read(() => particularRules.REGISTERED_ADDRESS.read(input.registeredAddress, 'registeredAddress')),
    legalRepresentative: problems.read(() => particularRules.LEGAL_REPRESENTATIVE.read(input.legalRepresentative, 'legalRepresentative')),
    businessScope: problems.read(() => particularRules.BUSINESS_SCOPE.read(input.businessScope, 'businessScope')),
    contact: problems.read(() => particularRules.CONTACT.read(input.contact, 'contact')),
  });
}

/**
 * The particulars a change gives (`particulars.<field>`), in the input's order, each read by the
 * rule of the application: left out or null, it stays as filed; the contact given blank is
 * cleared (a cleared text box is none, README, Errors). Each problem is kept in `problems`, with
 * the rest of the change's.
 */
function requestedParticulars(input: ProviderParticularsInput | null | undefined, problems: InputProblems): { particular: ProviderParticular; field: ParticularField; value: string | null }[] {
  const given = providerParticulars.filter((particular) => input?.[particularRules[particular].field] != null);
  problems.read(() => {
    if (given.length === 0) throw badInput('particulars', `a change gives at least one of the particulars it alters (${providerParticulars.map((p) => particularRules[p].field).join(', ')})`);
  });
  return given.flatMap((particular) => {
    const { field, read } = particularRules[particular];
    const value = problems.read(() => read(input?.[field], `particulars.${field}`));
    return value === undefined ? [] : [{ particular, field, value }];
  });
}

/** Whether a pending change asks exactly this, particular by particular (a JSON column keeps no key order). */
function sameChanges(kept: readonly ParticularChange[], asked: readonly ParticularChange[]): boolean {
  return kept.length === asked.length && kept.every((k, i) => k.particular === asked[i].particular && k.before === asked[i].before && k.after === asked[i].after);
}

