import type http from 'node:http';

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML shows it, never as markup. */
export const escapeHtml = (value: string | null | undefined) => (value ?? '').replace(/[&<>"']/g, (c) => escapes[c]);

/**
 * The content security policy of a printable report's page, and of what its address answers
 * instead: nothing external loads, no script runs, no other site frames it (frame-ancestors, which
 * default-src does not cover) to pass the report off as its own or overlay it, and no base element
 * or form can send a link or the address, verification code included, elsewhere.
 */
export const printablePagePolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Answers a printable report's address with `html`, with the page's protections. An officer
 * opens the address from a link or a printed code, with no front end in between: whatever it
 * answers, the page or a notice, is read in the browser as it comes.
 */
export function sendPrintablePage(res: http.ServerResponse, status: number, html: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  // The page is the report: nobody caches it, nothing external loads, no script runs.
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-security-policy', printablePagePolicy);
  res.setHeader('x-content-type-options', 'nosniff');
  // The address holds the verification code: it is sent to nobody as a referrer.
  res.setHeader('referrer-policy', 'no-referrer');
  res.end(html);
}

/** A notice in a report's stead: its title and text in Chinese, for the officer, the English after it. */
export function noticePage(title: string, text: string): string {
  return `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>`;
}
