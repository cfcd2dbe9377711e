import type { GraphQLError } from 'graphql';
import { InternalClient, peerCallFailure } from '../../lib/internal-client';
import { withoutCredentials } from '../../lib/env';
import type { RequestDeadline } from '../../lib/deadline';
import { badInput, clientError, ErrorCode, quotedInput } from '../../lib/errors';
import { isBlank } from '../../lib/text-input';
import { detectIdentifierKind, normaliseIdentifier, validateIdentifier, type IdentifierKind, type IdentifierProblem } from '../../lib/identifiers';
import { lookUpSubjects, type SubjectLookup } from '../../lib/subject-register';
import { assertKindInScope, limitedKinds, type RequestAccess } from './access';
import { peerEndpointOf, type PeerEndpoint, type PeerEndpointSource } from './peer-endpoint';

/**
 * Why a `subjectId` names no subject. A subject's code typed where its id goes, as an officer
 * holding a bidder's licence would, is told so, and where the code goes: `codeField`, where the
 * input takes one (the credit office's window reads nothing else of a subject), otherwise the
 * query that answers the id.
 */
export function unknownSubjectIdMessage(subjectId: string, codeField?: string): string {
  const code = normaliseIdentifier(subjectId);
  const kind = validateIdentifier(code, 'UNIFIED_SOCIAL_CREDIT_CODE').valid ? 'a unified social credit code (统一社会信用代码)' : validateIdentifier(code, 'CITIZEN_ID_NUMBER').valid ? 'a citizen ID number (公民身份号码)' : null;
  const where = codeField ? `name the subject by ${codeField}` : "a subject's id is its platform id (Subject.id), which subjectByCode(code:) answers";
  return `no market subject has the id ${quotedInput(subjectId)}${kind ? `; that is ${kind}, not an id: ${where}` : ''}`;
}

/** NOT_FOUND (field `subjectId`) saying why: `unknownSubjectIdMessage`. */
export function unknownSubjectId(subjectId: string, codeField?: string): GraphQLError {
  return clientError(ErrorCode.NOT_FOUND, unknownSubjectIdMessage(subjectId, codeField), { field: 'subjectId' });
}

/**
 * The identifier a code names, normalised; a malformed code is the caller's typo, not an unknown
 * subject: it gets a typed error, not null. Read so wherever a subject is named by its code: the
 * entities subgraph's own lookups, and a filing that names its record by its subject's code.
 * `meant`: the only sort of code the request can mean (a purpose covering natural persons alone:
 * a citizen ID number), by which a malformed code is told, where its shape would guess the other.
 */
export function identifierOf(code: string, field = 'code', meant?: IdentifierKind): string {
  // A code left blank is a required value missing (README, Errors), not a typed code of length 0.
  if (isBlank(code)) throw badInput(field, `${field} must not be empty: give a unified social credit code or a citizen ID number`, { problem: 'EMPTY' });
  const identifier = normaliseIdentifier(code);
  const guessed = detectIdentifierKind(identifier);
  // Only a code its shape reads as the other sort is read twice: valid, it is that sort's.
  const misread = meant !== undefined && meant !== guessed && !validateIdentifier(identifier, guessed).valid;
  assertValidIdentifier(identifier, misread ? meant : guessed, field);
  return identifier;
}

/** A normalised identifier checked as `kind`: `identifierProblem`'s refusal on `field` when malformed. */
export function assertValidIdentifier(identifier: string, kind: IdentifierKind, field = 'code'): void {
  const invalid = identifierProblem(identifier, kind);
  if (invalid) throw clientError(invalid.code, `invalid ${invalid.named}: ${invalid.reason}`, { field, problem: invalid.problem });
}

/**
 * What is wrong with a normalised identifier checked as `kind`, or null when it is well-formed:
 * thrown by a lookup, listed by a row of an import, in the same words (`invalid <named>: <reason>`)
 * and with the same code (INVALID_ID_NUMBER or INVALID_CREDIT_CODE) and `problem`.
 */
export function identifierProblem(identifier: string, kind: IdentifierKind = detectIdentifierKind(identifier)): { code: typeof ErrorCode.INVALID_ID_NUMBER | typeof ErrorCode.INVALID_CREDIT_CODE; named: string; reason: string; problem?: IdentifierProblem } | null {
  const result = validateIdentifier(identifier, kind);
  if (result.valid) return null;
  const reason = result.message ?? 'malformed';
  return kind === 'CITIZEN_ID_NUMBER'
    ? { code: ErrorCode.INVALID_ID_NUMBER, named: 'citizen ID number', reason, problem: result.problem }
    : { code: ErrorCode.INVALID_CREDIT_CODE, named: 'unified social credit code', reason, problem: result.problem };
}

/** The subject register as the records and reports subgraphs ask it: `EntitiesSubjectDirectory`, or a test's stand-in. */
export interface SubjectDirectory {
  /** `deadline`: the request's, which the lookup keeps within (lib/deadline.ts). */
  lookUp(ids: readonly string[], codes: readonly string[], requestId?: string, deadline?: RequestDeadline): Promise<SubjectLookup>;
}

/**
 * The entities subgraph could not answer: nothing may be decided about the rows that needed it.
 * `cause`: how the call failed (lib/internal-client.ts), which `withEntitiesOrUnavailable` tells
 * the client of as `peerCallFailure` does.
 */
export class SubjectDirectoryUnavailable extends Error {
  override name = 'SubjectDirectoryUnavailable';
}

/**
 * Runs `lookup`; when the entities subgraph could not answer it, the client is told as of any
 * failed call to a peer (`peerCallFailure`): the entities subgraph's own outage (its database gone
 * or too slow) in its words, naming it; or SUBGRAPH_UNAVAILABLE with its `reason` and `message`,
 * which says what that meant for its request.
 */
export async function withEntitiesOrUnavailable<T>(lookup: () => Promise<T>, message: string): Promise<T> {
  try {
    return await lookup();
  } catch (error) {
    if (!(error instanceof SubjectDirectoryUnavailable)) throw error;
    throw peerCallFailure('entities', error.cause, message, error);
  }
}

/**
 * A record or report looked up by id comes without its subject's kind: for a purpose that covers
 * some kinds only, the entities subgraph is asked, and a subject of another kind is refused
 * before anything about it is disclosed.
 */
export async function assertSubjectKindInScope(access: RequestAccess, directory: SubjectDirectory, subjectId: string): Promise<void> {
  if (!limitedKinds(access)) return;
  const found = await withEntitiesOrUnavailable(
    () => directory.lookUp([subjectId], [], access.identity.requestId, access.deadline),
    "the subject's kind could not be checked with the entities subgraph; retry later",
  );
  assertKindInScope(access, { id: subjectId, kind: found.kinds?.get(subjectId) ?? null });
}

/**
 * The subject register (lib/subject-register.ts) as record intake, the records and reports
 * subgraphs and the import ask it, with an identity signed by the gateway key: its failure to
 * answer is `SubjectDirectoryUnavailable`, naming the address asked.
 */
export class EntitiesSubjectDirectory implements SubjectDirectory {
  /** `config`, when a function (PeerEndpointSource), is read at the first lookup. */
  constructor(
    private readonly config: PeerEndpointSource,
    private readonly timeoutMs = 30_000,
  ) {}

  async lookUp(ids: readonly string[], codes: readonly string[], requestId?: string, deadline?: RequestDeadline): Promise<SubjectLookup> {
    if (ids.length === 0 && codes.length === 0) return { ids: new Set(), codes: new Map() };
    let config: PeerEndpoint;
    try {
      config = peerEndpointOf(this.config);
    } catch (error) {
      throw new SubjectDirectoryUnavailable(`the entities subgraph is not configured: ${(error as Error).message}`, { cause: error });
    }
    try {
      return await lookUpSubjects(new InternalClient(config.signingKey, this.timeoutMs, 'entities'), config.url, ids, codes, requestId, deadline);
    } catch (error) {
      throw new SubjectDirectoryUnavailable(`the entities subgraph at ${withoutCredentials(config.url)} could not check the subjects: ${(error as Error).message}`, { cause: error });
    }
  }
}
