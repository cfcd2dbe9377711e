import { randomUUID } from 'node:crypto';
import { identityHeader, signIdentity, type RequestIdentity } from './access/identity';
import { send } from './platform-http';

/**
 * Platform-internal calls to a subgraph, signed with the gateway key as no caller, with only the
 * grants the call needs: the gateway writing the audit log or checking a consent (grants the
 * catalogue never gives a caller), the records subgraph checking that subjects exist.
 */
export class InternalClient {
  constructor(
    private readonly signingKey: Uint8Array,
    private readonly timeoutMs = 5_000,
  ) {}

  private readonly signed = new Map<string, { token: Promise<string>; renewAt: number }>();

  /**
   * The platform's identity depends only on the grants a call needs, not on the request (its id
   * travels in `x-request-id`): signed once per set of grants and reused for half of its minute.
   */
  private identityFor(grants: string[]): Promise<string> {
    const key = grants.join(',');
    const now = Date.now();
    const known = this.signed.get(key);
    if (known && now < known.renewAt) return known.token;
    const identity: RequestIdentity = { caller: null, purpose: null, grants, scope: {}, requestId: 'platform' };
    const token = signIdentity(identity, this.signingKey);
    this.signed.set(key, { token, renewAt: now + 30_000 });
    token.catch(() => this.signed.delete(key));
    return token;
  }

  async call<T>(url: string, query: string, variables: Record<string, unknown>, grants: string[], requestId: string = randomUUID()): Promise<T> {
    const response = await send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [identityHeader]: await this.identityFor(grants), 'x-request-id': requestId },
      body: JSON.stringify({ query, variables }),
      timeoutMs: this.timeoutMs,
    });
    const body = JSON.parse(response.text) as { data?: T; errors?: { message: string }[] };
    if (response.status !== 200 || body.errors?.length || !body.data) {
      throw new Error(`${url} answered ${response.status}: ${body.errors?.map((e) => e.message).join('; ') ?? 'no data'}`);
    }
    return body.data;
  }
}
