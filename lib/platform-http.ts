import { STATUS_CODES } from 'node:http';
import type { Fetcher, FetcherHeaders, FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';
import { Agent, request, type Dispatcher } from 'undici';

/**
 * HTTP between the platform's own processes (gateway → subgraph, subgraph → subgraph): undici's
 * request API over one keep-alive pool per origin. It skips the WHATWG Request, Response and
 * stream objects that Node's fetch builds for every call, and the cache and proxy layers of
 * Apollo's default fetcher (make-fetch-happen); bench/results.md has what that bought. The
 * signal bounds the whole call, reading the body included.
 */
const pool = new Agent({ keepAliveTimeout: 30_000, connections: 256 });

export interface PlatformResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export async function send(url: string, init: FetcherRequestInit & { timeoutMs: number }): Promise<PlatformResponse> {
  const response = await request(url, {
    method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
    headers: init.headers,
    body: init.body,
    signal: AbortSignal.timeout(init.timeoutMs),
    dispatcher: pool,
  });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

/** `send` shaped as the Fetcher @apollo/gateway's RemoteGraphQLDataSource calls. */
export function platformFetcher(timeoutMs: number): Fetcher {
  return async (url, init = {}) => new BufferedResponse(url, await send(url, { ...init, timeoutMs }));
}

class ReadOnlyHeaders implements FetcherHeaders {
  private readonly entriesList: [string, string][];

  constructor(raw: PlatformResponse['headers']) {
    this.entriesList = Object.entries(raw).flatMap(([name, value]) => (value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value] as [string, string]]));
  }

  get(name: string): string | null {
    const wanted = name.toLowerCase();
    return this.entriesList.find(([key]) => key === wanted)?.[1] ?? null;
  }
  has(name: string): boolean {
    return this.get(name) !== null;
  }
  append(): void {
    throw new TypeError('the headers of a received response are read-only');
  }
  delete(): void {
    throw new TypeError('the headers of a received response are read-only');
  }
  set(): void {
    throw new TypeError('the headers of a received response are read-only');
  }
  entries(): Iterator<[string, string]> {
    return this.entriesList[Symbol.iterator]();
  }
  keys(): Iterator<string> {
    return this.entriesList.map(([key]) => key)[Symbol.iterator]();
  }
  values(): Iterator<string> {
    return this.entriesList.map(([, value]) => value)[Symbol.iterator]();
  }
  [Symbol.iterator](): Iterator<[string, string]> {
    return this.entries();
  }
}

/** A response whose body has already been read (subgraph answers are small JSON documents). */
class BufferedResponse implements FetcherResponse {
  readonly headers: FetcherHeaders;
  readonly redirected = false;
  bodyUsed = false;

  constructor(
    readonly url: string,
    private readonly response: PlatformResponse,
  ) {
    this.headers = new ReadOnlyHeaders(response.headers);
  }

  get status(): number {
    return this.response.status;
  }
  get ok(): boolean {
    return this.response.status >= 200 && this.response.status < 300;
  }
  get statusText(): string {
    return STATUS_CODES[this.response.status] ?? '';
  }
  async text(): Promise<string> {
    this.bodyUsed = true;
    return this.response.text;
  }
  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = Buffer.from(await this.text(), 'utf8');
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
  clone(): FetcherResponse {
    return new BufferedResponse(this.url, this.response);
  }
}
