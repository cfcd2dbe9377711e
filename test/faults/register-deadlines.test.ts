import http from 'node:http';
import type { Caller } from '../../lib/access/identity';
import { RequestDeadline } from '../../lib/deadline';
import { demoConsents } from '../../scripts/demo/consents';
import { demoBankOrganisation, demoWorld } from '../../scripts/demo/world';
import { type GraphQLResponse, requestIdOf } from '../helpers/graphql';
import { startPlatform, type As, type Platform } from '../helpers/platform';
import { StandInSubgraph } from '../helpers/stand-in-subgraph';

/**
 * The gateway's own calls to a register (a consent, a provider's standing) are made for a request
 * and take no more than it has left, as its planned fetches do: a register that does not answer
 * costs the caller the request's time limit, not the register client's own 5 s, and the register
 * is told how long it has (`x-request-timeout-ms`). Their re-check before the answer is released,
 * and the lookup of the subject a refused field named by code, are not counted in the request's
 * time (README, REQUEST_TIMEOUT_MS): they are asked however little the planned fetches left. The consent register (entities) and the provider registry are reached
 * through stand-ins that hang, or hold calls, on cue. SQLite only: what is under test is the
 * gateway's HTTP side.
 */
const world = demoWorld({ subjects: 12 });
/** Long enough that a planned fetch may end within its own time and still past the last 500 ms a register call of the request leaves. */
const requestTimeoutMs = 2_500;
const READ = /* GraphQL */ `query Read($id: ID!) { subject(id: $id) { name } }`;
const bank: As = {
  caller: { id: 'banker-deadline', organisation: demoBankOrganisation, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' },
  headers: { 'x-credit-matter': 'FINANCIAL_SERVICES', 'x-credit-consent': demoConsents.bankFinancialServices },
};
const collector: Caller = { id: 'collector-deadline', organisation: world.providers[0].unifiedSocialCreditCode, organisationKind: 'CREDIT_SERVICE_PROVIDER', role: 'EXTERNAL_USER' };
const collection: As = { caller: collector, headers: { 'x-credit-matter': 'PROVIDER_DATA_COLLECTION', 'x-credit-consent': demoConsents.providerCollection } };

describe("the gateway's register calls within the request's time", () => {
  let platform: Platform;
  let entities: StandInSubgraph;
  let providers: StandInSubgraph;

  beforeAll(async () => {
    entities = await StandInSubgraph.start();
    providers = await StandInSubgraph.start();
    platform = await startPlatform({ kind: 'sqlite', directory: ':memory:' }, { seedSubjects: world.subjects.length, gateway: { subgraphUrls: { entities: entities.url, providers: providers.url }, requestTimeoutMs } });
    entities.upstream = platform.subgraphs.entities.url;
    providers.upstream = platform.subgraphs.providers.url;
  });
  afterAll(async () => {
    await platform?.stop();
    await entities?.stop();
    await providers?.stop();
  });
  afterEach(() => {
    entities.behaviour = { kind: 'proxy' };
    providers.behaviour = { kind: 'proxy' };
  });

  /** The one register call `stand-in` received for the request, and the answer: the register hangs. */
  async function withRegisterHanging(standIn: () => StandInSubgraph, as: As, operation: string) {
    const before = standIn().received.length;
    standIn().behaviour = { kind: 'hang' };
    const result = await platform.query<{ subject: { name: string } | null }>(READ, { id: world.subjects[0].id }, as);
    const calls = standIn().received.slice(before).filter((call) => call.query.includes(operation));
    return { result, calls };
  }

  it("asks the consent register with no more than the request's time, and answers one that hangs as an outage, nothing read under the consent", async () => {
    const { result, calls } = await withRegisterHanging(() => entities, bank, 'consentForAccess');
    expect(calls).toHaveLength(1);
    expect(Number(calls[0].headers['x-request-timeout-ms'])).toBeGreaterThan(0);
    expect(Number(calls[0].headers['x-request-timeout-ms'])).toBeLessThanOrEqual(requestTimeoutMs);
    expect(result.data?.subject ?? null).toBeNull();
    expect(result.errors?.map((e) => e.extensions?.code)).toContain('SUBGRAPH_UNAVAILABLE');
    expect(JSON.stringify(result)).not.toContain(world.subjects[0].name);
  });

  it("asks the provider registry for a provider's standing with no more than the request's time", async () => {
    const { result, calls } = await withRegisterHanging(() => providers, collection, 'mayCollectPublicCreditData');
    expect(calls).toHaveLength(1);
    expect(Number(calls[0].headers['x-request-timeout-ms'])).toBeGreaterThan(0);
    expect(Number(calls[0].headers['x-request-timeout-ms'])).toBeLessThanOrEqual(requestTimeoutMs);
    expect(result.data?.subject ?? null).toBeNull();
    expect(result.errors?.map((e) => e.extensions?.code)).toContain('SUBGRAPH_UNAVAILABLE');
  });

  /**
   * While `work` runs, the request's own deadline at the gateway (its REQUEST_TIMEOUT_MS, told from
   * the deadlines the gateway builds from a call's header) says no more than `ms` are left: the
   * moments a request has once its planned fetches ended late in its time, told to it rather than
   * slept out. Waiting for the wall clock to reach them gave each held call 150-190 ms to answer in,
   * which a pause of this process took (a collection of a jest heap of some GB, as CI's one process
   * has late in its run), and the read was refused for the call before planning or the fetch's own
   * timeout, not for what these tests are about.
   */
  async function withRequestTimeLeft<T>(ms: number, work: () => Promise<T>): Promise<T> {
    const left = jest.spyOn(RequestDeadline.prototype, 'left').mockImplementation(function (this: RequestDeadline, now: number = Date.now()) {
      const real = this.at - now;
      return this.service === 'gateway' && this.budgetMs === requestTimeoutMs ? Math.min(real, ms) : real;
    });
    try {
      return await work();
    } finally {
      left.mockRestore();
    }
  }

  /**
   * The request's read under `as`, its planned fetch (to the entities subgraph) answered with some
   * 320 ms of the request's time left, less than a register call of the request keeps back (500 ms,
   * RequestDeadline.afterPeerAllowanceMs), though within its own: the register call asked before it
   * (`first`: the consent, or a provider's standing with the consent passing beside it) answered,
   * the fetch held, and let go once the request's deadline says 320 ms are left.
   */
  async function readEndingLate(first: StandInSubgraph, as: As, subject: { id: string }) {
    const before = { first: first.received.length, entities: entities.received.length };
    // The consent's call passes; the planned fetch, the next, is held.
    entities.behaviour = { kind: 'hold' };
    entities.passNext(1);
    const answer = platform.query<{ subject: { name: string } | null }>(READ, { id: subject.id }, as);
    await first.receivedAtLeast(before.first + 1);
    // The consent's call, then the planned fetch: waited for, bounded.
    await entities.receivedAtLeast(before.entities + 2);
    const result = await withRequestTimeLeft(320, async () => {
      entities.release();
      return await answer;
    });
    const consents = entities.received.slice(before.entities).filter((call) => call.query.includes('consentForAccess'));
    return { result, consents };
  }

  // Each read of the subject its consent names.
  it.each([
    ['the consent', () => entities, bank, world.subjects[0]],
    ["the consent and a provider's standing", () => providers, collection, world.subjects[3]],
  ] as [string, () => StandInSubgraph, As, { id: string; name: string }][])("asks %s again before release though the planned fetches left less than a register call keeps back, and releases what they read: the re-check is not counted in the request's time", async (_asked, first, as, subject) => {
    const standings = providers.received.length;
    const { result, consents } = await readEndingLate(first(), as, subject);
    expect(result.errors).toBeUndefined();
    expect(result.data?.subject?.name).toBe(subject.name);
    expect(consents).toHaveLength(2);
    if (as === collection) expect(providers.received.slice(standings).filter((call) => call.query.includes('mayCollectPublicCreditData'))).toHaveLength(2);
  });

  it("looks up the subject of a field refused by its code though the planned fetch left less than a register call keeps back, and audits the refusal in that subject's trail", async () => {
    // The provider registry is anyone's to read, a subject's basics are not: subjectByCode is cut, never fetched.
    const [provider, refused] = [world.providers[0], world.subjects.find((s) => s.kind === 'ENTERPRISE')!];
    const body = JSON.stringify({ query: `{ creditServiceProviderByCode(code: "${provider.unifiedSocialCreditCode}") { name } subjectByCode(code: "${refused.identifier}") { name } }` });
    const before = providers.received.length;
    providers.behaviour = { kind: 'hold' };
    const answer = new Promise<{ text: string; requestId: string }>((resolve, reject) => {
      const request = http.request(platform.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ text, requestId: requestIdOf(response) }));
      });
      request.on('error', reject);
      request.end(body);
    });
    // The providers fetch held, then let go once the request's deadline says 320 ms are left (withRequestTimeLeft).
    await providers.receivedAtLeast(before + 1);
    expect(providers.received).toHaveLength(before + 1);
    const { text: answered, requestId } = await withRequestTimeLeft(320, async () => {
      providers.release();
      return await answer;
    });
    const result = JSON.parse(answered) as GraphQLResponse<{ creditServiceProviderByCode: { name: string } | null }>;
    expect(result.data?.creditServiceProviderByCode?.name).toBe(provider.name);
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    const denied: { subject_id: string | null }[] = await platform.databases.audit.query("SELECT subject_id FROM audit_entry WHERE request_id = ? AND outcome = 'DENIED'", [requestId]);
    expect(denied).toEqual([{ subject_id: refused.id }]);
  });
});
