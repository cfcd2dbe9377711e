import { demoBankOrganisation, demoWorld } from '../../scripts/demo/world';
import { Consent } from '../../subgraphs/entities/entities/consent.entity';
import { demoConsents } from '../../scripts/demo/consents';
import { startPlatform, type As, type Platform } from '../helpers/platform';
import { StandInSubgraph } from '../helpers/stand-in-subgraph';
import { requestIdOf } from '../helpers/graphql';

/**
 * A consent revoked while a request relying on it is under way: the gateway asks the consent
 * register again before it releases the answer, so nothing read under the consent leaves after
 * the revocation, and the audit log has no disclosure under it later than its revocation. The
 * records subgraph is reached through a stand-in that holds the request while the consent is
 * revoked; the entities subgraph (the consent register) through another, that fails when told.
 */
const world = demoWorld({ subjects: 12 });
const consented = world.subjects[0];
const bank: As = {
  caller: { id: 'banker-inflight', organisation: demoBankOrganisation, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' },
  headers: { 'x-credit-matter': 'FINANCIAL_SERVICES', 'x-credit-consent': demoConsents.bankFinancialServices },
};
const READ = /* GraphQL */ `query Read($id: ID!) { subject(id: $id) { name creditRecords { totalCount } } }`;
/** The same read beside a field anyone may read, which no consent opened: it stands whatever becomes of the consent. */
const PUBLIC_BESIDE = /* GraphQL */ `query ReadBeside($id: ID!) { subject(id: $id) { name creditRecords { totalCount } } matters { code } }`;

describe('a consent revoked while a request under it is answered', () => {
  let platform: Platform;
  let records: StandInSubgraph;
  let entities: StandInSubgraph;

  beforeAll(async () => {
    records = await StandInSubgraph.start();
    entities = await StandInSubgraph.start();
    platform = await startPlatform({ kind: 'sqlite', directory: ':memory:' }, { seedSubjects: world.subjects.length, gateway: { subgraphUrls: { records: records.url, entities: entities.url } } });
    records.upstream = platform.subgraphs.records.url;
    entities.upstream = platform.subgraphs.entities.url;
  });
  afterAll(async () => {
    records?.release();
    await platform?.stop();
    await records?.stop();
    await entities?.stop();
  });
  afterEach(() => entities.release());

  /** Sends the bank's read with the records subgraph holding it; `meanwhile` runs once the read has reached it. */
  async function heldRead(meanwhile: () => Promise<unknown>, query = READ) {
    records.behaviour = { kind: 'hold' };
    const before = records.received.length;
    const answer = platform.query<{ subject: { name: string } | null; matters?: { code: string }[] }>(query, { id: consented.id }, bank);
    await records.receivedAtLeast(before + 1);
    await meanwhile();
    records.release();
    const result = await answer;
    const requestId = requestIdOf(result);
    const audited: { outcome: string; subject_id: string | null; occurred_at: unknown }[] = await platform.databases.audit.query('SELECT outcome, subject_id, occurred_at FROM audit_entry WHERE request_id = ?', [requestId]);
    return { result, audited };
  }

  it('releases the answer while the consent holds', async () => {
    const { result, audited } = await heldRead(async () => undefined);
    expect(result.errors).toBeUndefined();
    expect(result.data?.subject?.name).toBe(consented.name);
    expect(audited.map((a) => [a.outcome, a.subject_id])).toEqual([['DISCLOSED', consented.id]]);
  });

  it('withholds everything read under it when the consent register cannot be asked again: an outage at the fields withheld (200, the rest standing), audited as failed, not a refusal', async () => {
    const { result, audited } = await heldRead(async () => {
      entities.behaviour = { kind: 'answer', status: 503, contentType: 'text/plain', body: 'Service Unavailable' };
    }, PUBLIC_BESIDE);
    // The answer has `data`, so it is a 200 (GraphQL over HTTP), as SUBGRAPH_UNAVAILABLE at a field is: not the 503 of a request refused whole.
    expect(result.status).toBe(200);
    expect(result.headers?.get('retry-after')).toBeNull();
    expect(result.data).toEqual({ subject: null, matters: expect.arrayContaining([{ code: 'FINANCIAL_SERVICES' }]) });
    expect(result.errors?.map((e) => ({ path: e.path, extensions: e.extensions }))).toEqual([{ path: ['subject'], extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'entities', retryAfterSeconds: 5 } }]);
    expect(result.errors?.[0].message).toContain(`whether consent ${demoConsents.bankFinancialServices} still holds could not be checked and nothing read under it is released`);
    expect(JSON.stringify(result)).not.toContain(consented.name);
    expect(audited.map((a) => [a.outcome, a.subject_id])).toEqual([['FAILED', consented.id]]);
  });

  it('withholds everything read under it once it is revoked meanwhile, as a 200 answering what it read null, audits the read as denied, and refuses the next request at once, in the same shape', async () => {
    const consents = platform.databases.entities.getRepository(Consent);
    const { result, audited } = await heldRead(() => consents.update({ id: demoConsents.bankFinancialServices }, { revokedAt: new Date(), revokedBy: 'self-user', revocationReason: '客户撤回授权' }), PUBLIC_BESIDE);
    // A well-formed purpose the caller may no longer use is no HTTP error (README): 200 with `data`, not a 400.
    expect(result.status).toBe(200);
    expect(result.data).toEqual({ subject: null, matters: expect.arrayContaining([{ code: 'FINANCIAL_SERVICES' }]) });
    expect(result.errors?.map((e) => ({ message: e.message, path: e.path, extensions: e.extensions }))).toEqual([
      {
        message: expect.stringMatching(new RegExp(`^consent ${demoConsents.bankFinancialServices} is revoked: revoked at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+08:00 \\(it was valid from 2026-07-01 through 2027-06-30\\), so nothing read under it is released$`)),
        path: ['subject'],
        extensions: { code: 'FORBIDDEN', problem: 'CONSENT_REVOKED', header: 'x-credit-consent', group: 'SUBJECT_BASICS', field: 'Query.subject' },
      },
    ]);
    expect(JSON.stringify(result)).not.toContain(consented.name);
    expect(audited.map((a) => [a.outcome, a.subject_id])).toEqual([['DENIED', consented.id]]);

    const next = await platform.query<{ subject: unknown }>(PUBLIC_BESIDE, { id: consented.id }, bank);
    expect(next.status).toBe(200);
    expect(next.data).toEqual({ subject: null, matters: result.data?.matters });
    // The same shape: the field withheld and its group named, as for a field refused before execution.
    expect(next.errors?.map((e) => ({ path: e.path, extensions: e.extensions }))).toEqual(result.errors?.map((e) => ({ path: e.path, extensions: e.extensions })));
    expect(next.errors?.[0].message).toContain('is revoked');
  });

  it('answers each of many reads under it, revoked part-way, with the subject null and the refusal, every one a 200', async () => {
    const consents = platform.databases.entities.getRepository(Consent);
    await consents.update({ id: demoConsents.bankFinancialServices }, { revokedAt: null, revokedBy: null, revocationReason: null });
    records.behaviour = { kind: 'hold' };
    const before = records.received.length;
    const reads = Array.from({ length: 30 }, () => platform.query<{ subject: { name: string } | null }>(READ, { id: consented.id }, bank));
    await records.receivedAtLeast(before + 1);
    await consents.update({ id: demoConsents.bankFinancialServices }, { revokedAt: new Date(), revokedBy: 'self-user', revocationReason: '客户撤回授权' });
    records.release();
    const answers = await Promise.all(reads);
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    for (const answer of answers) {
      expect(answer.data).toEqual({ subject: null });
      // Withheld at the re-check, or refused before execution (which also names the group and field it lacked).
      expect(answer.errors?.map((e) => ({ path: e.path, extensions: e.extensions }))).toEqual([{ path: ['subject'], extensions: expect.objectContaining({ code: 'FORBIDDEN', problem: 'CONSENT_REVOKED', header: 'x-credit-consent' }) }]);
    }
    expect(answers.filter((a) => a.errors?.[0].message.endsWith('so nothing read under it is released')).length).toBeGreaterThan(0);
  });
});
