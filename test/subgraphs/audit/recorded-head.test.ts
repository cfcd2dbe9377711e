import { readFileSync } from 'node:fs';
import path from 'node:path';
import { supervisor } from './audit-callers';
import { projectRoot } from '../../../lib/project-root';
import { chainHash } from '../../../subgraphs/audit/audit-chain';
import { AuditRepository, type AuditEntryInput } from '../../../subgraphs/audit/audit.repository';
import { AuditEntry } from '../../../subgraphs/audit/entities/audit-entry.entity';
import { auditSubgraph } from '../../../subgraphs/audit/subgraph';
import { testDatabases } from '../../helpers/databases';
import { useSubgraph } from '../../helpers/subgraph';

/**
 * The chain is SHA-256 with no secret: whoever can write the database can change an entry and
 * recompute every later hash, and the log verifies intact. What tells is a head the credit office
 * recorded outside the database, passed back as `recordedHead`.
 */

interface Verification {
  intact: boolean;
  entries: number;
  firstBrokenSequence: number | null;
  headSequence: number | null;
  headHash: string | null;
  recordedHeadMatches: boolean | null;
}

const VERIFY = /* GraphQL */ `
  query Verify($recordedHead: AuditChainHeadInput) {
    verifyAuditChain(recordedHead: $recordedHead) { intact entries firstBrokenSequence headSequence headHash recordedHeadMatches }
  }
`;


function entry(i: number): AuditEntryInput {
  return {
    actor: 'officer',
    organisation: 'FINANCE',
    organisationKind: 'DEPARTMENT',
    role: 'DEPARTMENT_OFFICER',
    matter: 'GOVERNMENT_PROCUREMENT',
    caseNumber: `BDHCG-2026-${i}`,
    subjectId: `5e000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    fieldGroups: ['SUBJECT_BASICS'],
    requestId: `request-${i}`,
    occurredAt: new Date(Date.UTC(2026, 11, 1, 2, 0, 0, i)),
    outcome: 'DISCLOSED',
  };
}

describe.each(testDatabases)('verifying the audit chain against a recorded head on $label', (database) => {
  const { db, queryAs } = useSubgraph(auditSubgraph, database, 'auditrec');
  const verify = async (recordedHead?: { sequence: number; hash: string }) => {
    const result = await queryAs<{ verifyAuditChain: Verification }>(supervisor, VERIFY, recordedHead ? { recordedHead } : {});
    expect(result.errors).toBeUndefined();
    return result.data!.verifyAuditChain;
  };
  // Yesterday's head, as the credit office wrote it down.
  let recorded: { sequence: number; hash: string };

  beforeAll(async () => {
    const repository = new AuditRepository(db());
    await repository.append(Array.from({ length: 10 }, (_, i) => entry(i)));
    const day1 = await verify();
    recorded = { sequence: day1.headSequence!, hash: day1.headHash! };
    await repository.append(Array.from({ length: 5 }, (_, i) => entry(10 + i)));
  });

  it('matches the recorded head while the log is as appended, though it has grown since', async () => {
    expect(await verify(recorded)).toEqual({ intact: true, entries: 15, firstBrokenSequence: null, headSequence: 15, headHash: expect.any(String), recordedHeadMatches: true });
    expect((await verify()).recordedHeadMatches).toBeNull();
  });

  it('detects a rewrite whose writer recomputed every later hash only against the recorded head', async () => {
    const entries = db().getRepository(AuditEntry);
    const originals = await entries.find({ order: { sequence: 'ASC' } });
    const escape = (name: string) => db().driver.escape(name);
    // What anyone who can write the database can do: change entry 4, and re-chain it and every later one.
    let previous = originals[2].hash!;
    for (const original of originals.slice(3)) {
      const forged = Object.assign(new AuditEntry(), original, original.sequence === 4 ? { organisation: 'HEALTH' } : {});
      const hash = chainHash(previous, forged);
      await db().query(`UPDATE audit_entry SET ${escape('organisation')} = ?, ${escape('previous_hash')} = ?, ${escape('hash')} = ? WHERE ${escape('id')} = ?`, [
        forged.organisation,
        previous,
        hash,
        original.id,
      ]);
      previous = hash;
    }
    try {
      // The chain alone cannot tell: every stored hash agrees with its entry.
      expect(await verify()).toMatchObject({ intact: true, firstBrokenSequence: null });
      // The head recorded before the rewrite can.
      expect(await verify(recorded)).toMatchObject({ intact: false, firstBrokenSequence: null, recordedHeadMatches: false });
    } finally {
      await entries.save(originals);
    }
    expect(await verify(recorded)).toMatchObject({ intact: true, recordedHeadMatches: true });
  });

  it('detects entries removed from the end since a head was recorded', async () => {
    const entries = db().getRepository(AuditEntry);
    // The five appended after `recorded`.
    const last = await entries.find({ order: { sequence: 'DESC' }, take: 5 });
    const head = { sequence: last[0].sequence!, hash: last[0].hash! };
    await entries.delete(last.map((e) => e.id));
    try {
      expect(await verify()).toMatchObject({ intact: true, headSequence: recorded.sequence });
      expect(await verify(head)).toMatchObject({ intact: false, recordedHeadMatches: false });
      // A head recorded before those entries still matches: the cut lies after it.
      expect(await verify(recorded)).toMatchObject({ intact: true, recordedHeadMatches: true });
    } finally {
      await entries.insert(last);
    }
  });

  it('does not match a head whose hash differs, nor vouch for it where the chain broke before it', async () => {
    expect(await verify({ ...recorded, hash: 'f'.repeat(64) })).toMatchObject({ intact: false, recordedHeadMatches: false });
    const entries = db().getRepository(AuditEntry);
    const original = await entries.findOneByOrFail({ sequence: 2 });
    await db().query(`UPDATE audit_entry SET ${db().driver.escape('organisation')} = ? WHERE ${db().driver.escape('id')} = ?`, ['HEALTH', original.id]);
    try {
      expect(await verify(recorded)).toMatchObject({ intact: false, firstBrokenSequence: 2, recordedHeadMatches: false });
    } finally {
      await entries.save(original);
    }
  });

  it.each([
    ['a sequence below 1', { sequence: 0, hash: '0'.repeat(64) }, 'recordedHead.sequence'],
    ['a hash that is not 64 hex digits', { sequence: 1, hash: 'not-a-hash' }, 'recordedHead.hash'],
  ])('refuses a recorded head with %s', async (_label, recordedHead, field) => {
    const result = await queryAs(supervisor, VERIFY, { recordedHead });
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });
});

describe('the verifyAuditChain contract', () => {
  it('claims no more than the chain detects: a rewrite with recomputed hashes needs a head kept outside the database', () => {
    const schema = readFileSync(path.join(projectRoot, 'subgraphs', 'audit', 'schema.graphql'), 'utf8').replace(/\s+/g, ' ');
    expect(schema).not.toContain('A changed, deleted or renumbered entry breaks the chain');
    expect(schema).toContain('recompute the hashes of it and of every later entry');
    expect(schema).toContain('outside the database');
  });
});
