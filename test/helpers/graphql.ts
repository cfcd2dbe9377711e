import type { IncomingHttpHeaders } from 'node:http';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers?: Headers;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

/** A Relay connection as the subgraphs page their lists. */
export interface Connection<TNode> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage?: boolean; startCursor?: string | null; endCursor: string | null };
  edges: { cursor: string; node: TNode }[];
}

export async function postGraphQL<T>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const json = (await response.json()) as Omit<GraphQLResponse<T>, 'status'>;
  // Not enumerable: answers are compared whole (toEqual), and the headers are asked for by name.
  return Object.defineProperty({ status: response.status, ...json }, 'headers', { value: response.headers, enumerable: false });
}


/**
 * The id the gateway gave a request, as its answer's `x-request-id` says: the id its audit entries,
 * its log line and the subgraphs' calls carry. The gateway makes its own and never takes a
 * client's (`ownRequestIds`), so a test finds what a request left by this, never by an id it sent.
 * Takes an answer (postGraphQL's, fetch's, node:http's) or a call a stand-in subgraph received.
 */
export function requestIdOf(answer: { headers?: Headers | IncomingHttpHeaders }): string {
  const { headers } = answer;
  const requestId = headers instanceof Headers ? headers.get('x-request-id') : headers?.['x-request-id'];
  if (typeof requestId !== 'string' || requestId === '') throw new Error('the answer has no x-request-id');
  return requestId;
}
