import { purposeProblems, refusalProblems } from '../../lib/access/policy';
import { ErrorCode } from '../../lib/errors';

const knownCodes = new Set<string>(Object.values(ErrorCode));
/** Every FORBIDDEN says which refusal it is (README, Errors), for a front end to switch on. */
const accessProblems = new Set<string>([...purposeProblems, ...refusalProblems]);

/** What came back for one request, as read off the wire. */
export interface RawAnswer {
  status: number;
  contentType: string;
  text: string;
}

/**
 * Text that must never reach a client unless the client sent it itself (messages may quote the
 * input): stack traces, driver and SQL error names, SQL statements and file paths; and the
 * `internalNames` of the platform under test (the subgraphs' addresses, its tables' names).
 */
const leakMarkers: RegExp[] = [
  /stacktrace/i,
  /\n\s+at [\w.<>]+ \(/,
  /node_modules/,
  /\/work\/|\/home\/|\/usr\/|\\src\\/,
  /QueryFailedError|TypeORMError|\bSQLITE_[A-Z]+|\bER_[A-Z_]{4,}|SqliteError/,
  /\b(SELECT|INSERT INTO|UPDATE|DELETE FROM)\b[^"]{0,200}\b(FROM|VALUES|SET|WHERE)\b/i,
  /TypeError|ReferenceError|RangeError|SyntaxError: Unexpected/,
];

/**
 * A 5xx is acceptable only as a typed, retryable answer about availability (a subgraph or the
 * audit log unavailable, load shed, a subgraph timeout), never as INTERNAL_SERVER_ERROR: hostile
 * input is the client's fault, and the server must say so with a 4xx or a typed error in a 200.
 */
const availabilityStatuses = new Set([502, 503, 504]);

/**
 * Every way the answer to a hostile request falls short of a well-formed GraphQL response;
 * empty when it is fine. `sent` is the request's text, so that echoed input is not taken for a leak.
 */
export function wellFormednessProblems(answer: RawAnswer, sent: string, internalNames: readonly string[]): string[] {
  const problems: string[] = [];
  if (answer.status >= 500 && !availabilityStatuses.has(answer.status)) problems.push(`status ${answer.status}`);
  if (!/^application\/(graphql-response\+)?json/.test(answer.contentType)) problems.push(`content-type ${JSON.stringify(answer.contentType)}`);
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return [...problems, 'the body is not JSON'];
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return [...problems, 'the body is not a JSON object'];
  const { data, errors } = body as { data?: unknown; errors?: unknown };
  if (data === undefined && errors === undefined) problems.push('neither data nor errors');
  if (data !== undefined && data !== null && (typeof data !== 'object' || Array.isArray(data))) problems.push('data is not an object');
  if (errors !== undefined) {
    if (!Array.isArray(errors) || errors.length === 0) problems.push('errors is not a non-empty list');
    else {
      for (const error of errors as { message?: unknown; extensions?: { code?: unknown; problem?: unknown } }[]) {
        if (typeof error?.message !== 'string') problems.push('an error without a string message');
        const code = error?.extensions?.code;
        if (typeof code !== 'string' || !knownCodes.has(code)) problems.push(`an error code outside ErrorCode: ${JSON.stringify(code)}`);
        else if (code === ErrorCode.INTERNAL_SERVER_ERROR) problems.push(`INTERNAL_SERVER_ERROR (a masked fault): ${JSON.stringify(error).slice(0, 300)}`);
        else if (code === ErrorCode.FORBIDDEN && !accessProblems.has(error.extensions?.problem as string)) problems.push(`FORBIDDEN without a known problem: ${JSON.stringify(error).slice(0, 300)}`);
      }
    }
  }
  if (answer.status >= 500 && (errors === undefined || data)) problems.push(`status ${answer.status} without a typed error`);
  for (const marker of leakMarkers) {
    const found = marker.exec(answer.text)?.[0];
    if (found && !sent.toLowerCase().includes(found.toLowerCase())) problems.push(`leaks ${JSON.stringify(found.slice(0, 120))}`);
  }
  for (const name of internalNames) if (answer.text.includes(name) && !sent.includes(name)) problems.push(`names ${name}, which is internal`);
  return problems;
}

/** Whether something added properties to Object.prototype (prototype pollution). */
export function prototypePollution(): string[] {
  const probe: Record<string, unknown> = {};
  return [...Object.getOwnPropertyNames(Object.prototype).filter((k) => !pristinePrototype.has(k)), ...['polluted', 'isAdmin', 'role'].filter((k) => probe[k] !== undefined)];
}

const pristinePrototype = new Set(Object.getOwnPropertyNames(Object.prototype));
