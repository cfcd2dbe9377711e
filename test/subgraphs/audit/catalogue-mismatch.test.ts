import { AuditEntry } from '../../../subgraphs/audit/entities/audit-entry.entity';
import { testDatabases } from '../../helpers/databases';
import { useSubgraph } from '../../helpers/subgraph';
import { gateway, historicalAuditSubgraph } from './audit-callers';

/**
 * A department added to the catalogue, and only the gateway restarted: the gateway signs the new
 * department's officers' entries, and the audit subgraph, on the old catalogue, refuses them. The
 * probe met HTTP 503 AUDIT_UNAVAILABLE "retry later" on every read of those officers, which no
 * retry mends. The refusal says what it is (a catalogue mismatch naming the department), offers
 * no retry, and is logged once per department, not once per request.
 */
const APPEND = /* GraphQL */ `mutation Append($entries: [AuditEntryInput!]!) { appendAuditEntries(entries: $entries) { appended } }`;

const entry = (requestId: string) => ({
  actor: 'culture-officer-1',
  organisation: 'CULTURE_TOURISM',
  organisationKind: 'DEPARTMENT',
  role: 'DEPARTMENT_OFFICER',
  matter: 'AWARDS_AND_RATINGS',
  caseNumber: 'BDHWL-2026-0001',
  consentId: null,
  subjectId: '5b000000-0000-4000-8000-000000000001',
  fieldGroups: ['SUBJECT_BASICS'],
  operationName: 'Supplier',
  requestId,
  occurredAt: new Date(Date.UTC(2026, 2, 1, 1)).toISOString(),
  outcome: 'DISCLOSED',
});

describe.each(testDatabases)('appendAuditEntries naming a department the audit subgraph does not know, on $label', (database) => {
  const { db, queryAs } = useSubgraph(historicalAuditSubgraph, database, 'auditcatalogue');

  it('refuses it as a catalogue mismatch naming the department, with no retry offered, and logs it once', async () => {
    const logged = jest.spyOn(db().logger, 'log');
    const first = await queryAs(gateway, APPEND, { entries: [entry('culture-1')] });
    const second = await queryAs(gateway, APPEND, { entries: [entry('culture-2')] });

    for (const answer of [first, second]) {
      expect(answer.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'CATALOGUE_MISMATCH', department: 'CULTURE_TOURISM', field: 'entries[0].organisation' });
      expect(answer.errors?.[0].extensions).not.toHaveProperty('retryAfterSeconds');
      expect(answer.errors?.[0].message).toContain('CULTURE_TOURISM');
    }
    const warnings = logged.mock.calls.filter(([level, message]) => level === 'warn' && String(message).includes('CULTURE_TOURISM'));
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0][1])).toMatch(/restart the subgraphs, then the gateway/);
    expect(await db().getRepository(AuditEntry).count()).toBe(0);
    logged.mockRestore();
  });
});
