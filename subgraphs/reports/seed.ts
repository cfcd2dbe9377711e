import { addDays } from '../../lib/calendar';
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Random } from '../../scripts/demo/random';
import { demoProviderNameOn, type DemoProvider, type DemoSubject, type DemoWorld } from '../../scripts/demo/world';
import { demoProviderHistory } from '../providers/demo-history';
import { insertRows, seedEmptyDatabase, type Seeded } from '../shared/seeding';
import { CreditReport, type ReportSource } from './entities/credit-report.entity';

/** The demo's "today": validity below is fixed relative to it. */
const demoToday = '2026-11-25';

type RegisteredSource = Exclude<ReportSource, 'DISTRICT_PLATFORM'>;

/** How long a report of each source stays valid, in days from its issue date. */
const validityDays: Record<RegisteredSource, number> = {
  CREDIT_CHINA: 90,
  LOCAL_CREDIT_WEBSITE: 90,
  PUBLIC_CREDIT_SERVICE_INSTITUTION: 180,
  THIRD_PARTY_PROVIDER: 365,
};

interface Issuer {
  name: string;
  /** Printed before the year in the issuer's report numbers, e.g. XYZG-2026-0001234. */
  prefix: string;
  providerId: string | null;
  /** For a provider, the name its report of that day bears: a former one before a change of name. */
  nameOn?: (issuedOn: string) => string;
}

const creditChina: Issuer = { name: '信用中国网站', prefix: 'XYZG', providerId: null };
const localWebsites: Issuer[] = [
  { name: '信用河北网站', prefix: 'XYHB', providerId: null },
  { name: '信用秦皇岛网站', prefix: 'XYQHD', providerId: null },
];
const publicInstitutions: Issuer[] = [
  { name: '河北省公共信用信息中心', prefix: 'HBGX', providerId: null },
  { name: '秦皇岛市公共信用信息中心', prefix: 'QHDGX', providerId: null },
];

function providerIssuer(provider: DemoProvider): Issuer {
  // Providers number their reports after their own organisation code (USCC positions 9-12).
  return { name: provider.name, prefix: provider.unifiedSocialCreditCode.slice(8, 12), providerId: provider.id, nameOn: (issuedOn) => demoProviderNameOn(provider, issuedOn) };
}

/** Enterprise credit grades with how often they occur: most rated subjects sit around A-AA. */
const grades: [string, number][] = [
  ['AAA', 8], ['AA+', 7], ['AA', 12], ['AA-', 8], ['A+', 10], ['A', 14], ['A-', 8], ['BBB+', 5], ['BBB', 7],
  ['BBB-', 3], ['BB', 4], ['B', 3], ['CCC', 1], ['CC', 1], ['C', 1],
];

function weighted<T>(random: Random, items: [T, number][]): T {
  let roll = random.next() * items.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [item, weight] of items) {
    roll -= weight;
    if (roll < 0) return item;
  }
  return items[items.length - 1][0];
}

const codeAlphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * Draws the rows; all randomness comes from `random`, so the same world gives the same reports.
 * Report numbers run on per issuer, which keeps (issuer, number) unique.
 */
class ReportFactory {
  private readonly sequences = new Map<string, number>();

  constructor(private readonly random: Random) {}

  create(subject: DemoSubject, issuer: Issuer, source: RegisteredSource, issuedOn: string, grade: string | null): CreditReport {
    const random = this.random;
    // As a department registered it then: under the name the provider was filed under that day.
    const issuerName = issuer.nameOn?.(issuedOn) ?? issuer.name;
    // One numbering per issuer, whichever of its names a report bears.
    const sequence = (this.sequences.get(issuer.name) ?? random.int(1000, 200000)) + random.int(1, 500);
    this.sequences.set(issuer.name, sequence);
    const reportNumber = `${issuer.prefix}-${issuedOn.slice(0, 4)}-${String(sequence).padStart(7, '0')}`;
    const verificationCode = Array.from({ length: random.int(8, 12) }, () => random.pick([...codeAlphabet])).join('');
    // Registered within days of issue, but never after the demo's yesterday.
    const registeredOn = [addDays(issuedOn, random.int(0, 5)), addDays(demoToday, -1)].sort()[0];
    const time = `${String(random.int(0, 9)).padStart(2, '0')}:${String(random.int(0, 59)).padStart(2, '0')}:${String(random.int(0, 59)).padStart(2, '0')}.${String(random.int(0, 999)).padStart(3, '0')}`;
    const report = new CreditReport();
    Object.assign(report, {
      id: random.uuid(),
      subjectId: subject.id,
      source,
      issuerName,
      issuerProviderId: issuer.providerId,
      reportNumber,
      grade,
      issuedOn,
      validUntil: addDays(issuedOn, validityDays[source] - 1),
      verificationCode,
      // A stand-in for the registered PDF: the hash of what identifies it. Some reports were
      // registered from a paper copy, without a document.
      documentSha256: random.chance(0.85) ? createHash('sha256').update(`${issuerName}|${reportNumber}|${subject.identifier}|${issuedOn}|${verificationCode}`).digest('hex') : null,
      documentReference: null,
      // Registered before the platform kept who registered a report.
      registeredBy: null,
      registeredByOrganisation: null,
      verificationOutcome: null,
      verificationNote: null,
      verifiedBy: null,
      verifiedAt: null,
      registeredAt: new Date(`${registeredOn}T${time}Z`),
    });
    return report;
  }
}

/**
 * Credit reports for about a third of the organisations (and a few natural persons), from all four
 * sources, some still valid and some expired on the demo's today (2026-11-25).
 *
 * Fixed cases, by index in world.subjects, which the README cites (in the default world subjects
 * 1, 6, 8 and 9 are natural persons):
 *   0    one valid THIRD_PARTY_PROVIDER report graded AAA, issued 2026-06-15 by world.providers[0]
 *        (FILED, class A), valid until 2027-06-14;
 *   1-6  no reports at all;
 *   7    only an expired report: third-party, graded AA, from world.providers[2] (FILED, class B),
 *        issued 2025-03-10, valid until 2026-03-09;
 *   8    only a report from world.providers[11], whose filing is REVOKED: issued 2026-05-20 and
 *        valid until 2027-05-19, so the issuer is the one reason to refuse it;
 *   9    one valid CREDIT_CHINA report, issued 2026-10-30, valid until 2027-01-27;
 *   10   only a report from world.providers[10], whose filing is SUSPENDED: graded A, issued
 *        2026-04-08 and valid until 2027-04-07.
 * From index 11 on, third-party reports come from any provider whose filing was ever accepted,
 * [10] and [11] included, and never from [9], whose filing is still APPLIED; each is issued while
 * its provider stood well (the registry's demo history: after its filing, before a downgrade to D,
 * a suspension or a revocation), as registration would require, under the name it was filed under
 * that day: world.providers[1]'s reports issued before its change of name (world.ts) bear its
 * former name, as a department registered them then. The first local-website report
 * from index 11 on was found not genuine by the officer who checked it with its issuer.
 *
 * The platform's own reports (DISTRICT_PLATFORM) are not seeded: one is generated from the records
 * subgraph's answer at that moment (generateCreditReport), which a seed cannot ask for.
 *
 * Into a reports database holding no data only (`seedEmptyDatabase`).
 */
export async function seedReports(db: DataSource, world: DemoWorld): Promise<Seeded> {
  const random = world.random('reports');
  const factory = new ReportFactory(random);
  const rows: CreditReport[] = [];
  const subjects = world.subjects;
  const providers = world.providers;

  const gradeFor = (subject: DemoSubject, grade: string) => (subject.kind === 'NATURAL_PERSON' ? null : grade);
  if (subjects.length >= 10 && providers.length >= 12) {
    rows.push(factory.create(subjects[0], providerIssuer(providers[0]), 'THIRD_PARTY_PROVIDER', '2026-06-15', gradeFor(subjects[0], 'AAA')));
    rows.push(factory.create(subjects[7], providerIssuer(providers[2]), 'THIRD_PARTY_PROVIDER', '2025-03-10', gradeFor(subjects[7], 'AA')));
    rows.push(factory.create(subjects[8], providerIssuer(providers[11]), 'THIRD_PARTY_PROVIDER', '2026-05-20', gradeFor(subjects[8], 'AA+')));
    rows.push(factory.create(subjects[9], creditChina, 'CREDIT_CHINA', '2026-10-30', null));
  }
  if (subjects.length >= 11 && providers.length >= 11) {
    rows.push(factory.create(subjects[10], providerIssuer(providers[10]), 'THIRD_PARTY_PROVIDER', '2026-04-08', gradeFor(subjects[10], 'A')));
  }

  // Providers whose filing was accepted at some point; an applicant has never issued a report.
  const issuingProviders = providers.filter((p) => p.filingStatus !== 'APPLIED' && p.filedOn !== null);
  const windows = demoProviderHistory(world).windows;
  const organisationSources: [RegisteredSource, number][] = [
    ['CREDIT_CHINA', 30], ['LOCAL_CREDIT_WEBSITE', 20], ['PUBLIC_CREDIT_SERVICE_INSTITUTION', 15], ['THIRD_PARTY_PROVIDER', 35],
  ];
  // Natural persons get personal public credit reports only, from public bodies.
  const personSources: [RegisteredSource, number][] = [['LOCAL_CREDIT_WEBSITE', 1], ['PUBLIC_CREDIT_SERVICE_INSTITUTION', 1]];

  for (const subject of subjects.slice(11)) {
    const isPerson = subject.kind === 'NATURAL_PERSON';
    if (!random.chance(isPerson ? 0.05 : 1 / 3)) continue;
    const count = random.int(1, 3);
    for (let i = 0; i < count; i++) {
      let source = weighted(random, isPerson ? personSources : organisationSources);
      if (source === 'THIRD_PARTY_PROVIDER' && issuingProviders.length === 0) source = 'CREDIT_CHINA';
      const issuer =
        source === 'CREDIT_CHINA'
          ? creditChina
          : source === 'LOCAL_CREDIT_WEBSITE'
            ? random.pick(localWebsites)
            : source === 'PUBLIC_CREDIT_SERVICE_INSTITUTION'
              ? random.pick(publicInstitutions)
              : providerIssuer(random.pick(issuingProviders));
      const validity = validityDays[source];
      // About a third expired; the rest issued recently enough to be valid on the demo's today.
      const [from, to] = random.chance(0.35) ? ['2023-01-01', addDays(demoToday, -validity - 1)] : [addDays(demoToday, -validity + 1), addDays(demoToday, -2)];
      // A provider's reports are issued after its filing and before it stopped standing well.
      const window = issuer.providerId ? windows.get(issuer.providerId) : undefined;
      const end = window?.until && addDays(window.until, -1) < to ? addDays(window.until, -1) : to;
      const start = window && window.from > from ? window.from : from;
      const grade = source === 'THIRD_PARTY_PROVIDER' && !isPerson ? weighted(random, grades) : null;
      rows.push(factory.create(subject, issuer, source, random.date(start > end ? end : start, end), grade));
    }
  }
  const denied = rows.find((r) => r.source === 'LOCAL_CREDIT_WEBSITE' && subjects.findIndex((s) => s.id === r.subjectId) >= 11);
  if (denied) {
    Object.assign(denied, {
      verificationOutcome: 'NOT_GENUINE',
      verificationNote: '经发证网站核验，该报告编号与验证码不匹配，系伪造',
      verifiedBy: 'officer-zhang',
      verifiedAt: new Date(denied.registeredAt.getTime() + 86_400_000),
    });
  }
  return await seedEmptyDatabase(db, async (manager) => await insertRows(manager, CreditReport, rows));
}
