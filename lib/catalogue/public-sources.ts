import { nameAsRead } from '../text';

/**
 * The public sources of credit reports that name their issuer themselves, and each issuer's
 * names: as printed on its reports first, then any other it goes by. Credit China's website
 * prints 信用中国网站 and is called 信用中国; this platform issues its own reports
 * (DISTRICT_PLATFORM) under its name, which `platformIssuer` (subgraphs/reports/platform-report.ts)
 * prints from here.
 *
 * The one list of them, in the catalogue because two subgraphs read it: the reports subgraph fills
 * in a CREDIT_CHINA report's issuer and holds each name to its own source, and the provider
 * registry files no provider under any of them (`NAME_OF_A_PUBLIC_SOURCE`). A provider bearing one
 * would pass its reports for the source's, and, as a name in the registry is its provider's for
 * good, have every report of the source refused as its own (`ISSUER_IS_REGISTERED_PROVIDER`).
 */
export const publicSourceIssuers = {
  CREDIT_CHINA: ['信用中国网站', '信用中国'],
  DISTRICT_PLATFORM: ['北戴河区公共信用信息共享平台'],
} as const satisfies Record<string, readonly [string, ...string[]]>;

export type PublicSource = keyof typeof publicSourceIssuers;

export interface PublicSourceIssuer {
  source: PublicSource;
  /** The issuer's name as printed on its reports. */
  printedName: string;
}

const issuersByName = new Map<string, PublicSourceIssuer>(
  (Object.entries(publicSourceIssuers) as [PublicSource, readonly string[]][]).flatMap(([source, names]) => names.map((name) => [nameAsRead(name), { source, printedName: names[0] }])),
);

/**
 * The public source whose own issuer `name` reads as (`nameAsRead`: letter case, full-width
 * forms, spaces and punctuation aside, as the registry tells names apart), or null. A name that
 * merely holds one (信用中国网站（北戴河）服务中心) is another.
 */
export function publicSourceNamed(name: string): PublicSourceIssuer | null {
  return issuersByName.get(nameAsRead(name)) ?? null;
}
