import type { DataSource } from 'typeorm';
import { auditedTextLimits } from '../../lib/access/identity';
import { checkInstantRange } from '../../lib/calendar';
import { matters, typedMatter } from '../../lib/catalogue/matters';
import { normaliseIdentifier, readsAsCitizenIdNumber, validateUnifiedSocialCreditCode } from '../../lib/identifiers';
import { badInput, chosen } from '../../lib/errors';
import { requiredLine, requiredText } from '../../lib/text-input';
import { maskPersonalData } from '../../lib/logger';
import { foldedNumber } from '../../lib/text';
import { AuditEntry, auditOutcomes, organisationKinds, type AuditOutcome, type OrganisationKind } from './entities/audit-entry.entity';

/*
 * What the audit's readers narrow the log by, as SQL: the entry lists' filter (audit.repository.ts)
 * and the usage statistics' (audit-statistics.ts), and how either names a reading organisation.
 * Both read these the same way, so that a statistic's row drills down to the very entries it
 * counted.
 */

/**
 * How a filter names one reading organisation: its id as recorded with its kind, or one of its
 * entries (`organisationOf`, an entry id), which gives both. An id alone is not an organisation:
 * the finance bureau is recorded as `FINANCE` (DEPARTMENT), and a bank's token may carry the id
 * `FINANCE` too (FINANCIAL_INSTITUTION); `statistics` and `cases` count them apart, by kind.
 */
export interface ReaderNamed {
  organisation?: string | null;
  organisationKind?: OrganisationKind | null;
  organisationOf?: string | null;
}

/** What the usage statistics and cases are narrowed to: one organisation (as its reader names it), and the reads of the audit log left out or kept alone, as the entry lists do. */
export type UsageFilter = Pick<ReaderNamed, 'organisation' | 'organisationKind'> & Pick<EntryFilter, 'auditReads'>;

/**
 * What the audit's entry lists are narrowed to (`AuditEntryFilter` in the SDL): every condition
 * given holds, one omitted narrows nothing. `field` prefixes the fields its errors name
 * (`filter.`), empty for the arguments `auditEntriesByOrganisation` took before the filter.
 */
export interface EntryFilter {
  from?: Date | null;
  to?: Date | null;
  outcome?: AuditOutcome | null;
  matter?: string | null;
  caseNumber?: string | null;
  hasCaseNumber?: boolean | null;
  hasSubject?: boolean | null;
  actor?: string | null;
  auditReads?: boolean | null;
  field?: string;
}

/**
 * The condition `auditReads` sets, on the column `column` names: the reads of the audit log itself
 * and nothing else (`AuditEntry.auditRead`: disclosed, the field groups `AUDIT`, `DISCLOSURE_LOG`
 * or both; a page of the audit's lists, or a broken link's entry, shown to its readers, disclosed
 * so in the trail of each subject on it, resolvers.ts; a page of a subject's disclosures), or every
 * other entry. Disclosed only: a department refused the log read nothing, and its attempt is what
 * a supervisor leaving out the reads looks for. On the column the database computes from the two,
 * which indexes hold (migrations 1764000000490, 500): on the two, which none holds, every count
 * read the whole log.
 */
export function auditReadsCondition(auditReads: boolean, column: (name: string) => string): string {
  return `${column('audit_read')} = ${auditReads ? 1 : 0}`;
}

/**
 * What `statistics` calls every matter outside the catalogue. A refused request's matter header
 * is kept as sent in the trail, for the credit office; any caller could otherwise write a
 * person's name into every analyst's statistics by sending it as a matter.
 */
export const unlistedMatterInStatistics = 'UNLISTED';

/** The catalogue's matter codes as SQL literals: upper-case letters and '_' only, checked here once. */
export const catalogueMatterList = matters
  .map(({ code }) => {
    if (!/^[A-Z_]+$/.test(code)) throw new Error(`matter code ${code} cannot be written into SQL as it is`);
    return `'${code}'`;
  })
  .join(', ');

/**
 * The SQL conditions (on the table aliased `t`) of an `EntryFilter`, with their parameters;
 * BAD_USER_INPUT, on the filter's field, for a reversed period, an empty or overlong text, or
 * `hasCaseNumber` false with a `caseNumber`. `persisted`: an instant as the driver stores it.
 */
export function entryConditions(filter: EntryFilter, persisted: (instant: Date) => unknown): { conditions: string[]; params: unknown[] } {
  const prefix = filter.field ?? '';
  const conditions: string[] = [];
  const params: unknown[] = [];
  const { from, to } = filter;
  if (from && to) checkInstantRange(from, to, `${prefix}to`);
  if (from) {
    conditions.push('t.occurred_at >= ?');
    params.push(persisted(from));
  }
  if (to) {
    conditions.push('t.occurred_at < ?');
    params.push(persisted(to));
  }
  if (filter.outcome !== null && filter.outcome !== undefined) {
    chosen(filter.outcome, auditOutcomes, `${prefix}outcome`, { label: 'outcome' });
    conditions.push('t.outcome = ?');
    params.push(filter.outcome);
  }
  if (filter.matter !== null && filter.matter !== undefined) {
    // As the gateway records x-credit-matter (typedMatter, an ID or mobile number in an unlisted
    // one masked: gateway/audit-writer.ts asAudited), and as given: entries of before that keep
    // the form they were named by (the log is chained, never rewritten).
    // Text the gateway refuses in its header (U+200B, U+202E pasted with it) names no entry: said, not an empty list.
    const matter = requiredLine(filter.matter, `${prefix}matter`, auditedTextLimits.matter);
    if (normaliseIdentifier(matter) === unlistedMatterInStatistics) {
      // The statistics' UNLISTED row drills down to what it counted: every matter named outside the catalogue.
      conditions.push(`(t.matter IS NOT NULL AND t.matter NOT IN (${catalogueMatterList}))`);
    } else {
      const named = [...new Set([maskPersonalData(typedMatter(matter)), typedMatter(matter), matter])];
      conditions.push(`t.matter IN (${named.map(() => '?').join(', ')})`);
      params.push(...named);
    }
  }
  if (filter.caseNumber !== null && filter.caseNumber !== undefined) {
    if (filter.hasCaseNumber === false) throw badInput(`${prefix}hasCaseNumber`, 'hasCaseNumber false lists the entries that named no case number: not with a caseNumber');
    const caseNumber = requiredLine(filter.caseNumber, `${prefix}caseNumber`, auditedTextLimits.caseNumber);
    // The case as the gateway records x-credit-case, full-width forms folded (ＢＤＨ－… is BDH-…)
    // and an ID or mobile number in it masked (gateway/audit-writer.ts asAudited), and as given:
    // entries of before that keep the number they were named by (the log is chained, never
    // rewritten), which is what their auditCases row shows.
    const named = [...new Set([maskPersonalData(foldedNumber(caseNumber)), foldedNumber(caseNumber), caseNumber])];
    conditions.push(`t.case_number IN (${named.map(() => '?').join(', ')})`);
    params.push(...named);
  } else if (filter.hasCaseNumber !== null && filter.hasCaseNumber !== undefined) {
    conditions.push(filter.hasCaseNumber ? 't.case_number IS NOT NULL' : 't.case_number IS NULL');
  }
  if (filter.hasSubject !== null && filter.hasSubject !== undefined) {
    // Subject-less entries lead the subjects' index (subject, instant, sequence: migration 1764000000450), in the lists' order.
    conditions.push(filter.hasSubject ? 't.subject_id IS NOT NULL' : 't.subject_id IS NULL');
  }
  if (filter.actor !== null && filter.actor !== undefined) {
    conditions.push('t.actor = ?');
    params.push(requiredText(filter.actor, `${prefix}actor`, auditedTextLimits.callerId));
  }
  if (filter.auditReads !== null && filter.auditReads !== undefined) {
    // Leading an index of its own, and after the actor, the organisation in theirs (migration 1764000000490).
    conditions.push(auditReadsCondition(filter.auditReads, (name) => `t.${name}`));
  }
  return { conditions, params };
}

/**
 * The id an organisation named in a filter is recorded under. A unified social credit code as
 * the gateway records a token's of that kind (gateway/authentication.ts): trimmed and
 * upper-cased, so that `91130304pr…` typed finds `91130304PR…`. Any other id as given, unless
 * nothing is recorded under it and something is under its folded form (NFKC, upper-cased): a
 * department is recorded by its exact code (`FINANCE`), and `finance` or `ＦＩＮＡＮＣＥ` typed
 * means it, where an empty answer would read as "this department read nothing". A bank's id is
 * recorded as its token gave it, so the form recorded as given wins. (A person's number is
 * refused before: refusePersonNumber.)
 */
export async function recordedId(db: DataSource, named: string): Promise<string> {
  const folded = normaliseIdentifier(named);
  if (validateUnifiedSocialCreditCode(folded).valid || folded === named) return folded;
  const q = (name: string) => db.driver.escape(name);
  const recorded: { organisation: string }[] = await db.query(
    `SELECT DISTINCT ${q('organisation')} AS ${q('organisation')} FROM ${q(db.getMetadata(AuditEntry).tablePath)} WHERE ${q('organisation')} IN (?, ?)`,
    [named, folded],
  );
  return recorded.some((row) => row.organisation === folded) && !recorded.some((row) => row.organisation === named) ? folded : named;
}

/** A kind named in a filter, as `OrganisationKind` has them (the SDL enum checks it first; direct callers are checked here). */
export function kindNamed(kind: string): OrganisationKind {
  return chosen(kind, organisationKinds, 'organisationKind');
}

/** A citizen ID number as the platform shows it (`1303**********0019`, a 15-digit one `1303*******1234`), never as one is recorded. */
const maskedCitizenIdNumber = /^[0-9]{4}\*+[0-9]{3}[0-9X]$/;

/**
 * Refuses a person's citizen ID number where an organisation is named, masked or whole. Masked,
 * it matches no entry, and an empty answer would read as "this person read nothing"; whole, a
 * filter would answer whether any guess is a reader's number: the masked number's eight shown
 * characters and a valid birth date leave a few thousand guesses, tried in seconds, which
 * unmasked a person to the credit office, to whom a person reader is shown masked like to anyone.
 * A person's entries are found by one of them: the error says how.
 */
export function refusePersonNumber(organisation: string, field: string): void {
  if (!maskedCitizenIdNumber.test(organisation) && !readsAsCitizenIdNumber(normaliseIdentifier(organisation))) return;
  throw badInput(
    field,
    `a person who read is named by one of its entries, never by a citizen ID number, whole or masked: pass the entryId of an auditCases or auditStatistics row, or the id of one of its entries, as auditEntriesByOrganisation(organisationOf:)`,
  );
}

/**
 * `occurred_at` as the driver writes an instant into a raw query (`persisted`) and as the entity
 * holds one a raw query read (`hydrated`).
 */
export function occurredAtValues(db: DataSource): { persisted: (value: Date) => unknown; hydrated: (value: unknown) => Date } {
  const column = () => {
    const found = db.getMetadata(AuditEntry).findColumnWithPropertyName('occurredAt');
    if (!found) throw new Error('AuditEntry has no occurredAt column');
    return found;
  };
  return {
    persisted: (value) => db.driver.preparePersistentValue(value, column()),
    hydrated: (value) => db.driver.prepareHydratedValue(value, column()) as Date,
  };
}
