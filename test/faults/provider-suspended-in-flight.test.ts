import type { Caller } from '../../lib/access/identity';
import { demoConsents } from '../../scripts/demo/consents';
import { demoWorld } from '../../scripts/demo/world';
import { CreditServiceProvider } from '../../subgraphs/providers/entities/credit-service-provider.entity';
import { testDatabases } from '../helpers/databases';
import { startPlatform, type As, type Platform } from '../helpers/platform';
import { StandInSubgraph } from '../helpers/stand-in-subgraph';
import { requestIdOf } from '../helpers/graphql';

/**
 * A credit service provider suspended while its collection is under way: the gateway asks the
 * provider registry again, beside the consent register, before it releases the answer, so the
 * provider gets nothing after its suspension, as a bank gets nothing after its consent is revoked.
 * The records subgraph is reached through a stand-in that holds the request meanwhile; the
 * providers subgraph (the registry) through another, that counts the gateway's calls and fails
 * when told.
 */
const world = demoWorld({ subjects: 12 });
const consented = world.subjects[3];
const code = world.providers[0].unifiedSocialCreditCode;
const collector: Caller = { id: 'collector-inflight', organisation: code, organisationKind: 'CREDIT_SERVICE_PROVIDER', role: 'EXTERNAL_USER' };
const collection: As = { caller: collector, headers: { 'x-credit-matter': 'PROVIDER_DATA_COLLECTION', 'x-credit-consent': demoConsents.providerCollection } };
/** The subject read beside a field anyone may read, which no consent opened: it stands whatever becomes of the provider. */
const READ = /* GraphQL */ `query Collect($id: ID!) { subject(id: $id) { name creditRecords { totalCount } } matters { code } }`;

describe.each(testDatabases)('a provider suspended while its collection is answered, on $label', (database) => {
  const suite = 'provinflight';
  let platform: Platform;
  let records: StandInSubgraph;
  let providers: StandInSubgraph;

  beforeAll(async () => {
    records = await StandInSubgraph.start();
    providers = await StandInSubgraph.start();
    await database.cleanUp(suite);
    platform = await startPlatform(database.target(suite), { seedSubjects: world.subjects.length, gateway: { subgraphUrls: { records: records.url, providers: providers.url } } });
    records.upstream = platform.subgraphs.records.url;
    providers.upstream = platform.subgraphs.providers.url;
  });
  afterAll(async () => {
    records?.release();
    providers?.release();
    await platform?.stop();
    await records?.stop();
    await providers?.stop();
    await database.cleanUp(suite);
  });
  afterEach(() => providers.release());

  /** Sends the provider's collection with the records subgraph holding it; `meanwhile` runs once the read has reached it. */
  async function heldRead(meanwhile: () => Promise<unknown>) {
    records.behaviour = { kind: 'hold' };
    const before = records.received.length;
    const asked = providers.received.length;
    const answer = platform.query<{ subject: { name: string } | null; matters: { code: string }[] }>(READ, { id: consented.id }, collection);
    await records.receivedAtLeast(before + 1);
    await meanwhile();
    records.release();
    const result = await answer;
    const requestId = requestIdOf(result);
    const audited: { outcome: string; subject_id: string | null; consent_id: string | null }[] = await platform.databases.audit.query('SELECT outcome, subject_id, consent_id FROM audit_entry WHERE request_id = ?', [requestId]);
    return { result, audited, standingCalls: providers.received.slice(asked).filter((call) => call.query.includes('creditServiceProviderByCode')).length };
  }

  it('releases the answer while the provider may collect, having asked the registry once on arrival and once before release', async () => {
    const { result, audited, standingCalls } = await heldRead(async () => undefined);
    expect(result.errors).toBeUndefined();
    expect(result.data?.subject?.name).toBe(consented.name);
    expect(audited.map((a) => [a.outcome, a.subject_id, a.consent_id])).toEqual([['DISCLOSED', consented.id, demoConsents.providerCollection]]);
    expect(standingCalls).toBe(2);
  });

  it('withholds what it read when the registry cannot be asked again: an outage at the fields withheld (200, the rest standing), audited as failed', async () => {
    const { result, audited } = await heldRead(async () => {
      providers.behaviour = { kind: 'answer', status: 503, contentType: 'text/plain', body: 'Service Unavailable' };
    });
    expect(result.status).toBe(200);
    expect(result.data).toEqual({ subject: null, matters: expect.arrayContaining([{ code: 'PROVIDER_DATA_COLLECTION' }]) });
    expect(result.errors?.map((e) => ({ path: e.path, extensions: e.extensions }))).toEqual([{ path: ['subject'], extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'providers', retryAfterSeconds: 5 } }]);
    expect(result.errors?.[0].message).toContain(`whether ${code} may still collect public credit data could not be checked and nothing it read is released`);
    expect(JSON.stringify(result)).not.toContain(consented.name);
    expect(audited.map((a) => [a.outcome, a.subject_id])).toEqual([['FAILED', consented.id]]);
  });

  it('withholds what it read once the provider is suspended meanwhile, audits the read as denied under its consent, and refuses the next request at once', async () => {
    const registry = platform.databases.providers.getRepository(CreditServiceProvider);
    const { result, audited } = await heldRead(() => registry.update({ unifiedSocialCreditCode: code }, { filingStatus: 'SUSPENDED' }));
    expect(result.status).toBe(200);
    expect(result.data).toEqual({ subject: null, matters: expect.arrayContaining([{ code: 'PROVIDER_DATA_COLLECTION' }]) });
    expect(result.errors?.map((e) => ({ message: e.message, path: e.path, extensions: e.extensions }))).toEqual([
      {
        message: `${code} is not a filed provider allowed to collect public credit data, so nothing it read is released`,
        path: ['subject'],
        extensions: { code: 'FORBIDDEN', problem: 'PROVIDER_MAY_NOT_COLLECT', group: 'SUBJECT_BASICS', field: 'Query.subject' },
      },
    ]);
    expect(JSON.stringify(result)).not.toContain(consented.name);
    expect(audited.map((a) => [a.outcome, a.subject_id, a.consent_id])).toEqual([['DENIED', consented.id, demoConsents.providerCollection]]);

    const next = await platform.query<{ subject: unknown }>(READ, { id: consented.id }, collection);
    expect(next.status).toBe(200);
    // Refused on arrival, under the consent given to it all the same: the attempt is found by the consent's id, as the one refused mid-request.
    const refusedOnArrival: { outcome: string; subject_id: string | null; consent_id: string | null }[] = await platform.databases.audit.query('SELECT outcome, subject_id, consent_id FROM audit_entry WHERE request_id = ?', [requestIdOf(next)]);
    expect(refusedOnArrival.map((a) => [a.outcome, a.consent_id])).toEqual([['DENIED', demoConsents.providerCollection]]);
    expect(next.data).toEqual({ subject: null, matters: result.data?.matters });
    // The same shape: the field withheld and its group named, as for a field refused before execution.
    expect(next.errors?.map((e) => ({ path: e.path, extensions: e.extensions }))).toEqual(result.errors?.map((e) => ({ path: e.path, extensions: e.extensions })));
  });
});
