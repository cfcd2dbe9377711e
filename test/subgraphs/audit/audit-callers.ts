import type { RequestIdentity } from '../../../lib/access/identity';
import type { AuditEntryInput } from '../../../subgraphs/audit/audit.repository';
import { createAuditContext, type AuditContext } from '../../../subgraphs/audit/context';
import { auditSubgraph } from '../../../subgraphs/audit/subgraph';
import type { SubgraphDefinition } from '../../../subgraphs/shared/subgraph';

/** The callers the audit subgraph's suites read and write its log as. */

/** The gateway's own identity: the only one holding AUDIT_WRITE. */
export const gateway: RequestIdentity = { caller: null, purpose: null, grants: ['AUDIT_WRITE'], scope: {}, requestId: 'gateway-flush' };

/** The credit office's supervisor (区信用办), in its supervision. */
export const supervisor: RequestIdentity = {
  caller: { id: 'supervisor-wang', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'CREDIT_OFFICE_SUPERVISOR' },
  purpose: { matter: 'CREDIT_SUPERVISION' },
  grants: ['AUDIT', 'STATISTICS'],
  scope: {},
  requestId: 'supervisor-request',
};

/** An analyst (区发改局): statistics, never the log itself. */
export const analyst: RequestIdentity = {
  caller: { id: 'analyst-chen', organisation: 'DEVELOPMENT_REFORM', organisationKind: 'DEPARTMENT', role: 'ANALYST' },
  purpose: { matter: 'STATISTICAL_ANALYSIS' },
  grants: ['SUBJECT_BASICS', 'PUBLIC_RECORDS', 'STATISTICS'],
  scope: {},
  requestId: 'analyst-request',
};

/**
 * An entry as the gateway writes one for a finance bureau officer's read under government
 * procurement, with no case: a suite gives what identifies it and what it is about.
 */
export function financeOfficerEntry(entry: Pick<AuditEntryInput, 'id' | 'subjectId' | 'requestId' | 'occurredAt'> & Partial<AuditEntryInput>): AuditEntryInput {
  return {
    actor: 'finance-officer-1',
    organisation: 'FINANCE',
    organisationKind: 'DEPARTMENT',
    role: 'DEPARTMENT_OFFICER',
    matter: 'GOVERNMENT_PROCUREMENT',
    caseNumber: null,
    fieldGroups: ['SUBJECT_BASICS'],
    outcome: 'DISCLOSED',
    ...entry,
  };
}

/**
 * The audit subgraph taking entries at any instant, for the suites that write a log as of the
 * past (its days, months and years) through `appendAuditEntries`: the subgraph itself takes an
 * entry only within minutes of its own clock (`appendedInstantsWithin`, append-clock.test.ts).
 */
export const historicalAuditSubgraph: SubgraphDefinition<AuditContext> = { ...auditSubgraph, createContext: (db, options) => createAuditContext(db, options.deadline, null) };
