import { nameAsRead } from '../text';
import { district } from './district';

/**
 * The public sources of credit reports that name their issuer themselves, and each issuer's
 * names: as printed on its reports first, then any other it goes by. Credit China's website
 * prints 信用中国网站 and is called 信用中国; this platform issues its own reports
 * (DISTRICT_PLATFORM) under its name (district.ts), which `platformIssuer`
 * (subgraphs/reports/platform-report.ts) prints from here.
 *
 * The one list of them, in the catalogue because two subgraphs read it: the reports subgraph fills
 * in a CREDIT_CHINA report's issuer and holds each name to its own source, and the provider
 * registry files no provider under any of them (`NAME_OF_A_PUBLIC_SOURCE`). A provider bearing one
 * would pass its reports for the source's, and, as a name in the registry is its provider's for
 * good, have every report of the source refused as its own (`ISSUER_IS_REGISTERED_PROVIDER`).
 */
export const publicSourceIssuers = {
  CREDIT_CHINA: ['信用中国网站', '信用中国'],
  DISTRICT_PLATFORM: [district.platformName],
} as const satisfies Record<string, readonly [string, ...string[]]>;

export type PublicSource = keyof typeof publicSourceIssuers;

export interface PublicSourceIssuer {
  source: PublicSource;
  /** The issuer's name as printed on its reports. */
  printedName: string;
}

/**
 * What else each source's issuer is known by, as read (`asReservedNameReads`): its names with the
 * place they are of before them, or with a word for its website after them, which a reader takes
 * for the same issuer (河北省秦皇岛市北戴河区公共信用信息共享平台, 信用中国官方网站), and its
 * English name and address (Credit China, www.creditchina.gov.cn).
 */
export const alsoKnownAs: Record<PublicSource, { names: readonly string[]; before: readonly string[]; after: readonly string[] }> = {
  CREDIT_CHINA: { names: ['Credit China', 'creditchina.gov.cn', 'www.creditchina.gov.cn'], before: [], after: ['官方网站', '官网', '网站', '网'] },
  DISTRICT_PLATFORM: { ...district.platformAlsoKnownAs, after: [] },
};

/**
 * Characters a reader takes for those of the sources' names: their traditional and variant forms
 * (信用中國網站, 北戴河區, 信用中囯), which `nameAsRead` keeps apart, having no table of them.
 * Only those the names hold: the reading is for these names alone.
 */
export const variantForms: Record<string, string> = { 國: '国', 囯: '国', 圀: '国', 網: '网', 區: '区', 臺: '台', 島: '岛' };

/**
 * A name as read against the sources' (`nameAsRead`), symbols left out too (信用中国|网站,
 * ★信用中国★, 信用中国～, ─: punctuation to a reader, though Unicode files them as symbols), and
 * variant forms read as the names' own.
 */
function asReservedNameReads(name: string): string {
  return [...nameAsRead(name).replace(/\p{S}/gu, '')].map((ch) => variantForms[ch] ?? ch).join('');
}

const issuersByName = new Map<string, PublicSourceIssuer>(
  (Object.entries(publicSourceIssuers) as [PublicSource, readonly string[]][]).flatMap(([source, printed]) => {
    const issuer = { source, printedName: printed[0] };
    const { names, before, after } = alsoKnownAs[source];
    return [...printed, ...names].flatMap((name) => {
      const read = asReservedNameReads(name);
      return ['', ...before].flatMap((place) => ['', ...after].map((word) => [place + read + word, issuer] as const));
    });
  }),
);

/**
 * The public source whose own issuer `name` reads as, or null: as the registry tells names apart
 * (`nameAsRead`: letter case, full-width forms, spaces and punctuation aside), symbols and the
 * characters' variant forms aside too, and under the other names each is known by (`alsoKnownAs`).
 * A name that merely holds one (信用中国网站（北戴河）服务中心) is another.
 */
export function publicSourceNamed(name: string): PublicSourceIssuer | null {
  return issuersByName.get(asReservedNameReads(name)) ?? null;
}
