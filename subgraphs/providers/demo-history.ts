import { addDays } from '../../lib/calendar';
import { nameKey } from '../../lib/text';
import type { Random } from '../../scripts/demo/random';
import type { DemoProvider, DemoWorld } from '../../scripts/demo/world';
import { ProviderFilingChange } from './entities/provider-filing-change.entity';
import { ProviderFilingEvent, type ApplicationDetails } from './entities/provider-filing-event.entity';
import { ProviderFormerName } from './entities/provider-former-name.entity';
import { ProviderSanction } from './entities/provider-sanction.entity';
import { ProviderViolation } from './entities/provider-violation.entity';
import { SupervisionClassChange } from './entities/supervision-class-change.entity';
import type { FilingAction, FilingStatus, SanctionKind, SupervisionClass, ViolationKind } from '../../lib/catalogue/provider-supervision';
import { changeApplicationReason } from './provider.repository';

/**
 * The registry's history in the demo world, consistent with each provider's current status,
 * class and filing date (world.providers): applications, filings, classifications, and the
 * violations and sanctions that explain every class C or D, suspension and revocation. Pure and
 * deterministic, so that the reports seed can issue a provider's reports only while it stood
 * well (`windows`) without reading the providers' database.
 *
 * Fixed dates the reports seed and the README rely on: world.providers[10] is suspended on
 * 2026-09-10 (after its report of 2026-04-08), world.providers[11] is revoked on 2026-07-15
 * (after its report of 2026-05-20), world.providers[9] applied on 2026-11-10. A provider's change
 * of name (world.ts, `formerNames`) is stored as its approval stores it: the change APPROVED, its
 * application and approval as filing steps, the name replaced as a former name held until then.
 * world.providers[6] (渤海信用科技有限公司) has a change of its contact pending since 2026-11-25, for
 * a registry admin to decide (README, the registry admin's ChangesToDecide).
 */
export interface DemoProviderHistory {
  events: ProviderFilingEvent[];
  classChanges: SupervisionClassChange[];
  violations: ProviderViolation[];
  sanctions: ProviderSanction[];
  filingChanges: ProviderFilingChange[];
  formerNames: ProviderFormerName[];
  /** Per provider id: the days on which it could issue reports that departments accept, `until` excluded. */
  windows: Map<string, { from: string; until: string | null }>;
}

const registrar = { actor: 'registrar-zhao', actorOrganisation: 'CREDIT_OFFICE' };
export const demoSuspensionDate = '2026-09-10';
export const demoRevocationDate = '2026-07-15';
const demoApplicationDate = '2026-11-10';

const violationTexts: Record<ViolationKind, string> = {
  FALSE_INFORMATION: '出具的信用报告引用的行政处罚信息与公共信用信息共享平台记录不符，经核实系编造',
  TRADE_SECRET_BREACH: '向第三方提供委托企业的经营数据，泄露商业秘密',
  PRIVACY_BREACH: '未经信用主体授权，向无关机构提供自然人信用信息',
  OTHER: '未按规定报送年度业务报告和信用报告出具情况',
};

export function demoProviderHistory(world: DemoWorld): DemoProviderHistory {
  const random = world.random('provider-history');
  const history: DemoProviderHistory = { events: [], classChanges: [], violations: [], sanctions: [], filingChanges: [], formerNames: [], windows: new Map() };
  const at = morningOn(random);
  const step = (provider: DemoProvider, action: FilingAction, from: FilingStatus | null, to: FilingStatus, reason: string, occurredAt: Date, sanctionId: string | null = null, applicant = false) =>
    history.events.push(
      Object.assign(new ProviderFilingEvent(), {
        id: random.uuid(),
        providerId: provider.id,
        action,
        fromStatus: from,
        toStatus: to,
        reason,
        ...(applicant ? { actor: 'provider-applicant', actorOrganisation: provider.unifiedSocialCreditCode } : registrar),
        application: applicant ? applicationOf(provider) : null,
        sanctionId,
        occurredAt,
      }),
    );
  const classify = (provider: DemoProvider, from: SupervisionClass | null, to: SupervisionClass, reason: string, occurredAt: Date, sanctionId: string | null = null) =>
    history.classChanges.push(Object.assign(new SupervisionClassChange(), { id: random.uuid(), providerId: provider.id, fromClass: from, toClass: to, reason, ...registrar, sanctionId, occurredAt }));
  const violate = (provider: DemoProvider, kind: ViolationKind, occurredOn: string): ProviderViolation => {
    const violation = Object.assign(new ProviderViolation(), {
      id: random.uuid(),
      providerId: provider.id,
      kind,
      description: violationTexts[kind],
      evidence: [`北戴河信用办核查〔${occurredOn.slice(0, 4)}〕${random.int(1, 99)}号`, `sha256:${random.uuid().replaceAll('-', '')}${random.uuid().replaceAll('-', '')}`],
      occurredOn,
      recordedBy: registrar.actor,
      recordedByOrganisation: registrar.actorOrganisation,
      recordedAt: at(addDays(occurredOn, 3)),
    });
    history.violations.push(violation);
    return violation;
  };
  const sanction = (violation: ProviderViolation, kind: SanctionKind, reason: string, imposedAt: Date, downgradedTo: SupervisionClass | null = null): ProviderSanction => {
    const row = Object.assign(new ProviderSanction(), {
      id: random.uuid(),
      providerId: violation.providerId,
      violationId: violation.id,
      kind,
      reason,
      downgradedTo,
      imposedBy: registrar.actor,
      imposedByOrganisation: registrar.actorOrganisation,
      imposedAt,
    });
    history.sanctions.push(row);
    return row;
  };

  world.providers.forEach((provider, index) => {
    if (provider.filingStatus === 'APPLIED' || !provider.filedOn) {
      step(provider, 'APPLY', null, 'APPLIED', 'application for filing', at(demoApplicationDate), null, true);
      return;
    }
    const filedOn = provider.filedOn;
    const appliedOn = addDays(filedOn, -random.int(10, 40));
    step(provider, 'APPLY', null, 'APPLIED', 'application for filing', at(appliedOn), null, true);
    if (index % 4 === 3) {
      step(provider, 'RETURN_FOR_CORRECTION', 'APPLIED', 'RETURNED', '备案材料不全：缺少信用信息安全管理制度', at(addDays(appliedOn, 2)));
      step(provider, 'RESUBMIT', 'RETURNED', 'APPLIED', 'corrected application resubmitted', at(addDays(appliedOn, 5)), null, true);
    }
    step(provider, 'FILE', 'APPLIED', 'FILED', '材料齐全，符合备案条件', at(filedOn, 0));
    const finalClass = provider.supervisionClass;
    let until: string | null = null;
    if (finalClass) {
      // Everyone starts in A or B; C and D are reached by a downgrade for a recorded violation.
      const initial: SupervisionClass = finalClass === 'A' ? 'A' : 'B';
      classify(provider, null, initial, '首次分类：备案审核情况良好', at(filedOn, 5));
      if (provider.filingStatus === 'FILED' && index === 7 && finalClass === 'B') {
        const violation = violate(provider, 'OTHER', '2026-03-16');
        sanction(violation, 'WARNING', '首次违规，予以警示约谈', at('2026-03-25'));
      }
      if (provider.filingStatus === 'FILED' && (finalClass === 'C' || finalClass === 'D')) {
        const on = random.date(finalClass === 'D' ? '2025-06-01' : '2025-03-01', finalClass === 'D' ? '2026-02-28' : '2026-10-31');
        const violation = violate(provider, finalClass === 'D' ? 'FALSE_INFORMATION' : 'OTHER', addDays(on, -10));
        const s = sanction(violation, 'CLASS_DOWNGRADE', finalClass === 'D' ? '提供虚假信息，降为D类' : '未按规定报送，降为C类', at(on), finalClass);
        classify(provider, initial, finalClass, s.reason, s.imposedAt, s.id);
        if (finalClass === 'D') until = on;
      }
      if (provider.filingStatus === 'SUSPENDED') {
        const violation = violate(provider, 'PRIVACY_BREACH', addDays(demoSuspensionDate, -21));
        if (finalClass !== initial) {
          const s = sanction(violation, 'CLASS_DOWNGRADE', '未经授权提供个人信用信息，降低监管类别', at(demoSuspensionDate), finalClass);
          classify(provider, initial, finalClass, s.reason, s.imposedAt, s.id);
        }
        const s = sanction(violation, 'SUSPENSION', '调查期间暂停备案', at(demoSuspensionDate, 2));
        step(provider, 'SUSPEND', 'FILED', 'SUSPENDED', s.reason, s.imposedAt, s.id);
        until = demoSuspensionDate;
      }
      if (provider.filingStatus === 'REVOKED') {
        const violation = violate(provider, 'FALSE_INFORMATION', addDays(demoRevocationDate, -20));
        if (finalClass !== initial) {
          const s = sanction(violation, 'CLASS_DOWNGRADE', '提供虚假信息，降为D类', at(demoRevocationDate), finalClass);
          classify(provider, initial, finalClass, s.reason, s.imposedAt, s.id);
        }
        const s = sanction(violation, 'REVOCATION', '提供虚假信息，情节严重，撤销备案', at(demoRevocationDate, 2));
        step(provider, 'REVOKE', 'FILED', 'REVOKED', s.reason, s.imposedAt, s.id);
        until = demoRevocationDate;
      }
    } else if (provider.filingStatus !== 'FILED') {
      const date = provider.filingStatus === 'SUSPENDED' ? demoSuspensionDate : demoRevocationDate;
      const action = provider.filingStatus === 'SUSPENDED' ? 'SUSPEND' : 'REVOKE';
      step(provider, action, 'FILED', provider.filingStatus, '未按规定报送年度业务报告', at(date));
      until = date;
    }
    history.windows.set(provider.id, { from: filedOn, until });
  });
  addChangesOfName(world, history);
  addPendingChange(world, history);
  return history;
}

/** 10:xx in the district (UTC+8) on `date`, drawn from `random`; a later `order` is later that morning. */
function morningOn(random: Random): (date: string, order?: number) => Date {
  return (date, order = 0) => new Date(`${date}T02:${String(random.int(0, 9) + order * 10).padStart(2, '0')}:${String(random.int(0, 59)).padStart(2, '0')}.000Z`);
}

/**
 * Each demo change of name as the registry stores its approval (provider.repository.ts,
 * `applyForChange`, `decideChange`, `fileChange`): the provider applied a fortnight or so before
 * the day it took effect, a registrar approved it that morning. From a generator of its own, so
 * that it moves none of the rest of the history.
 */
function addChangesOfName(world: DemoWorld, history: DemoProviderHistory): void {
  const random = world.random('provider-filing-changes');
  const at = morningOn(random);
  for (const provider of world.providers) {
    provider.formerNames.forEach((former, i) => {
      const renamedTo = provider.formerNames[i + 1]?.name ?? provider.name;
      const appliedAt = at(addDays(former.until, -random.int(10, 20)));
      const approvedAt = at(former.until);
      const change = Object.assign(new ProviderFilingChange(), {
        id: random.uuid(),
        providerId: provider.id,
        status: 'APPROVED',
        changes: [{ particular: 'NAME', before: former.name, after: renamedTo }],
        nameKey: nameKey(renamedTo),
        reason: '股东会决议变更公司名称，已办理市场主体变更登记',
        supportingMaterial: '变更后的营业执照副本、股东会决议、准予变更登记通知书',
        appliedAt,
      });
      const changeStep = (action: FilingAction, reason: string, occurredAt: Date, actor: { actor: string; actorOrganisation: string }) =>
        Object.assign(new ProviderFilingEvent(), { id: random.uuid(), providerId: provider.id, action, fromStatus: 'FILED', toStatus: 'FILED', reason, ...actor, application: null, sanctionId: null, filingChangeId: change.id, occurredAt });
      history.filingChanges.push(change);
      history.events.push(
        changeStep('APPLY_CHANGE', changeApplicationReason, appliedAt, { actor: 'provider-applicant', actorOrganisation: provider.unifiedSocialCreditCode }),
        changeStep('APPROVE_CHANGE', '名称变更材料齐全，准予变更', approvedAt, registrar),
      );
      history.formerNames.push(Object.assign(new ProviderFormerName(), { id: random.uuid(), providerId: provider.id, name: former.name, nameKey: nameKey(former.name), heldUntil: approvedAt, filingChangeId: change.id }));
    });
  }
}

/** The demo's change awaiting decision, as its application stores it; from a generator of its own, so that it moves none of the rest. */
function addPendingChange(world: DemoWorld, history: DemoProviderHistory): void {
  const provider = world.providers[6];
  if (!provider || provider.filingStatus !== 'FILED') return;
  const random = world.random('provider-pending-change');
  const appliedAt = morningOn(random)('2026-11-25');
  const change = Object.assign(new ProviderFilingChange(), {
    id: random.uuid(),
    providerId: provider.id,
    status: 'PENDING',
    changes: [{ particular: 'CONTACT', before: provider.contact, after: '0335-4188600' }],
    nameKey: '',
    reason: '公司迁入新办公场所，原联系电话停用',
    supportingMaterial: '新办公场所租赁合同、电信业务受理单',
    appliedAt,
  });
  history.filingChanges.push(change);
  history.events.push(
    Object.assign(new ProviderFilingEvent(), {
      id: random.uuid(),
      providerId: provider.id,
      action: 'APPLY_CHANGE',
      fromStatus: 'FILED',
      toStatus: 'FILED',
      reason: changeApplicationReason,
      actor: 'provider-applicant',
      actorOrganisation: provider.unifiedSocialCreditCode,
      application: null,
      sanctionId: null,
      filingChangeId: change.id,
      occurredAt: appliedAt,
    }),
  );
}

/** A demo provider's details changed by its changes of name only: each of its applications said what its row says, under the name it was first filed under. */
function applicationOf({ unifiedSocialCreditCode, name, formerNames, registeredAddress, legalRepresentative, businessScope, contact }: DemoProvider): ApplicationDetails {
  return { unifiedSocialCreditCode, name: formerNames[0]?.name ?? name, registeredAddress, legalRepresentative, businessScope, contact };
}
