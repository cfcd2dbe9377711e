import { randomUUID } from 'node:crypto';
import { platformReportGroups } from '../../lib/access/field-groups';
import { userInWords, type RequestIdentity } from '../../lib/access/identity';
import { addDays, todayInDistrict } from '../../lib/calendar';
import { canonicalJson, sha256Hex } from '../../lib/canonical-json';
import { badInput } from '../../lib/errors';
import { idempotencyKeyOf } from '../../lib/text-input';
import { findRecordCategory } from '../../lib/catalogue/record-categories';
import type { RecordStatus } from '../../lib/catalogue/record-standing';
import { assertInScope, assertPurposeGrants, disclose, forbidden, type RequestAccess } from '../shared/access';
import { CreditReport } from './entities/credit-report.entity';
import type { PeerClient } from './peers';
import {
  buildSections,
  genuineSnapshot,
  newReportNumber,
  platformIssuer,
  platformReportValidityDays,
  printedSummary,
  randomCode,
  snapshotFormat,
  type Snapshot,
  type SnapshotRecord,
  type SnapshotSubject,
} from './platform-report';
import type { ReportRepository } from './report.repository';
import { unknownSubjectId } from '../shared/subject-directory';

/**
 * Generating a subject's report discloses its records to the caller, so the request's purpose must
 * grant reading them, exactly as reading them directly would (a matter with its case number, or the
 * credit office's supervision). REPORT_GENERATION only says who may issue platform reports at all.
 */
export const generationNeeds = platformReportGroups;
/**
 * What the peers may be asked under the caller's identity: no more than the caller holds, and
 * never PERSONAL_IDENTIFIERS. A report is a document shown by its number and code to whoever
 * holds them (the printable page asks for no token), so a person's citizen ID number and home
 * address go into it masked, as they are shown to a purpose without personal identifiers.
 */
const peerGroups: readonly string[] = generationNeeds;

const subjectQuery = /* GraphQL */ `
  query ($id: ID!) {
    subject(id: $id) { id kind name unifiedSocialCreditCode citizenIdNumber registeredAddress legalRepresentative status registrationDate }
  }
`;

// The statuses that can count (a record under objection still does: its decision stands until
// reviewed), newest decision first; the records subgraph says which of them a check counts today
// (`countsInCheck`: it alone sees the subject's every tax grade, to know which one stands).
const recordsQuery = /* GraphQL */ `
  query ($representations: [_Any!]!, $after: String) {
    _entities(representations: $representations) {
      ... on Subject {
        creditRecords(filter: { statuses: [ACTIVE, OBJECTED] }, first: 100, after: $after) {
          pageInfo { hasNextPage endCursor }
          edges { node { id category polarity severity taxCreditGrade documentNumber decisionDate disclosureEndsAt validUntil status countsInCheck summary sourceDepartment { code nameZh } } }
        }
      }
    }
  }
`;

/** A record as the records subgraph answers the query above: what the report shows, and whether it counts. */
interface AnsweredRecord extends Omit<SnapshotRecord, 'underObjection'> {
  status: RecordStatus;
  validUntil: string | null;
  countsInCheck: boolean;
}

interface RecordsPage {
  _entities: ({ creditRecords: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: AnsweredRecord }[] } | null } | null)[];
}

/**
 * Of a subject's records, newest decision first, those a credit check run today counts, by the
 * rule the check applies (lib/catalogue/record-standing.ts): a report that left out what a check
 * counts (a listing under objection) or printed what it does not (a lapsed honour, a superseded
 * tax grade) would tell a department something other than its check.
 */
function countingToday(records: readonly AnsweredRecord[]): SnapshotRecord[] {
  return records
    .filter((r) => r.countsInCheck)
    .map(({ status, validUntil: _validUntil, countsInCheck: _counts, ...record }) => ({ ...record, summary: printedSummary(record.summary), underObjection: status === 'OBJECTED' }));
}

/** What `generateReport` takes besides the subject: the caller's key for the attempt, and the instant (tests). */
export interface GenerationOptions {
  /** As sent (`generateCreditReport(idempotencyKey:)`): trimmed and judged here (`idempotencyKeyOf`). */
  idempotencyKey?: string | null;
  now?: Date;
}

/**
 * The field groups of what a stored report discloses to whoever is given it (its sections, its
 * printable page): the subject's basics, its records (the connection they were read through, as
 * its generation reported it), and the lists, when it prints a record of one. None when its
 * snapshot is not genuine: nothing of it is shown then.
 */
function groupsHeld(snapshot: Snapshot | null): string[] {
  if (!snapshot) return [];
  const groups = new Set<string>(['SUBJECT_BASICS', 'PUBLIC_RECORDS']);
  for (const record of snapshot.sections.flatMap((s) => s.records)) groups.add(findRecordCategory(record.category)?.fieldGroup ?? 'PUBLIC_RECORDS');
  return [...groups];
}

/**
 * The report the caller (its organisation and user) generated under `key`, answered again to a
 * retry, or null when it generated none under it. Answered unchanged, storing nothing; given to
 * the caller again, what it holds is disclosed again, and audited as when it was generated (the
 * report's own field group the kernel adds). The key sent with another subject, or under another
 * matter or case than the report's snapshot seals, is IDEMPOTENCY_KEY_REUSED, as `runCreditCheck`
 * answers, and tells nothing of the report.
 */
async function generatedBefore(key: string, subjectId: string, access: RequestAccess, repository: ReportRepository, report?: CreditReport): Promise<CreditReport | null> {
  const { caller, purpose } = access.identity;
  const earlier = report ?? (caller ? await repository.generatedUnder(key, { userId: caller.id, organisation: caller.organisation }) : null);
  if (!earlier || !caller) return null;
  const [content] = await repository.snapshots([earlier.id]);
  const snapshot = genuineSnapshot(earlier, content);
  const samePurpose = !snapshot || (snapshot.purpose.matter === (purpose?.matter ?? null) && snapshot.purpose.caseNumber === (purpose?.caseNumber ?? null));
  if (earlier.subjectId !== subjectId || !samePurpose) {
    throw badInput('idempotencyKey', `${userInWords(caller.id)} already generated a report of another subject, or under another matter or case, under the key ${key}: make a new key for each report, and send it again only to retry that report`, {
      problem: 'IDEMPOTENCY_KEY_REUSED',
    });
  }
  for (const group of groupsHeld(snapshot)) disclose(access, earlier.subjectId, group);
  return earlier;
}

/**
 * Generates the platform's public credit report (公共信用信息报告) for a subject: reads its basics
 * (entities) and the records that count (records) under the caller's own identity and grants, so
 * that both subgraphs apply the caller's purpose and scope and report what they disclosed; then
 * seals the snapshot (canonical JSON and SHA-256) and stores it with a new number and code. What
 * the peers disclosed is the caller's, and audited, once the report is stored: a generation that
 * fails (a peer down after the subject's basics were read) released nothing to be audited.
 *
 * The caller is a department in a case, the credit office in its supervision, or a subject for
 * itself (SELF_INQUIRY, scoped to its own subject: any other id, registered or not, is refused
 * before anything is asked, so that nothing tells the two apart). Whoever generates holds the
 * report's case file (`registeredByOrganisation`): a department's code, or the subject's own code
 * or citizen ID number, whose case file is then its own, with no case number (the snapshot seals
 * SELF_INQUIRY as its purpose).
 *
 * Each call generates a report of its own, but for a retry under the caller's idempotency key,
 * which answers the report the key first generated (`generatedBefore`), reading nothing of the
 * peers and storing nothing.
 */
export async function generateReport(subjectId: string, access: RequestAccess, repository: ReportRepository, peers: PeerClient, options: GenerationOptions = {}): Promise<CreditReport> {
  const { identity } = access;
  const caller = identity.caller;
  const now = options.now ?? new Date();
  if (!caller) throw forbidden('AUTHENTICATION_REQUIRED', 'generating a report needs an authenticated caller');
  assertPurposeGrants(identity, generationNeeds, "generating a public credit report discloses the subject's records");
  assertInScope(access, subjectId);
  const key = idempotencyKeyOf(options.idempotencyKey);
  const earlier = key ? await generatedBefore(key, subjectId, access, repository) : null;
  if (earlier) return earlier;
  const asCaller: RequestIdentity = { ...identity, grants: identity.grants.filter((g) => peerGroups.includes(g)) };

  const { subject } = await peers.query<{ subject: SnapshotSubject | null }>('entities', subjectQuery, { id: subjectId }, asCaller);
  if (!subject) throw unknownSubjectId(subjectId);
  const records: AnsweredRecord[] = [];
  let after: string | null = null;
  do {
    const page: RecordsPage = await peers.query<RecordsPage>('records', recordsQuery, { representations: [{ __typename: 'Subject', id: subjectId, kind: subject.kind }], after }, asCaller);
    const connection = page._entities[0]?.creditRecords;
    if (!connection) throw new Error(`the records subgraph returned no records connection for subject ${subjectId}`);
    records.push(...connection.edges.map((e) => e.node));
    after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
  } while (after);

  const issuedOn = todayInDistrict(now);
  const report = Object.assign(new CreditReport(), {
    id: randomUUID(),
    subjectId,
    source: 'DISTRICT_PLATFORM' as const,
    issuerName: platformIssuer.name,
    issuerProviderId: null,
    reportNumber: newReportNumber(issuedOn),
    grade: null,
    issuedOn,
    validUntil: addDays(issuedOn, platformReportValidityDays - 1),
    verificationCode: randomCode(16),
    documentReference: null,
    registeredBy: caller.id,
    registeredByOrganisation: caller.organisation,
    idempotencyKey: key,
    verificationOutcome: null,
    verificationNote: null,
    verifiedBy: null,
    verifiedAt: null,
    registeredAt: now,
  });
  const snapshot: Snapshot = {
    format: snapshotFormat,
    title: platformIssuer.title,
    office: platformIssuer.office,
    issuer: platformIssuer.name,
    reportNumber: report.reportNumber,
    verificationCode: report.verificationCode,
    issuedOn,
    validUntil: report.validUntil,
    generatedAt: now.toISOString(),
    purpose: { matter: identity.purpose?.matter ?? null, caseNumber: identity.purpose?.caseNumber ?? null, requestedBy: caller.organisation },
    subject,
    sections: buildSections(countingToday(records)),
  };
  const content = canonicalJson(snapshot);
  report.documentSha256 = sha256Hex(content);
  const stored = await repository.insertGenerated(report, content);
  // The same attempt sent twice at once: the first stored is the answer, given as to a retry, and
  // what the peers disclosed for this one, which is stored nowhere, reached nobody.
  if (key && stored.id !== report.id) return (await generatedBefore(key, subjectId, access, repository, stored))!;
  // The report is made: what the peers disclosed for it is the caller's now, and audited (peers.ts).
  peers.release();
  return stored;
}
