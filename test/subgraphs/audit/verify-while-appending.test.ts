import type { QueryRunner } from 'typeorm';
import type { RequestIdentity } from '../../../lib/access/identity';
import { AuditRepository, type AuditEntryInput } from '../../../subgraphs/audit/audit.repository';
import { AuditEntry } from '../../../subgraphs/audit/entities/audit-entry.entity';
import { auditSubgraph } from '../../../subgraphs/audit/subgraph';
import { testDatabases } from '../../helpers/databases';
import { useSubgraph } from '../../helpers/subgraph';

/**
 * The gateway appends to the audit log continuously, so `verifyAuditChain` runs while entries are
 * appended. Its answer must describe one chain, the one it verified: as many entries as its head's
 * sequence, and the head it names among those it walked. The appends are made deterministically
 * between the verification's statements: before each SELECT it sends, a hook appends entries.
 */
const VERIFY = /* GraphQL */ `{ verifyAuditChain { intact entries firstBrokenSequence unchainedEntries headSequence headHash } }`;

interface Verification {
  intact: boolean;
  entries: number;
  firstBrokenSequence: number | null;
  unchainedEntries: number;
  headSequence: number | null;
  headHash: string | null;
}

const supervisor: RequestIdentity = {
  caller: { id: 'supervisor-wang', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'CREDIT_OFFICE_SUPERVISOR' },
  purpose: { matter: 'CREDIT_SUPERVISION' },
  grants: ['AUDIT'],
  scope: {},
  requestId: 'supervisor-request',
};

let next = 0;
function entry(): AuditEntryInput {
  next += 1;
  return {
    actor: `finance-officer-${next % 3}`,
    organisation: 'FINANCE',
    organisationKind: 'DEPARTMENT',
    role: 'DEPARTMENT_OFFICER',
    matter: 'GOVERNMENT_PROCUREMENT',
    caseNumber: `BDHCG-2026-${next}`,
    subjectId: '5d000000-0000-4000-8000-000000000001',
    fieldGroups: ['SUBJECT_BASICS'],
    requestId: `request-${next}`,
    occurredAt: new Date(Date.UTC(2026, 2, 1, 1, 0, 0, next)),
    outcome: 'DISCLOSED',
  };
}
const batch = (size: number) => Array.from({ length: size }, () => entry());

describe.each(testDatabases)('verifyAuditChain while entries are appended on $label', (database) => {
  const { db, queryAs } = useSubgraph(auditSubgraph, database, 'verifyappend');
  const verify = async () => {
    const result = await queryAs<{ verifyAuditChain: Verification }>(supervisor, VERIFY);
    expect(result.errors).toBeUndefined();
    return result.data!.verifyAuditChain;
  };

  beforeAll(async () => {
    // More than one walk batch (500), so that the walk itself takes several statements.
    await new AuditRepository(db()).append(batch(620));
  });

  /** Runs `task` with `between` awaited before every SELECT on the audit log that any connection of the DataSource sends. */
  async function appendingBetweenStatements<T>(between: () => Promise<void>, task: () => Promise<T>): Promise<{ result: T; hooks: number }> {
    const probe = db().createQueryRunner();
    const prototype = Object.getPrototypeOf(probe) as QueryRunner;
    await probe.release();
    const original = prototype.query;
    let armed = true;
    let hooks = 0;
    const spy = jest.spyOn(prototype, 'query').mockImplementation(async function (this: QueryRunner, ...args: Parameters<QueryRunner['query']>) {
      if (armed && /^\s*SELECT\b/i.test(args[0]) && args[0].includes('audit_entry')) {
        armed = false; // the hook's own statements pass straight through
        try {
          hooks += 1;
          await between();
        } finally {
          armed = true;
        }
      }
      return original.apply(this, args);
    } as QueryRunner['query']);
    try {
      return { result: await task(), hooks };
    } finally {
      armed = false;
      spy.mockRestore();
    }
  }

  it('answers with as many entries as its head sequence, and a head it verified, though entries are appended between its statements', async () => {
    const appender = new AuditRepository(db());
    const before = await appender.chainHead();
    const { result, hooks } = await appendingBetweenStatements(async () => void (await appender.append(batch(7))), verify);
    // Appends did land while it ran: after its first statement at least.
    expect(hooks).toBeGreaterThanOrEqual(2);
    const stored = await db().getRepository(AuditEntry).count();
    expect(stored).toBe(620 + 7 * hooks);
    expect(result).toMatchObject({ intact: true, firstBrokenSequence: null, unchainedEntries: 0 });
    expect(result.headSequence).toBeGreaterThanOrEqual(before!.sequence);
    expect(result.entries).toBe(result.headSequence);
    const head = await db().getRepository(AuditEntry).findOneByOrFail({ sequence: result.headSequence! });
    expect(result.headHash).toBe(head.hash);
    // Once the appends stop, the next verification takes in all of them.
    expect(await verify()).toMatchObject({ intact: true, entries: stored, headSequence: stored, unchainedEntries: 0 });
  });
});
