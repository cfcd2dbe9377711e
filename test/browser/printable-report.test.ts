import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { SnapshotRecord } from '../../subgraphs/reports/platform-report';
import { printablePagePolicy, renderPrintable } from '../../subgraphs/reports/printable';
import { browserWaitMs, chromiumLaunchOptions, chromiumPath } from '../helpers/browser';
import { pdfPageTexts } from '../helpers/pdf-text';
import { listedRecord, reportSnapshot } from '../helpers/report-snapshot';

// What the functions run in the page (page.evaluate) use there: the tests compile without the DOM's types.
interface Box {
  right: number;
  width: number;
}
interface PageElement {
  readonly tagName: string;
  readonly className: string;
  readonly textContent: string | null;
  readonly innerText: string;
  readonly parentElement: PageElement | null;
  readonly firstChild: unknown;
  getBoundingClientRect(): Box;
}
declare function getComputedStyle(element: PageElement): { overflowX: string };
declare const document: {
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
  body: PageElement;
  documentElement: { scrollWidth: number; clientWidth: number };
  querySelectorAll(selector: string): Iterable<PageElement>;
  createRange(): { selectNodeContents(node: unknown): void; getClientRects(): { length: number } };
};

/** A4 less the page's left and right margins (210 mm − 2 × 15 mm), in CSS pixels: the width print lays a page out in. */
const a4ContentWidth = Math.floor((180 / 25.4) * 96);

/**
 * What a printed page shows of `text`, as a pattern: a character no installed font has (no CJK font
 * on a test machine) is printed as a box, which the PDF's text reads as U+FFFD.
 */
function asPrinted(text: string): RegExp {
  return new RegExp([...text].map((c) => (c < '\x7f' ? c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : `[${c}\ufffd]`)).join(''));
}

/** The page as the reports service sends it: under its content security policy (printable.ts). */
async function show(page: Page, html: string): Promise<void> {
  await page.route('http://127.0.0.1/report.html', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', headers: { 'content-security-policy': printablePagePolicy }, body: html }),
  );
  await page.goto('http://127.0.0.1/report.html');
}

describe('the printable report in headless Chromium', () => {
  if (!fs.existsSync(chromiumPath)) {
    it.failing(`needs Chromium at ${chromiumPath} (apt-get install chromium; .ci/run installs it)`, () => {
      throw new Error('no browser');
    });
    return;
  }

  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch(chromiumLaunchOptions);
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** A new page in print media, as wide as an A4 page's content box, showing the report holding `records`. */
  async function printed(records: SnapshotRecord[]): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: a4ContentWidth, height: 1123 } });
    page.setDefaultTimeout(browserWaitMs);
    await page.emulateMedia({ media: 'print' });
    await show(page, renderPrintable(reportSnapshot(records), 'ab'.repeat(32)));
    return page;
  }

  // A document number of 64 ASCII characters (as the API allows) and a summary holding a long address.
  const unbroken: SnapshotRecord = {
    ...listedRecord,
    documentNumber: `BDHCZJXZCFJDS${'2026'.padEnd(51, '0')}`,
    summary: '当事人在政府采购项目中提供虚假材料，详见 https://www.hebei.gov.cn/qhd/bdh/zfcg/cggg/BDH-CG-2026-0117-XZCF-000123456789?id=9f3c2a7be1d84c0f9a6e5b4d3c2a1f00',
  };

  it('keeps every cell of a records table within the A4 page, however long an unbroken number or address in it', async () => {
    expect(unbroken.documentNumber).toHaveLength(64);
    const page = await printed([unbroken, listedRecord]);
    try {
      const widths = await page.evaluate(() => {
        const page = document.body.getBoundingClientRect().right;
        const past = [...document.querySelectorAll('body *')]
          .filter((element) => element.getBoundingClientRect().right > page + 0.5)
          .map((element) => `${element.tagName}.${element.className} ${(element.textContent ?? '').slice(0, 30)} to ${Math.round(element.getBoundingClientRect().right)}`);
        return { page, scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth, past };
      });
      expect(widths.page).toBeLessThanOrEqual(a4ContentWidth);
      expect(widths.past).toEqual([]);
      expect(widths.scrollWidth).toBeLessThanOrEqual(widths.clientWidth);
    } finally {
      await page.close();
    }
  });

  it('prints each date of a records table whole, on one line', async () => {
    const page = await printed([unbroken, listedRecord]);
    try {
      const dates = await page.evaluate(() =>
        [...document.querySelectorAll('td')]
          .filter((cell) => /^\d{4}-\d{2}-\d{2}$/.test(cell.textContent ?? ''))
          .map((cell) => {
            const range = document.createRange();
            range.selectNodeContents(cell.firstChild);
            return { date: cell.textContent, lines: range.getClientRects().length };
          }),
      );
      // Both records' decision dates and disclosure ends, the report's issue date and validity.
      expect(dates.length).toBeGreaterThanOrEqual(6);
      expect(dates.filter((d) => d.lines !== 1)).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('prints the subject, the report number, its validity and "page n of N" on every page of the PDF', async () => {
    const page = await browser.newPage();
    try {
      const snapshot = reportSnapshot(Array.from({ length: 30 }, () => listedRecord));
      await show(page, renderPrintable({ ...snapshot, subject: { ...snapshot.subject, name: '秦皇岛ABC示例有限公司' } }, 'ab'.repeat(32)));
      const pages = pdfPageTexts(await page.pdf({ preferCSSPageSize: true }));
      expect(pages.length).toBeGreaterThanOrEqual(2);
      pages.forEach((text, index) => {
        expect({ page: index + 1, text }).toEqual({ page: index + 1, text: expect.stringMatching(asPrinted('信用主体：秦皇岛ABC示例有限公司')) });
        expect({ page: index + 1, text }).toEqual({ page: index + 1, text: expect.stringMatching(asPrinted('报告编号 BDHXY-20261125-AAAAAAAA · 有效期至 2027-02-22')) });
        expect({ page: index + 1, text }).toEqual({ page: index + 1, text: expect.stringMatching(asPrinted(`第 ${index + 1} 页 共 ${pages.length} 页`)) });
      });
    } finally {
      await page.close();
    }
  });

  it("keeps the report number and validity whole, on one line, alone in every page's top margin, whatever the subject's name", async () => {
    const snapshot = reportSnapshot(Array.from({ length: 30 }, () => listedRecord));
    const header = asPrinted('报告编号 BDHXY-20261125-AAAAAAAA · 有效期至 2027-02-22');
    const fake = '报告编号 BDHXY-20991231-FAKEFAKE · 有效期至 2099-12-31';
    const names = [
      ['L'.repeat(200), `信用主体：${'L'.repeat(30)}…`],
      // Padded out to push a number of its own onto a line of the header.
      [`秦皇岛示例有限公司${'\u3000'.repeat(40)}${'\u00a0'.repeat(60)}${fake}`, '信用主体：秦皇岛示例有限公司 报告编号 BDHXY-20991231-…'],
    ];
    for (const [name, inMargin] of names) {
      const page = await browser.newPage();
      try {
        const html = renderPrintable({ ...snapshot, subject: { ...snapshot.subject, name } }, 'ab'.repeat(32));
        // The body prints the name whole; the margins, printed alone (the body hidden, its layout kept), a cut one.
        await show(page, html);
        expect(pdfPageTexts(await page.pdf({ preferCSSPageSize: true }))[0]).toContain(name.startsWith('L') ? 'L'.repeat(200) : 'FAKEFAKE');
        await page.unroute('http://127.0.0.1/report.html');
        await show(page, html.replace('</style>', 'body { visibility: hidden; }</style>'));
        const margins = pdfPageTexts(await page.pdf({ preferCSSPageSize: true }));
        await page.unroute('http://127.0.0.1/report.html');
        await show(page, html.replace('</style>', 'body { visibility: hidden; } @page { @bottom-left { content: none; } @bottom-center { content: none; } @bottom-right { content: none; } }</style>'));
        const tops = pdfPageTexts(await page.pdf({ preferCSSPageSize: true }));
        expect(tops.length).toBeGreaterThanOrEqual(2);
        tops.forEach((top, index) => expect({ name: name.slice(0, 12), page: index + 1, top }).toEqual({ name: name.slice(0, 12), page: index + 1, top: expect.stringMatching(new RegExp(`^${header.source}$`)) }));
        margins.forEach((margin, index) => expect({ name: name.slice(0, 12), page: index + 1, margin }).toEqual({ name: name.slice(0, 12), page: index + 1, margin: expect.stringMatching(asPrinted(inMargin)) }));
      } finally {
        await page.close();
      }
    }
  });

  it('keeps the line breaks a summary was written with', async () => {
    const penalty = { ...listedRecord, summary: '一、警告；\r\n二、罚款人民币3000元；\n三、列入不良行为记录名单，一年内禁止参加政府采购活动。' };
    const page = await printed([penalty]);
    try {
      const summaries = await page.evaluate(() => [...document.querySelectorAll('td')].filter((cell) => (cell.textContent ?? '').startsWith('一、警告')).map((cell) => cell.innerText));
      expect(summaries).toEqual(['一、警告；\n二、罚款人民币3000元；\n三、列入不良行为记录名单，一年内禁止参加政府采购活动。']);
    } finally {
      await page.close();
    }
  });

  it("fits a phone's screen, 320 px wide: only a table too wide for it scrolls, in its own box", async () => {
    const context = await browser.newContext({ viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(browserWaitMs);
      await show(page, renderPrintable(reportSnapshot([unbroken, listedRecord]), 'ab'.repeat(32)));
      const screen = await page.evaluate(() => ({
        viewport: document.querySelector('meta[name="viewport"]')?.getAttribute('content'),
        clientWidth: document.documentElement.clientWidth,
        scrollWidth: document.documentElement.scrollWidth,
        tablesOutsideAScrollBox: [...document.querySelectorAll('table')].filter((table) => getComputedStyle(table.parentElement!).overflowX !== 'auto').length,
      }));
      expect(screen).toEqual({ viewport: 'width=device-width, initial-scale=1', clientWidth: 320, scrollWidth: 320, tablesOutsideAScrollBox: 0 });
      // On paper no box scrolls, or it would cut a table off.
      await page.emulateMedia({ media: 'print' });
      expect(await page.evaluate(() => [...document.querySelectorAll('table')].map((table) => getComputedStyle(table.parentElement!).overflowX).filter((overflow) => overflow !== 'visible'))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('names each label of the key-value tables a row header, and holds the report in one main landmark', async () => {
    const page = await printed([listedRecord]);
    try {
      expect(await page.getByRole('main').count()).toBe(1);
      const labels = ['信用主体', '出具机构', '出具日期', '有效期至', '名称', '统一社会信用代码', '主体类型', '登记状态', '成立日期', '法定代表人', '住所', '报告编号', '验证码', '数字摘要（SHA-256）', '生成时间'];
      for (const label of labels) expect({ label, rowHeaders: await page.getByRole('main').getByRole('rowheader', { name: label, exact: true }).count() }).toEqual({ label, rowHeaders: 1 });
      expect(await page.getByRole('rowheader').count()).toBe(labels.length);
      // The records section is under the main landmark too.
      expect(await page.getByRole('main').getByRole('columnheader', { name: '公示截止' }).count()).toBe(1);
    } finally {
      await page.close();
    }
  });
});
