import type { DataSource } from 'typeorm';
import { disclosedReportHeader, disclosedSubjectHeader, type IdentityVerifier } from '../../lib/access/identity';
import { findRecordCategory } from '../../lib/catalogue/record-categories';
import { RequestDeadline } from '../../lib/deadline';
import { startOfDistrictDay, todayInDistrict } from '../../lib/calendar';
import type { ExtraRoute } from '../../lib/http-server';
import { escapeHtml, noticePage, printablePagePolicy, sendPrintablePage } from '../../lib/printable-page';
import { gatewayIdentity } from '../shared/access';
import type { CreditReport } from './entities/credit-report.entity';
import { activeRecordsSnapshotFormat, genuineSnapshot, platformIssuer, platformReportNumber, printedSummary, sameCode, type Snapshot, type SnapshotRecord } from './platform-report';
import type { ReportsPeers } from './peers';
import { currentRecordsAsker, standingOf, type Standing } from './record-states';
import { ReportRepository } from './report.repository';

/**
 * The printable rendering of a platform report (打印版), which officers file with their case
 * papers: one self-contained HTML page (inline CSS for screen and A4 print, no scripts, no external
 * assets) with the district's header, every section of the snapshot and the verification data.
 * Rendered from the stored snapshot only, and only while it is genuine, within its validity and
 * every record it holds still stands as it holds it (`standingOf`, record-states.ts).
 */

const esc = escapeHtml;
const orDash = (value: string | null | undefined) => (value ? esc(value) : '—');

// ENTERPRISE is every enterprise market regulation registers (code 91…, 93…), legal person or not
// (partnerships, branches) and farmers' cooperatives too: 企业, not 企业法人 (SubjectKind in the SDLs).
const kindsZh: Record<string, string> = { ENTERPRISE: '企业', OTHER_ORGANISATION: '其他组织', INDIVIDUAL_BUSINESS: '个体工商户', NATURAL_PERSON: '自然人' };
const statusesZh: Record<string, string> = { ACTIVE: '存续', ABNORMAL: '列入经营异常名录', REVOKED: '吊销', DEREGISTERED: '注销' };
const severitiesZh: Record<string, string> = { MINOR: '轻微', GENERAL: '一般', SERIOUS: '严重' };
const polaritiesZh: Record<string, string> = { POSITIVE: '守信', NEGATIVE: '失信', NEUTRAL: '中性' };

const style = `
  html { font-family: "SimSun", "Songti SC", "Noto Serif CJK SC", serif; }
  body { color: #000; margin: 2em auto; max-width: 60em; line-height: 1.5; }
  header { text-align: center; border-bottom: 3px double #000; padding-bottom: .6em; margin-bottom: 1em; }
  header .office { font-size: 1.05em; letter-spacing: .1em; }
  header h1 { font-size: 1.8em; margin: .3em 0; letter-spacing: .2em; }
  h2 { font-size: 1.15em; border-left: 4px solid #000; padding-left: .4em; margin-top: 1.4em; }
  table { width: 100%; border-collapse: collapse; margin: .4em 0; font-size: .92em; }
  th, td { border: 1px solid #000; padding: .25em .4em; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
  th { background: #eee; }
  /* Column widths fixed, so that a long unbroken document number or address wraps in its cell
     rather than widening the table past the page's margin. A date wide enough to stay whole. */
  table.records { table-layout: fixed; }
  .records .date { width: 13%; white-space: nowrap; }
  .records .category, .records .department { width: 11%; }
  .records .polarity { width: 7%; }
  .records .document { width: 15%; }
  /* A summary keeps the lines its department wrote it in (一、警告；二、罚款…). */
  .records .summary { white-space: pre-line; }
  .none { color: #444; font-style: italic; }
  .objected { font-weight: bold; white-space: nowrap; }
  .verification th, .basics th { width: 11em; background: #f6f6f6; }
  .mono { font-family: "Courier New", monospace; word-break: break-all; }
  footer { margin-top: 2em; font-size: .85em; border-top: 1px solid #000; padding-top: .5em; }
  /* On a narrow screen (a phone, 320 px) a table too wide for it scrolls in its own box, not the
     whole page, and the text keeps off the screen's edges; the records table keeps columns wide
     enough to read. Paper is left as it is: a box that scrolls would cut a table off there. */
  @media screen { body { padding: 0 .8em; } .table-box { overflow-x: auto; } table.records { min-width: 40em; } }
  @page { size: A4; margin: 18mm 15mm; }
  @media print { body { margin: 0; max-width: none; } thead th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; } tr { page-break-inside: avoid; } h2 { page-break-after: avoid; } }
`;

/**
 * A CSS string literal holding `value`: a quote, backslash or line break in it cannot end the string,
 * nor `</style>` the style element (HTML escapes mean nothing there), so each is written as a CSS escape.
 */
const cssString = (value: string) => `"${value.replace(/[\\"'<>&\u0000-\u001f\u007f]/g, (c) => `\\${c.codePointAt(0)!.toString(16)} `)}"`;

/** How many characters of the subject's name a page's margin prints: the body prints it whole. */
const marginNameLength = 30;

/**
 * The subject's name as a page's margin prints it: each run of blanks (U+3000, U+00A0, line
 * breaks…) one space, cut to `marginNameLength` characters with "…", so that a name, which its
 * registrant chose, can neither fill the margin nor pad itself out into a line of its own there.
 */
function marginName(name: string): string {
  const characters = [...name.replace(/[\p{Zs}\s]+/gu, ' ').trim()];
  return characters.length > marginNameLength ? `${characters.slice(0, marginNameLength).join('')}…` : characters.join('');
}

/**
 * What every printed page carries in its margins (CSS margin boxes): the report number and
 * validity, and the subject and "page n of N", so that a page lost from a printout, or swapped in
 * from another report, shows. The number and validity have the top margin to themselves, on one
 * line: the name, at the bottom, cannot push them aside, wrap them into the paper's unprintable
 * edge or print a number of its own beside them. The page's font, as the margins inherit from the
 * root element.
 */
function runningHeads(snapshot: Snapshot): string {
  return `
  @page {
    @top-right { content: ${cssString(`报告编号 ${snapshot.reportNumber} · 有效期至 ${snapshot.validUntil}`)}; font-size: 9pt; vertical-align: bottom; white-space: nowrap; }
    @bottom-left { content: ${cssString(`信用主体：${marginName(snapshot.subject.name)}`)}; font-size: 9pt; vertical-align: top; }
    @bottom-right { content: "第 " counter(page) " 页 共 " counter(pages) " 页"; font-size: 9pt; vertical-align: top; white-space: nowrap; }
  }
`;
}

/**
 * An instant as the district reads a clock (China Standard Time, UTC+8): `2026-12-06 00:17:39（北京时间）`,
 * on the calendar the issue date is on, where the UTC form (`2026-12-05T16:17:39.261Z`) printed
 * under 出具日期 2026-12-06 would read as the day before. To the second, as a document's time is given.
 */
function inBeijingTime(iso: string): string {
  const instant = new Date(iso);
  if (Number.isNaN(instant.getTime())) return iso;
  const day = todayInDistrict(instant);
  const seconds = Math.floor((instant.getTime() - startOfDistrictDay(day).getTime()) / 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${day} ${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}（北京时间）`;
}

/** A table in a box of its own, which scrolls sideways on a screen too narrow for the table. */
const tableBox = (table: string) => `<div class="table-box">${table}</div>`;

function recordRows(records: SnapshotRecord[]): string {
  if (records.length === 0) return '<p class="none">无记录（本报告生成时无有效记录）</p>';
  const rows = records.map(
    (r) => `<tr><td class="date">${esc(r.decisionDate)}</td><td>${esc(findRecordCategory(r.category)?.nameZh ?? r.category)}</td><td>${esc(polaritiesZh[r.polarity] ?? r.polarity)}${r.severity ? `（${esc(severitiesZh[r.severity] ?? r.severity)}）` : ''}${r.taxCreditGrade ? `（${esc(r.taxCreditGrade)}级）` : ''}${r.underObjection ? '<br><span class="objected">异议处理中</span>' : ''}</td><td>${esc(r.sourceDepartment.nameZh)}</td><td>${esc(r.documentNumber)}</td><td class="summary">${esc(printedSummary(r.summary))}</td><td class="date">${orDash(r.disclosureEndsAt)}</td></tr>`,
  );
  return tableBox(`<table class="records"><colgroup><col class="date"><col class="category"><col class="polarity"><col class="department"><col class="document"><col><col class="date"></colgroup><thead><tr><th>决定日期</th><th>类别</th><th>性质</th><th>认定部门</th><th>文书号</th><th>内容摘要</th><th>公示截止</th></tr></thead><tbody>${rows.join('')}</tbody></table>`);
}

/**
 * The page for a genuine snapshot, as it was sealed. Whether it may be shown (within its validity,
 * its records still standing) is the route's to decide: it is never rendered otherwise.
 *
 * It prints neither the matter and case the report was generated for nor the organisation that
 * generated it (查询用途, 查询单位; still sealed in the snapshot): who read the subject, for what
 * and in which case is the subject's disclosure log, for the subject, the credit office and that
 * organisation only. The page is served to whoever holds the number and the code, anonymously (a
 * browser opening it sends no token), and the code, though given only to the readers of the
 * report's case file, is printed on the report and handed on with the printout, so the page
 * cannot tell the generating organisation from anyone else. That organisation has the case in its
 * own file; the others read the report without it.
 */
export function renderPrintable(snapshot: Snapshot, digest: string): string {
  const s = snapshot.subject;
  const identifier = s.unifiedSocialCreditCode ? ['统一社会信用代码', s.unifiedSocialCreditCode] : ['公民身份号码', s.citizenIdNumber];
  // A report keeps the account of its contents it was issued with: the older ones left out records under objection.
  const basis =
    snapshot.format === activeRecordsSnapshotFormat
      ? `本报告依据${snapshot.issuer}在出具时归集的有效公共信用信息生成（不含异议处理中、已信用修复或公示期满的信息）`
      : `本报告依据${snapshot.issuer}在出具时归集、信用核查计入的公共信用信息生成：含异议处理中的信息（已标注“异议处理中”，异议处理完毕前原认定继续有效），不含已信用修复、已撤销或公示期满的信息，不含有效期届满的守信信息和已被新评价取代的纳税信用等级`;
  const sections = snapshot.sections.map((section) => {
    const basics =
      section.code === 'BASICS'
        ? tableBox(`<table class="basics"><tbody>
  <tr><th scope="row">名称</th><td>${esc(s.name)}</td></tr>
  <tr><th scope="row">${esc(identifier[0])}</th><td class="mono">${orDash(identifier[1])}</td></tr>
  <tr><th scope="row">主体类型</th><td>${esc(kindsZh[s.kind] ?? s.kind)}</td></tr>
  <tr><th scope="row">登记状态</th><td>${orDash(s.status ? (statusesZh[s.status] ?? s.status) : null)}</td></tr>
  <tr><th scope="row">成立日期</th><td>${orDash(s.registrationDate)}</td></tr>
  <tr><th scope="row">法定代表人</th><td>${orDash(s.legalRepresentative)}</td></tr>
  <tr><th scope="row">住所</th><td>${orDash(s.registeredAddress)}</td></tr>
</tbody></table>`)
        : '';
    return `<section><h2>${esc(section.titleZh)}</h2>${basics}${section.code === 'BASICS' && section.records.length === 0 ? '' : recordRows(section.records)}</section>`;
  });
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(snapshot.title)} ${esc(snapshot.reportNumber)}</title>
<style>${style}${runningHeads(snapshot)}</style>
</head>
<body>
<header>
  <div class="office">${esc(snapshot.office)}</div>
  <h1>${esc(snapshot.title)}</h1>
  <div>报告编号：<span class="mono">${esc(snapshot.reportNumber)}</span></div>
</header>
<main>
${tableBox(`<table class="verification"><tbody>
  <tr><th scope="row">信用主体</th><td>${esc(s.name)}</td></tr>
  <tr><th scope="row">出具机构</th><td>${esc(snapshot.issuer)}</td></tr>
  <tr><th scope="row">出具日期</th><td>${esc(snapshot.issuedOn)}</td></tr>
  <tr><th scope="row">有效期至</th><td>${esc(snapshot.validUntil)}</td></tr>
</tbody></table>`)}
${sections.join('\n')}
<section>
<h2>报告验证信息</h2>
${tableBox(`<table class="verification"><tbody>
  <tr><th scope="row">报告编号</th><td class="mono">${esc(snapshot.reportNumber)}</td></tr>
  <tr><th scope="row">验证码</th><td class="mono">${esc(snapshot.verificationCode)}</td></tr>
  <tr><th scope="row">数字摘要（SHA-256）</th><td class="mono">${esc(digest)}</td></tr>
  <tr><th scope="row">生成时间</th><td>${esc(inBeijingTime(snapshot.generatedAt))}</td></tr>
</tbody></table>`)}
<p>凭报告编号和验证码可在${esc(platformIssuer.name)}核验本报告的真实性（verifyCreditReport），核验结果仅显示是否真实、是否仍然有效（已过有效期或所载信息已变更的，请重新出具）、信用主体名称、出具日期和有效期。</p>
</section>
</main>
<footer>
  ${esc(basis)}，仅供依法依规使用。未经信用主体同意，不得向无关单位和个人提供本报告及其内容。
</footer>
</body>
</html>
`;
}

const routePattern = /^\/reports\/([0-9A-Za-z-]{1,64})\.html$/;

export { printablePagePolicy };

/**
 * `GET /reports/<reportNumber>.html?code=<verificationCode>`. The number and the code are what is
 * printed on the report: holding both is holding the report, as with the verify query. An unknown
 * number and a wrong code get the same answer, so that numbers cannot be probed.
 *
 * Only for the gateway (its signed identity holding REPORT_PRINTING), which audits each view
 * before it releases the page: a reader who reached this port directly would read unaudited.
 *
 * Not shown (410, a notice to generate a new one, and nothing of the subject):
 * - a report past its validity (有效期): it would go on publishing, to whoever holds its number
 *   and code, records whose disclosure period (公示期) may have ended since, and no check may rely
 *   on it anyway. Whether it is genuine, and until when it was valid, is still answered by
 *   `verifyCreditReport`, which shows no content;
 * - a report holding a record that no longer stands as it holds it (record-states.ts): withdrawn
 *   (撤销), restored (信用修复), its disclosure period over (公示期满), no longer counted by a check,
 *   corrected by its source department since (更正), or objected to, or its objection decided or
 *   withdrawn, since (marked 异议处理中 where it no longer is, or not where it now is). It would print about the
 *   subject what the platform no longer holds. The records subgraph is asked in the platform's own name, as the
 *   resolvers ask it; if it cannot answer, nothing is shown (503).
 */
export function printableRoute(db: DataSource, identities: IdentityVerifier, peers: ReportsPeers, signingKey: Uint8Array): ExtraRoute {
  return async (req, res, callerGone) => {
    // The request had arrived whole (a GET has no body) when the server handed it to its routes.
    const receivedAt = Date.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = routePattern.exec(url.pathname);
    if (!match) return false;
    const identity = await gatewayIdentity(req.headers, identities);
    if (!identity?.grants.includes('REPORT_PRINTING')) {
      sendPrintablePage(res, 401, noticePage('请经平台访问', '打印版报告只能通过平台网关查看。The printable report is served through the gateway only.'));
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      sendPrintablePage(res, 405, noticePage('不支持的请求', 'Only GET is supported.'));
      return true;
    }
    const repository = new ReportRepository(db);
    // As verifyCreditReport reads a number typed off the paper (bdhxy-…): the page is found by the same number.
    const reportNumber = platformReportNumber(match[1]);
    const report: CreditReport | null = reportNumber ? await repository.findPlatformReport(reportNumber) : null;
    const code = url.searchParams.get('code') ?? '';
    if (!report || !sameCode(code, report.verificationCode)) {
      sendPrintablePage(res, 404, noticePage('未找到报告', '报告编号或验证码不正确。The report number or the verification code is wrong.'));
      return true;
    }
    const [content] = await repository.snapshots([report.id]);
    const snapshot = genuineSnapshot(report, content);
    if (!snapshot || !report.documentSha256) {
      sendPrintablePage(res, 409, noticePage('报告验证失败', '存档的报告内容与出具时不一致，本报告不真实，不得使用。The stored report does not match what was issued.'));
      return true;
    }
    // The gateway's time for this page (its SUBGRAPH_TIMEOUT_MS), read as a GraphQL request's is
    // (subgraphs/shared/subgraph.ts): the records subgraph is asked within it, told what is left,
    // and left alone once the gateway has gone.
    const deadline = RequestDeadline.fromHeaders(req.headers, 'reports', receivedAt, callerGone);
    let standing: Standing;
    try {
      standing = await standingOf(snapshot, currentRecordsAsker(peers, signingKey, identity.requestId, deadline), todayInDistrict());
    } catch {
      sendPrintablePage(res, 503, noticePage('暂时无法核对报告', '暂时无法核对本报告所载信用记录的现状，报告暂不显示，请稍后再试。The records behind this report could not be checked: retry later.'));
      return true;
    }
    if (standing === 'EXPIRED') {
      sendPrintablePage(
        res,
        410,
        noticePage(
          '报告已过有效期',
          `本报告（${report.reportNumber}）已超过有效期（有效期至 ${snapshot.validUntil}），不得作为信用核查依据，不予显示：所载信息可能已超过公示期。报告真伪仍可凭报告编号和验证码核验。请重新生成公共信用信息报告。This report is past its validity: it is no longer shown; generate a new one.`,
        ),
      );
      return true;
    }
    if (standing === 'RECORDS_CHANGED') {
      sendPrintablePage(
        res,
        410,
        noticePage(
          '报告已失效',
          `本报告（${report.reportNumber}）所载信用记录在出具后已被撤销、已信用修复、公示期满或不再计入信用核查，或已由认定部门更正，或其异议状态已变化（已提出异议，或异议已处理、已撤回），报告内容不再反映平台现有信用信息，不得使用，不予显示。请重新生成公共信用信息报告。This report lists a record since withdrawn, restored, past its disclosure period, corrected, objected to, or whose objection was decided or withdrawn: it is superseded; generate a new one.`,
        ),
      );
      return true;
    }
    res.setHeader(disclosedSubjectHeader, report.subjectId);
    res.setHeader(disclosedReportHeader, report.reportNumber);
    sendPrintablePage(res, 200, renderPrintable(snapshot, report.documentSha256));
    return true;
  };
}
