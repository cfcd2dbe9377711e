import { defaultOperationLimits } from '../../../gateway/operation-limits';
import { fieldGroups } from '../../../lib/access/field-groups';
import { auditedTextLimits } from '../../../lib/access/identity';
import { AuditEntry } from '../../../subgraphs/audit/entities/audit-entry.entity';
import { appendBodyBytes, maxAppendBatch } from '../../../subgraphs/audit/resolvers';
import { insertRowsPerStatement } from '../../../subgraphs/shared/bulk-insert';
import { testDatabases } from '../../helpers/databases';
import { useSubgraph } from '../../helpers/subgraph';
import { gateway, supervisor, historicalAuditSubgraph } from './audit-callers';

/**
 * One `appendAuditEntries` call holds all of one request's entries (gateway/audit-writer.ts never
 * splits them), however many subjects the request covered: stored in one transaction, or none.
 */
const APPEND = /* GraphQL */ `mutation Append($entries: [AuditEntryInput!]!) { appendAuditEntries(entries: $entries) { appended lastSequence } }`;
const VERIFY = /* GraphQL */ `{ verifyAuditChain { intact entries } }`;

/** An entry as the gateway sends it (JSON, the instant an ISO string). */
const entry = (i: number, overrides: Record<string, unknown> = {}) => ({
  actor: 'finance-officer-1',
  organisation: 'FINANCE',
  organisationKind: 'DEPARTMENT',
  role: 'DEPARTMENT_OFFICER',
  matter: 'GOVERNMENT_PROCUREMENT',
  caseNumber: 'BDHCG-2026-0001',
  consentId: null,
  subjectId: `5b000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  fieldGroups: ['SUBJECT_BASICS'],
  operationName: 'SearchSuppliers',
  requestId: 'one-request',
  occurredAt: new Date(Date.UTC(2026, 2, 1, 1)).toISOString(),
  outcome: 'DISCLOSED',
  ...overrides,
});

describe.each(testDatabases)('appendAuditEntries with one large request on $label', (database) => {
  const { db, sql, queryAs } = useSubgraph(historicalAuditSubgraph, database, 'auditbatch');
  const count = () => db().getRepository(AuditEntry).count();
  const append = (entries: ReturnType<typeof entry>[]) => queryAs<{ appendAuditEntries: { appended: number } | null }>(gateway, APPEND, { entries });

  it('stores more entries than one statement holds in one transaction, or none of them when one is refused', async () => {
    const many = 2 * insertRowsPerStatement + 100;
    const refused = await append(Array.from({ length: many }, (_, i) => entry(i, i === many - 50 ? { actor: ' ' } : {})));
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: `entries[${many - 50}].actor` });
    expect(await count()).toBe(0);

    sql.reset();
    const result = await append(Array.from({ length: many }, (_, i) => entry(i)));
    expect(result.errors).toBeUndefined();
    expect(result.data?.appendAuditEntries?.appended).toBe(many);
    const statements = (pattern: RegExp) => sql.statements.filter((s) => pattern.test(s)).length;
    expect([statements(/^\s*(BEGIN|START TRANSACTION)/i), statements(/^\s*COMMIT/i), statements(/^\s*INSERT/i)]).toEqual([1, 1, 3]);
    expect(await count()).toBe(many);
    expect((await queryAs(supervisor, VERIFY)).data).toEqual({ verifyAuditChain: { intact: true, entries: many } });
  });

  it('takes the largest request the gateway lets through in one call: an entry per value of the costliest answer, every text at its longest', async () => {
    expect(maxAppendBatch).toBeGreaterThanOrEqual(defaultOperationLimits.cost);
    // Chinese characters, three bytes each in UTF-8; field groups up to their column's 500 characters.
    const longest = (characters: number) => '信'.repeat(characters);
    const groups = Object.keys(fieldGroups).filter((_, i, all) => all.slice(0, i + 1).join(',').length <= 500);
    const largest = (i: number) =>
      entry(i, {
        actor: longest(auditedTextLimits.callerId),
        organisation: longest(auditedTextLimits.organisation),
        organisationKind: 'FINANCIAL_INSTITUTION',
        role: longest(auditedTextLimits.role),
        matter: longest(auditedTextLimits.matter),
        caseNumber: longest(auditedTextLimits.caseNumber),
        consentId: longest(auditedTextLimits.consentId),
        fieldGroups: groups,
        operationName: longest(auditedTextLimits.operationName),
        requestId: 'r'.repeat(64),
      });
    const entries = Array.from({ length: maxAppendBatch }, (_, i) => largest(i));
    expect(Buffer.byteLength(JSON.stringify({ query: APPEND, variables: { entries } }))).toBeLessThanOrEqual(appendBodyBytes);
    const before = await count();
    const result = await append(entries);
    expect(result.errors).toBeUndefined();
    expect(result.data?.appendAuditEntries?.appended).toBe(maxAppendBatch);
    expect(await count()).toBe(before + maxAppendBatch);

  }, 120_000);

  it('refuses one entry more than that', async () => {
    const before = await count();
    const tooMany = await append(Array.from({ length: maxAppendBatch + 1 }, (_, i) => entry(i)));
    expect(tooMany.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'entries' });
    expect(await count()).toBe(before);
  });
});
