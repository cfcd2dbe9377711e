import { randomUUID } from 'node:crypto';
import { identityHeader, signerFor } from './access/identity';
import type { RequestDeadline } from './deadline';
import { withoutCredentials } from './env';
import { answeredAsGraphQL, send } from './platform-http';
import { callNotUnderstoodCodes } from './errors';

/**
 * Platform-internal calls to a subgraph, signed with the gateway key as no caller, with only the
 * grants the call needs: the gateway writing the audit log or checking a consent (grants the
 * catalogue never gives a caller), the records subgraph checking that subjects exist.
 */
export class InternalClient {
  /** `service` names the subgraph called, in errors and in a request deadline's account of its time. */
  constructor(
    private readonly signingKey: Uint8Array,
    private readonly timeoutMs = 5_000,
    private readonly service?: string,
  ) {}

  /** `deadline`: the request this call is made for, whose time left bounds the call's (lib/deadline.ts). */
  async call<T>(url: string, query: string, variables: Record<string, unknown>, grants: string[], requestId: string = randomUUID(), deadline?: RequestDeadline): Promise<T> {
    const response = await send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [identityHeader]: await signerFor(this.signingKey).sign({ caller: null, purpose: null, grants, scope: {} }), 'x-request-id': requestId },
      body: JSON.stringify({ query, variables }),
      timeoutMs: this.timeoutMs,
      deadline,
      service: this.service,
    });
    // Named without the credentials an address may carry (a proxy's user and password, a query's
    // token): the message is logged.
    const shown = withoutCredentials(url);
    let body: { data?: T; errors?: { message: string; extensions?: { code?: unknown } }[] } | null = null;
    try {
      // Read only from a status a GraphQL server answers with: the JSON of a 404 (an address that
      // names no endpoint) is no refusal of the call, and its NOT_FOUND none of the callee's.
      if (answeredAsGraphQL(response.status)) body = JSON.parse(response.text);
    } catch {
      // Not JSON: no GraphQL response either.
    }
    if (!body) throw new InternalCallFailed(`${shown} answered ${response.status} with no GraphQL response: ${response.text.slice(0, 200)}`, response.status);
    if (response.status !== 200 || body.errors?.length || !body.data) {
      const message = `${shown} answered ${response.status}: ${body.errors?.map((e) => e.message).join('; ') ?? 'no data'}`;
      const codes = body.errors?.map((e) => e.extensions?.code).filter((code): code is string => typeof code === 'string') ?? [];
      // A call the peer could not parse or validate (two versions out of step) is the platform's
      // fault, no refusal of what was sent: failed, as a response that is no GraphQL one.
      const understood = codes.some((code) => !callNotUnderstoodCodes.has(code));
      throw understood ? new InternalCallRefused(message, codes, response.status) : new InternalCallFailed(message, response.status);
    }
    return body.data;
  }
}

/** A subgraph reached that answered, but not with data: `status` its HTTP status. */
export class InternalCallFailed extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** A subgraph reached that answered the call with typed errors: it refused what was sent, it is not down. */
export class InternalCallRefused extends InternalCallFailed {
  constructor(
    message: string,
    readonly codes: string[],
    status: number,
  ) {
    super(message, status);
  }
}
