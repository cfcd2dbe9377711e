import { addDays, todayInDistrict } from '../../lib/calendar';
import { demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { usePlatformBehindProxy, type As } from '../helpers/platform';

/**
 * A mutation whose database connection is lost after the server ran its write but before its
 * answer came back: an autocommit INSERT (a credit check), a COMMIT (a record's intake). The
 * server has stored it, so the client must not be told that nothing was: it is told the outcome is
 * not known, and the same request sent again answers with what was stored. Played on a TCP proxy
 * between the records subgraph and the shared MariaDB that lets the statement through and drops
 * its answer. MySQL only: SQLite has no connection to lose.
 */
const mysql = testDatabases.find((d) => d.label === 'mysql');
const world = demoWorld({ subjects: 10 });
const subject = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
const finance: As = {
  caller: { id: 'test-finance', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'LOST-1' },
};
const regulator: As = { caller: { id: 'test-regulator', organisation: 'MARKET_REGULATION', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' } };
const RUN = /* GraphQL */ `
  mutation Run($subjectId: ID!, $key: String) { runCreditCheck(input: { subjectId: $subjectId, matter: "GOVERNMENT_PROCUREMENT", caseNumber: "LOST-1", idempotencyKey: $key }) { id verdict } }
`;
const SUBMIT = /* GraphQL */ `mutation Submit($input: SubmitCreditRecordInput!) { submitCreditRecord(input: $input) { outcome record { id } } }`;
const notKnown = /^the records subgraph lost its database connection while it stored the change: whether the change was stored is not known for certain: send the same request again, /;

(mysql ? describe : describe.skip)('a mutation whose database connection is lost once its write reached the server', () => {
  const fault = usePlatformBehindProxy(mysql!, 'dblostwrite', 'records', world.subjects.length);

  it('says of a credit check cut off after its INSERT that its outcome is not known, and seals and answers it when sent again under its idempotencyKey', async () => {
    const run = () => fault.platform.query<{ runCreditCheck: { id: string; verdict: string | null } | null }>(RUN, { subjectId: subject.id, key: 'lost-insert' }, finance);
    const lost = fault.proxy.loseAnswerTo('INSERT INTO `credit_check`');
    const failed = await run();
    await lost;
    expect(failed.data).toEqual({ runCreditCheck: null });
    // `outcome` says it for a front end to switch on (README, Errors): sent again, not given up.
    expect(failed.errors?.map((e) => [e.extensions?.code, e.extensions?.serviceName, e.extensions?.applied, e.extensions?.outcome])).toEqual([['DATABASE_UNAVAILABLE', 'records', undefined, 'UNKNOWN']]);
    expect(failed.errors?.[0].message).toMatch(notKnown);
    // It was stored, its verdict not yet sealed.
    const [stored] = (await fault.platform.databases.records.query('SELECT id, verdict FROM credit_check WHERE idempotency_key = ?', ['lost-insert'])) as { id: string; verdict: string | null }[];
    expect(stored).toEqual({ id: expect.any(String), verdict: null });

    const again = await run();
    expect(again.errors).toBeUndefined();
    expect(again.data?.runCreditCheck).toEqual({ id: stored.id, verdict: expect.any(String) });
    const sealed = (await fault.platform.databases.records.query('SELECT verdict FROM credit_check WHERE idempotency_key = ?', ['lost-insert'])) as { verdict: string | null }[];
    expect(sealed).toEqual([{ verdict: again.data?.runCreditCheck?.verdict }]);
  });

  it('says of a record cut off after its COMMIT that its outcome is not known, and answers it UNCHANGED when sent again', async () => {
    const input = { subjectId: subject.id, category: 'ADMINISTRATIVE_PENALTY', severity: 'GENERAL', documentNumber: '北戴河市监罚〔2026〕931号', decisionDate: addDays(todayInDistrict(), -3), summary: '销售超过保质期的食品，罚款15000元' };
    const submit = () => fault.platform.query<{ submitCreditRecord: { outcome: string; record: { id: string } } | null }>(SUBMIT, { input }, regulator);
    const lost = fault.proxy.loseAnswerTo('COMMIT');
    const failed = await submit();
    await lost;
    expect(failed.data).toEqual({ submitCreditRecord: null });
    expect(failed.errors?.map((e) => [e.extensions?.code, e.extensions?.serviceName, e.extensions?.outcome])).toEqual([['DATABASE_UNAVAILABLE', 'records', 'UNKNOWN']]);
    expect(failed.errors?.[0].message).toMatch(notKnown);
    const stored = (await fault.platform.databases.records.query('SELECT id FROM credit_record WHERE document_number = ?', [input.documentNumber])) as { id: string }[];
    expect(stored).toHaveLength(1);

    const again = await submit();
    expect(again.errors).toBeUndefined();
    expect(again.data?.submitCreditRecord).toEqual({ outcome: 'UNCHANGED', record: { id: stored[0].id } });
  });

  it('still says nothing was stored when the statement lost is a read', async () => {
    const lost = fault.proxy.loseAnswerTo('SELECT');
    const failed = await fault.platform.query(RUN, { subjectId: subject.id, key: 'lost-read' }, finance);
    await lost;
    expect(failed.errors?.map((e) => [e.extensions?.code, e.message, e.extensions?.outcome])).toEqual([['DATABASE_UNAVAILABLE', 'the records subgraph lost its database connection: retry later', 'NOT_STORED']]);
    expect(await fault.platform.databases.records.query('SELECT id FROM credit_check WHERE idempotency_key = ?', ['lost-read'])).toEqual([]);
  });
});
