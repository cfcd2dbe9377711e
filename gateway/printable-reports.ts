import type { BlockList } from 'node:net';
import { platformReportGroups } from '../lib/access/field-groups';
import { disclosedReportHeader, disclosedSubjectHeader, identityHeader, platformOrganisations, signerFor } from '../lib/access/identity';
import { defaultSubgraphTimeoutMs } from '../lib/deadline';
import type { ExtraRoute } from '../lib/http-server';
import { noticePage, sendPrintablePage } from '../lib/printable-page';
import { outageRetryAfterSeconds } from '../lib/errors';
import { send, type PlatformResponse } from '../lib/platform-http';
import { recordRefusal, requestIdFrom } from '../lib/request-record';
import type { GraphQLError } from 'graphql';
import type { AuditEntryInput, AuditWriter } from './audit-writer';
import { clientAddress } from './client-address';
import type { GatewayObserver } from './observer';
import { rateLimitHeaders, type RateLimits } from './rate-limits';

/**
 * Officers open a platform report's printable page from the one address they know, the gateway:
 * `GET /reports/<number>.html?code=<code>` is passed to the reports subgraph, which checks the
 * code and the sealed snapshot and renders the page. Only that path, only GET (405 otherwise).
 *
 * The page discloses its subject's data to whoever holds the number and the code, without a
 * token (a browser following a link sends none, so a view cannot be tied to a reader). The API
 * gives the code and the page's address only to the readers of the report's case file (the
 * generating department, the subject, the credit office: the reports subgraph's `readsCaseFile`),
 * never to a reader under a consent, which would keep the key once the consent is revoked; the
 * code otherwise travels only on the printout. Each view is audited as such (an unidentified
 * reader), before the page is released, and with access control on, a view whose entry cannot be
 * stored is refused (503), as any answer is when the audit log cannot be written. The fetch is
 * signed as the gateway's own (REPORT_PRINTING): the reports subgraph renders the page for no one
 * else. It is a call between the platform's processes like any other (lib/platform-http.ts `send`):
 * it takes the gateway's SUBGRAPH_TIMEOUT_MS, tells the reports subgraph so, and is sent once more,
 * on a new connection, when a replica that is stopping refused it unread.
 */
/** What the gateway's own identity for a page fetch holds: nothing but the right to have it rendered. */
export const printingGrants = ['REPORT_PRINTING'];

export interface PrintableReportsOptions {
  /** Writes each view's audit entry before the page is released; null with access control off. */
  audit: Pick<AuditWriter, 'write'> | null;
  signingKey: Uint8Array;
  rateLimits?: Pick<RateLimits, 'admit'>;
  /** Whose X-Forwarded-For names the viewer counted (client-address.ts). */
  trustedProxies?: BlockList;
  /** Told why a page was not shown (the reports service unreachable, the audit write failed). */
  observer?: Pick<GatewayObserver, 'auditUnavailable' | 'subgraphFetch'>;
  /** How long the page's call to the reports subgraph may take: the gateway's SUBGRAPH_TIMEOUT_MS. */
  timeoutMs?: number;
}

export function printableReportsRoute(reportsUrl: string, { audit, signingKey, rateLimits, trustedProxies, observer, timeoutMs = defaultSubgraphTimeoutMs }: PrintableReportsOptions): ExtraRoute {
  const origin = new URL(reportsUrl).origin;
  return async (req, res, callerGone) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (!/^\/reports\/[A-Za-z0-9-]+\.html$/.test(url.pathname)) return false;
    const requestId = requestIdFrom(req.headers['x-request-id']);
    // Read in the officer's browser as it comes, with no front end between: a page, as the
    // reports service's own refusals are, in Chinese first.
    const notice = (status: number, title: string, text: string) => sendPrintablePage(res, status, noticePage(title, text));
    // Any other method, HEAD included (a link checker testing the address filed in a case), is told
    // to GET, whether or not there is a page: a HEAD answered as a GET would be a view audited that
    // no one read, or, unaudited, would tell whether the code is right and the report current.
    if (req.method !== 'GET') {
      res.setHeader('allow', 'GET');
      notice(405, '不支持的请求', '打印版报告请在浏览器中打开。A printable report is opened with GET, as a browser opens it.');
      return true;
    }
    // An anonymous request like any other: it counts against its address's budget, before it
    // costs the reports subgraph a page and the audit log an entry.
    if (rateLimits) {
      try {
        for (const [name, value] of rateLimitHeaders(await rateLimits.admit(null, clientAddress(req, trustedProxies)))) res.setHeader(name, value);
      } catch (error) {
        const http = (error as GraphQLError).extensions?.http as { headers?: Map<string, string> } | undefined;
        if (!http?.headers) throw error;
        for (const [name, value] of http.headers) res.setHeader(name, value);
        recordRefusal(req, error as GraphQLError);
        notice(429, '请求过于频繁', `请求过于频繁，请稍后再试。${(error as GraphQLError).message}`);
        return true;
      }
    }
    let upstream: PlatformResponse;
    const started = performance.now();
    try {
      const identity = await signerFor(signingKey).sign({ caller: null, purpose: null, grants: printingGrants, scope: {} });
      // Abandoned once the browser has gone (its tab closed, its line dropped): no one will read the page.
      upstream = await send(`${origin}${url.pathname}${url.search}`, { headers: { [identityHeader]: identity, 'x-request-id': requestId }, timeoutMs, service: 'reports', callerGone });
    } catch (error) {
      if (callerGone?.aborted) {
        observer?.subgraphFetch('reports', (performance.now() - started) / 1000, 'caller_gone');
        return true;
      }
      // The reports subgraph's outage, told as the query plans' calls to it are (logged once per
      // window with the calls since): a stack per view, while it was down, was a line per reader.
      const outcome = (error as Error).name === 'TimeoutError' ? 'timeout' : 'unreachable';
      observer?.subgraphFetch('reports', (performance.now() - started) / 1000, outcome, (error as Error).message);
      res.setHeader('retry-after', String(outageRetryAfterSeconds));
      notice(502, '暂时无法打开报告', '报告服务暂时无法访问，请稍后再试。The reports service could not be reached: retry later.');
      return true;
    }
    observer?.subgraphFetch('reports', (performance.now() - started) / 1000, 'ok');
    const headerOf = (name: string) => {
      const value = upstream.headers[name];
      return Array.isArray(value) ? value.join(', ') : (value ?? null);
    };
    const subjectId = headerOf(disclosedSubjectHeader);
    if (audit && upstream.status >= 200 && upstream.status < 300 && subjectId) {
      try {
        // The number as issued, which the reports service names (the address may spell it `bdhxy-…`); as addressed, from a service that does not.
        const reportNumber = headerOf(disclosedReportHeader) ?? url.pathname.slice('/reports/'.length, -'.html'.length);
        // Left out, as nothing is disclosed, should the browser be gone before the entry is sent (AuditWriter.write).
        await audit.write([printableView(subjectId, reportNumber, requestId)], callerGone);
      } catch (error) {
        observer?.auditUnavailable(error, requestId);
        res.setHeader('retry-after', String(outageRetryAfterSeconds));
        notice(503, '暂时无法显示报告', '审计日志暂时无法写入，报告暂不显示，请稍后再试。The audit log could not be written, so the report is not shown: retry later.');
        return true;
      }
    }
    res.statusCode = upstream.status;
    // The page's own protections, all of them: it holds a subject's data, its address the code.
    for (const name of ['content-type', 'content-security-policy', 'cache-control', 'x-content-type-options', 'referrer-policy']) {
      const value = headerOf(name);
      if (value) res.setHeader(name, value);
    }
    res.end(upstream.text);
    return true;
  };
}

function printableView(subjectId: string, reportNumber: string, requestId: string): AuditEntryInput {
  return {
    actor: platformOrganisations.anonymous,
    organisation: platformOrganisations.anonymous,
    organisationKind: 'UNIDENTIFIED',
    role: 'UNIDENTIFIED',
    matter: null,
    caseNumber: null,
    consentId: null,
    subjectId,
    fieldGroups: [...platformReportGroups].sort(),
    operationName: `printable report ${reportNumber}`,
    requestId,
    occurredAt: new Date().toISOString(),
    outcome: 'DISCLOSED',
  };
}
