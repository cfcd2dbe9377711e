import { GraphQLError } from 'graphql';
import { identityHeader, signerFor, type RequestIdentity } from '../../lib/access/identity';
import { PeerTimeout } from '../../lib/deadline';
import { ErrorCode, serviceUnavailable, SubgraphFault } from '../../lib/errors';
import { send, type PlatformResponse } from '../../lib/platform-http';
import { defaultUrl } from '../../schema/subgraphs';
import { disclose, type RequestAccess } from '../shared/access';

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

/**
 * Calls a peer subgraph directly, as the gateway would: with an identity signed by the key the
 * gateway and every subgraph share. Used where federation cannot help because the answer decides
 * a write (a provider's standing when a report is registered) or becomes part of a stored document
 * (the records in a generated report). Disclosures the peer reports are added to this request's,
 * so that the gateway audits them as if it had fetched them itself.
 */
export class PeerClient {
  constructor(
    private readonly peers: ReportsPeers,
    private readonly signingKey: Uint8Array,
    private readonly access: RequestAccess,
  ) {}

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
      if (!(error instanceof PeerTimeout)) throw serviceUnavailable(peer, `the ${peer} subgraph could not be reached, so nothing was stored: retry later`);
      const unavailable = serviceUnavailable(peer, `${error.message}, so nothing was stored: retry later`);
      unavailable.extensions.reason = SubgraphFault.TIMEOUT;
      throw unavailable;
    }
    const body = parseJson(response.text) as {
      data?: T | null;
      errors?: { message: string; extensions?: { code?: string; field?: string; group?: string } }[];
      extensions?: { disclosures?: { subjectId: string; groups: string[]; toAnyone?: boolean }[] };
    };
    for (const { subjectId, groups, toAnyone } of body.extensions?.disclosures ?? []) for (const group of groups) disclose(this.access, subjectId, group, toAnyone ? 'ANYONE' : 'UNDER_PURPOSE');
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
      throw new Error(`the ${peer} subgraph answered ${response.status}: ${body.errors?.map((e) => e.message).join('; ')}`);
    }
    if (response.status < 200 || response.status > 299 || !body.data) throw new Error(`the ${peer} subgraph answered ${response.status} without data`);
    return body.data;
  }
}

/** A peer's answer that is not JSON is read as an empty one: it has neither data nor errors. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
