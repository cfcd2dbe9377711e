import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { AuditWriter, type AuditEntryInput } from '../../gateway/audit-writer';
import { printableReportsRoute, type PrintableReportsOptions } from '../../gateway/printable-reports';
import { serveGateway } from '../../gateway/serve';
import { identityHeader, verifierFor } from '../../lib/access/identity';
import { serveGraphQL, type RunningHttpServer } from '../../lib/http-server';
import { InternalClient } from '../../lib/internal-client';
import { supergraphPath } from '../../schema/subgraphs';
import { LogCapture } from './ops-platform';

async function listen(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => (server.close(() => resolve()), server.closeAllConnections())) };
}

/**
 * What an officer who opened the address reads in the browser: the gateway's own refusals are a
 * page as the reports service's are, Chinese first, with the report page's protections.
 */
async function noticeOf(response: Response): Promise<{ status: number; type: string | null; policy: string | null; title: string; text: string }> {
  const html = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    policy: response.headers.get('content-security-policy'),
    title: /<h1>(.*?)<\/h1>/.exec(html)?.[1] ?? '',
    text: /<p>(.*?)<\/p>/.exec(html)?.[1] ?? '',
  };
}

describe('the gateway route to printable reports', () => {
  const seen: string[] = [];
  const audited: AuditEntryInput[] = [];
  let auditDown = false;
  /** What the operator is told of pages not shown. */
  const faults: { message: string; requestId: string | undefined }[] = [];
  /** The page's calls to the reports service, as the gateway's calls to subgraphs are told: an outage is logged once per window. */
  const calls: { subgraph: string; outcome: string }[] = [];
  const observer: PrintableReportsOptions['observer'] = {
    auditUnavailable: (_error, requestId) => void faults.push({ message: 'audit unavailable', requestId }),
    subgraphFetch: (subgraph, _seconds, outcome) => void calls.push({ subgraph, outcome }),
  };
  const audit = {
    write: async (entries: AuditEntryInput[]) => {
      if (auditDown) throw new Error('audit subgraph down');
      audited.push(...entries);
    },
  };
  const key = new Uint8Array(randomBytes(32));
  /** What the reports service sends with a page, for the gateway to pass on. */
  const protections: [string, string][] = [
    ['content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"],
    ['cache-control', 'no-store'],
    ['x-content-type-options', 'nosniff'],
    ['referrer-policy', 'no-referrer'],
  ];
  let reports: Awaited<ReturnType<typeof listen>>;
  let gateway: Awaited<ReturnType<typeof listen>>;

  beforeAll(async () => {
    reports = await listen(async (req, res) => {
      seen.push(req.url ?? '');
      const identity = await verifierFor(key).verify(String(req.headers[identityHeader]), 'unused');
      if (!identity?.grants.includes('REPORT_PRINTING') || identity.caller) {
        res.statusCode = 401;
        res.end('the gateway did not sign this fetch');
        return;
      }
      // code=gone: a report the reports service no longer shows (past its validity, its records changed).
      res.statusCode = req.url?.includes('code=right') ? 200 : req.url?.includes('code=gone') ? 410 : 404;
      res.setHeader('content-type', 'text/html; charset=utf-8');
      for (const [name, value] of protections) res.setHeader(name, value);
      if (res.statusCode === 200) res.setHeader('x-credit-disclosed-subject', 'subject-of-the-report');
      // The number as issued, as the reports service names it, however the address spelt it.
      if (res.statusCode === 200 && req.url?.startsWith('/reports/bdhxy-')) res.setHeader('x-credit-disclosed-report', 'BDHXY-20261125-ABCD1234');
      res.end(res.statusCode === 200 ? '<h1>北戴河区公共信用信息报告</h1>' : res.statusCode === 410 ? '<h1>报告已失效</h1><p>请重新生成公共信用信息报告。</p>' : 'not found');
    });
    const route = printableReportsRoute(`${reports.url}/graphql`, { audit, signingKey: key, observer });
    gateway = await listen(async (req, res) => {
      if (!(await route(req, res))) {
        res.statusCode = 418;
        res.end();
      }
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await reports?.close();
  });

  it('passes a report page and its verification code to the reports service, signed as the gateway printing', async () => {
    const response = await fetch(`${gateway.url}/reports/BDHXY-20261125-ABCD1234.html?code=right`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    for (const [name, value] of protections) expect({ name, value: response.headers.get(name) }).toEqual({ name, value });
    expect(await response.text()).toContain('公共信用信息报告');
    expect(seen).toContain('/reports/BDHXY-20261125-ABCD1234.html?code=right');
    expect(calls).toContainEqual({ subgraph: 'reports', outcome: 'ok' });
  });

  it('audits each view as a disclosure of the report\'s subject to an unidentified reader, and does not pass the subject on', async () => {
    audited.length = 0;
    const response = await fetch(`${gateway.url}/reports/BDHXY-20261125-ABCD1234.html?code=right`, { headers: { 'x-request-id': 'view-1' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-credit-disclosed-subject')).toBeNull();
    expect(audited).toEqual([
      expect.objectContaining({
        actor: 'anonymous',
        organisationKind: 'UNIDENTIFIED',
        subjectId: 'subject-of-the-report',
        fieldGroups: ['DISHONESTY_LISTS', 'PUBLIC_RECORDS', 'SUBJECT_BASICS'],
        operationName: 'printable report BDHXY-20261125-ABCD1234',
        requestId: 'view-1',
        outcome: 'DISCLOSED',
      }),
    ]);
    // A refused code discloses nothing and is not a view.
    expect((await fetch(`${gateway.url}/reports/BDHXY-20261125-ABCD1234.html?code=wrong`)).status).toBe(404);
    expect(audited).toHaveLength(1);
  });

  it('audits a view by the report number the reports service names, not as the address spelt it, and does not pass the number header on', async () => {
    audited.length = 0;
    const response = await fetch(`${gateway.url}/reports/bdhxy-20261125-abcd1234.html?code=right`, { headers: { 'x-request-id': 'view-lower-case' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-credit-disclosed-report')).toBeNull();
    expect(audited.map((entry) => entry.operationName)).toEqual(['printable report BDHXY-20261125-ABCD1234']);
  });

  it('withholds the page while the audit log cannot be written', async () => {
    auditDown = true;
    try {
      const response = await fetch(`${gateway.url}/reports/BDHXY-20261125-ABCD1234.html?code=right`, { headers: { 'x-request-id': 'view-withheld' } });
      expect([response.status, response.headers.get('retry-after')]).toEqual([503, '5']);
      expect(await noticeOf(response)).toEqual({ status: 503, type: 'text/html; charset=utf-8', policy: expect.stringContaining("default-src 'none'"), title: '暂时无法显示报告', text: expect.stringMatching(/^审计日志暂时无法写入.*The audit log could not be written/) });
      // Told as the audit outage it is, which the gateway logs once per window, not as a fault per view.
      expect(faults).toContainEqual({ message: 'audit unavailable', requestId: 'view-withheld' });
    } finally {
      auditDown = false;
    }
  });

  it('answers 502 when the reports service cannot be reached, and tells the operator as the outage of the reports subgraph, not as a fault per view', async () => {
    const route = printableReportsRoute('http://127.0.0.1:9/graphql', { audit, signingKey: key, observer });
    const unreachable = await listen(async (req, res) => void (await route(req, res)));
    try {
      calls.length = 0;
      const response = await fetch(`${unreachable.url}/reports/BDHXY-20261125-ABCD1234.html?code=right`, { headers: { 'x-request-id': 'view-unreachable' } });
      expect(response.headers.get('retry-after')).toBe('5');
      expect(await noticeOf(response)).toEqual({ status: 502, type: 'text/html; charset=utf-8', policy: expect.stringContaining("default-src 'none'"), title: '暂时无法打开报告', text: expect.stringMatching(/^报告服务暂时无法访问，请稍后再试。The reports service could not be reached/) });
      expect(calls).toEqual([{ subgraph: 'reports', outcome: 'unreachable' }]);
    } finally {
      await unreachable.close();
    }
  });

  it('answers 502 when the reports service does not answer in time, told as its timeout', async () => {
    const silent = await listen(() => undefined);
    const route = printableReportsRoute(`${silent.url}/graphql`, { audit, signingKey: key, observer, timeoutMs: 100 });
    const slow = await listen(async (req, res) => void (await route(req, res)));
    try {
      calls.length = 0;
      const response = await fetch(`${slow.url}/reports/BDHXY-20261125-ABCD1234.html?code=right`);
      expect(response.status).toBe(502);
      expect(calls).toEqual([{ subgraph: 'reports', outcome: 'timeout' }]);
    } finally {
      await slow.close();
      await silent.close();
    }
  });

  it('sends the page\'s call once more, on a new connection, when a reports service that is stopping refused it unread', async () => {
    // A replica being replaced refuses, unrun, a call on a connection it had kept alive (lib/http-server.ts); behind a balancer, a new connection reaches one still serving.
    let refused = 0;
    const stopping = await listen((_req, res) => {
      if (refused++ === 0) {
        res.statusCode = 503;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ errors: [{ message: 'shutting down', extensions: { code: 'SHUTTING_DOWN' } }] }));
        return;
      }
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end('<h1>北戴河区公共信用信息报告</h1>');
    });
    const route = printableReportsRoute(`${stopping.url}/graphql`, { audit, signingKey: key, observer });
    const replaced = await listen(async (req, res) => void (await route(req, res)));
    try {
      const response = await fetch(`${replaced.url}/reports/BDHXY-20261125-ABCD1234.html?code=right`);
      expect([response.status, refused]).toEqual([200, 2]);
      expect(await response.text()).toContain('公共信用信息报告');
    } finally {
      await replaced.close();
      await stopping.close();
    }
  });

  it('passes on a report no longer shown (410: past its validity, or its records changed) as the reports service sends it, and audits no view', async () => {
    audited.length = 0;
    const response = await fetch(`${gateway.url}/reports/BDHXY-20261125-ABCD1234.html?code=gone`, { headers: { 'x-request-id': 'view-gone' } });
    expect(response.status).toBe(410);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.text()).toContain('请重新生成');
    expect(audited).toEqual([]);
  });

  it('keeps the reports service’s refusal of a wrong code', async () => {
    expect((await fetch(`${gateway.url}/reports/BDHXY-20261125-ABCD1234.html?code=wrong`)).status).toBe(404);
  });

  it.each(['HEAD', 'POST', 'PUT'])('answers %s with 405 and Allow: GET, fetching, auditing and passing on nothing', async (method) => {
    audited.length = 0;
    seen.length = 0;
    const response = await fetch(`${gateway.url}/reports/BDHXY-20261125-ABCD1234.html?code=right`, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
    if (method !== 'HEAD') expect(await noticeOf(response)).toMatchObject({ type: 'text/html; charset=utf-8', title: '不支持的请求' });
    expect(seen).toEqual([]);
    expect(audited).toEqual([]);
  });

  it.each(['/reports/../graphql', '/reports/x.json', '/other'])('does not answer %s', async (path) => {
    expect((await fetch(`${gateway.url}${path}`)).status).toBe(418);
  });
});

/**
 * An officer on a poor line whose browser leaves (the tab closed, the line dropped) before the page
 * is sent: nothing was disclosed, so nothing is audited as disclosed, as for a GraphQL answer whose
 * client went away (the HTTP server's `callerGone`, which the audit writer reads).
 */
describe('the gateway route to printable reports, its reader gone', () => {
  const key = new Uint8Array(randomBytes(32));
  /** What the audit subgraph was asked to append, and its appends held until released. */
  const appended: AuditEntryInput[] = [];
  let holdAppends = false;
  const heldAppends: (() => void)[] = [];
  /** The page requests the reports service holds, and whether each was abandoned by the gateway. */
  const heldPages: http.ServerResponse[] = [];
  const abandoned: string[] = [];
  let pageArrived: () => void = () => {};
  const calls: { subgraph: string; outcome: string }[] = [];
  let reports: Awaited<ReturnType<typeof listen>>;
  let auditService: Awaited<ReturnType<typeof listen>>;
  let served: RunningHttpServer;

  beforeAll(async () => {
    reports = await listen((req, res) => {
      res.once('close', () => res.writableFinished || abandoned.push(String(req.headers['x-request-id'])));
      heldPages.push(res);
      pageArrived();
    });
    auditService = await listen((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk));
      req.on('end', () => {
        const answer = () => {
          const entries = (JSON.parse(body) as { variables: { entries: AuditEntryInput[] } }).variables.entries;
          appended.push(...entries);
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ data: { appendAuditEntries: { appended: entries.length } } }));
        };
        if (holdAppends) heldAppends.push(answer);
        else answer();
      });
    });
    const audit = new AuditWriter(new InternalClient(key), `${auditService.url}/graphql`);
    const route = printableReportsRoute(`${reports.url}/graphql`, { audit, signingKey: key, observer: { auditUnavailable: () => undefined, subgraphFetch: (subgraph, _seconds, outcome) => void calls.push({ subgraph, outcome }) } });
    served = await serveGraphQL(new ApolloServer({ typeDefs: 'type Query { a: Int }' }), { port: 0, context: async () => ({}), routes: [route] });
  });

  afterAll(async () => {
    for (const page of heldPages) page.destroy();
    await served?.stop();
    await auditService?.close();
    await reports?.close();
  });

  /** The page, as the reports service answers it once released. */
  const answerPage = (res: http.ServerResponse) => {
    if (res.destroyed) return;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('x-credit-disclosed-subject', 'subject-of-the-report');
    res.end('<h1>北戴河区公共信用信息报告</h1>');
  };

  /** A browser's GET of the page on a connection of its own; `leave` closes it. */
  const openPage = (requestId: string) => {
    const socket = net.connect(served.port, '127.0.0.1', () => socket.write(`GET /reports/BDHXY-20261125-ABCD1234.html?code=right HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nx-request-id: ${requestId}\r\n\r\n`));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    return { leave: () => socket.destroy(), answered: async () => (await closed, received), received: () => received };
  };

  it('stops fetching the page, and audits no view, when the browser leaves while the reports service has not answered', async () => {
    const arrived = new Promise<void>((resolve) => (pageArrived = resolve));
    const browser = openPage('view-left-early');
    await arrived;
    browser.leave();
    // The fetch is abandoned at once: the reports service sees its request closed.
    for (let waited = 0; waited < 2_000 && !abandoned.includes('view-left-early'); waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    heldPages.splice(0).forEach(answerPage);
    for (let waited = 0; waited < 500 && !calls.length; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(abandoned).toContain('view-left-early');
    expect(calls).toEqual([{ subgraph: 'reports', outcome: 'caller_gone' }]);
    expect(appended.filter((entry) => entry.requestId === 'view-left-early')).toEqual([]);
    expect(browser.received()).toBe('');
  });

  it('audits no view when the browser leaves while the view\'s audit entry waits for its write', async () => {
    holdAppends = true;
    try {
      // A first view, whose write the audit subgraph holds: the next view's entry waits behind it.
      let arrived = new Promise<void>((resolve) => (pageArrived = resolve));
      const first = openPage('view-read');
      await arrived;
      heldPages.splice(0).forEach(answerPage);
      for (let waited = 0; waited < 2_000 && !heldAppends.length; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(heldAppends).toHaveLength(1);
      arrived = new Promise<void>((resolve) => (pageArrived = resolve));
      const second = openPage('view-left-before-its-write');
      await arrived;
      heldPages.splice(0).forEach(answerPage);
      await new Promise((resolve) => setTimeout(resolve, 200));
      second.leave();
      await new Promise((resolve) => setTimeout(resolve, 100));
      holdAppends = false;
      heldAppends.splice(0).forEach((answer) => answer());
      expect(await first.answered()).toContain('公共信用信息报告');
      for (let waited = 0; waited < 500 && !appended.some((entry) => entry.requestId === 'view-read'); waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(appended.filter((entry) => entry.requestId !== 'view-left-early').map((entry) => [entry.requestId, entry.outcome])).toEqual([['view-read', 'DISCLOSED']]);
      expect(second.received()).toBe('');
    } finally {
      holdAppends = false;
      heldAppends.splice(0).forEach((answer) => answer());
    }
  });
});

/** The route as the gateway serves it: its call to the reports subgraph is a subgraph call like the query plans'. */
describe('the gateway route to printable reports, as the gateway serves it', () => {
  it('gives the reports service the gateway\'s SUBGRAPH_TIMEOUT_MS, and tells it so, not a time of its own', async () => {
    const told: (string | undefined)[] = [];
    const silent = await listen((req) => void told.push(req.headers['x-request-timeout-ms'] as string | undefined));
    const gateway = await serveGateway({
      supergraphSdl: fs.readFileSync(supergraphPath, 'utf8'),
      subgraphUrls: { reports: `${silent.url}/graphql` },
      tokens: { keys: { kind: 'secret', secret: new Uint8Array(randomBytes(32)) }, issuer: 'beidaihe-credit-platform', audience: 'beidaihe-credit-api' },
      signingKey: new Uint8Array(randomBytes(32)),
      port: 0,
      logger: new LogCapture().logger('gateway'),
      subgraphTimeoutMs: 400,
    });
    try {
      const started = Date.now();
      const response = await fetch(new URL('/reports/BDHXY-20261125-ABCD1234.html?code=right', gateway.url), { signal: AbortSignal.timeout(15_000) });
      expect(response.status).toBe(502);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(told).toEqual(['400']);
    } finally {
      await gateway.stop();
      await silent.close();
    }
  }, 20_000);
});
