import { clockToleranceSeconds } from '../../../lib/access/identity';
import { AuditEntry } from '../../../subgraphs/audit/entities/audit-entry.entity';
import { appendedInstantsWithin } from '../../../subgraphs/audit/resolvers';
import { auditSubgraph } from '../../../subgraphs/audit/subgraph';
import { testDatabases } from '../../helpers/databases';
import { useSubgraph } from '../../helpers/subgraph';
import { financeOfficerEntry, gateway } from './audit-callers';

/**
 * The audit log takes an entry only at an instant near its own clock: a writer whose clock stepped
 * back (or forward) had every disclosure written into the past (or the future), completed district
 * days' counts changing. Refused all or none, with a problem naming the clock, so that the gateway
 * answers AUDIT_UNAVAILABLE and discloses nothing.
 */
const APPEND = /* GraphQL */ `mutation Append($entries: [AuditEntryInput!]!) { appendAuditEntries(entries: $entries) { appended } }`;

/** The finance officer's read (audit-callers.ts) at `occurredAt`, as the gateway sends it over the wire. */
const entryAt = (requestId: string, occurredAt: number) => ({
  ...financeOfficerEntry({ subjectId: '5b000000-0000-4000-8000-000000000001', requestId, occurredAt: new Date(occurredAt) }),
  consentId: null,
  operationName: 'ReviewSupplierCredit',
  occurredAt: new Date(occurredAt).toISOString(),
});

describe.each(testDatabases)("appendAuditEntries against the audit log's clock on $label", (database) => {
  const { db, queryAs } = useSubgraph(auditSubgraph, database, 'auditclock');
  const append = (entries: ReturnType<typeof entryAt>[]) => queryAs<{ appendAuditEntries: { appended: number } | null }>(gateway, APPEND, { entries });
  const stored = async () => (await db().getRepository(AuditEntry).find({ order: { sequence: 'ASC' } })).map((e) => e.requestId);

  it('takes entries from minutes before its now to the clock tolerance after it, and an empty probe', async () => {
    const now = Date.now();
    expect(appendedInstantsWithin.futureMs).toBe(clockToleranceSeconds * 1000);
    const result = await append([entryAt('queued-5-min', now - 5 * 60_000), entryAt('ahead-20-s', now + 20_000), entryAt('now', now)]);
    expect(result.errors).toBeUndefined();
    expect(result.data?.appendAuditEntries).toEqual({ appended: 3 });
    expect((await append([])).data?.appendAuditEntries).toEqual({ appended: 0 });
    expect(await stored()).toEqual(['queued-5-min', 'ahead-20-s', 'now']);
  });

  it.each([
    ['ahead beyond the tolerance', (now: number) => now + (clockToleranceSeconds + 30) * 1000],
    ['stepped back beyond the longest wait', (now: number) => now - appendedInstantsWithin.pastMs - 60_000],
    ['a day back', (now: number) => now - 86_400_000],
  ])('refuses a call with an entry %s, storing none of it', async (_, instant) => {
    const before = await stored();
    const now = Date.now();
    const result = await append([entryAt('on-time', now), entryAt('off-clock', instant(now))]);
    expect(result.data?.appendAuditEntries ?? null).toBeNull();
    expect(result.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'entries.1.occurredAt', problem: 'OCCURRED_AT_OFF_AUDIT_CLOCK' })]);
    expect(result.errors?.[0].message).toMatch(/clock/);
    expect(await stored()).toEqual(before);
  });
});
