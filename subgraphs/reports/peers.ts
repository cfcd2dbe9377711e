import { GraphQLError } from 'graphql';
import { identityHeader, signerFor, type RequestIdentity } from '../../lib/access/identity';
import { PeerTimeout } from '../../lib/deadline';
import { ErrorCode, peerOutageCause, retryMends, serviceUnavailable, SubgraphFault } from '../../lib/errors';
import { passedOnOutage, peerUnavailable, type PeerError } from '../../lib/internal-client';
import { withoutCredentials } from '../../lib/env';
import { answeredAsGraphQL, send, type PlatformResponse } from '../../lib/platform-http';
import { defaultUrl } from '../../schema/subgraphs';
import { disclose, discloseConsent, type RequestAccess } from '../shared/access';

/** The subgraphs the reports subgraph calls directly (for writes and generation, not for display). */
export type Peer = 'entities' | 'records' | 'providers';

/**
 * Where the peers are. A function, read per call, so that tests can start the peers after this
 * subgraph and point it at them; the process reads `SUBGRAPH_<NAME>_URL` once at boot (config.ts).
 */
export interface ReportsPeers {
  url(peer: Peer): string;
  timeoutMs?: number;
}

export const defaultPeers: ReportsPeers = { url: (peer) => defaultUrl(peer) };

/** Codes a peer may answer that mean the same thing to our caller; anything else is our fault. */
const passedThrough = new Set<string>([ErrorCode.FORBIDDEN, ErrorCode.NOT_FOUND, ErrorCode.BAD_USER_INPUT, ErrorCode.INVALID_CURSOR, ErrorCode.UNAUTHENTICATED]);

/** What a peer's answer says it disclosed (its `extensions.disclosures`). */
interface PeerDisclosure {
  subjectId: string;
  groups: string[];
  toAnyone?: boolean;
  consentId?: string;
}

/**
 * Calls a peer subgraph directly, as the gateway would: with an identity signed by the key the
 * gateway and every subgraph share. Used where federation cannot help because the answer decides
 * a write (a provider's standing when a report is registered) or becomes part of a stored document
 * (the records in a generated report).
 *
 * Disclosures the peers report are held until `release()`, which adds them to this request's,
 * so that the gateway audits them as if it had fetched them itself: call it once the field that
 * needed the reads answers (a generated report is stored). A read whose field then fails (the
 * records subgraph down after the subject's basics were read) reached nobody, and is not audited
 * as DISCLOSED. One client per field: `peers(ctx)` in resolvers.ts makes one per call.
 *
 * A call a peer provably never ran (its connection refused, a replica that is stopping refusing it
 * unread) is sent once more, on a new connection, as every platform call is (lib/platform-http.ts
 * `send`): in a peer's rolling restart, another replica answers it. A peer that still cannot
 * answer is SUBGRAPH_UNAVAILABLE naming it, with the reason the gateway gives for a subgraph of its
 * own (UNREACHABLE, TIMEOUT, BAD_RESPONSE); its own outage (DATABASE_UNAVAILABLE, or
 * SUBGRAPH_UNAVAILABLE about a subgraph it asked) is passed on naming the subgraph that failed (lib/internal-client.ts `passedOnOutage`, as the records subgraph
 * passes on its peers'). The gateway keeps that name (lib/errors.ts, withUnavailablePeerNamed).
 */
export class PeerClient {
  private readonly held: PeerDisclosure[] = [];

  constructor(
    private readonly peers: ReportsPeers,
    private readonly signingKey: Uint8Array,
    private readonly access: RequestAccess,
  ) {}

  /** The peers' disclosures held so far become this request's (see the class): the field that needed them answers. */
  release(): void {
    for (const { subjectId, groups, toAnyone, consentId } of this.held.splice(0)) {
      for (const group of groups) {
        if (consentId) discloseConsent(this.access, { id: consentId, subjectId }, group);
        else disclose(this.access, subjectId, group, toAnyone ? 'ANYONE' : 'UNDER_PURPOSE');
      }
    }
  }

  async query<T>(peer: Peer, query: string, variables: Record<string, unknown>, identity: RequestIdentity): Promise<T> {
    const url = this.peers.url(peer);
    let response: PlatformResponse;
    try {
      response = await send(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [identityHeader]: await signerFor(this.signingKey).sign(identity), 'x-request-id': identity.requestId },
        body: JSON.stringify({ query, variables }),
        timeoutMs: this.peers.timeoutMs ?? 10_000,
        deadline: this.access.deadline,
        service: peer,
      });
    } catch (error) {
      if (!(error instanceof PeerTimeout)) throw peerUnavailable(peer, SubgraphFault.UNREACHABLE, `the ${peer} subgraph could not be reached, so nothing was stored: retry later`, new Error(`${withoutCredentials(url)}: ${(error as Error).message}`, { cause: error }));
      throw peerUnavailable(peer, SubgraphFault.TIMEOUT, `${error.message}, so nothing was stored: retry later`, new Error(`${withoutCredentials(url)}: ${error.message}`));
    }
    // Read only from a status a GraphQL server answers with: the JSON of a 404 (an address that
    // names no endpoint) is no answer of the peer's, and its ROUTE_NOT_FOUND no refusal to pass on.
    const body = (answeredAsGraphQL(response.status) ? parseJson(response.text) : {}) as {
      data?: T | null;
      errors?: (PeerError & { extensions?: { code?: string } })[];
      extensions?: { disclosures?: PeerDisclosure[] };
    };
    // A peer's refusal of the signed identity (401): keys or clocks apart, the platform's fault, not the caller's token's (SubgraphFault.IDENTITY_REFUSED).
    if (response.status === 401) {
      throw peerUnavailable(peer, SubgraphFault.IDENTITY_REFUSED, `the ${peer} subgraph refused the platform's own credentials for this call (a fault of the platform's configuration, not of your token), so nothing was stored`,
        new Error(`${withoutCredentials(url)} answered 401 to the platform's signed identity: check that both hold the same GATEWAY_SIGNING_KEY and that their clocks agree`));
    }
    const disclosures = body.extensions?.disclosures;
    if (Array.isArray(disclosures)) this.held.push(...disclosures);
    const error = body.errors?.[0];
    if (error) {
      const code = error.extensions?.code;
      if (code && passedThrough.has(code)) {
        // The refusal is this subgraph's answer to its caller, in the peer's words (they speak
        // of the request, its purpose, the subject), not prefixed with the peer's name: a front
        // end shows it as any other message. `serviceName` names the peer to a direct caller;
        // the gateway sets it to this subgraph, whose answer it is.
        const { code: _code, ...details } = error.extensions ?? {};
        throw new GraphQLError(error.message, { extensions: { code, ...details, serviceName: peer } });
      }
      const outage = passedOnOutage(peer, [error]);
      if (outage) throw outage;
      // A fault of the peer's, or of this subgraph's query: logged (masked) as ours, its first message only.
      const more = (body.errors?.length ?? 1) - 1;
      throw new Error(`the ${peer} subgraph answered ${response.status}: ${error.message}${more ? ` (and ${more} more errors)` : ''}`);
    }
    // Not a GraphQL answer (an HTML error page of a proxy in front of the peer, broken JSON), as the gateway tells it of a subgraph of its own.
    if (response.status < 200 || response.status > 299 || !body.data) {
      throw peerUnavailable(peer, SubgraphFault.BAD_RESPONSE, `the ${peer} subgraph answered ${response.status} without a GraphQL response, so nothing was stored: retry later`, new Error(`${withoutCredentials(url)} answered ${response.status}: ${response.text.slice(0, 200)}`));
    }
    return body.data;
  }
}

/**
 * Rethrows a failed read's SUBGRAPH_UNAVAILABLE as what could not be checked (`question`), where
 * the call's own words speak of nothing stored: a report whose records or issuer cannot be asked
 * after is never shown as accepted. Its `serviceName` (`peer` when it names none) and `reason`
 * stay as the call gave them.
 */
export function asUnansweredRead(error: unknown, peer: Peer, question: string): never {
  if (error instanceof GraphQLError && error.extensions?.code === ErrorCode.SUBGRAPH_UNAVAILABLE) {
    const { serviceName, reason } = error.extensions;
    const named = typeof serviceName === 'string' ? serviceName : peer;
    // Its reason decides the retry, as every SUBGRAPH_UNAVAILABLE's does: none mends IDENTITY_REFUSED.
    const known = typeof reason === 'string' && (Object.values(SubgraphFault) as string[]).includes(reason) ? (reason as SubgraphFault) : undefined;
    const then = known === undefined || retryMends(known) ? 'retry later' : 'no retry mends that until an operator makes the platform\'s keys (or clocks) agree';
    const unavailable = serviceUnavailable(named, `the ${named} subgraph gave no usable answer, so ${question} could not be checked: ${then}`, { cause: peerOutageCause(error), reason: known });
    if (reason && !known) unavailable.extensions.reason = reason;
    throw unavailable;
  }
  throw error;
}

/** A peer's answer that is not JSON is read as an empty one: it has neither data nor errors. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
