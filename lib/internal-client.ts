import { randomUUID } from 'node:crypto';
import { identityHeader, signerFor } from './access/identity';
import type { RequestDeadline } from './deadline';
import { send } from './platform-http';

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
    const body = JSON.parse(response.text) as { data?: T; errors?: { message: string; extensions?: { code?: unknown } }[] };
    if (response.status !== 200 || body.errors?.length || !body.data) {
      const message = `${url} answered ${response.status}: ${body.errors?.map((e) => e.message).join('; ') ?? 'no data'}`;
      const codes = body.errors?.map((e) => e.extensions?.code).filter((code): code is string => typeof code === 'string') ?? [];
      throw codes.length ? new InternalCallRefused(message, codes) : new Error(message);
    }
    return body.data;
  }
}

/** A subgraph reached that answered the call with typed errors: it refused what was sent, it is not down. */
export class InternalCallRefused extends Error {
  constructor(
    message: string,
    readonly codes: string[],
  ) {
    super(message);
  }
}
