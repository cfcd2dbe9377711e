import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ExplorerSettings } from '../../gateway/explorer/settings';
import { demoWorld } from '../../scripts/demo/world';
import { ensureExplorerBundle, startOpsPlatform, type OpsPlatform } from '../ops/ops-platform';

/**
 * The explorer in a real browser: Debian's Chromium (`apt-get install chromium`, as .ci/run
 * does), driven by playwright-core, never a downloaded browser. Every host but the gateway is
 * unreachable for the browser (its resolver maps every other name to nothing) and every request
 * to another origin is aborted and recorded, so a page that needed a CDN would fail here.
 */
const executablePath = '/usr/bin/chromium';
const waitMs = 30_000;

/** What Monaco shows in an editor, with its non-breaking spaces made plain. */
async function editorText(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).textContent()) ?? '').replace(/\u00a0/g, ' ');
}

/** Polls the response editor until it shows `contains` (or fails after waitMs with what it showed). */
async function waitForResponse(page: Page, contains: string): Promise<string> {
  const deadline = Date.now() + waitMs;
  let shown = '';
  while (Date.now() < deadline) {
    shown = await editorText(page, '.graphiql-response .view-lines');
    if (shown.includes(contains)) return shown;
    await page.waitForTimeout(100);
  }
  throw new Error(`the response never showed ${contains}; it showed: ${shown.slice(0, 500)}`);
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

  beforeAll(async () => {
    await ensureExplorerBundle();
    platform = await startOpsPlatform({ kind: 'sqlite', directory: ':memory:' }, { seedSubjects: 20, explorer: 'demo' });
    browser = await chromium.launch({
      executablePath,
      headless: true,
      timeout: waitMs,
      // Root in CI has no user namespace for the sandbox; the browser only ever sees this local page.
      args: ['--no-sandbox', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1', '--no-proxy-server'],
    });
    const context = await browser.newContext();
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      if (new URL(url).origin === platform.origin) return await route.continue();
      foreign.push(url);
      return await route.abort('blockedbyclient');
    });
    page = await context.newPage();
    page.setDefaultTimeout(waitMs);
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(platform.origin) && !url.startsWith('data:') && !url.startsWith('blob:')) foreign.push(url);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    await page.goto(`${platform.origin}/explorer/`, { waitUntil: 'load' });
    await page.locator('[data-testid="example"]').waitFor();
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
  });

  it('runs the department’s example as the demo finance officer and shows the subject', async () => {
    await page.selectOption('[data-testid="example"]', 'DepartmentSubjectCheck');
    const settings = (await (await fetch(`${platform.origin}/explorer/settings.json`)).json()) as ExplorerSettings;
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
    await page.selectOption('[data-testid="example"]', 'DepartmentSubjectCheck');
    await page.locator('[data-testid="case"]').fill(caseNumber);
    await page.locator('.graphiql-execute-button').click();
    const shown = await waitForResponse(page, `"name": "${enterprise.name}"`);
    expect(shown).not.toContain('"errors"');

    const settings = (await (await fetch(`${platform.origin}/explorer/settings.json`)).json()) as ExplorerSettings;
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
    await page.selectOption('[data-testid="example"]', 'RegistryReview');
    await page.selectOption('[data-testid="demo-caller"]', '');
    await page.locator('[data-testid="token"]').fill('not-a-token');
    await page.locator('.graphiql-execute-button').click();
    expect(await waitForResponse(page, '"code": "UNAUTHENTICATED"')).toContain('"errors"');
    // Chromium reports the refused request (401) on the console: expected here, so not a problem.
    problems.splice(0, problems.length, ...problems.filter((p) => !p.includes('status of 401')));

    const settings = (await (await fetch(`${platform.origin}/explorer/settings.json`)).json()) as ExplorerSettings;
    const admin = settings.demoCallers!.find((c) => c.label === settings.examples.find((e) => e.name === 'RegistryReview')!.demoCaller)!;
    await page.locator('[data-testid="token"]').fill(admin.token);
    await page.locator('.graphiql-execute-button').click();
    const shown = await waitForResponse(page, '"creditServiceProviders": {');
    expect(shown).toContain('"filingStatus"');
  });

  it('shows the supergraph’s schema in the docs', async () => {
    await page.locator('[aria-label="Show Documentation Explorer"]').click();
    const docs = page.locator('.graphiql-doc-explorer');
    await docs.getByText('Query', { exact: true }).first().click();
    await docs.getByText('subjectByCode', { exact: true }).first().waitFor();
    await docs.getByText('creditServiceProviders', { exact: true }).first().waitFor();
  });

  it('completes field names from the schema in the editor', async () => {
    await page.selectOption('[data-testid="example"]', 'RegistryReview');
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
});
