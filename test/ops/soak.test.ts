import { demoCallers, mintToken } from '../../scripts/demo/callers';
import { demoConsents } from '../../scripts/demo/consents';
import { demoWorld } from '../../scripts/demo/world';
import { describeSoakDatabases, soakEnvironment } from '../../scripts/soak/environment';
import { LogLevelCounts } from '../../scripts/soak/processes';
import { auditCheck, drive, operations, readAudit, soakMix } from '../../scripts/soak/workload';
import { databaseTarget } from '../../subgraphs/shared/database';
import { testDatabases } from '../helpers/databases';
import { startOpsPlatform, type OpsPlatform } from './ops-platform';

/**
 * `npm run soak` could never pass: it matched audit entries by the x-request-id it sent, which
 * the gateway replaces with its own, so every disclosing answer was reported missing from the
 * audit and the soak exited 1 on a healthy platform. A short soak now passes its audit check.
 */
const subjects = 40;

describe.each(testDatabases)('a short soak on $label', (database) => {
  const suite = 'soak';
  let platform: OpsPlatform;
  beforeAll(async () => {
    await database.cleanUp(suite);
    platform = await startOpsPlatform(database.target(suite), { seedSubjects: subjects });
  });
  afterAll(async () => {
    await platform?.stop();
    await database.cleanUp(suite);
  });

  it('finds the DISCLOSED entry of every disclosing answer, by the id the gateway answered', async () => {
    const callers = demoCallers(demoWorld({ subjects }), demoConsents.bankFinancialServices);
    const tokens = await Promise.all(callers.map(async (c) => ({ ...c, token: await mintToken(c.caller, platform.secrets.tokens) })));
    const { mix, organisations, headersOf } = soakMix(operations(subjects), tokens);
    const runId = 'soak-test';
    const from = new Date(Date.now() - 1000);
    const run = await drive(platform.gatewayUrl, mix, 20, 1, runId);
    const audit = await readAudit(platform.gatewayUrl, headersOf('Credit office supervisor'), organisations, from, new Date(Date.now() + 1000));
    const check = auditCheck(run.outcomes, audit.entries);

    expect(run.outcomes.filter((o) => o.error)).toEqual([]);
    expect(check.disclosing.length).toBeGreaterThan(0);
    expect(check.missing).toEqual([]);
    expect(audit.chain.intact).toBe(true);
  });
});

/**
 * The soak dropped and seeded credit_soak_* whatever DATABASE_PREFIX said, so two soaks on one
 * database server destroyed each other's data.
 */
describe('the soak’s databases', () => {
  const url = 'mariadb://root@127.0.0.1:3306';
  const targetOf = (given: NodeJS.ProcessEnv) => databaseTarget(soakEnvironment(given, '/tmp/data', 6000), '/tmp/data');

  it('are named by DATABASE_PREFIX when set, and its start line names them', () => {
    const target = targetOf({ DATABASE_URL: url, DATABASE_PREFIX: 'soak_b_' });
    expect(target).toMatchObject({ kind: 'mysql', prefix: 'soak_b_' });
    expect(describeSoakDatabases(target)).toContain('soak_b_entities, soak_b_records, soak_b_reports, soak_b_providers, soak_b_audit');
  });

  it('are credit_soak_* when DATABASE_PREFIX is unset or empty', () => {
    expect(targetOf({ DATABASE_URL: url })).toMatchObject({ prefix: 'credit_soak_' });
    expect(targetOf({ DATABASE_URL: url, DATABASE_PREFIX: '' })).toMatchObject({ prefix: 'credit_soak_' });
  });
});

describe('the soak’s count of each process’s log lines', () => {
  it('counts warnings and errors per process, a line that is not JSON as an error', () => {
    const logged = new LogLevelCounts();
    logged.line('gateway', JSON.stringify({ level: 'warn', msg: 'request' }));
    logged.line('gateway', JSON.stringify({ level: 'error', msg: 'the audit log could not be written' }));
    logged.line('records', JSON.stringify({ level: 'info', msg: 'listening' }));
    logged.line('records', 'TypeError: Cannot read properties of undefined');
    logged.line('records', '');
    expect(logged.counts).toEqual({ gateway: { warn: 1, error: 1 }, records: { warn: 0, error: 1 } });
  });
});
