import { connectionFailure } from '../../lib/platform-http';

/**
 * Whether a failed call to a subgraph may have run there decides what a mutation's caller is told
 * (nothing was stored, or send the same request again). fetch wraps the socket's error as `cause`.
 */
describe("a subgraph call's connection failure", () => {
  const fetchFailed = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(`getaddrinfo ${code} subgraph.internal`), { code }) });

  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT'])('is unsent when no connection was made (%s)', (code) => {
    expect(connectionFailure(fetchFailed(code))).toBe('unsent');
  });

  it.each(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'])('is lost under way when the connection broke after it was made (%s)', (code) => {
    expect(connectionFailure(fetchFailed(code))).toBe('lostUnderWay');
  });

  it('is none for an error that carries no connection code', () => {
    expect(connectionFailure(new SyntaxError('Unexpected token < in JSON'))).toBeUndefined();
  });
});
