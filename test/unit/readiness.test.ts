import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gatewayReadiness } from '../../gateway/readiness';
import { catalogueFingerprint } from '../../lib/catalogue/fingerprint';
import { readinessRoute, type ReadinessCheck } from '../../lib/readiness';

describe('the /ready route', () => {
  let server: http.Server;
  let url: string;
  let checks = 0;
  let release: () => void = () => undefined;
  /** Probes the server has received: the check must end only once all ten are waiting on it. */
  let arrived = 0;
  const check: ReadinessCheck = () => {
    checks += 1;
    return new Promise((resolve) => (release = () => resolve({ database: { ok: true } })));
  };

  beforeAll(async () => {
    const route = readinessRoute(check, () => false);
    server = http.createServer((req, res) => {
      arrived += 1;
      void route(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ready`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('answers the probes that arrive while a check runs with that one check, and checks afresh after it', async () => {
    const answers = Array.from({ length: 10 }, () => fetch(url, { signal: AbortSignal.timeout(5_000) }));
    // Every request reaches the route before the check ends (bounded: a fetch gives up after 5 s).
    // A fixed pause was once too short under the whole suite's load on two cores: the late probe
    // started a second check, which nothing released.
    for (const deadline = Date.now() + 5_000; (arrived < 10 || checks === 0) && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(arrived).toBe(10);
    release();
    expect((await Promise.all(answers)).map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(checks).toBe(1);

    const next = fetch(url, { signal: AbortSignal.timeout(5_000) });
    while (checks === 1) await new Promise((resolve) => setTimeout(resolve, 5));
    release();
    expect((await next).status).toBe(200);
    expect(checks).toBe(2);
  });
});

describe("the gateway's readiness", () => {
  let subgraph: http.Server;
  /** What the stand-in subgraph's `/ready` answers. */
  let subgraphStatus = 503;
  /** What its body says: `{}`, as a subgraph of a release before catalogue fingerprints. */
  let subgraphBody = '{}';
  let lastAuthorization: string | undefined;

  beforeAll(async () => {
    subgraph = http.createServer((req, res) => {
      lastAuthorization = req.headers.authorization;
      res.statusCode = subgraphStatus;
      res.end(subgraphBody);
    });
    await new Promise<void>((resolve) => subgraph.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise((resolve) => subgraph.close(resolve)));

  it('waits for every subgraph to be ready once, and is then degraded, not unready, while one is not: it serves the rest', async () => {
    const url = `http://127.0.0.1:${(subgraph.address() as AddressInfo).port}/graphql`;
    const check = gatewayReadiness({ records: url }, () => true, { kind: 'ready-route', signingKey: new Uint8Array(randomBytes(32)) });
    subgraphStatus = 503;
    expect(await check()).toEqual({ supergraph: { ok: true }, records: { ok: false, detail: `${url.replace(/graphql$/, 'ready')} answered 503` } });
    subgraphStatus = 200;
    expect(await check()).toEqual({ supergraph: { ok: true }, records: { ok: true } });
    subgraphStatus = 503;
    expect(await check()).toEqual({ supergraph: { ok: true }, records: { ok: false, degraded: true, detail: `${url.replace(/graphql$/, 'ready')} answered 503` } });
  });

  it('is not ready, even after it was, while every subgraph refuses its signed identity: its signing key is the odd one', async () => {
    const url = `http://127.0.0.1:${(subgraph.address() as AddressInfo).port}/graphql`;
    const check = gatewayReadiness({ records: url }, () => true, { kind: 'ready-route', signingKey: new Uint8Array(randomBytes(32)) });
    subgraphStatus = 200;
    expect(await check()).toEqual({ supergraph: { ok: true }, records: { ok: true } });
    subgraphStatus = 401;
    const { records } = await check();
    expect(records).toEqual({ ok: false, detail: expect.stringContaining('the records subgraph refused the gateway\'s signed identity: the signing keys differ') });
  });

  it('is degraded, once it was ready, while one subgraph of several refuses its signed identity: that subgraph holds the odd key', async () => {
    const url = `http://127.0.0.1:${(subgraph.address() as AddressInfo).port}/graphql`;
    const accepting = http.createServer((_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => accepting.listen(0, '127.0.0.1', resolve));
    try {
      const other = `http://127.0.0.1:${(accepting.address() as AddressInfo).port}/graphql`;
      const check = gatewayReadiness({ records: url, entities: other }, () => true, { kind: 'ready-route', signingKey: new Uint8Array(randomBytes(32)) });
      subgraphStatus = 401;
      // Never ready yet: not ready, as a subgraph down at start.
      expect((await check()).records).toEqual({ ok: false, detail: expect.stringContaining('refused the gateway\'s signed identity') });
      subgraphStatus = 200;
      expect(await check()).toEqual({ supergraph: { ok: true }, records: { ok: true }, entities: { ok: true } });
      subgraphStatus = 401;
      expect(await check()).toEqual({ supergraph: { ok: true }, entities: { ok: true }, records: { ok: false, degraded: true, detail: expect.stringContaining('refused the gateway\'s signed identity') } });
    } finally {
      await new Promise<void>((resolve) => accepting.close(() => resolve()));
    }
  });

  /**
   * A gateway restarted alone on another release's catalogue (or left on the old one) was ready
   * while the audit subgraph refused its departments (CATALOGUE_MISMATCH) and `viewer` answered
   * `department: null`: nothing on /ready told the operator.
   */
  describe('on a subgraph running another catalogue', () => {
    afterEach(() => (subgraphBody = '{}'));
    const other = catalogueFingerprint.replace(/^./, (digit) => (digit === '0' ? '1' : '0'));
    /** What the check says of a subgraph running the catalogue `theirs`. */
    const apart = (theirs: string) =>
      `the records subgraph runs catalogue ${theirs}, this gateway ${catalogueFingerprint}: they were built on different releases, so departments, matters or grants one knows the other may not (viewer's department null, AUDIT_UNAVAILABLE with reason CATALOGUE_MISMATCH): restart every process on one release, subgraphs first`;

    it('is degraded, not unready, naming both fingerprints and what to do, even before that subgraph was ever ready: a rolling restart is under way', async () => {
      const url = `http://127.0.0.1:${(subgraph.address() as AddressInfo).port}/graphql`;
      const check = gatewayReadiness({ records: url }, () => true, { kind: 'ready-route', signingKey: new Uint8Array(randomBytes(32)) });
      subgraphStatus = 200;
      subgraphBody = JSON.stringify({ status: 'ready', catalogueFingerprint: other, checks: { database: { ok: true } } });
      const { records } = await check();
      expect(records).toEqual({ ok: false, degraded: true, detail: expect.stringContaining(`the records subgraph runs catalogue ${other}, this gateway ${catalogueFingerprint}`) });
      expect(records.detail).toContain('restart every process on one release, subgraphs first');
      subgraphStatus = 503;
      subgraphBody = '{}';
      expect((await check()).records).toEqual({ ok: false, degraded: true, detail: `${url.replace(/graphql$/, 'ready')} answered 503` });
    });

    it('names both causes of a subgraph not ready (its database down) on another catalogue: either alone is half of what to mend', async () => {
      const url = `http://127.0.0.1:${(subgraph.address() as AddressInfo).port}/graphql`;
      const check = gatewayReadiness({ records: url }, () => true, { kind: 'ready-route', signingKey: new Uint8Array(randomBytes(32)) });
      subgraphStatus = 503;
      subgraphBody = JSON.stringify({ status: 'not ready', catalogueFingerprint: other, checks: { database: { ok: false, detail: 'unreachable' } } });
      // Never ready yet: not ready, as any subgraph down at start.
      expect((await check()).records).toEqual({ ok: false, detail: `${url.replace(/graphql$/, 'ready')} answered 503; besides, ${apart(other)}` });
      subgraphStatus = 200;
      expect((await check()).records).toEqual({ ok: false, degraded: true, detail: apart(other) });
      subgraphStatus = 503;
      expect((await check()).records).toEqual({ ok: false, degraded: true, detail: `${url.replace(/graphql$/, 'ready')} answered 503; besides, ${apart(other)}` });
      subgraphBody = JSON.stringify({ status: 'not ready', catalogueFingerprint, checks: { database: { ok: false, detail: 'unreachable' } } });
      expect((await check()).records).toEqual({ ok: false, degraded: true, detail: `${url.replace(/graphql$/, 'ready')} answered 503` });
    });

    it('is ready when the fingerprints agree, and when a subgraph names none (a release before them)', async () => {
      const url = `http://127.0.0.1:${(subgraph.address() as AddressInfo).port}/graphql`;
      const check = gatewayReadiness({ records: url }, () => true, { kind: 'ready-route', signingKey: new Uint8Array(randomBytes(32)) });
      subgraphStatus = 200;
      subgraphBody = JSON.stringify({ status: 'ready', catalogueFingerprint, checks: { database: { ok: true } } });
      expect(await check()).toEqual({ supergraph: { ok: true }, records: { ok: true } });
      subgraphBody = '{}';
      expect(await check()).toEqual({ supergraph: { ok: true }, records: { ok: true } });
    });

    it('does not ask a foreign subgraph (`{ __typename }`) for one', async () => {
      const url = `http://127.0.0.1:${(subgraph.address() as AddressInfo).port}/graphql`;
      const check = gatewayReadiness({ records: url }, () => true, { kind: 'typename' });
      subgraphStatus = 200;
      subgraphBody = JSON.stringify({ data: { __typename: 'Query' }, catalogueFingerprint: other });
      expect(await check()).toEqual({ supergraph: { ok: true }, records: { ok: true } });
    });
  });

  it('asks a subgraph behind a proxy that wants a user and password (in its URL) with them as Basic credentials, never repeating them', async () => {
    const url = `http://probe%40user:S3cret%2Fpw@127.0.0.1:${(subgraph.address() as AddressInfo).port}/graphql`;
    const check = gatewayReadiness({ records: url }, () => true, { kind: 'ready-route', signingKey: new Uint8Array(randomBytes(32)) });
    subgraphStatus = 200;
    expect(await check()).toEqual({ supergraph: { ok: true }, records: { ok: true } });
    expect(lastAuthorization).toBe(`Basic ${Buffer.from('probe@user:S3cret/pw').toString('base64')}`);
    subgraphStatus = 503;
    expect(JSON.stringify(await check())).not.toMatch(/S3cret/);
  });
});

/**
 * A subgraph answers `/ready` beside its GraphQL route, as a proxy in front of it under a path
 * (https://proxy/records/graphql) serves it at /records/ready: the gateway once asked the host's
 * root (/ready), a proxy's own, or another service's, and was ready while every field of the
 * subgraph answered BAD_RESPONSE; and a URL the subgraph does not serve GraphQL at (/graphql/,
 * with a trailing slash) passed it all the same.
 */
describe("the gateway's readiness probe of a subgraph's address", () => {
  let server: http.Server;
  let base: string;
  const asked: string[] = [];

  beforeAll(async () => {
    // As a subgraph (or a proxy stripping /records): /ready at its root, 404 in JSON elsewhere.
    server = http.createServer((req, res) => {
      asked.push(req.url ?? '');
      const ready = req.url === '/ready' || req.url === '/records/ready';
      res.statusCode = ready ? 200 : 404;
      res.end(ready ? '{"status":"ready"}' : `{"errors":[{"message":"no route for ${req.url}","extensions":{"code":"ROUTE_NOT_FOUND"}}]}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const checkOf = (url: string) => gatewayReadiness({ records: url }, () => true, { kind: 'ready-route', signingKey: new Uint8Array(randomBytes(32)) });

  it.each([
    ['/graphql', '/ready'],
    ['/records/graphql', '/records/ready'],
    ['', '/ready'],
    ['/', '/ready'],
  ])('asks %s at %s', async (path, probed) => {
    asked.length = 0;
    expect(await checkOf(`${base}${path}`)()).toEqual({ supergraph: { ok: true }, records: { ok: true } });
    expect(asked).toEqual([probed]);
  });

  it('is not ready for an address the subgraph serves no GraphQL at (a trailing slash), naming the address it asked', async () => {
    asked.length = 0;
    const { records } = await checkOf(`${base}/graphql/`)();
    expect(asked).toEqual(['/graphql/ready']);
    expect(records).toEqual({ ok: false, detail: `${base}/graphql/ready answered 404: is ${base}/graphql/ the subgraph's GraphQL address? Its /ready is asked beside it` });
  });
});
