import type { ExtraRoute } from '../lib/http-server';

/**
 * Officers open a platform report's printable page from the one address they know, the gateway:
 * `GET /reports/<number>.html?code=<code>` is passed to the reports subgraph, which checks the
 * code and the sealed snapshot and renders the page. Only that path, only GET.
 */
export function printableReportsRoute(reportsUrl: string, timeoutMs = 10_000): ExtraRoute {
  const origin = new URL(reportsUrl).origin;
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (req.method !== 'GET' || !/^\/reports\/[A-Za-z0-9-]+\.html$/.test(url.pathname)) return false;
    try {
      const upstream = await fetch(`${origin}${url.pathname}${url.search}`, { signal: AbortSignal.timeout(timeoutMs) });
      res.statusCode = upstream.status;
      for (const name of ['content-type', 'content-security-policy', 'cache-control']) {
        const value = upstream.headers.get(name);
        if (value) res.setHeader(name, value);
      }
      res.end(Buffer.from(await upstream.arrayBuffer()));
    } catch {
      res.statusCode = 502;
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end('the reports service could not be reached: retry later');
    }
    return true;
  };
}
