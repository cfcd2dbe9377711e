import { randomUUID } from 'node:crypto';
import type { RequestIdentity } from '../../lib/access/identity';
import { todayInDistrict } from '../../lib/calendar';
import { badInput, choiceProblem, InputProblems, quotedInput } from '../../lib/errors';
import { assertLegible, optionalLine, optionalText, requiredText } from '../../lib/text-input';
import { optionalCode } from '../../lib/identifiers';
import { earliestReportIssueDate, filingStatusRules, namesHeldOn, permissions, type FilingStatus, type NameHeld, type SupervisionClass } from '../../lib/catalogue/provider-supervision';
import { publicSourceIssuers, publicSourceNamed, type PublicSourceIssuer } from '../../lib/catalogue/public-sources';
import { addMonths } from '../../lib/catalogue/record-categories';
import { nameAsRead } from '../../lib/text';
import { isIsoDate } from '../shared/scalars';
import { inPlatformNumbering } from './platform-report';
import { CreditReport, creditGrades, reportSources, type ReportSource } from './entities/credit-report.entity';
import type { PeerClient } from './peers';
import type { Actor, ReportRepository } from './report.repository';
import { unknownSubjectId } from '../shared/subject-directory';

/** A report obtained elsewhere, as an officer registers it (信用报告登记). */
export interface RegisterCreditReportInput {
  subjectId: string;
  source: ReportSource;
  issuerName?: string | null;
  issuerProviderId?: string | null;
  reportNumber: string;
  issuedOn: string;
  validUntil: string;
  grade?: string | null;
  verificationCode: string;
  documentReference?: string | null;
  documentSha256?: string | null;
}

/** The names of the issuer each source names itself (lib/catalogue/public-sources.ts), as printed first. */
const issuerNamesOf: Partial<Record<ReportSource, readonly string[]>> = publicSourceIssuers;

/** The issuer a source names itself, so an officer need not type it; undefined for any other source. */
function fixedIssuerOf(source: ReportSource): string | undefined {
  return issuerNamesOf[source]?.[0];
}

const codePattern = /^[0-9A-Za-z-]{4,32}$/;
const sha256Pattern = /^[0-9a-f]{64}$/;

/**
 * Neither the policy nor the issuers' rules known here fix a report's validity: a rating is
 * typically valid a year, a public credit report 90 or 180 days (the demo's). Three years leaves
 * room for a longer term while refusing one like 9999-12-31, which would let a single report
 * satisfy every check for ever.
 */
const longestValidityMonths = 36;

interface ProviderStanding {
  filingStatus: FilingStatus | null;
  supervisionClass: SupervisionClass | null;
  reportsAccepted: boolean;
  statusAndClassAllowedReports: boolean;
}

interface ProviderAnswer {
  creditServiceProvider: { id: string; name: string; standingOn: ProviderStanding; nameHistory: NameHeld[] } | null;
}

/** A provider of the registry bearing a name, filed (and published) or an applicant never filed. */
interface Namesake {
  id: string;
  filingStatus: FilingStatus;
}

interface RegistryPage {
  creditServiceProviders: { edges: { node: Namesake & { nameHistory: { name: string }[] } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

/** The most the registry lists on one page. */
const registryPageSize = 100;

/**
 * Registers a report after checking all of it: the fields, that the subject exists (entities),
 * for a third-party report that its provider was filed and in good standing on the issue date
 * (providers: the registry's history, not its status today), and for any other that its issuer is
 * no provider of the registry. Nothing is stored on any error.
 */
export async function registerReport(
  input: RegisterCreditReportInput,
  actor: Actor,
  identity: RequestIdentity,
  repository: ReportRepository,
  peers: PeerClient,
  now: Date = new Date(),
  disclosed?: (subjectId: string) => void,
): Promise<CreditReport> {
  const today = todayInDistrict(now);
  const { source, subjectId, reportNumber, grade, verificationCode, documentReference, documentSha256, providerId, givenIssuer } = registrationForm(input, today);
  const thirdParty = source === 'THIRD_PARTY_PROVIDER';

  // The peers see only what these checks need: no field group for the subject's existence, the
  // public registry for the provider, and the registry's whole list, applications included (its
  // admins'), for an issuer's name (providersNamed), of which only ids and filing statuses are
  // read. Not for a public source's own issuer (CREDIT_CHINA's, given or not): no provider is filed
  // under its name (NAME_OF_A_PUBLIC_SOURCE), and one filed under it before the registry refused it
  // is the registry's error, which must not keep every department from registering the source's reports.
  const existence: RequestIdentity = { ...identity, grants: [] };
  const registry: RequestIdentity = { ...identity, grants: ['PROVIDER_REGISTRY'] };
  const wholeRegistry: RequestIdentity = { ...identity, grants: ['PROVIDER_REGISTRY', 'PROVIDER_ADMINISTRATION'] };
  const [subjects, provider, namesakes] = await Promise.all([
    peers.query<{ _entities: ({ id: string } | null)[] }>('entities', /* GraphQL */ `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Subject { id } } }`, { representations: [{ __typename: 'Subject', id: subjectId }] }, existence),
    providerId
      ? peers.query<ProviderAnswer>(
          'providers',
          /* GraphQL */ `query ($id: ID!, $date: Date!) { creditServiceProvider(id: $id) { id name standingOn(date: $date) { filingStatus supervisionClass reportsAccepted statusAndClassAllowedReports } nameHistory { name from until } } }`,
          { id: providerId, date: input.issuedOn },
          registry,
        )
      : Promise.resolve(null),
    !thirdParty && givenIssuer && !publicSourceNamed(givenIssuer) ? providersNamed(givenIssuer, peers, wholeRegistry) : Promise.resolve([]),
  ]);
  if (!subjects._entities[0]) throw unknownSubjectId(subjectId);
  const fixedIssuer = fixedIssuerOf(source);
  let issuerName = fixedIssuer ?? givenIssuer ?? '';
  const published = namesakes.filter((namesake) => filingStatusRules[namesake.filingStatus].publiclyListed);
  if (published.length) throw badInput('issuerName', providerReportElsewhere(givenIssuer ?? issuerName, source, published), { problem: 'ISSUER_IS_REGISTERED_PROVIDER' });
  if (namesakes.length) throw badInput('issuerName', unfiledProviderReport(givenIssuer ?? issuerName, source), { problem: 'ISSUER_NOT_FILED' });
  // One source, one issuer: the same Credit China report under "信用中国" and "信用中国网站" is one
  // report to the duplicate check; under another name it would be a second, and both would count.
  if (givenIssuer && fixedIssuer && !publicSourceNamed(givenIssuer)) {
    throw badInput('issuerName', `a ${source} report is issued by ${fixedIssuer}: leave issuerName out, got ${quotedInput(givenIssuer)}`);
  }
  if (provider) {
    const found = provider.creditServiceProvider;
    if (!found) throw badInput('issuerProviderId', `no filed credit service provider in the registry has the id ${quotedInput(providerId)}`, { problem: 'UNKNOWN_PROVIDER' });
    // A report bears the name its provider was filed under when it issued it, which a change of
    // name since has not made another's (the registry keeps it: nameHistory).
    const namesThen = namesHeldOn(found.nameHistory, input.issuedOn);
    const nameThen = namesThen.at(-1) ?? found.name;
    const { reportsAccepted } = found.standingOn;
    if (!reportsAccepted) throw badInput('issuerProviderId', notAcceptedBecause(nameThen, found.standingOn, input.issuedOn), { problem: 'ISSUER_NOT_IN_GOOD_STANDING' });
    if (givenIssuer && !namesThen.includes(givenIssuer)) {
      const now = nameThen === found.name ? '' : ` (its name since: ${found.name})`;
      // The names it bore that day are the choices a form may offer (left out, the last is taken).
      throw badInput(
        'issuerName',
        `issuerName must be the name the provider was filed under on the issue date ${input.issuedOn}, ${namesThen.map((n) => JSON.stringify(n)).join(' or ')}${now}, or be left out; got ${quotedInput(givenIssuer)}`,
        choiceProblem(namesThen),
      );
    }
    issuerName = givenIssuer ?? nameThen;
    // Filed under a public source's name before the registry refused it (a name given is judged
    // with the form): stored under it, the report would pass for the source's.
    const sourceNamed = publicSourceNamed(issuerName);
    if (sourceNamed) {
      throw badInput(
        'issuerProviderId',
        `provider ${found.id} was filed under ${JSON.stringify(issuerName)} on the issue date ${input.issuedOn}, which reads as ${sourceNamed.printedName}, the issuer of ${sourceNamed.source} reports (a name the registry no longer files a provider under); a report bearing it would pass for one of those, and is not registered`,
        { problem: 'NAME_OF_A_PUBLIC_SOURCE', source: sourceNamed.source },
      );
    }
  }

  const report = Object.assign(new CreditReport(), {
    id: randomUUID(),
    subjectId,
    source,
    issuerName,
    issuerProviderId: providerId,
    reportNumber,
    grade,
    issuedOn: input.issuedOn,
    validUntil: input.validUntil,
    verificationCode,
    documentSha256,
    documentReference,
    registeredBy: actor.userId,
    registeredByOrganisation: actor.organisation,
    verificationOutcome: null,
    verificationNote: null,
    verifiedBy: null,
    verifiedAt: null,
    registeredAt: now,
  });
  return await repository.insertRegistered(report, disclosed);
}

/**
 * The registration form's fields as stored, every problem of each one that needs neither the
 * registry nor the register thrown at once (README, Errors: `extensions.problems`), each field's
 * first: what the peers say of it is asked only of a form without any.
 */
function registrationForm(input: RegisterCreditReportInput, today: string) {
  const problems = new InputProblems();
  const source = problems.read(() => {
    if (!reportSources.includes(input.source) || input.source === 'DISTRICT_PLATFORM') {
      throw badInput('source', `source must be CREDIT_CHINA, LOCAL_CREDIT_WEBSITE, PUBLIC_CREDIT_SERVICE_INSTITUTION or THIRD_PARTY_PROVIDER (the platform's own reports are generated, not registered), got ${quotedInput(input.source)}`);
    }
    return input.source;
  });
  const subjectId = problems.read(() => requiredText(input.subjectId, 'subjectId', 36));
  const reportNumber = problems.read(() => {
    // NFC: é typed as one character or as e and a combining accent is one printed number, one name.
    const number = requiredText(input.reportNumber, 'reportNumber', 64).normalize('NFC');
    assertLegible(number, 'reportNumber');
    // In a list it would read as one of the platform's, which no issuer but the platform numbers so.
    if (inPlatformNumbering(number)) {
      throw badInput('reportNumber', `${quotedInput(number)} is in the platform's own numbering (BDHXY-…): its reports are generated by generateCreditReport and checked by verifyCreditReport, never registered`);
    }
    return number;
  });
  const issuedOn = problems.read(() => {
    if (!isIsoDate(input.issuedOn)) throw badInput('issuedOn', `issuedOn must be a calendar date as YYYY-MM-DD, got ${quotedInput(input.issuedOn)}`);
    if (input.issuedOn < earliestReportIssueDate) throw badInput('issuedOn', `issuedOn cannot be before ${earliestReportIssueDate}, got ${input.issuedOn}`);
    if (input.issuedOn > today) throw badInput('issuedOn', `a report cannot be issued after today (${today}), got issuedOn ${input.issuedOn}`);
    return input.issuedOn;
  });
  problems.read(() => {
    if (!isIsoDate(input.validUntil)) throw badInput('validUntil', `validUntil must be a calendar date as YYYY-MM-DD, got ${quotedInput(input.validUntil)}`);
    if (issuedOn === undefined) return;
    if (input.validUntil < issuedOn) throw badInput('validUntil', `validUntil cannot be before issuedOn (${issuedOn}), got ${input.validUntil}`);
    const lastValidDay = addMonths(issuedOn, longestValidityMonths);
    if (input.validUntil > lastValidDay) throw badInput('validUntil', `validUntil can be at most ${longestValidityMonths / 12} years after issuedOn (${lastValidDay}), got ${input.validUntil}`);
  });
  // Bounded by the patterns below (grade, hash) and the registry (provider), whose refusals say more than a length would.
  const grade = problems.read(() => {
    // A grade of the scale, read as every code typed is: aa+ or ＡＡ＋ is AA+.
    const read = optionalCode(optionalText(input.grade, 'grade', Infinity));
    if (read !== null && !creditGrades.includes(read)) throw badInput('grade', `grade must be AAA, AA, A, BBB, BB, B, CCC, CC or C, with + or - after AA to B only, got ${quotedInput(input.grade)}`);
    return read;
  });
  const verificationCode = problems.read(() => {
    const code = requiredText(input.verificationCode, 'verificationCode', 32);
    if (!codePattern.test(code)) throw badInput('verificationCode', `verificationCode must be 4 to 32 letters, digits or hyphens as printed on the report, got ${quotedInput(input.verificationCode)}`);
    return code;
  });
  // Often the only pointer to the document: one that reads otherwise than it is stored finds nothing.
  const documentReference = problems.read(() => optionalLine(input.documentReference, 'documentReference', 500));
  const documentSha256 = problems.read(() => {
    const hash = optionalText(input.documentSha256, 'documentSha256', Infinity)?.toLowerCase() ?? null;
    if (hash !== null && !sha256Pattern.test(hash)) throw badInput('documentSha256', `documentSha256 must be 64 hexadecimal characters (SHA-256), got ${quotedInput(input.documentSha256)}`);
    return hash;
  });
  problems.read(() => {
    if (documentReference === null && documentSha256 === null) throw badInput('documentReference', 'register the document itself: give documentReference (where the file is kept), documentSha256 (its hash), or both');
  });

  // Which issuer fields a report takes depends on its source: judged once the source is known.
  const thirdParty = source === 'THIRD_PARTY_PROVIDER';
  const providerId = problems.read(() => {
    const id = optionalText(input.issuerProviderId, 'issuerProviderId', Infinity);
    if (source === undefined) return id;
    if (thirdParty && !id) throw badInput('issuerProviderId', 'a THIRD_PARTY_PROVIDER report names its provider: issuerProviderId, from the provider registry');
    if (!thirdParty && id) throw badInput('issuerProviderId', `issuerProviderId applies only to THIRD_PARTY_PROVIDER reports, not to ${source}`);
    return id;
  });
  const givenIssuer = problems.read(() => {
    // Counted as stored, composed (NFC): normalising before trimming trims the same spaces.
    const name = optionalLine(input.issuerName?.normalize('NFC'), 'issuerName', 200);
    if (source !== undefined && !thirdParty && !name && !fixedIssuerOf(source)) throw badInput('issuerName', `a ${source} report names its issuer as printed on it (issuerName)`);
    // A public source's issuer issues that source's reports only: under another, its report would
    // pass for another issuer's. (Another name on a CREDIT_CHINA report is judged once the registry
    // has said whether a provider bears it, which is the more useful refusal.)
    const sourceNamed = name ? publicSourceNamed(name) : null;
    if (sourceNamed && sourceNamed.source !== source) throw badInput('issuerName', notTheSourceBecause(sourceNamed), { problem: 'NAME_OF_A_PUBLIC_SOURCE', source: sourceNamed.source });
    return name;
  });
  return problems.checked({ source, subjectId, reportNumber, grade, verificationCode, documentReference, documentSha256, providerId, givenIssuer });
}

/**
 * Why departments do not accept a provider's report of that day. `standingOn(date).reportsAccepted`
 * weighs two things: the filing status and class at any time of that day, and a false information
 * (提供虚假信息) found since, which stops acceptance from its day though the provider still stood
 * filed and classed. `statusAndClassAllowedReports` says which failed. Not the status and class at
 * the end of the day: on the day of a downgrade to class D (or a suspension) they refuse, while the
 * day counts as in good standing, and a report of that day refused for false information was said
 * to be refused for the class D.
 */
function notAcceptedBecause(name: string, standing: ProviderStanding, issuedOn: string): string {
  const { filingStatus, supervisionClass } = standing;
  if (!filingStatus) return `${name} was not filed on the issue date ${issuedOn}: it had not even applied for filing; departments accept only reports issued while a provider is FILED and not in class D`;
  const stood = `its filing was ${filingStatus}${supervisionClass ? ` and its class ${supervisionClass}` : ''}`;
  if (!standing.statusAndClassAllowedReports) {
    // What failed, as it was: a provider filed in class D was filed, and is not told otherwise.
    const failed = filingStatus === 'FILED' ? `${name} was filed, but its class was D on the issue date ${issuedOn}` : `${name} was not in good standing on the issue date ${issuedOn}: ${stood}`;
    return `${failed}; departments accept only reports issued while a provider is FILED and not in class D`;
  }
  // In good standing at some time of the day: at its end the status or class may already refuse.
  const goodThatDay = permissions(filingStatus, supervisionClass).reportsAccepted ? `${stood} that day` : `it was in good standing at some time that day (${stood} at its end)`;
  return `${name}'s reports issued on ${issuedOn} are not accepted although ${goodThatDay}: the registry found that it gave false information (提供虚假信息) on or before that day, and departments accept none of its reports issued from the day of the false information on`;
}

/**
 * The providers of the registry bearing this name, or having borne it before a change of name (the
 * reports they issued then bear it): those of the public registry (FILED, SUSPENDED, REVOKED,
 * DEREGISTERED) and applicants never filed (APPLIED, RETURNED, REJECTED) alike. Under another
 * source, a provider's report would escape the registry's judgement: a revoked provider's report,
 * or a refused applicant's, registered as a public credit service institution's would be accepted,
 * and earn its subject incentives. Names are compared as they read (`nameAsRead`): the registry's
 * name search narrows them to those containing the name, usually one page. A public source's
 * issuer name is never looked up (the registry files no provider under one, and an application
 * under 信用中国网站's name must not keep every department from registering that site's reports);
 * any other name an applicant takes is its until the registry clears it.
 */
async function providersNamed(name: string, peers: PeerClient, registry: RequestIdentity): Promise<Namesake[]> {
  if (!name) return [];
  const namesakes: Namesake[] = [];
  let after: string | null = null;
  do {
    const page: RegistryPage = await peers.query<RegistryPage>(
      'providers',
      /* GraphQL */ `query ($name: String!, $first: Int!, $after: String) { creditServiceProviders(name: $name, first: $first, after: $after) { edges { node { id filingStatus nameHistory { name } } } pageInfo { hasNextPage endCursor } } }`,
      { name, first: registryPageSize, after },
      registry,
    );
    const { edges, pageInfo } = page.creditServiceProviders;
    for (const { node } of edges) if (node.nameHistory.some((held) => nameAsRead(held.name) === nameAsRead(name))) namesakes.push({ id: node.id, filingStatus: node.filingStatus });
    after = pageInfo.hasNextPage ? pageInfo.endCursor : null;
  } while (after);
  return namesakes;
}

/**
 * Why a report bearing a public source's issuer name is not registered under another source: the
 * platform's own reports are generated, with their snapshot and verification code, and one
 * registered under its name would pass for one; another's is its source's.
 */
function notTheSourceBecause({ source, printedName }: PublicSourceIssuer): string {
  if (source === 'DISTRICT_PLATFORM') return `${printedName} issues its reports by generateCreditReport, never by registration`;
  return `a report of ${printedName} is a ${source} report: register it under that source, with issuerName left out`;
}

/** The refusal of a provider's report under another source. */
function providerReportElsewhere(name: string, source: ReportSource, namesakes: Namesake[]): string {
  return `${name} is a credit service provider in the district registry, so its report is not a ${source} report: register it as THIRD_PARTY_PROVIDER with the provider's id as issuerProviderId (${namesakes.map((n) => n.id).join(' or ')}), so that its filing and standing on the issue date are checked`;
}

/**
 * The refusal of an applicant's report under another source. An application is the applicant's
 * and the registry's business (its status, its reasons): the department learns only that the
 * registry has not filed it, which is all that decides the report.
 */
function unfiledProviderReport(name: string, source: ReportSource): string {
  return `${name} is not a credit service provider the district registry has filed (未备案), so its report is not a ${source} report, and departments accept no report of a provider that was not filed (备案) and in good standing on its issue date; if the report comes from another organisation of that name, ask the registry's admins (区信用办)`;
}

