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

