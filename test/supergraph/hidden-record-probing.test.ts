import { demoWorld } from '../../scripts/demo/world';
import { todayInDistrict } from '../../lib/calendar';
import { testDatabases } from '../helpers/databases';
import { consentedBank as bank, usePlatform, supervisor, type As } from '../helpers/platform';
import { requestIdOf } from '../helpers/graphql';

/**
 * A record that no longer counts (restored, withdrawn, past its disclosure period) is shown to a
 * purpose without RESTRICTED_RECORDS in no list, as for a subject that has none. Asked for by id,
 * it must be answered as an id nobody has (probe finding 11): a bank that kept a record's id from
 * an earlier consent must not learn that the record was since restored or withdrawn. Its source
 * department and the credit office's supervision still get their usual answers.
 */
const world = demoWorld({ subjects: 12 });
const consented = world.subjects[0];
const unknownId = '00000000-0000-4000-8000-000000000000';

const finance: As = {
  caller: { id: 'officer-finance', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'BDH-CG-2026-0117' },
};

const READ = /* GraphQL */ `query Read($id: ID!) { creditRecord(id: $id) { id status } }`;
type Read = { creditRecord: { id: string; status: string } | null };

describe.each(testDatabases)('a record that no longer counts, asked for by id, on $label', (database) => {
  const platform = usePlatform(database, 'hiddenrecord', { seedSubjects: world.subjects.length });
  /** The consented subject's records made to no longer count, one each way, and its source department. */
  const hidden: Record<'RESTORED' | 'WITHDRAWN' | 'EXPIRED', { id: string; department: string }> = {} as never;
  let counting = '';

  beforeAll(async () => {
    const records = platform.databases.records;
    const rows: { id: string; source_department: string }[] = await records.query(
      "SELECT id, source_department FROM credit_record WHERE subject_id = ? AND status = 'ACTIVE' AND (disclosure_ends_at IS NULL OR disclosure_ends_at >= ?) ORDER BY id",
      [consented.id, todayInDistrict()],
    );
    expect(rows.length).toBeGreaterThanOrEqual(4);
    const [restored, withdrawn, expired, stillCounting] = rows;
    counting = stillCounting.id;
    await records.query("UPDATE credit_record SET status = 'RESTORED' WHERE id = ?", [restored.id]);
    await records.query("UPDATE credit_record SET status = 'WITHDRAWN' WHERE id = ?", [withdrawn.id]);
    await records.query("UPDATE credit_record SET disclosure_ends_at = '2020-01-01' WHERE id = ?", [expired.id]);
    Object.assign(hidden, {
      RESTORED: { id: restored.id, department: restored.source_department },
      WITHDRAWN: { id: withdrawn.id, department: withdrawn.source_department },
      EXPIRED: { id: expired.id, department: expired.source_department },
    });
  });

  /** The whole answer the client gets (HTTP status, data, errors with every extension) and the audit entries it caused. */
  async function answer(as: As, id: string) {
    const result = await platform.query<Read>(READ, { id }, as);
    const requestId = requestIdOf(result);
    const rows: { outcome: string; subject_id: string | null; field_groups: string }[] = await platform.databases.audit.query(
      'SELECT outcome, subject_id, field_groups FROM audit_entry WHERE request_id = ? ORDER BY sequence',
      [requestId],
    );
    return {
      client: { status: result.status, data: result.data, errors: result.errors },
      audited: rows.map((r) => ({ outcome: r.outcome, subject: r.subject_id, groups: r.field_groups })),
    };
  }

  it.each(['RESTORED', 'WITHDRAWN', 'EXPIRED'] as const)("answers a bank under the subject's consent its %s record as an id nobody has, and audits them alike", async (kind) => {
    const record = await answer(bank, hidden[kind].id);
    const nobodys = await answer(bank, unknownId);
    expect(nobodys.client.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', problem: 'OUTSIDE_SUBJECT_SCOPE' })]);
    expect(record).toEqual(nobodys);
    expect(JSON.stringify(record)).not.toContain('RESTRICTED_RECORDS');
  });

  it("still shows the bank the subject's records that count", async () => {
    const read = await platform.query<Read>(READ, { id: counting }, bank);
    expect(read.errors).toBeUndefined();
    expect(read.data?.creditRecord).toEqual({ id: counting, status: 'ACTIVE' });
  });

  it('answers a department whose purpose hides the record (procurement) as an id nobody has: null, nothing audited', async () => {
    const record = await answer(finance, hidden.RESTORED.id);
    const nobodys = await answer(finance, unknownId);
    expect(nobodys).toEqual({ client: { status: 200, data: { creditRecord: null }, errors: undefined }, audited: [] });
    expect(record).toEqual(nobodys);
  });

  it('still tells the record’s own department that it needs RESTRICTED_RECORDS', async () => {
    const own: As = {
      caller: { id: 'officer-own', organisation: hidden.RESTORED.department, organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
      headers: { 'x-credit-matter': 'OTHER_STATUTORY', 'x-credit-case': 'BDH-QT-2026-0001' },
    };
    const { client } = await answer(own, hidden.RESTORED.id);
    expect(client.data).toEqual({ creditRecord: null });
    expect(client.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', problem: 'GROUP_NOT_GRANTED', group: 'RESTRICTED_RECORDS' })]);
  });

  it('shows the credit office under its supervision the record as it stands', async () => {
    for (const kind of ['RESTORED', 'WITHDRAWN', 'EXPIRED'] as const) {
      const read = await platform.query<Read>(READ, { id: hidden[kind].id }, supervisor);
      expect(read.errors).toBeUndefined();
      expect(read.data?.creditRecord).toEqual({ id: hidden[kind].id, status: kind });
    }
  });
});
