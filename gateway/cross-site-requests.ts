import type { ExtraRoute } from '../lib/http-server';
import { sendJson } from '../lib/http-server';
import { ErrorCode } from '../lib/errors';

// The content types a page may POST cross-site without the browser asking first (CORS preflight).
const simpleContentTypes = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/**
 * CSRF protection that spec-following clients never meet. A page can make a visitor's browser
 * send a cross-site GraphQL request without a CORS preflight only as a "simple" request: a GET,
 * or a POST with a form or text body. Such a request is refused when the browser says it is
 * cross-site (`Sec-Fetch-Site`, a header pages cannot set). Same-origin pages (the explorer) and
 * clients that are not browsers (they send no `Sec-Fetch-Site`) are served, so a GET with only
 * `Accept` works, unlike Apollo's CSRF prevention, which wants a custom header on every GET (it
 * is off). A simple POST never runs anyway: only a JSON body is parsed. Callers authenticate
 * with a bearer token, which browsers never attach by themselves; this guards what an
 * intercepting proxy might add (a cookie turned into a token) and anonymous reads.
 */
export const crossSiteRequestRoute: ExtraRoute = (req, res) => {
  const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (pathname !== '/graphql' && pathname !== '/') return false;
  const site = String(req.headers['sec-fetch-site'] ?? '');
  if (site !== 'cross-site' && site !== 'same-site') return false;
  const contentType = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const simple = req.method === 'GET' || req.method === 'HEAD' || (req.method === 'POST' && (contentType === '' || simpleContentTypes.includes(contentType)));
  if (!simple) return false;
  sendJson(res, 400, {
    errors: [{ message: 'A cross-site request without a CORS preflight is refused (CSRF protection): send it from the same origin, or with Content-Type: application/json.', extensions: { code: ErrorCode.BAD_REQUEST } }],
  });
  return true;
};
