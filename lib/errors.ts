import { HeaderMap } from '@apollo/server';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { requestIdOfError } from './request-record';
import { characterCount, firstCharacters, quotedVisibly } from './text';

/**
 * The closed set of error codes a client can switch on (`extensions.code`).
 * Subgraphs throw these; the gateway passes them through unchanged and masks anything else.
 * Keep in sync with the "Errors" table in README.md.
 */
export const ErrorCode = {
  /** An argument or input field is malformed or inconsistent (see `extensions.field`). */
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** A unified social credit code (统一社会信用代码) failed GB 32100-2015 validation. */
  INVALID_CREDIT_CODE: 'INVALID_CREDIT_CODE',
  /** A citizen ID number (公民身份号码) failed GB 11643-1999 validation. */
  INVALID_ID_NUMBER: 'INVALID_ID_NUMBER',
  /** A subject with the same identifier is already registered. */
  DUPLICATE_SUBJECT: 'DUPLICATE_SUBJECT',
  /** A pagination cursor was not issued by this API or has been tampered with. */
  INVALID_CURSOR: 'INVALID_CURSOR',
  /** The referenced object does not exist. */
  NOT_FOUND: 'NOT_FOUND',
  /**
   * The request's path names no route of the process (HTTP 404: a mistyped address, /graphq): the
   * address is wrong, not an object an argument names, which NOT_FOUND says.
   */
  ROUTE_NOT_FOUND: 'ROUTE_NOT_FOUND',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  /** Apollo's own codes for requests that never reach a resolver. */
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  BAD_REQUEST: 'BAD_REQUEST',
  PERSISTED_QUERY_NOT_SUPPORTED: 'PERSISTED_QUERY_NOT_SUPPORTED',
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
  /**
   * A subgraph gave no usable answer; `extensions.serviceName` names it, `extensions.reason` says
   * why (`UNREACHABLE`, `TIMEOUT`, `BAD_RESPONSE`: see SubgraphFault), the rest of the answer
   * stands. One code, not three: whatever the reason, the fields it owns are missing and a later
   * retry may succeed, after `extensions.retryAfterSeconds` (and `Retry-After` when the whole
   * answer is withheld, a 503).
   */
  SUBGRAPH_UNAVAILABLE: 'SUBGRAPH_UNAVAILABLE',
  /**
   * The caller's, its organisation's or (without a token) its address's request budget is used
   * up (HTTP 429): `extensions.budget` names which, `extensions.retryAfterSeconds` when to retry.
   */
  RATE_LIMITED: 'RATE_LIMITED',
  /** A subgraph lost its database connection (a restart, say), could not open one (the server down, or it or the database user has too many connections), its database was too slow (a statement, lock or pool wait ran out), its writes lost to others for as long as it tried them again (a deadlock each time, SQLite's file locked by another process), its SQLite file or disk failed (full, read-only, an I/O error), or its database user was refused a right it needs, while answering: `extensions.reason` says which (DatabaseFault); retry after `extensions.retryAfterSeconds` where it is given. */
  DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE',
  /** The audit log could not be written, so the answer was withheld (fail closed, HTTP 503): retry after `extensions.retryAfterSeconds` (and `Retry-After`). */
  AUDIT_UNAVAILABLE: 'AUDIT_UNAVAILABLE',
  /** The identity provider's key set (AUTH_JWKS_URL) could not be read: no token could be checked (HTTP 503, Retry-After). */
  AUTHENTICATION_UNAVAILABLE: 'AUTHENTICATION_UNAVAILABLE',
  /**
   * The operation (or its request body) is larger than the gateway accepts, refused before it was
   * planned: `extensions.limit` names the limit (`depth`, `aliases`, `rootFields`, `directives`,
   * `tokens`, `cost`, `bodyBytes`), `extensions.max` is its value.
   */
  OPERATION_LIMIT_EXCEEDED: 'OPERATION_LIMIT_EXCEEDED',
  /**
   * The process is stopping (SIGTERM) and took no new request: nothing of this one ran (HTTP 503,
   * `Connection: close`); send it again, to another instance or after `extensions.retryAfterSeconds`
   * (and `Retry-After`).
   */
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  /** An unexpected fault (logged on the server with `extensions.requestId`): retry later. */
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Why a subgraph's fields are SUBGRAPH_UNAVAILABLE (`extensions.reason`). */
export const SubgraphFault = {
  /**
   * Connection refused or lost (reads were retried once first). One reason for both, as a client
   * does the same about either; a mutation's message says which, as only a connection lost after
   * the request was sent leaves its outcome unknown.
   */
  UNREACHABLE: 'UNREACHABLE',
  /** No complete answer within the gateway's SUBGRAPH_TIMEOUT_MS. */
  TIMEOUT: 'TIMEOUT',
  /**
   * It answered, but not with a GraphQL response (an HTML error page, broken JSON, the 404 of a
   * path with no endpoint, ...), or refused the call it was sent as GraphQL it cannot read (its
   * schema is of another release: callNotUnderstoodCodes).
   */
  BAD_RESPONSE: 'BAD_RESPONSE',
  /**
   * It refused the gateway's signed identity (HTTP 401): the two hold different signing keys, or
   * their clocks are further apart than the tolerance. The platform's fault, never the caller's,
   * whose token the gateway had accepted: answered as an outage, not as UNAUTHENTICATED, which
   * would send the caller to log in again for nothing.
   */
  IDENTITY_REFUSED: 'IDENTITY_REFUSED',
} as const;

export type SubgraphFault = (typeof SubgraphFault)[keyof typeof SubgraphFault];

/**
 * The codes of a callee that could not read the call itself (parse or validate it), whatever it
 * was asked about. A call the platform wrote (the gateway's planned fetch, a subgraph's call to a
 * peer) refused so is no refusal of anything a client sent: caller and callee are of different
 * releases, their schemas out of step (README, Upgrading), the platform's fault.
 */
export const callNotUnderstoodCodes: ReadonlySet<string> = new Set<string>([ErrorCode.GRAPHQL_PARSE_FAILED, ErrorCode.GRAPHQL_VALIDATION_FAILED]);

/**
 * What a client is to do about a mutation whose answer it lacks though its change is, or may be,
 * stored (the gateway stopped waiting, the connection was lost under way, the audit log could not
 * be written): send the same request again. Reading the result back is no substitute: a batch's
 * rejected rows were never stored, and only its answer tells which they were and why.
 * Every mutation a client may send answers a retry with what it stored rather than storing it
 * twice (each one's description in the schema says how), but for the ones named here: a subject's
 * registration is refused DUPLICATE_SUBJECT naming the subject in `subjectId`; a check and a
 * report generation make a new one per call unless sent under the same idempotencyKey
 * (test/unit/error-codes.test.ts holds these to the mutations whose input takes one).
 */
export const sendTheSameRequestAgain =
  "send the same request again, which answers with what was stored if it was (a subject's registration by DUPLICATE_SUBJECT naming it; a check or a report generation only when sent with an idempotencyKey), rather than another";

/**
 * What became of a mutation answered with an outage instead of its result (`extensions.outcome`,
 * README, Errors), for a front end to switch on where the message says it in English: on
 * SUBGRAPH_UNAVAILABLE and DATABASE_UNAVAILABLE at a mutation field, the gateway's of a subgraph it
 * could not get answered and a subgraph's own (its database's fault, a peer it could not ask or
 * whose outage it passes on: subgraphs/shared/subgraph.ts withMutationOutcome). `NOT_STORED`: the
 * change was not stored, and the same request may be sent again later as it is. `UNKNOWN`: it may have been
 * (the answer was lost after the request was sent, the gateway stopped waiting, a database
 * connection was lost with the write sent): send the same request again, which answers with what
 * was stored (`sendTheSameRequestAgain`); a check sent without an idempotencyKey would be run
 * twice. A mutation field that answered says it took effect otherwise, by `applied`.
 */
export const MutationOutcome = {
  NOT_STORED: 'NOT_STORED',
  UNKNOWN: 'UNKNOWN',
} as const;

export type MutationOutcome = (typeof MutationOutcome)[keyof typeof MutationOutcome];

/** A mutation's outcome when its answer never came and the change may have been stored (the gateway's call to a subgraph, a subgraph's to its database). */
export const outcomeNotKnown = `whether the change was stored is not known for certain: ${sendTheSameRequestAgain}`;

/**
 * The extension in which a subgraph's refusal tells the gateway, for its audit entry only, which
 * subject it refused and, where the selection at the error's path does not show it, which field
 * groups: on a FORBIDDEN error, or on another the gateway is to audit DENIED all the same (a
 * decision refused as made already). The gateway takes it off before the answer leaves, so that a
 * caller refused a subject learns nothing of it (not even that it exists).
 */
export const auditedRefusalExtension = 'auditedRefusal';

export interface AuditedRefusal {
  subjectId?: string;
  groups?: string[];
}

const knownCodes = new Set<string>(Object.values(ErrorCode));

/** Longest value refused a message quotes whole, in characters: enough to recognise it by. */
export const maxQuotedCharacters = 80;

/**
 * A value refused as a message quotes it (as JSON does), a longer one than `maxQuotedCharacters`
 * by its first characters and how many it had. Quoted whole, a value of 100 KB made the answer as
 * large as the request each time it was quoted: in a batch's rejections and an error's
 * `extensions.problems`, which no message cap bounds, one value sent in every field of every row
 * came back hundreds of times; and a message cut at its cap lost what it said after the value.
 * Text a reader does not see is written out (`quotedVisibly`: "\u200b2026-11-01"), or a refused
 * value would read as one that looks right.
 */
export function quotedInput(value: unknown): string {
  const text = typeof value === 'string' ? value : String(JSON.stringify(value));
  const quoted = (shown: string) => (typeof value === 'string' ? quotedVisibly(shown) : shown);
  const count = characterCount(text);
  if (count <= maxQuotedCharacters) return quoted(text);
  // Its first characters are within twice as many UTF-16 units: read there, not in the whole 100 KB.
  return `${quoted(firstCharacters(text.slice(0, 2 * maxQuotedCharacters), maxQuotedCharacters))}… (${count} characters in all)`;
}

/**
 * A client error with a typed code; `details` go into `extensions` (e.g. `field`, `problem`).
 * `cause`, an error behind it, rides along as its `originalError`, for the log, never the client.
 */
export function clientError(code: Exclude<ErrorCode, 'INTERNAL_SERVER_ERROR'>, message: string, details: Record<string, unknown> = {}, cause?: unknown): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...details }, ...(cause instanceof Error ? { originalError: cause } : {}) });
}

/**
 * BAD_USER_INPUT naming `field` as a front end's form names it (README, Errors): a field of a
 * mutation's `input` by its path inside it, without `input.` (`reportNumber`, `correction.severity`,
 * `evidence[2]`), any other argument by its name (`id`, `reason`, `entries[3].organisation`).
 */
export function badInput(field: string, message: string, details: Record<string, unknown> = {}): GraphQLError {
  return clientError(ErrorCode.BAD_USER_INPUT, message, { field, ...details });
}

/** One problem of a mutation's input, as `extensions.problems` lists it (README, Errors). */
export interface InputProblem {
  /** The value at fault, as `extensions.field` names it (`badInput`). */
  field: string;
  /** What is wrong with it, as a message would say it. */
  reason: string;
  /** What a front end may switch on, where the refusal has one (an identifier's `WRONG_CHECK_CHARACTER`, a text's `TOO_LONG`, `KIND_CONTRADICTS_CODE`). */
  problem?: string;
  /** What else the refusal names, as its own extensions do (the `source` of a public source's name). */
  [detail: string]: unknown;
}

/** The codes of a refusal of the input itself, which `InputProblems` collects. */
const inputCodes = [ErrorCode.BAD_USER_INPUT, ErrorCode.INVALID_CREDIT_CODE, ErrorCode.INVALID_ID_NUMBER] as const;
type InputCode = (typeof inputCodes)[number];
const isInputCode = (code: unknown): code is InputCode => (inputCodes as readonly unknown[]).includes(code);

/**
 * The refusal of an input with every problem found in it (README, Errors): the first problem's
 * code, `field`, `problem` and message at the top, as a client that reads one problem has always
 * read it, the message saying how many more there are; and all of them in `extensions.problems`,
 * for a form that marks each field at fault at once.
 */
export function refusedInput(problems: readonly (InputProblem & { code?: Exclude<ErrorCode, 'INTERNAL_SERVER_ERROR'> })[]): GraphQLError {
  const [first] = problems;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  // Each problem as its refusal told it, with its details; a problem absent is left out, never null.
  const listed = problems.map(({ code: _code, ...told }) => Object.fromEntries(Object.entries(told).filter(([, value]) => value !== undefined)) as InputProblem);
  const { reason: _reason, ...firstTold } = listed[0];
  return clientError(first.code ?? ErrorCode.BAD_USER_INPUT, `${first.reason}${more}`, { ...firstTold, problems: listed });
}

/**
 * The problems of one input, gathered from its independent checks so that a form is told all of
 * them at once, as lib/env.ts `ConfigProblems` gathers a configuration's: each check is one
 * `read`, which keeps its refusal (a `badInput`, an invalid code, or a `refusedInput` listing
 * several) and goes on; `check` then throws them as one `refusedInput`. At most one problem per
 * field, the first found for it. A check that needs an earlier one to have passed (a range
 * between two dates, a kind against a code) runs only when that one's value came back; checks
 * that need the database come after `check`, one at a time.
 */
export class InputProblems {
  private readonly found: (InputProblem & { code: InputCode })[] = [];

  /** The check's value, or undefined when it refused the input; any other error is thrown. */
  read<T>(check: () => T): T | undefined {
    try {
      return check();
    } catch (error) {
      const code = error instanceof GraphQLError ? error.extensions.code : undefined;
      if (!(error instanceof GraphQLError) || !isInputCode(code) || typeof error.extensions.field !== 'string') throw error;
      const { code: _code, field, problems: listed, ...details } = error.extensions;
      // Only the first problem's code is told (at the top), and a refusal's first is its own.
      for (const found of (listed as InputProblem[] | undefined) ?? [{ ...details, field, reason: error.message }]) {
        if (!this.found.some((p) => p.field === found.field)) this.found.push({ ...found, code });
      }
      return undefined;
    }
  }

  /** Throws every problem found, as one `refusedInput`; nothing when the input passed. */
  check(): void {
    if (this.found.length) throw refusedInput(this.found);
  }

  /**
   * `check`, then the values the checks read, none of them undefined any more: a `read` answers
   * undefined only for a refusal, which `check` has thrown.
   */
  checked<T extends Record<string, unknown>>(values: T): { [K in keyof T]: Exclude<T[K], undefined> } {
    this.check();
    return values as { [K in keyof T]: Exclude<T[K], undefined> };
  }
}

/**
 * `value` as one of `choices` (a decision, a kind, a class): BAD_USER_INPUT naming `field` when it
 * is none of them (`notAChoice`). The SDL's enums refuse most such values before a resolver runs;
 * this is the refusal of a choice typed as text (a consent's purpose) or sent by a direct caller.
 */
export function chosen<T extends string>(value: unknown, choices: readonly T[], field: string, told: { label?: string; why?: string } = {}): T {
  const choice = choices.find((c) => c === value);
  if (choice === undefined) throw notAChoice(field, choices, value, told);
  return choice;
}

/**
 * A value that is none of `choices`: `problem` NOT_A_CHOICE with the `choices` (README, Errors),
 * which a front end may offer as a list instead of reading them out of the message. `why` says
 * what the list alone does not (a matter that is read without a consent, so no consent's purpose).
 */
export function notAChoice(field: string, choices: readonly string[], value: unknown, { label = field, why }: { label?: string; why?: string } = {}): GraphQLError {
  return badInput(field, `${label} must be one of ${choices.join(', ')}, got ${quotedInput(value)}${why ? `: ${why}` : ''}`, choiceProblem(choices));
}

/** What a refusal of a value none of `choices` tells beside its message (README, Errors), wherever it is made: a form's list to offer. */
export function choiceProblem(choices: readonly string[]): { problem: 'NOT_A_CHOICE'; choices: string[] } {
  return { problem: 'NOT_A_CHOICE', choices: [...choices] };
}

/**
 * How long a client should wait before sending again what an outage refused (AUDIT_UNAVAILABLE,
 * SUBGRAPH_UNAVAILABLE, DATABASE_UNAVAILABLE): `extensions.retryAfterSeconds`, and `Retry-After`
 * when the whole answer is a 503, as a 429 says when its budget resets. Without it every client
 * of a busy district retries at once, the moment the audit log or a database comes back. The
 * outages these codes name are a restart or a slow moment: seconds, not minutes.
 */
export const outageRetryAfterSeconds = 5;

/**
 * SUBGRAPH_UNAVAILABLE: `serviceName` could not be asked, so what `message` says did not happen,
 * and the client may retry after `retryAfterSeconds` (but when `reason` says no retry mends it). `wholeAnswer` when nothing of the request
 * was answered (a 503 with `Retry-After`); otherwise the rest of the answer stands. `cause`: what
 * went wrong in the call (the peer's address refusing connections, a 401 to the platform's signed
 * identity), for the operator's log alone (`peerOutageCause`): the client is told what it means
 * for its request, never the peer's address.
 */
export function serviceUnavailable(serviceName: string, message: string, options: { wholeAnswer?: boolean; cause?: unknown; reason?: SubgraphFault } = {}): GraphQLError {
  const retry = options.reason === undefined || retryMends(options.reason) ? { retryAfterSeconds: outageRetryAfterSeconds } : {};
  return clientError(ErrorCode.SUBGRAPH_UNAVAILABLE, message, { serviceName, ...(options.reason ? { reason: options.reason } : {}), ...retry, ...(options.wholeAnswer ? { http: outageHttp() } : {}) }, options.cause);
}

/**
 * Whether a later retry may succeed where a subgraph could not be asked: not when it refused the
 * platform's signed identity (IDENTITY_REFUSED), which holds until an operator makes the two
 * processes' keys (or clocks) agree; such an outage carries no `retryAfterSeconds`.
 */
export function retryMends(reason: SubgraphFault): boolean {
  return reason !== SubgraphFault.IDENTITY_REFUSED;
}

/**
 * What made a SUBGRAPH_UNAVAILABLE this process answered: the `cause` it was made with, found
 * beneath the GraphQLErrors that carry it to `formatError`. Undefined for any other error, and for
 * one passed on from a peer, which logged its own cause.
 */
export function peerOutageCause(error: unknown): Error | undefined {
  let at: unknown = error;
  while (at instanceof GraphQLError) {
    if (at.extensions?.code === ErrorCode.SUBGRAPH_UNAVAILABLE && at.originalError && !(at.originalError instanceof GraphQLError)) return at.originalError;
    at = at.originalError;
  }
  return undefined;
}

/**
 * The gateway's `formatError`, before masking: a subgraph's SUBGRAPH_UNAVAILABLE about a peer it
 * called (the records subgraph's lookup in the entities subgraph timing out), or a peer's
 * DATABASE_UNAVAILABLE it passed on (the reports subgraph generating a report while the records
 * subgraph's database is gone), keeps naming that peer in `serviceName`, which Apollo Gateway
 * overwrites with the subgraph it fetched from: the peer is the one that could not answer, and
 * the one a client or operator must wait on.
 */
export function withUnavailablePeerNamed(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  if (formatted.extensions?.code !== ErrorCode.SUBGRAPH_UNAVAILABLE && formatted.extensions?.code !== ErrorCode.DATABASE_UNAVAILABLE) return formatted;
  const peer = ((error as { originalError?: { extensions?: { serviceName?: unknown } } } | null)?.originalError?.extensions?.serviceName);
  return typeof peer === 'string' && peer !== formatted.extensions.serviceName ? { ...formatted, extensions: { ...formatted.extensions, serviceName: peer } } : formatted;
}

/** The HTTP head of an answer withheld whole for an outage (Apollo Server's `extensions.http`). */
export function outageHttp(): { status: 503; headers: HeaderMap } {
  return { status: 503, headers: new HeaderMap([['retry-after', String(outageRetryAfterSeconds)]]) };
}

/**
 * Why a subgraph's database is DATABASE_UNAVAILABLE (`extensions.reason`), as its classification
 * (subgraphs/shared/subgraph.ts `databaseFault`) tells them apart. The faults of the database's disk
 * or SQLite's file but `BUSY`, and a right the database refuses its user, are no moment's fault: an
 * operator must act (restore the file and restart the subgraph, free the disk, make the server or
 * the file writable, mend the disk, let the subgraph open its files, grant the right again), and no
 * retry mends them, so they carry no `retryAfterSeconds` (`lastingDatabaseFaults`).
 */
export const DatabaseFault = {
  /** No connection could be made (the server down, refusing connections). */
  UNREACHABLE: 'UNREACHABLE',
  /** The server or the database user has as many connections as it allows. */
  TOO_MANY_CONNECTIONS: 'TOO_MANY_CONNECTIONS',
  /** The connection was lost (a restart, say). */
  CONNECTION_LOST: 'CONNECTION_LOST',
  /** A statement, a lock or a pool wait ran over its limit. */
  TIMEOUT: 'TIMEOUT',
  /**
   * Other changes held what the write needed for as long as the subgraph tries it again
   * (subgraphs/shared/write-queue.ts): on SQLite, another process (an import, say) held the file
   * locked for longer than the subgraph waits; on MySQL/MariaDB, the change deadlocked with others
   * made at the same time on each of its attempts. The database rolled it back: nothing was stored,
   * and a retry once the others are done may succeed. One reason for both, as a client does the
   * same about either; the message says which.
   */
  BUSY: 'BUSY',
  /** SQLite: the file was deleted or replaced while the subgraph had it open. */
  FILE_REPLACED: 'FILE_REPLACED',
  /** The disk holding the database is full (SQLite's file; a MySQL/MariaDB server's data or temporary files). */
  DISK_FULL: 'DISK_FULL',
  /** The database refuses every write: SQLite's file or its directory read-only, a MySQL/MariaDB server run `read_only`. */
  READ_ONLY: 'READ_ONLY',
  /**
   * SQLite: the disk or the file system under the file failed (an I/O error). Lasting: SQLite
   * retries an interrupted read or write itself, so what it reports is the kernel's EIO, a disk
   * or mount failing, which fails the next attempt as it failed this one.
   */
  IO_ERROR: 'IO_ERROR',
  /**
   * SQLite: a file of the database could not be opened. The file itself was opened at start (and
   * its WAL with it), so this is one SQLite makes beside it (a journal, a temporary file) in a
   * directory it may not write, or no file descriptor left to the process: lasting until an
   * operator mends the directory or the limit.
   */
  CANNOT_OPEN: 'CANNOT_OPEN',
  /**
   * The database refused its user a right the request needs (a DBA's REVOKE): the statement ran
   * in no part. Reads may go on where SELECT is left.
   */
  PERMISSION_DENIED: 'PERMISSION_DENIED',
} as const;

export type DatabaseFault = (typeof DatabaseFault)[keyof typeof DatabaseFault];

/** The database faults no retry mends (DatabaseFault): told without `retryAfterSeconds`. */
export const lastingDatabaseFaults: ReadonlySet<DatabaseFault> = new Set([DatabaseFault.FILE_REPLACED, DatabaseFault.DISK_FULL, DatabaseFault.READ_ONLY, DatabaseFault.IO_ERROR, DatabaseFault.CANNOT_OPEN, DatabaseFault.PERMISSION_DENIED]);

/** A fault of the infrastructure a client can be told about by name (a database gone, say), instead of INTERNAL_SERVER_ERROR. */
export interface KnownFault {
  code: Extract<ErrorCode, 'DATABASE_UNAVAILABLE'>;
  message: string;
  reason: DatabaseFault;
  /** For a fault at a mutation field that may have stored its change: UNKNOWN (`MutationOutcome`); a subgraph tells NOT_STORED of any other there. */
  outcome?: MutationOutcome;
}

/** Refused before execution (no path) with a client-error status, and no code given. */
function isRefusedRequest(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.path !== undefined || error.extensions.code !== undefined) return false;
  const status = (error.extensions.http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** Longest message a client gets, in characters. */
export const maxMessageCharacters = 1_000;

/**
 * A message as a person reads it, at most `maxMessageCharacters` in all: a longer one (a value
 * quoted whole somewhere) is cut to make room for `…` and how many characters it had. A message
 * so bounded is left alone, as the gateway leaves a subgraph's, and keeps the count of the original.
 */
function boundedMessage(message: string): string {
  const count = characterCount(message);
  if (count <= maxMessageCharacters) return message;
  const ending = `… (${count} characters in all)`;
  return `${firstCharacters(message, maxMessageCharacters - characterCount(ending))}${ending}`;
}

/**
 * Apollo Server `formatError`: errors with a known code go out as they are (minus any stack
 * trace); anything else is a bug or an infrastructure fault, logged here and masked, so that no
 * SQL, path, host name or stack ever reaches a client. The masked error carries the request id,
 * which the log line with the real error carries too, so an operator can
 * find one from the other. `recognise` names the infrastructure faults a client may act on
 * (retry later); their details are logged and masked all the same.
 */
export function maskUnexpectedErrors(log: (message: string, error: unknown, requestId: string | undefined) => void, recognise: (error: unknown) => KnownFault | undefined = () => undefined) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    const { stacktrace: _stack, exception: _exception, ...extensions } = formatted.extensions ?? {};
    if (typeof code === 'string' && knownCodes.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
      return { ...formatted, message: boundedMessage(formatted.message), extensions };
    }
    // Apollo refuses a few malformed requests (a persisted query whose hash does not match its
    // text, say) with HTTP 400 and no code of their own (it formats them as INTERNAL_SERVER_ERROR):
    // the request was wrong, and Apollo's message says how.
    if (isRefusedRequest(error)) return { ...formatted, extensions: { ...extensions, code: ErrorCode.BAD_REQUEST } };
    const fault = recognise(error);
    const requestId = requestIdOfError(error);
    log(fault ? fault.message : 'unexpected error', error, requestId);
    return {
      message: fault?.message ?? 'Internal server error',
      path: formatted.path,
      extensions: {
        ...(extensions.serviceName ? { serviceName: extensions.serviceName } : {}),
        code: fault?.code ?? ErrorCode.INTERNAL_SERVER_ERROR,
        ...(fault ? { reason: fault.reason } : {}),
        ...(fault && !lastingDatabaseFaults.has(fault.reason) ? { retryAfterSeconds: outageRetryAfterSeconds } : {}),
        ...(fault?.outcome ? { outcome: fault.outcome } : {}),
        ...(requestId ? { requestId } : {}),
      },
    };
  };
}
