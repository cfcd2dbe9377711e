import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Request, type Route } from 'playwright-core';
import type { ExplorerSettings } from '../../gateway/explorer/settings';
import { demoWorld } from '../../scripts/demo/world';
import { mintToken } from '../../scripts/demo/callers';
import { browserWaitMs, chromiumLaunchOptions, chromiumPath } from '../helpers/browser';
import { ensureExplorerBundle, financeOfficer, startOpsPlatform, type OpsPlatform } from '../ops/ops-platform';

/**
 * The explorer in a real browser (test/helpers/browser.ts). Every request to another origin than
 * the gateway's is aborted and recorded, so a page that needed a CDN would fail here.
 */
const executablePath = chromiumPath;
const waitMs = browserWaitMs;
const launchOptions = chromiumLaunchOptions;

// What the functions run in the page (page.evaluate) use there: the tests compile without the DOM's types.
interface PageStorage {
  readonly length: number;
  setItem(key: string, value: string): void;
}
declare const sessionStorage: PageStorage;
declare const localStorage: PageStorage;
declare const document: { documentElement: { scrollWidth: number } };
declare function getComputedStyle(element: unknown): { color: string; outlineStyle: string; outlineWidth: string; outlineColor: string };

/** WCAG's contrast ratio against white of an `rgb(r, g, b)` or `rgba(r, g, b, a)` colour (as getComputedStyle gives it), drawn on white. */
function contrastOnWhite(colour: string): number {
  const [red, green, blue, alpha = 1] = (colour.match(/[\d.]+/g) ?? []).map(Number);
  const onWhite = [red, green, blue].map((c) => (alpha * c + (1 - alpha) * 255) / 255);
  const [r, g, b] = onWhite.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05);
}

/** What Monaco shows in an editor, with its non-breaking spaces made plain. */
async function editorText(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).textContent()) ?? '').replace(/\u00a0/g, ' ');
}

/** Polls an editor until it shows `contains` (or fails after waitMs with what it showed). */
async function waitForEditor(page: Page, selector: string, contains: string): Promise<string> {
  const deadline = Date.now() + waitMs;
  let shown = '';
  while (Date.now() < deadline) {
    shown = await editorText(page, selector);
    if (shown.includes(contains)) return shown;
    await page.waitForTimeout(100);
  }
  throw new Error(`${selector} never showed ${contains}; it showed: ${shown.slice(0, 500)}`);
}

/** Polls the response editor until it shows `contains` (or fails after waitMs with what it showed). */
async function waitForResponse(page: Page, contains: string): Promise<string> {
  return await waitForEditor(page, '.graphiql-response .view-lines', contains);
}

/** What `promise` gives, or a failure saying `what` did not happen within waitMs. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not happen within ${waitMs} ms`)), waitMs)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Chooses an example in the bar and opens it (in a new tab, with the caller and purpose it is meant for). */
async function openExample(page: Page, name: string): Promise<void> {
  await page.selectOption('[data-testid="example"]', name);
  await page.locator('[data-testid="open-example"]').click();
}

/** Replaces what one of GraphiQL's editors holds: `tool` is the Variables or Headers tab under the operation. */
async function typeInto(page: Page, tool: 'Variables' | 'Headers', text: string): Promise<void> {
  await page.locator('.graphiql-editor-tools button', { hasText: tool }).click();
  await page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .view-lines').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  if (text) await page.keyboard.insertText(text);
}

/** Whether a request is the page's introspection of the schema (for docs and completion). */
function isSchemaFetch(request: Request): boolean {
  return request.method() === 'POST' && request.url().endsWith('/graphql') && Boolean(request.postData()?.includes('__schema'));
}

/** The operations (not the schema's introspection) a page posts to the gateway, as they leave the browser. */
function operationsSent(page: Page): Request[] {
  const sent: Request[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().endsWith('/graphql') && !isSchemaFetch(request)) sent.push(request);
  });
  return sent;
}

/**
 * A new browser context (its own storage, as a new browser tab's session), or the one given, on
 * the explorer at `origin` (opened at `path`, `/explorer/` unless given), whose requests to any
 * other origin are aborted and recorded in `foreign`.
 */
async function openExplorerAt(
  origin: string,
  from: Browser | BrowserContext,
  options: { foreign: string[]; problems?: string[]; viewport?: { width: number; height: number }; path?: string },
): Promise<{ context: BrowserContext; page: Page }> {
  const { foreign, problems = [], viewport, path = '/explorer/' } = options;
  const context = 'newContext' in from ? await from.newContext(viewport ? { viewport } : {}) : from;
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    // To the network, or to a route a test set before.
    if (new URL(url).origin === origin) return await route.fallback();
    foreign.push(url);
    return await route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.setDefaultTimeout(waitMs);
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) foreign.push(url);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  await page.goto(`${origin}${path}`, { waitUntil: 'load' });
  await page.locator('[data-testid="example"]').waitFor();
  await page.locator('.graphiql-query-editor .view-lines').waitFor();
  return { context, page };
}

/**
 * A reverse proxy serving `upstream` under `/credit/`, as the district's nginx serves every
 * service (`location /credit/ { proxy_pass http://gateway/; }`): the prefix is taken off on the
 * way in, and a Location that is only a path goes back as it is. What asks outside the prefix,
 * where another service of the host would get it, is answered 404 and recorded in `outside`.
 */
async function prefixingProxy(upstream: string): Promise<{ origin: string; prefix: string; forwarded: string[]; outside: string[]; close(): Promise<void> }> {
  const prefix = '/credit/';
  const forwarded: string[] = [];
  const outside: string[] = [];
  const server = http.createServer((req, res) => {
    const target = req.url ?? '/';
    if (!target.startsWith(prefix)) {
      outside.push(`${req.method} ${target}`);
      res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body><h1>404 Not Found</h1></body></html>');
      return;
    }
    const path = target.slice(prefix.length - 1);
    forwarded.push(`${req.method} ${path}`);
    const onward = http.request(`${upstream}${path}`, { method: req.method, headers: { ...req.headers, host: new URL(upstream).host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    onward.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>502 Bad Gateway</h1>')));
    req.pipe(onward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    prefix,
    forwarded,
    outside,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('the explorer in headless Chromium', () => {
  if (!fs.existsSync(executablePath)) {
    it.failing(`needs Chromium at ${executablePath} (apt-get install chromium; .ci/run installs it)`, () => {
      throw new Error('no browser');
    });
    return;
  }

  let platform: OpsPlatform;
  let browser: Browser;
  let page: Page;
  const foreign: string[] = [];
  const problems: string[] = [];
  const enterprise = demoWorld({ subjects: 20 }).subjects.find((s) => s.kind === 'ENTERPRISE')!;

  /** The explorer of this suite's gateway: see openExplorerAt. */
  async function openExplorer(pageProblems: string[] = [], viewport?: { width: number; height: number }, given?: BrowserContext): Promise<{ context: BrowserContext; page: Page }> {
    return await openExplorerAt(platform.origin, given ?? browser, { foreign, problems: pageProblems, viewport });
  }

  /** The finance bureau's credit checks in the review ledger, as the credit office reads them. */
  async function financeCreditChecks(): Promise<number> {
    const supervisor = (await settingsNow()).demoCallers!.find((c) => c.label.startsWith('Credit office supervisor'))!;
    const response = await fetch(`${platform.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${supervisor.token}`, 'x-credit-matter': 'CREDIT_SUPERVISION' },
      body: JSON.stringify({ query: '{ creditChecks(department: "FINANCE") { totalCount } }' }),
      signal: AbortSignal.timeout(waitMs),
    });
    const answer = (await response.json()) as { data?: { creditChecks: { totalCount: number } } };
    if (!answer.data) throw new Error(`the ledger could not be read: ${JSON.stringify(answer)}`);
    return answer.data.creditChecks.totalCount;
  }

  async function settingsNow(): Promise<ExplorerSettings> {
    return (await (await fetch(`${platform.origin}/explorer/settings.json`, { signal: AbortSignal.timeout(waitMs) })).json()) as ExplorerSettings;
  }

  beforeAll(async () => {
    await ensureExplorerBundle();
    platform = await startOpsPlatform({ kind: 'sqlite', directory: ':memory:' }, { seedSubjects: 20, explorer: 'demo' });
    browser = await chromium.launch(launchOptions);
    ({ page } = await openExplorer(problems));
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('loads everything from the gateway, with no request to another host and no error', async () => {
    // Monaco's workers start once an editor has a language: wait for the schema to be in use.
    await page.locator('.graphiql-query-editor .view-lines').waitFor();
    expect(foreign).toEqual([]);
    expect(problems).toEqual([]);
    // Its interface is English; its icon is inline, so no browser asks for a favicon.ico (a 404).
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.getAttribute('link[rel="icon"]', 'href')).toBe('data:,');
    // The bar's purpose fields carry the terms officers say (事项, 案号, 授权), marked as Chinese.
    expect(await page.locator('label.explorer-field > span').allTextContents()).toEqual(expect.arrayContaining(['Matter 事项 (x-credit-matter)', 'Case 案号 (x-credit-case)', 'Consent 授权 (x-credit-consent)']));
    expect(await page.locator('label.explorer-field span[lang="zh"]').allTextContents()).toEqual(['事项', '案号', '授权']);
  });

  it('runs the department’s example as the demo finance officer and shows the subject', async () => {
    await openExample(page, 'DepartmentSubjectCheck');
    const settings = await settingsNow();
    const officer = settings.examples.find((e) => e.name === 'DepartmentSubjectCheck')!.demoCaller;
    expect(await page.locator('[data-testid="demo-caller"]').inputValue()).toBe(officer);
    expect(await page.locator('[data-testid="matter"]').inputValue()).toBe('GOVERNMENT_PROCUREMENT');
    expect(await page.locator('[data-testid="case"]').inputValue()).toBe('BDH-CG-2026-0117');
    expect(await editorText(page, '.graphiql-query-editor .view-lines')).toContain('query DepartmentSubjectCheck($code: String!)');

    await page.locator('.graphiql-execute-button').click();
    const shown = await waitForResponse(page, `"name": "${enterprise.name}"`);
    expect(shown).toContain('"subjectByCode": {');
    expect(shown).not.toContain('"errors"');
    if (process.env.EXPLORER_SCREENSHOT) await page.screenshot({ path: process.env.EXPLORER_SCREENSHOT });
  });

  it('sends a Chinese case number, which a browser cannot put in a header as it is, and the audit log holds it as typed', async () => {
    const caseNumber = '北财采〔2026〕17号';
    await openExample(page, 'DepartmentSubjectCheck');
    await page.locator('[data-testid="case"]').fill(caseNumber);
    await page.locator('.graphiql-execute-button').click();
    const shown = await waitForResponse(page, `"name": "${enterprise.name}"`);
    expect(shown).not.toContain('"errors"');

    const settings = await settingsNow();
    const supervisor = settings.demoCallers!.find((c) => c.label.startsWith('Credit office supervisor'))!;
    const response = await fetch(`${platform.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${supervisor.token}`, 'x-credit-matter': 'CREDIT_SUPERVISION' },
      body: JSON.stringify({ query: 'query ($case: String!) { auditEntriesByOrganisation(organisation: "FINANCE", caseNumber: $case) { totalCount } }', variables: { case: caseNumber } }),
      signal: AbortSignal.timeout(waitMs),
    });
    expect(await response.json()).toEqual({ data: { auditEntriesByOrganisation: { totalCount: 1 } } });
  });

  it('sends a pasted token and the purpose with the operation', async () => {
    await openExample(page, 'RegistryReview');
    await page.selectOption('[data-testid="demo-caller"]', '');
    await page.locator('[data-testid="token"]').fill('not-a-token');
    await page.locator('.graphiql-execute-button').click();
    expect(await waitForResponse(page, '"code": "UNAUTHENTICATED"')).toContain('"errors"');
    // Chromium reports the refused request (401) on the console: expected here, so not a problem.
    problems.splice(0, problems.length, ...problems.filter((p) => !p.includes('status of 401')));

    const settings = await settingsNow();
    const admin = settings.demoCallers!.find((c) => c.label === settings.examples.find((e) => e.name === 'RegistryReview')!.demoCaller)!;
    await page.locator('[data-testid="token"]').fill(admin.token);
    await page.locator('.graphiql-execute-button').click();
    const shown = await waitForResponse(page, '"creditServiceProviders": {');
    expect(shown).toContain('"filingStatus"');
  });

  it('runs the operation on Ctrl+Enter in the bar, as in the editor, with what was just typed there', async () => {
    const { context, page } = await openExplorer();
    try {
      const sent = operationsSent(page);
      await page.locator('[data-testid="case"]').fill('BDH-CG-2026-0245');
      await page.keyboard.press('Control+Enter');
      expect(await waitForResponse(page, `"name": "${enterprise.name}"`)).not.toContain('"errors"');
      expect(sent).toHaveLength(1);
      expect((await sent[0].allHeaders())['x-credit-case']).toBe('BDH-CG-2026-0245');

      // From a list too: the matter.
      await page.locator('[data-testid="matter"]').focus();
      await page.keyboard.press('Control+Enter');
      for (const deadline = Date.now() + waitMs; sent.length < 2 && Date.now() < deadline; ) await page.waitForTimeout(100);
      expect(sent).toHaveLength(2);
    } finally {
      await context.close();
    }
  });

  it('works behind a proxy that serves the gateway under a path: the page, its docs and its operations go under the path, and nothing to the host’s root', async () => {
    const proxy = await prefixingProxy(platform.origin);
    const pageProblems: string[] = [];
    try {
      // Opened as a browser opens the API: sent on to the explorer, under the path.
      const { context, page } = await openExplorerAt(proxy.origin, browser, { foreign, problems: pageProblems, path: proxy.prefix });
      try {
        expect(page.url()).toBe(`${proxy.origin}${proxy.prefix}explorer/`);
        await page.locator('.graphiql-execute-button').click();
        expect(await waitForResponse(page, `"name": "${enterprise.name}"`)).not.toContain('"errors"');
        await page.locator('[aria-label="Show Documentation Explorer"]').click();
        const docs = page.locator('.graphiql-doc-explorer');
        await docs.getByText('Query', { exact: true }).first().click();
        await docs.getByText('subjectByCode', { exact: true }).first().waitFor();
      } finally {
        await context.close();
      }
      expect(proxy.outside).toEqual([]);
      // The schema's introspection and the operation.
      expect(proxy.forwarded.filter((r) => r === 'POST /graphql').length).toBeGreaterThanOrEqual(2);
      expect(pageProblems).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('shows the supergraph’s schema in the docs', async () => {
    await page.locator('[aria-label="Show Documentation Explorer"]').click();
    const docs = page.locator('.graphiql-doc-explorer');
    await docs.getByText('Query', { exact: true }).first().click();
    await docs.getByText('subjectByCode', { exact: true }).first().waitFor();
    await docs.getByText('creditServiceProviders', { exact: true }).first().waitFor();
  });

  it('reads the schema without the bar’s token, so a token that has expired by the page’s load leaves docs and completion working', async () => {
    const expired = await mintToken(financeOfficer.caller, platform.secrets.tokens, { expiresIn: Math.floor(Date.now() / 1000) - 60 });
    const context = await browser.newContext();
    try {
      await context.route('**/explorer/settings.json', async (route) => {
        const response = await route.fetch();
        const settings = (await response.json()) as ExplorerSettings;
        await route.fulfill({ response, json: { ...settings, demoCallers: settings.demoCallers!.map((c) => ({ ...c, token: expired })) } });
      });
      const schemaFetches: Request[] = [];
      context.on('request', (request) => {
        if (isSchemaFetch(request)) schemaFetches.push(request);
      });
      const { page } = await openExplorer([], undefined, context);
      expect(await page.locator('[data-testid="token"]').inputValue()).toBe(expired);
      await page.locator('[aria-label="Show Documentation Explorer"]').click();
      const docs = page.locator('.graphiql-doc-explorer');
      await docs.getByText('Query', { exact: true }).first().click();
      await docs.getByText('subjectByCode', { exact: true }).first().waitFor();
      expect(schemaFetches.length).toBeGreaterThan(0);
      for (const request of schemaFetches) {
        const headers = await request.allHeaders();
        expect(Object.keys(headers).filter((name) => name === 'authorization' || name.startsWith('x-credit-'))).toEqual([]);
      }
    } finally {
      await context.close();
    }
  });

  it('completes field names from the schema in the editor', async () => {
    await openExample(page, 'RegistryReview');
    const editor = page.locator('.graphiql-query-editor .monaco-editor').first();
    await editor.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('query Typed { subjectB', { delay: 20 });
    await page.keyboard.press('Control+Space');
    await page.locator('.suggest-widget').getByText('subjectByCode').first().waitFor();
    expect(foreign).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('marks invisible characters in the editors and the result, but not the brackets 〔 〕 of every Chinese document number', async () => {
    const { context, page } = await openExplorer();
    try {
      const documentNumber = '北戴河税信评〔2026〕4号';
      await page.route('**/graphql', async (route) => {
        if (isSchemaFetch(route.request())) return await route.fallback();
        return await route.fulfill({ json: { data: { __typename: 'Query', documentNumber, note: 'zero\u200bwidth' } } });
      });
      const operation = '.graphiql-query-editor';
      await page.locator(`${operation} .view-lines`).click();
      await page.keyboard.press('Control+A');
      await page.keyboard.insertText(`query Marked(\n$document: String = "${documentNumber}"\n$note: String = "zero\u200bwidth"\n) { __typename }`);
      await waitForEditor(page, `${operation} .view-lines`, 'query Marked');
      await page.locator('.graphiql-execute-button').click();
      await waitForResponse(page, '"documentNumber"');
      // Monaco finds what to mark in a worker, after a change: wait until the invisible one is.
      for (const editor of ['.graphiql-response', operation]) {
        const marks = page.locator(`${editor} .unicode-highlight`);
        await marks.first().waitFor();
        await page.waitForTimeout(500);
        expect({ editor, marks: await marks.count() }).toEqual({ editor, marks: 1 });
      }
    } finally {
      await context.close();
    }
  });

  it('sends what the bar shows: a Headers tab naming the token or a purpose header is refused, visibly, and sends nothing', async () => {
    const sent = operationsSent(page);
    await openExample(page, 'DepartmentSubjectCheck');
    await typeInto(page, 'Headers', '{"x-credit-matter": "PERSONNEL_REVIEW", "x-credit-case": "HDR-2026-1"}');
    await page.locator('.graphiql-execute-button').click();
    // (Searched for as words: the result pane wraps long lines.)
    expect(await waitForResponse(page, 'EXPLORER_HEADER_SET_BY_BAR')).toContain('"x-credit-matter"');
    await typeInto(page, 'Headers', '{"Authorization": "Bearer typed-in-the-tab"}');
    await page.locator('.graphiql-execute-button').click();
    expect(await waitForResponse(page, '"Authorization"')).toContain('EXPLORER_HEADER_SET_BY_BAR');
    expect(sent).toEqual([]);

    // Any other header goes as typed, beside the bar's token and purpose.
    await typeInto(page, 'Headers', '{"x-request-id": "explorer-test-17"}');
    await page.locator('.graphiql-execute-button').click();
    await waitForResponse(page, '"ENTERPRISE"');
    expect(sent).toHaveLength(1);
    const headers = await sent[0].allHeaders();
    expect(headers['x-request-id']).toBe('explorer-test-17');
    expect(headers['x-credit-matter']).toBe('GOVERNMENT_PROCUREMENT');
    expect(headers['x-credit-case']).toBe('BDH-CG-2026-0117');
    expect(headers.authorization).toBe(`Bearer ${await page.locator('[data-testid="token"]').inputValue()}`);
    await typeInto(page, 'Headers', '');
  });

  it('answers in GraphQL’s error shape, saying what to fix, when a header cannot be sent or a proxy answers with a page', async () => {
    const { context, page } = await openExplorer();
    try {
      const sent = operationsSent(page);
      await typeInto(page, 'Headers', '{"x-note": "北财采〔2026〕18号"}');
      await page.locator('.graphiql-execute-button').click();
      const refused = await waitForResponse(page, 'EXPLORER_BAD_HEADER');
      expect(refused).toContain('"x-note"');
      expect(refused).not.toContain('stack');
      expect(sent).toEqual([]);

      await typeInto(page, 'Headers', '');
      await page.route('**/graphql', async (route) => {
        if (isSchemaFetch(route.request())) return await route.fallback();
        return await route.fulfill({ status: 503, contentType: 'text/html', body: '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>' });
      });
      await page.locator('.graphiql-execute-button').click();
      const failed = await waitForResponse(page, 'EXPLORER_NOT_GRAPHQL');
      expect(failed).toContain('503');
      expect(failed).not.toContain('stack');
    } finally {
      await context.close();
    }
  });

  it('says of a mutation a proxy failed on (502, 504) that it may have taken effect, as Stop does, and of a request a proxy refused as too large (413) that no retry helps', async () => {
    const { context, page } = await openExplorer();
    try {
      /** Waits until the status line says exactly `said`. */
      const statusSays = async (said: RegExp) => await page.locator('[role="status"]', { hasText: said }).waitFor();
      let answer = { status: 504, body: '<html><body><h1>504 Gateway Time-out</h1></body></html>' };
      await page.route('**/graphql', async (route) => {
        if (isSchemaFetch(route.request())) return await route.fallback();
        return await route.fulfill({ status: answer.status, contentType: 'text/html', body: answer.body });
      });
      await openExample(page, 'DepartmentCreditCheck');
      await waitForEditor(page, '.graphiql-query-editor .view-lines', 'mutation DepartmentCreditCheck(');
      await page.locator('.graphiql-execute-button').click();
      const failed = (await waitForResponse(page, 'EXPLORER_NOT_GRAPHQL')).replace(/\s+/g, ' ');
      expect(failed).toContain('may have taken effect');
      expect(failed).toContain('idempotencyKey');
      expect(failed).not.toContain('Try again later');
      await statusSays(/^The gateway's address answered HTTP 504 .* may have taken effect \(a credit check recorded, say\)\.$/);

      answer = { status: 413, body: '<html><body><h1>413 Request Entity Too Large</h1></body></html>' };
      await page.locator('.graphiql-execute-button').click();
      await statusSays(/^The gateway's address answered HTTP 413 .* too large/);
      const refused = (await waitForResponse(page, '413')).replace(/\s+/g, ' ');
      expect(refused).not.toContain('Try again later');
      expect(refused).not.toContain('may have taken effect');
    } finally {
      await context.close();
    }
  });

  it('opens the credit check with an idempotencyKey made afresh, so that running its tab again answers the check it first ran', async () => {
    const { context, page } = await openExplorer();
    try {
      const variables = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .view-lines';
      const keyShown = async () => (await waitForEditor(page, variables, '"idempotencyKey"')).match(/"idempotencyKey": "([0-9a-f-]{36})"/)?.[1];
      await openExample(page, 'DepartmentCreditCheck');
      await page.locator('.graphiql-editor-tools button', { hasText: 'Variables' }).click();
      const key = await keyShown();
      expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

      const checks = await financeCreditChecks();
      /** Runs the tab, and reads the check's id in the result pane once the gateway has answered (the pane is blank from the run's start). */
      const run = async () => {
        const answered = page.waitForResponse((response) => Boolean(response.request().postData()?.includes('mutation DepartmentCreditCheck')));
        await page.locator('.graphiql-execute-button').click();
        await answered;
        return (await waitForResponse(page, '"verdict"')).match(/"id": "([^"]+)"/)?.[1];
      };
      const first = await run();
      expect(first).toBeTruthy();
      expect(await run()).toBe(first);
      expect(await financeCreditChecks()).toBe(checks + 1);

      // Opened again, it is another attempt, with a key of its own.
      await openExample(page, 'DepartmentCreditCheck');
      await page.locator('.graphiql-editor-tools button', { hasText: 'Variables' }).click();
      expect(await keyShown()).not.toBe(key);
    } finally {
      await context.close();
    }
  });

  it('stops an operation on Stop: its request is aborted, the credit check is never run, no late answer shows, and the result pane says it may have run', async () => {
    const { context, page } = await openExplorer();
    try {
      const checks = await financeCreditChecks();
      // The credit check's request is held on its way, as on a slow network, until it has been stopped.
      let hold!: (route: Route) => void;
      const held = new Promise<Route>((resolve) => (hold = resolve));
      await page.route('**/graphql', async (route) => {
        if (route.request().postData()?.includes('mutation DepartmentCreditCheck')) return hold(route);
        return await route.fallback();
      });
      const aborted: string[] = [];
      page.on('requestfailed', (request) => {
        if (request.postData()?.includes('mutation DepartmentCreditCheck')) aborted.push(request.failure()?.errorText ?? '');
      });
      await openExample(page, 'DepartmentCreditCheck');
      await page.locator('.graphiql-execute-button').click();
      const route = await within(held, 'sending the credit check');
      // Run at once after it was opened: sent under its own name, not the previous tab's.
      expect(JSON.parse(route.request().postData() ?? '{}').operationName).toBe('DepartmentCreditCheck');
      await page.locator('.graphiql-execute-button[aria-label^="Stop"]').click();
      await page.locator('.graphiql-execute-button[aria-label^="Execute"]').waitFor();
      // A request the page aborted cannot go on; one it did not goes to the gateway now.
      await route.continue().catch(() => undefined);
      for (const deadline = Date.now() + 5_000; !aborted.length && Date.now() < deadline; ) await page.waitForTimeout(100);
      await page.waitForTimeout(1_500); // what a late answer would need to show
      expect(await financeCreditChecks()).toBe(checks);
      const shown = await waitForResponse(page, 'EXPLORER_STOPPED');
      expect(shown).not.toContain('runCreditCheck');
      // It may have reached the gateway: the pane says so, and that the same idempotencyKey is safe.
      expect(shown.replace(/\s+/g, ' ')).toContain('may have taken effect');
      expect(shown).toContain('idempotencyKey');
      expect(await page.locator('[role="status"]').textContent()).toMatch(/^Stopped: .* may have taken effect \(a credit check recorded, say\)\.$/);
      expect(aborted).toEqual(['net::ERR_ABORTED']);
    } finally {
      await context.close();
    }
  });

  /**
   * Types what an officer's session holds into the bar and the editors and runs it: a pasted
   * token, a case number and a person's ID number in the variables. Returns what was typed.
   */
  async function workWithPersonalData(page: Page): Promise<{ token: string; caseNumber: string; idNumber: string }> {
    const typed = { token: await mintToken(financeOfficer.caller, platform.secrets.tokens), caseNumber: '北财采〔2026〕19号', idNumber: '130304197304130019' };
    await page.selectOption('[data-testid="demo-caller"]', '');
    await page.locator('[data-testid="token"]').fill(typed.token);
    await page.locator('[data-testid="case"]').fill(typed.caseNumber);
    await typeInto(page, 'Variables', `{"code": "${typed.idNumber}"}`);
    // GraphiQL takes an editor's text into its tab 100 ms after the last keystroke, and stores
    // its editors 500 ms after a change; its history records the run as the tab is then.
    await page.waitForTimeout(1_000);
    await page.locator('.graphiql-execute-button').click();
    await waitForResponse(page, 'subjectByCode');
    await page.waitForTimeout(1_000);
    return typed;
  }

  it('keeps the token, the purpose, tabs, variables and history in page memory only: none in the browser’s storage, and a reload forgets them', async () => {
    const { context, page } = await openExplorer();
    try {
      // What an earlier explorer kept in the browser's storage goes at the next load.
      await page.evaluate(() => {
        localStorage.setItem('graphiql:queries', '{"queries":[{"variables":"{\\"code\\": \\"130304197304130019\\"}"}]}');
        sessionStorage.setItem('graphiql:tabState', '{"tabs":[]}');
        sessionStorage.setItem('credit-explorer:access', '{"token":"kept-from-before"}');
      });
      await page.reload({ waitUntil: 'load' });
      await page.locator('.graphiql-query-editor .view-lines').waitFor();
      const typed = await workWithPersonalData(page);
      // History works as ever, within the page.
      await page.locator('[aria-label="Show History"]').click();
      await page.locator('.graphiql-history-item-label').first().waitFor();
      await page.locator('[aria-label="Hide History"]').click();
      expect(await page.evaluate(() => ({ session: sessionStorage.length, local: localStorage.length }))).toEqual({ session: 0, local: 0 });

      await page.reload({ waitUntil: 'load' });
      await page.locator('.graphiql-query-editor .view-lines').waitFor();
      expect(await page.locator('[data-testid="token"]').inputValue()).not.toBe(typed.token);
      expect(await page.locator('[data-testid="case"]').inputValue()).not.toBe(typed.caseNumber);
      expect(await page.locator('.graphiql-tab').count()).toBe(1);
      await page.locator('.graphiql-editor-tools button', { hasText: 'Variables' }).click();
      await waitForEditor(page, '.graphiql-editor-tool .graphiql-editor:not(.hidden) .view-lines', '"code"');
      expect(await editorText(page, '.graphiql-editor-tool .graphiql-editor:not(.hidden) .view-lines')).not.toContain(typed.idNumber);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('leaves no token, case number or operation’s variables in the browser’s profile on disk, which session restore reads', async () => {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'explorer-profile-'));
    try {
      const context = await chromium.launchPersistentContext(profile, launchOptions);
      let typed: Awaited<ReturnType<typeof workWithPersonalData>>;
      try {
        const { page } = await openExplorer([], undefined, context);
        typed = await workWithPersonalData(page);
      } finally {
        // Closing writes what Chromium keeps for "Continue where you left off" and session storage.
        await context.close();
      }
      const files = fs.readdirSync(profile, { recursive: true, withFileTypes: true }).filter((f) => f.isFile()).map((f) => path.join(f.parentPath, f.name));
      const holding = (text: string) =>
        files.filter((file) => {
          const bytes = fs.readFileSync(file);
          return bytes.includes(Buffer.from(text, 'utf8')) || bytes.includes(Buffer.from(text, 'utf16le'));
        }).map((file) => path.relative(profile, file));
      expect({ token: holding(typed!.token), caseNumber: holding(typed!.caseNumber), idNumber: holding(typed!.idNumber) }).toEqual({ token: [], caseNumber: [], idNumber: [] });
    } finally {
      fs.rmSync(profile, { recursive: true, force: true });
    }
  }, 120_000);

  it('opens with one tab, the first example with its variables and the caller and purpose it is meant for, and runs it as it is', async () => {
    const { context, page } = await openExplorer();
    try {
      const first = (await settingsNow()).examples[0];
      expect(await page.locator('.graphiql-tab').allTextContents()).toEqual([expect.stringContaining(first.name)]);
      expect(await page.locator('[data-testid="demo-caller"]').inputValue()).toBe(first.demoCaller);
      expect(await page.locator('[data-testid="matter"]').inputValue()).toBe(first.purpose.matter);
      await page.locator('.graphiql-execute-button').click();
      expect(await waitForResponse(page, `"name": "${enterprise.name}"`)).not.toContain('"errors"');
    } finally {
      await context.close();
    }
  });

  it('opens an example in a new tab only when asked: the draft stays, and the arrow keys pass examples without opening them', async () => {
    const { context, page } = await openExplorer();
    try {
      const operation = '.graphiql-query-editor .view-lines';
      await page.locator(operation).click();
      await page.keyboard.press('Control+A');
      await page.keyboard.insertText('query MyDraft { departments { code } }');
      await waitForEditor(page, operation, 'query MyDraft');
      await page.locator('[data-testid="example"]').focus();
      for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
      expect(await page.locator('[data-testid="example"]').inputValue()).toBe('AnalystStatistics');
      await page.waitForTimeout(500); // what an example applied on the way would need to show
      expect(await editorText(page, operation)).toContain('query MyDraft');
      expect(await page.locator('[data-testid="matter"]').inputValue()).toBe('GOVERNMENT_PROCUREMENT');

      await page.locator('[data-testid="open-example"]').click();
      await waitForEditor(page, operation, 'query AnalystStatistics(');
      expect(await page.locator('[data-testid="matter"]').inputValue()).toBe('STATISTICAL_ANALYSIS');
      await page.locator('.graphiql-tab', { hasText: 'MyDraft' }).click();
      await waitForEditor(page, operation, 'query MyDraft');
    } finally {
      await context.close();
    }
  });

  it('puts the result under the operation at a phone’s width, wide enough to read', async () => {
    const { context, page } = await openExplorer([], { width: 375, height: 800 });
    try {
      const operation = (await page.locator('.graphiql-query-editor').boundingBox())!;
      const result = (await page.locator('.graphiql-response').boundingBox())!;
      expect(result.width).toBeGreaterThan(250);
      expect(result.y).toBeGreaterThanOrEqual(operation.y + operation.height);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    } finally {
      await context.close();
    }
  });

  it('keeps the variables editor readable, clear of the tabs and the result, at 200% zoom and at a phone’s width', async () => {
    // 640×400 and 960×540: a 1280×800 and a 1920×1080 window at 200% zoom; 320 wide: the narrowest phone.
    for (const viewport of [
      { width: 640, height: 400 },
      { width: 960, height: 540 },
      { width: 320, height: 568 },
    ]) {
      const { context, page } = await openExplorer([], viewport);
      try {
        const box = async (selector: string) => (await page.locator(selector).first().boundingBox())!;
        const operation = await box('.graphiql-query-editor .monaco-editor');
        const tabs = await box('.graphiql-editor-tools');
        const variables = await box('.graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor');
        const result = await box('.graphiql-response');
        const seen = { viewport, operation, tabs, variables, result };
        // Three lines of variables at least (Monaco's are 20 px), below the tabs, above or beside the result.
        expect({ ...seen, tall: variables.height >= 60 }).toEqual({ ...seen, tall: true });
        expect({ ...seen, operationAboveTabs: operation.y + operation.height <= tabs.y }).toEqual({ ...seen, operationAboveTabs: true });
        expect({ ...seen, variablesBelowTabs: variables.y >= tabs.y + tabs.height }).toEqual({ ...seen, variablesBelowTabs: true });
        const clearOfResult = result.y >= variables.y + variables.height || result.x >= variables.x + variables.width;
        expect({ ...seen, clearOfResult }).toEqual({ ...seen, clearOfResult: true });
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      } finally {
        await context.close();
      }
    }
  }, 120_000);


  it('has one heading naming the page, the editors and answer as its main landmark, and a logo readable at 4.5:1', async () => {
    const { context, page } = await openExplorer();
    try {
      expect(await page.getByRole('heading', { level: 1 }).allTextContents()).toEqual(['Beidaihe credit API · explorer']);
      const main = page.getByRole('main');
      expect(await main.count()).toBe(1);
      expect(await main.locator('.graphiql-query-editor').count()).toBe(1);
      expect(await main.locator('.graphiql-response').count()).toBe(1);
      // GraphiQL's grey logo text was 4.26:1 on white.
      const logo = await page.locator('.graphiql-logo').evaluate((element) => getComputedStyle(element).color);
      expect(contrastOnWhite(logo)).toBeGreaterThanOrEqual(4.5);
    } finally {
      await context.close();
    }
  });

  it('rings the focused GraphiQL button in a colour that stands out (3:1 at least on white)', async () => {
    const { context, page } = await openExplorer();
    try {
      // GraphiQL's own ring was a 1 px outline at 15 % opacity (about 1.2:1 on white).
      const button = page.locator('[aria-label="Show History"]');
      await button.focus();
      const ring = await button.evaluate((focused) => {
        const style = getComputedStyle(focused);
        return { style: style.outlineStyle, width: style.outlineWidth, color: style.outlineColor };
      });
      expect({ ring, contrast: contrastOnWhite(ring.color) >= 3 }).toEqual({ ring: { style: 'solid', width: '2px', color: ring.color }, contrast: true });
    } finally {
      await context.close();
    }
  });

  it('says in a status line what came back, rather than having the result pane read out as it scrolls', async () => {
    const { context, page } = await openExplorer();
    try {
      /** Waits until the status line says exactly `said`. */
      const statusSays = async (said: RegExp) => await page.locator('[role="status"]', { hasText: said }).waitFor();
      // The result pane holds Monaco's lines, rendered as they scroll into view: never a live region.
      expect(await page.locator('.graphiql-response .result-window').getAttribute('aria-live')).toBe('off');
      await page.locator('.graphiql-execute-button').click();
      await waitForResponse(page, `"name": "${enterprise.name}"`);
      await statusSays(/^Answer: data$/);

      await page.route('**/graphql', async (route) => {
        if (isSchemaFetch(route.request())) return await route.fallback();
        if (route.request().postData()?.includes('Unreachable')) return await route.abort('connectionrefused');
        const errors = [
          { message: 'not for this matter', extensions: { code: 'FORBIDDEN' } },
          { message: 'not a code', extensions: { code: 'BAD_USER_INPUT' } },
          { message: 'not for this matter either', extensions: { code: 'FORBIDDEN' } },
        ];
        return await route.fulfill({ json: { data: null, errors } });
      });
      await page.locator('.graphiql-execute-button').click();
      await waitForResponse(page, 'BAD_USER_INPUT');
      await statusSays(/^Answer: 3 errors \(FORBIDDEN, BAD_USER_INPUT\)$/);

      await page.locator('.graphiql-query-editor .view-lines').click();
      await page.keyboard.press('Control+A');
      await page.keyboard.insertText('query Unreachable { __typename }');
      await waitForEditor(page, '.graphiql-query-editor .view-lines', 'query Unreachable');
      await page.locator('.graphiql-execute-button').click();
      await waitForResponse(page, 'EXPLORER_NETWORK_ERROR');
      await statusSays(/^No answer from the gateway: Failed to fetch\.$/);
    } finally {
      await context.close();
    }
  });

  it('names each editor for what it holds, and says in the bar how to leave one by keyboard', async () => {
    const { context, page } = await openExplorer();
    try {
      // Not four times Monaco's "Editor content".
      const label = async (editor: string) => await page.locator(`${editor} textarea`).first().getAttribute('aria-label');
      expect({
        operation: await label('.graphiql-query-editor'),
        variables: await label('.graphiql-editor-tool .graphiql-editor:not(.hidden)'),
        headers: await label('.graphiql-editor-tool .graphiql-editor.hidden'),
        result: await label('.graphiql-response'),
      }).toEqual({ operation: 'Operation', variables: 'Variables (JSON)', headers: 'Headers (JSON)', result: 'Result' });
      // Tab indents in an editor: the bar says how to leave one, and that way works.
      expect(await page.locator('.explorer-bar').textContent()).toContain('Ctrl+M, then Tab');
      await page.locator('.graphiql-query-editor .view-lines').click();
      await page.keyboard.press('Control+M');
      await page.keyboard.press('Tab');
      expect(await page.locator(':focus').getAttribute('aria-label')).toMatch(/^Execute query/);
    } finally {
      await context.close();
    }
  });

  it('puts focus back on the button that opened the short keys or the settings dialog when Esc closes it', async () => {
    const { context, page } = await openExplorer();
    try {
      for (const opener of ['Open short keys dialog', 'Open settings dialog']) {
        await page.locator(`[aria-label="${opener}"]`).focus();
        await page.keyboard.press('Enter');
        await page.locator('.graphiql-dialog').waitFor();
        await page.keyboard.press('Escape');
        await page.locator('.graphiql-dialog').waitFor({ state: 'detached' });
        await page.locator(`[aria-label="${opener}"]:focus`).waitFor();
      }
    } finally {
      await context.close();
    }
  });

  it('says what Open opened, with whom and for what, and puts the caret in its operation', async () => {
    const { context, page } = await openExplorer();
    try {
      await openExample(page, 'DepartmentCreditCheck');
      await waitForEditor(page, '.graphiql-query-editor .view-lines', 'mutation DepartmentCreditCheck(');
      const caller = (await settingsNow()).examples.find((e) => e.name === 'DepartmentCreditCheck')!.demoCaller;
      expect(await page.locator('[role="status"]').textContent()).toBe(`Opened DepartmentCreditCheck in a new tab; caller ${caller}, matter GOVERNMENT_PROCUREMENT`);
      await page.locator('.graphiql-query-editor textarea:focus').waitFor();
    } finally {
      await context.close();
    }
  });
});

/** What the bar holds: the token and the purpose every operation is sent with. */
async function bar(page: Page): Promise<{ token: string; matter: string; caseNumber: string; consentId: string }> {
  const value = async (id: string) => await page.locator(`[data-testid="${id}"]`).inputValue();
  return { token: await value('token'), matter: await value('matter'), caseNumber: await value('case'), consentId: await value('consent') };
}

describe('the explorer in headless Chromium, in production (EXPLORER=on, no demo callers)', () => {
  if (!fs.existsSync(executablePath)) return;

  let platform: OpsPlatform;
  let browser: Browser;
  const foreign: string[] = [];

  beforeAll(async () => {
    await ensureExplorerBundle();
    platform = await startOpsPlatform({ kind: 'sqlite', directory: ':memory:' }, { seedSubjects: 20, explorer: 'on' });
    browser = await chromium.launch(launchOptions);
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('starts with an empty bar, and Open never changes the purpose the officer set: it fills at most a matter left empty', async () => {
    const { context, page } = await openExplorerAt(platform.origin, browser, { foreign });
    try {
      expect(await page.locator('[data-testid="demo-caller"]').count()).toBe(0);
      expect(await bar(page)).toEqual({ token: '', matter: '', caseNumber: '', consentId: '' });

      const token = await mintToken(financeOfficer.caller, platform.secrets.tokens);
      await page.locator('[data-testid="token"]').fill(token);
      await page.locator('[data-testid="case"]').fill('CZ-2026-0042');
      await openExample(page, 'DepartmentSubjectCheck');
      await waitForEditor(page, '.graphiql-query-editor .view-lines', 'query DepartmentSubjectCheck(');
      expect(await bar(page)).toEqual({ token, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'CZ-2026-0042', consentId: '' });
      expect(await page.locator('[role="status"]').textContent()).toBe('Opened DepartmentSubjectCheck in a new tab; caller your token, matter GOVERNMENT_PROCUREMENT');

      // The officer's own case goes with the run, and is what the audit log records.
      const sent = operationsSent(page);
      await page.locator('.graphiql-execute-button').click();
      await waitForResponse(page, '"subjectByCode"');
      expect((await sent[0].allHeaders())['x-credit-case']).toBe('CZ-2026-0042');

      await page.selectOption('[data-testid="matter"]', 'PERSONNEL_REVIEW');
      await openExample(page, 'AnalystStatistics');
      await waitForEditor(page, '.graphiql-query-editor .view-lines', 'query AnalystStatistics(');
      expect(await bar(page)).toEqual({ token, matter: 'PERSONNEL_REVIEW', caseNumber: 'CZ-2026-0042', consentId: '' });
    } finally {
      await context.close();
    }
  });

  it('opens with one empty tab, ready to run what is typed, when the gateway lists no example', async () => {
    const context = await browser.newContext();
    const problems: string[] = [];
    try {
      await context.route('**/explorer/settings.json', async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, json: { ...((await response.json()) as ExplorerSettings), examples: [] } });
      });
      const { page } = await openExplorerAt(platform.origin, context, { foreign, problems });
      expect(await page.locator('[data-testid="example"] option').allTextContents()).toEqual(['Choose an example…']);
      expect(await page.locator('[data-testid="open-example"]').isDisabled()).toBe(true);
      await page.locator('.graphiql-query-editor .view-lines').click();
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Delete');
      await page.keyboard.insertText('{ __typename }');
      await page.locator('.graphiql-execute-button').click();
      await waitForResponse(page, '"__typename": "Query"');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('opens the credit check with the case as a variable left for the officer, never a made-up one', async () => {
    const { context, page } = await openExplorerAt(platform.origin, browser, { foreign });
    try {
      await openExample(page, 'DepartmentCreditCheck');
      await waitForEditor(page, '.graphiql-query-editor .view-lines', 'mutation DepartmentCreditCheck(');
      expect(await editorText(page, '.graphiql-query-editor .view-lines')).toContain('caseNumber: $caseNumber');
      await page.locator('.graphiql-editor-tools button', { hasText: 'Variables' }).click();
      const variables = await waitForEditor(page, '.graphiql-editor-tool .graphiql-editor:not(.hidden) .view-lines', '"caseNumber": ""');
      expect(variables).not.toContain('BDH-');
      expect(await bar(page)).toEqual({ token: '', matter: 'GOVERNMENT_PROCUREMENT', caseNumber: '', consentId: '' });
      expect(foreign).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
