import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ConfigError } from '../../lib/env';
import { ErrorCode } from '../../lib/errors';
import { sendErrors, sendJson, type ExtraRoute } from '../../lib/http-server';
import { matters } from '../../lib/catalogue/matters';
import { district } from '../../lib/catalogue/district';
import { purposeHeaders } from '../../lib/access/identity';
import { explorerBundleDirectory } from './build';
import type { ExplorerSettings } from './settings';

export interface ExplorerOptions {
  /** The built bundle (default `dist/explorer/`, made by `npm run build`). */
  bundleDirectory?: string;
  /** The examples and, in the embedded default only, the demo callers' tokens; called per page load, with its request. */
  settings: (req: http.IncomingMessage) => Promise<Pick<ExplorerSettings, 'examples' | 'demoCallers'>>;
}

interface Asset {
  body: Buffer;
  gzip: Buffer;
  type: string;
  etag: string;
}

const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

/**
 * Everything the page may load comes from this origin; Monaco starts its workers from files
 * here, and injects styles and data-URI fonts (hence 'unsafe-inline' for styles only).
 */
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "worker-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The page: its interface is English (its Chinese names are set in CJK fonts by explorer.css);
 * its icon is empty and inline (img-src allows data:), so no browser asks for a favicon.ico.
 */
const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Credit API explorer · ${district.platformName}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="explorer.css">
</head>
<body>
<div id="explorer"></div>
<script type="module" src="explorer.js"></script>
</body>
</html>
`;

function asset(body: Buffer, type: string): Asset {
  return { body, gzip: gzipSync(body), type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/** Reads the bundle once, at start: a missing bundle is a configuration error, not a 404 later. */
function loadBundle(directory: string): Map<string, Asset> {
  let files: string[];
  try {
    files = fs.readdirSync(directory);
  } catch {
    files = [];
  }
  if (!files.includes('explorer.js')) {
    throw new ConfigError(`the explorer bundle is missing from ${directory}: run \`npm run build\` (or set EXPLORER=off)`);
  }
  const assets = new Map<string, Asset>([['index.html', asset(Buffer.from(page), types['.html'])]]);
  for (const file of files) {
    const type = types[path.extname(file)];
    if (type) assets.set(file, asset(fs.readFileSync(path.join(directory, file)), type));
  }
  return assets;
}

function send(req: http.IncomingMessage, res: http.ServerResponse, file: Asset, extraHeaders: Record<string, string> = {}): void {
  res.setHeader('content-type', file.type);
  // Revalidate every time (the names carry no hash); the ETag makes that a 304.
  res.setHeader('cache-control', 'no-cache');
  res.setHeader('etag', file.etag);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('vary', 'accept-encoding');
  for (const [name, value] of Object.entries(extraHeaders)) res.setHeader(name, value);
  if (req.headers['if-none-match'] === file.etag) {
    res.statusCode = 304;
    res.end();
    return;
  }
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  if (gzip) res.setHeader('content-encoding', 'gzip');
  res.statusCode = 200;
  res.end(req.method === 'HEAD' ? undefined : gzip ? file.gzip : file.body);
}

/**
 * The explorer, served by the gateway from its own origin: the page at `/explorer/`, its bundle
 * (JS, CSS, Monaco's workers, fonts) beside it, and `/explorer/settings.json`. A browser that
 * opens `/` or `/graphql` is sent to it. Throws ConfigError when the bundle was not built.
 *
 * Every address it gives (the redirects' Location, the page's endpoint) is relative, as the
 * page's own files are: behind a proxy that serves the gateway under a path (`/credit/`), a
 * root-relative one led out of it, to another service of the host, with the officer's token.
 */
export function explorerRoute(options: ExplorerOptions): ExtraRoute {
  const assets = loadBundle(options.bundleDirectory ?? explorerBundleDirectory);
  const staticSettings = {
    endpoint: '../graphql',
    purposeHeaders: { ...purposeHeaders },
    matters: matters.map((m) => ({ code: m.code, name: m.name, nameZh: m.nameZh })),
  };
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const wantsPage = /\btext\/html\b/.test(String(req.headers.accept ?? ''));
    // `explorer/` from `/`, `/graphql` and `/explorer` alike: each is a name at the gateway's root.
    if ((url.pathname === '/' || url.pathname === '/graphql') && wantsPage && !url.search) {
      res.statusCode = 302;
      res.setHeader('location', 'explorer/');
      res.end();
      return true;
    }
    if (url.pathname === '/explorer') {
      res.statusCode = 301;
      res.setHeader('location', 'explorer/');
      res.end();
      return true;
    }
    if (!url.pathname.startsWith('/explorer/')) return false;
    const name = url.pathname.slice('/explorer/'.length) || 'index.html';
    if (name === 'settings.json') {
      const settings: ExplorerSettings = { ...staticSettings, ...(await options.settings(req)) };
      res.setHeader('cache-control', 'no-store');
      sendJson(res, 200, settings);
      return true;
    }
    // Only the files read at start: no path ever reaches the file system.
    const file = assets.get(name);
    if (!file) {
      sendErrors(req, res, 404, [{ message: `no explorer file ${name}`, extensions: { code: ErrorCode.ROUTE_NOT_FOUND } }]);
      return true;
    }
    send(req, res, file, name === 'index.html' ? { 'content-security-policy': contentSecurityPolicy, 'referrer-policy': 'no-referrer' } : {});
    return true;
  };
}
