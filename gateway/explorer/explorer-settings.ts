import type { IncomingMessage } from 'node:http';
import { isWildcardHost, urlHost } from '../../lib/env';
import type { Logger } from '../../lib/logger';
import { demoCallers, mintToken } from '../../scripts/demo/callers';
import { demoConsentRows, demoConsents } from '../../scripts/demo/consents';
import { demoWorld } from '../../scripts/demo/world';
import { exampleCallers, explorerExamples } from './examples';
import type { ExplorerSettings } from './settings';

export interface DemoTokenOptions {
  /** The embedded default's HS256 secret (`AUTH_JWT_SECRET`). */
  secret: Uint8Array;
  issuer?: string;
  audience?: string;
  /** The consent the demo bank reads under (the entities seed's). */
  consentId?: string;
}

/** Where the gateway listens (HOST) and what it logs to: the demo tokens' guard against DNS rebinding. */
export interface ExplorerServedAt {
  listenHost?: string;
  logger?: Logger;
}

/** Names a browser resolves to this machine only: no other site can have its page served under them. */
const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The host a `Host` header names, lower-cased and without its port (`[::1]:4000` → `[::1]`); undefined when it is no host and port. */
function hostNamed(header: string | undefined): string | undefined {
  return /^(\[[0-9a-f:.]+\]|[0-9a-z.-]+)(?::\d{1,5})?$/i.exec(header ?? '')?.[1].toLowerCase();
}

/**
 * Headers a proxy adds on the way (RFC 7239's Forwarded, every X-Forwarded-* (-For, -Host, -Proto,
 * -Port, -Prefix, -Server: a proxy told to add only one of them, say -Proto, is still a proxy), the
 * client's address as nginx, ingress-nginx, Akamai, Cloudflare and others name it, HTTP's Via). A
 * request carrying one came through a proxy, and its `Host` says nothing of who asked: a proxy on
 * this machine names its upstream there (nginx, unless told otherwise, `127.0.0.1:4000`) for every
 * visitor, wherever the visitor is. A proxy that adds none of them is told by HTTP/1.0, which no
 * browser has sent in decades and nginx speaks to its upstream unless told otherwise (a bare
 * `proxy_pass`); one on HTTP/1.1 adding none cannot be told from this machine's browser: README
 * asks for X-Forwarded-For.
 */
const proxyHeaders = ['forwarded', 'x-real-ip', 'x-original-forwarded-for', 'true-client-ip', 'cf-connecting-ip', 'x-client-ip', 'via'];
const isProxyHeader = (name: string) => name.startsWith('x-forwarded-') || proxyHeaders.includes(name);

/** A host to listen on as a `Host` header names it (an IPv6 address in brackets); none for a wildcard, which names no host. */
function listenHostNamed(listenHost: string | undefined): string | undefined {
  if (!listenHost || isWildcardHost(listenHost)) return undefined;
  return urlHost(listenHost).toLowerCase();
}

/**
 * Where a browser opens the explorer of the gateway serving at `graphqlUrl` (where it listens, as
 * the serving line tells it) on `listenHost`. A wildcard address is where it listens but no place
 * to send a browser (Chrome refuses 0.0.0.0, other systems lead nowhere): localhost instead, a
 * loopback host, under which the page gets the demo tokens where they are listed.
 */
export function explorerLink(graphqlUrl: string, listenHost: string): string {
  const link = new URL('explorer/', graphqlUrl);
  if (isWildcardHost(listenHost)) link.hostname = 'localhost';
  return link.href;
}

/**
 * The examples and demo callers the explorer page gets. Without demo options (production) the
 * examples carry a placeholder code and no token is listed. With them (the embedded default,
 * `EXPLORER_DEMO_TOKENS=true`), each demo caller's token is minted afresh for every page load,
 * valid 12 hours, and the department example looks up the demo world's first organisation.
 * The demo world is prefix-stable (its first subjects are the same whatever its size), so a
 * small world names a subject every seeded world has.
 *
 * The tokens are listed only to a page under a loopback host or the host the gateway listens on
 * (`Host`, any port): a page of another site can point its own name at a developer's machine
 * (DNS rebinding) and read what its browser fetches there, same-origin. Nor are they listed to a
 * request that came through a proxy, whatever its host (`isProxyHeader`): the proxy's visitors are
 * not this machine's browser. Otherwise the page gets what production gets, and the reason is
 * logged at debug.
 */
export function explorerSettingsProvider(demo?: DemoTokenOptions, servedAt: ExplorerServedAt = {}): (req: Pick<IncomingMessage, 'headers'> & Partial<Pick<IncomingMessage, 'httpVersion'>>) => Promise<Pick<ExplorerSettings, 'examples' | 'demoCallers'>> {
  const production = async () => ({ examples: explorerExamples(), demoCallers: null });
  if (!demo) return production;
  const listening = listenHostNamed(servedAt.listenHost);
  const trustedHosts = new Set(listening ? [...loopbackHosts, listening] : loopbackHosts);
  const world = demoWorld({ subjects: 20 });
  const callers = demoCallers(world, demo.consentId);
  const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE');
  const subjectCode = enterprise?.identifier;
  // The subject whose consent the demo provider collects under (demoConsents.providerCollection).
  const consentingSubjectId = world.subjects[demoConsentRows(world).find((c) => c.id === demoConsents.providerCollection)!.subject]?.id;
  return async (req) => {
    const host = hostNamed(req.headers.host);
    // Node names every header in lower case.
    const proxyHeader = Object.keys(req.headers).find(isProxyHeader) ?? (req.httpVersion === '1.0' ? 'HTTP/1.0' : undefined);
    const withheld = proxyHeader
      ? `the request came through a proxy (it carries ${proxyHeader}), whose visitors are not this machine's browser, whatever host it names`
      : !host || !trustedHosts.has(host)
        ? 'the page was asked for under a host that is neither a loopback host nor HOST, as a page of another site pointing its name here (DNS rebinding) would be'
        : undefined;
    if (withheld) {
      servedAt.logger?.debug({ requestId: req.headers['x-request-id'], host: req.headers.host?.slice(0, 200), proxyHeader }, `explorer settings without the demo tokens: ${withheld}`);
      return await production();
    }
    return {
      examples: explorerExamples({ subjectCode, subjectId: enterprise?.id, consentingSubjectId, callers: exampleCallers(callers) }),
      demoCallers: await Promise.all(
        callers.map(async (c) => ({ label: c.label, headers: c.headers, token: await mintToken(c.caller, demo.secret, { issuer: demo.issuer, audience: demo.audience }) })),
      ),
    };
  };
}
