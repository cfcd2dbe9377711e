import type { ExtraRoute } from '../lib/http-server';
import { sendErrors } from '../lib/http-server';
import { ErrorCode } from '../lib/errors';
import { purposeHeaders } from '../lib/access/identity';

// The content types a page may POST cross-site without the browser asking first (CORS preflight).
const simpleContentTypes = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/**
 * What a front end on another origin sends beyond the CORS-safelisted headers: its token, the
 * purpose, a request id, and what client libraries add on their own, which carries no data and
 * without which their every request would fail at the preflight, with only a CORS error in the
 * console: Apollo Client's name and version (client awareness), `apollo-require-preflight` and
 * `x-apollo-operation-name` (Apollo's CSRF advice), and trace context (W3C `traceparent`,
 * `tracestate`, `baggage`; Sentry's `sentry-trace`), which the gateway ignores.
 */
const allowedRequestHeaders = [
  'authorization',
  'content-type',
  ...Object.values(purposeHeaders),
  'x-request-id',
  'apollographql-client-name',
  'apollographql-client-version',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'traceparent',
  'tracestate',
  'baggage',
  'sentry-trace',
].join(', ');
/** What it may read of an answer: the request id to quote, and the rate-limit budget to pace itself by. */
const exposedResponseHeaders = ['x-request-id', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'retry-after'].join(', ');

/**
 * Requests from browsers on other sites, to `/graphql`.
 *
 * CORS for the front ends the district runs on origins of their own (`CORS_ORIGINS`, exact
 * origins): their preflight is answered, and their requests may read the answer. Every other
 * origin gets no CORS header, so a browser lets no page of it read an answer.
 *
 * CSRF protection that spec-following clients never meet. A page can make a visitor's browser
 * send a cross-site GraphQL request without a CORS preflight only as a "simple" request: a GET,
 * or a POST with a form or text body. Such a request is refused when the browser says it is
 * cross-site (`Sec-Fetch-Site`, a header pages cannot set) and its origin is not one of
 * `CORS_ORIGINS`. Same-origin pages (the explorer) and clients that are not browsers (they send
 * no `Sec-Fetch-Site`) are served, so a GET with only `Accept` works, unlike Apollo's CSRF
 * prevention, which wants a custom header on every GET (it is off). A simple POST never runs
 * anyway: only a JSON body is parsed. Callers authenticate with a bearer token, which browsers
 * never attach by themselves; this guards what an intercepting proxy might add (a cookie turned
 * into a token) and anonymous reads.
 */
export function crossSiteRequestRoute(allowedOrigins: readonly string[] = []): ExtraRoute {
  const allowed = new Set(allowedOrigins);
  return (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathname !== '/graphql' && pathname !== '/') return false;
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    if (origin !== undefined && allowed.has(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'origin');
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
        res.setHeader('access-control-allow-methods', 'GET, POST');
        res.setHeader('access-control-allow-headers', allowedRequestHeaders);
        res.setHeader('access-control-max-age', '600');
        res.statusCode = 204;
        res.end();
        return true;
      }
      res.setHeader('access-control-expose-headers', exposedResponseHeaders);
      return false;
    }
    // Another origin's preflight: answered plainly, without CORS headers, so the browser stops
    // there; left to Apollo Server it was a 405 with a JSON error that reads as a server fault.
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      res.setHeader('vary', 'origin');
      res.statusCode = 204;
      res.end();
      return true;
    }
    const site = String(req.headers['sec-fetch-site'] ?? '');
    if (site !== 'cross-site' && site !== 'same-site') return false;
    const contentType = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const simple = req.method === 'GET' || req.method === 'HEAD' || (req.method === 'POST' && (contentType === '' || simpleContentTypes.includes(contentType)));
    if (!simple) return false;
    sendErrors(req, res, 400, [{ message: 'A cross-site request without a CORS preflight is refused (CSRF protection): send it from the same origin, or from an origin the gateway lists in CORS_ORIGINS.', extensions: { code: ErrorCode.BAD_REQUEST } }]);
    return true;
  };
}
