import { clockToleranceSeconds, identityHeader, signerFor, type SignedIdentity } from '../lib/access/identity';
import { catalogueFingerprint } from '../lib/catalogue/fingerprint';
import { withoutCredentials } from '../lib/env';
import { withTimeout, type DependencyState, type ReadinessCheck } from '../lib/readiness';

/** How long the gateway waits for a subgraph's `/ready` before it counts it as not ready. */
const subgraphProbeMs = 2_000;

/**
 * How a subgraph is asked whether it is ready: this platform's subgraphs answer `/ready` beside
 * their GraphQL route (up, their database answers, and the gateway's identity signed with
 * `signingKey` verifies); any other GraphQL server (a foreign supergraph, served with access
 * control off) is asked `{ __typename }`.
 */
export type SubgraphProbe = { kind: 'ready-route'; signingKey: Uint8Array } | { kind: 'typename' };

/** Signed only for the subgraph to check the signature: it may read nothing. */
const probeIdentity: SignedIdentity = { caller: null, purpose: null, grants: [], scope: {} };

/**
 * Where a subgraph's `/ready` is asked: beside its routing URL, not at its host's root, so that
 * a subgraph behind a proxy under a path (https://proxy/records/graphql) is asked at
 * https://proxy/records/ready, as its GraphQL is, and not the proxy's own /ready. An address the
 * subgraph serves no GraphQL at is asked where it serves no /ready either (/graphql/ at
 * /graphql/ready): not ready, rather than ready and every field BAD_RESPONSE.
 */
function readyAddress(address: URL): URL {
  return new URL('ready', address);
}

async function probe(how: SubgraphProbe, url: string): Promise<Response> {
  const signal = AbortSignal.timeout(subgraphProbeMs);
  const { address, credentials } = withCredentialsApart(url);
  if (how.kind === 'ready-route') {
    return await fetch(readyAddress(address), { headers: { ...credentials, [identityHeader]: await signerFor(how.signingKey).sign(probeIdentity) }, signal });
  }
  return await fetch(address, { method: 'POST', headers: { ...credentials, 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}', signal });
}

/**
 * The catalogue fingerprint a subgraph of this platform answered on `/ready` (lib/readiness.ts),
 * ready or not (its database down: a 503 names it too), the body read or dropped. Undefined from
 * a foreign server, which has no catalogue, and from a subgraph of a release before fingerprints
 * (or a body that is no JSON: a 404 page, a proxy's 502), which cannot be compared: as before.
 */
async function fingerprintAnswered(how: SubgraphProbe, response: Response): Promise<string | undefined> {
  if (how.kind !== 'ready-route') {
    await response.body?.cancel();
    return undefined;
  }
  const body = (await response.json().catch(() => null)) as { catalogueFingerprint?: unknown } | null;
  return typeof body?.catalogueFingerprint === 'string' ? body.catalogueFingerprint : undefined;
}

/** Why a subgraph that answered `status` is not ready, naming what was asked (without a user, password or query). */
function answeredDetail(how: SubgraphProbe, url: string, status: number): string {
  const address = withoutCredentials(url);
  if (how.kind === 'typename') return `{ __typename } at ${address} answered ${status}`;
  const asked = withoutCredentials(readyAddress(new URL(url)).href);
  // A subgraph answers 404 at any path but its own: the URL names none of its routes.
  return status === 404 ? `${asked} answered 404: is ${address} the subgraph's GraphQL address? Its /ready is asked beside it` : `${asked} answered ${status}`;
}

/**
 * A subgraph's address with a proxy's user and password (http://user:secret@host) as the
 * gateway's own fetches send them, as Basic credentials: fetch refuses a URL that holds them, and
 * its error, which repeats the URL, would be the subgraph's `detail` on `/ready`, which anyone reads.
 */
function withCredentialsApart(url: string): { address: URL; credentials: Record<string, string> } {
  const address = new URL(url);
  if (!address.username && !address.password) return { address, credentials: {} };
  const basic = Buffer.from(`${decodeURIComponent(address.username)}:${decodeURIComponent(address.password)}`).toString('base64');
  address.username = '';
  address.password = '';
  return { address, credentials: { authorization: `Basic ${basic}` } };
}

/**
 * The gateway is ready when its supergraph is loaded and every subgraph it routes to has said it
 * is ready since the gateway started: until then it would answer every field of one missing. A
 * subgraph that is down later leaves it ready, `degraded`, the subgraph named in `checks`: the
 * gateway still serves the other subgraphs' fields (SUBGRAPH_UNAVAILABLE for the missing ones),
 * and every replica of it shares the subgraph, so that an orchestrator taking the replicas out of
 * service for it would turn the outage of a part (the records subgraph's database) into one of
 * the whole (the provider registry, the catalogues, whatever else answers), as Apollo Router's
 * readiness does not depend on its subgraphs either.
 *
 * A subgraph that refuses the gateway's signed identity (401) holds another signing key (or its
 * clock is apart), which no waiting mends: the gateway answers every field of it
 * SUBGRAPH_UNAVAILABLE (IDENTITY_REFUSED), as if it were down, and is degraded once it was ready.
 * When every subgraph refuses it, the odd key is the gateway's: not ready, whenever, so that a
 * rollout of gateways with the wrong key takes no traffic, and during a change of key the replicas
 * holding the old one leave service for those holding the new one. One subgraph started with the
 * wrong key is that subgraph's outage, not the whole platform's, as a subgraph down is.
 *
 * A subgraph built on another catalogue than the gateway's (another release: the catalogue is
 * code, lib/catalogue/fingerprint.ts) is degraded, whenever, never not ready: during a rolling
 * restart, subgraphs first, every gateway runs the old release's catalogue while the subgraphs
 * take the new one, and taking every gateway out of service then would turn a release into an
 * outage. The check names both fingerprints, for an operator and a monitor to see a restart left
 * half done (a gateway restarted alone, or one left behind); of a subgraph not ready besides (its
 * database down), beside why it is not ready, as either alone is half of what the operator must mend.
 */
export function gatewayReadiness(subgraphUrls: Record<string, string>, supergraphLoaded: () => boolean, how: SubgraphProbe): ReadinessCheck {
  const seenReady = new Set<string>();
  return async () => {
    const checks: Record<string, DependencyState> = { supergraph: supergraphLoaded() ? { ok: true } : { ok: false, detail: 'not loaded yet' } };
    const refused = new Set<string>();
    await Promise.all(
      Object.entries(subgraphUrls).map(async ([name, url]) => {
        try {
          const response = await withTimeout(`the ${name} subgraph`, subgraphProbeMs, probe(how, url));
          const theirs = await fingerprintAnswered(how, response);
          const apart = theirs === undefined || theirs === catalogueFingerprint ? undefined : catalogueApart(name, theirs);
          if (response.ok) {
            seenReady.add(name);
            checks[name] = apart ? { ok: false, degraded: true, detail: apart } : { ok: true };
          } else if (how.kind === 'ready-route' && response.status === 401) {
            refused.add(name);
            checks[name] = notReady(name, identityRefused(name));
          } else checks[name] = notReady(name, apart ? `${answeredDetail(how, url, response.status)}; besides, ${apart}` : answeredDetail(how, url, response.status));
        } catch (error) {
          checks[name] = notReady(name, `unreachable: ${(error as Error).message}`);
        }
      }),
    );
    const names = Object.keys(subgraphUrls);
    if (names.length && names.every((name) => refused.has(name))) for (const name of names) checks[name] = { ok: false, detail: identityRefused(name) };
    return checks;
  };

  function notReady(name: string, detail: string): DependencyState {
    return seenReady.has(name) ? { ok: false, degraded: true, detail } : { ok: false, detail };
  }
}

function catalogueApart(name: string, theirs: string): string {
  return `the ${name} subgraph runs catalogue ${theirs}, this gateway ${catalogueFingerprint}: they were built on different releases, so departments, matters or grants one knows the other may not (viewer's department null, AUDIT_UNAVAILABLE with reason CATALOGUE_MISMATCH): restart every process on one release, subgraphs first`;
}

function identityRefused(name: string): string {
  return `the ${name} subgraph refused the gateway's signed identity: the signing keys differ (both must hold the same GATEWAY_SIGNING_KEY), or the gateway's clock runs more than ${clockToleranceSeconds} s ahead of the subgraph's (or more than ${2 * clockToleranceSeconds} s behind it)`;
}
