import { callerInWords, type Caller } from './access/identity';
import type { PurposeRefusal } from './access/policy';
import type { RequestDeadline } from './deadline';
import { ExpiringMemory } from './expiring-memory';
import { validateIdentifier } from './identifiers';
import type { InternalClient } from './internal-client';
import { newRequestId } from './request-record';

/** What `lookUpSubjects` found. */
export interface SubjectLookup {
  /** The asked ids that exist. */
  ids: ReadonlySet<string>;
  /** Each asked code (normalised) that is registered → the subject's id. */
  codes: ReadonlyMap<string, string>;
  /** The kind of each subject found by id (a credit check's purpose covers some kinds only). */
  kinds?: ReadonlyMap<string, string>;
}

/**
 * The subject register as every process but the entities subgraph asks it: the gateway (the
 * subject of a refusal named by code alone, gateway/refused-subject-codes.ts; `isOwnSubject`),
 * and the records and reports subgraphs and the import (subgraphs/shared/subject-directory.ts:
 * whether the subjects a department names exist, a subject's kind). Subjects belong to the
 * entities subgraph; no other process reads its database, they ask it over HTTP, the way the
 * gateway would: one request however many ids and codes, with the platform's signed identity
 * (caller null, the one group `subjectByCode` needs). Ids go through `_entities` (one batched
 * SQL statement on the entities side), codes through aliased `subjectByCode` fields in the same
 * request (batched by a DataLoader into one statement as well). Such lookups are not
 * disclosures to a user: no audit entry. Throws what `client` throws when it gets no answer.
 */
export async function lookUpSubjects(client: InternalClient, url: string, ids: readonly string[], codes: readonly string[], requestId: string = newRequestId(), deadline?: RequestDeadline): Promise<SubjectLookup> {
  if (ids.length === 0 && codes.length === 0) return { ids: new Set(), codes: new Map() };
  const variables: Record<string, unknown> = {};
  const declarations: string[] = [];
  const fields: string[] = [];
  if (ids.length) {
    variables.representations = ids.map((id) => ({ __typename: 'Subject', id }));
    declarations.push('$representations: [_Any!]!');
    fields.push('subjects: _entities(representations: $representations) { ... on Subject { id kind } }');
  }
  codes.forEach((code, i) => {
    variables[`c${i}`] = code;
    declarations.push(`$c${i}: String!`);
    fields.push(`c${i}: subjectByCode(code: $c${i}) { id }`);
  });
  const data = await client.call<Record<string, unknown>>(url, `query SubjectRegisterLookup(${declarations.join(', ')}) { ${fields.join(' ')} }`, variables, ['SUBJECT_BASICS'], requestId, deadline);
  const found = new Set<string>();
  const kinds = new Map<string, string>();
  for (const subject of (data.subjects as ({ id: string; kind: string } | null)[] | undefined) ?? []) {
    if (!subject) continue;
    found.add(subject.id);
    kinds.set(subject.id, subject.kind);
  }
  const byCode = new Map<string, string>();
  codes.forEach((code, i) => {
    const subject = data[`c${i}`] as { id: string } | null | undefined;
    if (subject) byCode.set(code, subject.id);
  });
  return { ids: found, codes: byCode, kinds };
}

/** `${subject id} ${org}` → whether that subject is the one the org names: codes never change, so a quarter-hour at most. */
const ownSubjects = new ExpiringMemory<Promise<boolean>>(10_000);
const ownSubjectLifetimeMs = 15 * 60 * 1000;

/**
 * The own-subject rule: a token's `subject_id` names its caller's own subject only if that
 * subject's code (or citizen ID number) is the token's `org`; otherwise an enterprise's token
 * naming a person's subject id would read the person's file as its own. The gateway accepts a
 * SELF_INQUIRY only so (gateway/request-access.ts), and `viewer.matters` offers it only so
 * (subgraphs/records/access-catalogue.ts). `subjectsByCode` asks the register which subject the
 * org names (`lookUpSubjects`); an org that is no well-formed code names none and is not asked
 * (the register would refuse the lookup). Remembered per subject and org, and the one call
 * shared by every request that meets it meanwhile, so it is bounded by the lookup's own time
 * limit, not by the request that happened to make it. Throws what the lookup throws.
 */
export function isOwnSubject(caller: Pick<Caller, 'organisation'> & { subjectId: string }, subjectsByCode: (codes: readonly string[]) => Promise<SubjectLookup>): Promise<boolean> {
  const org = caller.organisation;
  if (!validateIdentifier(org).valid) return Promise.resolve(false);
  return ownSubjects.remember(`${caller.subjectId} ${org}`, () => subjectsByCode([org]).then((found) => found.codes.get(org) === caller.subjectId), Date.now() + ownSubjectLifetimeMs);
}

/** A SELF_INQUIRY refused by the own-subject rule (`isOwnSubject`), wherever it is refused. */
export function tokenSubjectNotOwn(caller: Pick<Caller, 'organisation' | 'organisationKind'>): PurposeRefusal {
  return { problem: 'TOKEN_SUBJECT_NOT_OWN', message: `the token's subject_id does not name the subject ${callerInWords(caller)} (its org)` };
}
