import type { AuditEntryInput } from '../../gateway/audit-writer';

/** An entry as the gateway's audit writer takes one: a finance bureau officer's read, `requestId`'s. */
export function gatewayAuditEntry(requestId: string): AuditEntryInput {
  return {
    actor: 'officer',
    organisation: 'FINANCE',
    organisationKind: 'DEPARTMENT',
    role: 'DEPARTMENT_OFFICER',
    matter: 'GOVERNMENT_PROCUREMENT',
    caseNumber: 'CASE-1',
    consentId: null,
    subjectId: null,
    fieldGroups: ['SUBJECT_BASICS'],
    operationName: null,
    requestId,
    occurredAt: new Date(0).toISOString(),
    outcome: 'DISCLOSED',
  };
}
