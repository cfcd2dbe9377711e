import { GraphQLError } from 'graphql';
import type { RequestIdentity } from '../../lib/access/identity';
import { clientError, ErrorCode } from '../../lib/errors';
import { PeerClient, type ReportsPeers } from './peers';
import type { Snapshot } from './platform-report';

/**
 * A platform report is a snapshot of the records at generation. A record it holds may since have
 * been withdrawn on an accepted objection (撤销) or restored (信用修复): the report then says
 * against the subject what the platform no longer says, so it is no longer accepted
 * (`RECORDS_CHANGED`), no check relies on it, and its printable page is not shown. The records'
 * current state is asked of the records subgraph, all of a request's reports' records in one
 * `_entities` call (one batched statement there).
 *
 * The records subgraph is asked in the platform's own name (caller null), with the groups that
 * let it answer a withdrawn or restored record's status whatever the reader may read: only the
 * outcome (does the report still stand) reaches the reader, never a record, so it is no
 * disclosure to the reader and the records subgraph's disclosures are not added to its audit.
 */

/** Statuses after which a snapshot's record no longer stands. EXPIRED is not one: a report shows what counted on its day, and expires itself. */
export const supersedingStatuses: readonly string[] = ['WITHDRAWN', 'RESTORED'];

/** The grants the records subgraph needs to answer any record's status (RESTRICTED_RECORDS for those no longer counting). */
export const recordLookupGroups: readonly string[] = ['PUBLIC_RECORDS', 'DISHONESTY_LISTS', 'RESTRICTED_RECORDS'];

function recordLookupIdentity(requestId: string): RequestIdentity {
  return { caller: null, purpose: null, grants: [...recordLookupGroups], scope: {}, requestId };
}

/**
 * Asks the records subgraph for records' current statuses in the platform's own name, signed with
 * the key every subgraph shares; the answer's disclosures go to a throwaway access, not the
 * reader's. For the resolvers (batched per request) and the printable route alike.
 */
export function recordStatusesAsker(peers: ReportsPeers, signingKey: Uint8Array, requestId: string): (ids: readonly string[]) => Promise<(string | null)[]> {
  const identity = recordLookupIdentity(requestId);
  const client = new PeerClient(peers, signingKey, { identity, disclosures: new Map() });
  return (ids) => currentStatuses(ids, (query, variables) => client.query<StatesAnswer>('records', query, variables, identity));
}

export const recordStatesQuery = 'query ReportRecordStates($r: [_Any!]!) { _entities(representations: $r) { ... on CreditRecord { id status } } }';

interface StatesAnswer {
  _entities: ({ id: string; status: string } | null)[];
}

/** Every record id a snapshot holds, in print order. */
export function snapshotRecordIds(snapshot: Snapshot): string[] {
  return snapshot.sections.flatMap((s) => s.records.map((r) => r.id));
}

/** Whether a record with this current status (null: the records subgraph knows it no more) no longer stands. */
export function superseded(status: string | null | undefined): boolean {
  return status === null || status === undefined || supersedingStatuses.includes(status);
}

/** Each asked id → its current status, or null when the records subgraph answered none. */
async function currentStatuses(ids: readonly string[], ask: (query: string, variables: Record<string, unknown>) => Promise<StatesAnswer>): Promise<(string | null)[]> {
  if (!ids.length) return [];
  const answer = await ask(recordStatesQuery, { r: ids.map((id) => ({ __typename: 'CreditRecord', id })) });
  return ids.map((_, i) => answer._entities?.[i]?.status ?? null);
}

export const recordsUnavailable = (what: string) =>
  clientError(ErrorCode.SUBGRAPH_UNAVAILABLE, `the records subgraph could not be reached to check that the records behind ${what} still stand: retry later`, { serviceName: 'records' });

/** Rethrows a failed call as SUBGRAPH_UNAVAILABLE naming the records subgraph: a report whose records cannot be checked is never shown as accepted. */
export function asRecordsUnavailable(error: unknown, what: string): never {
  if (error instanceof GraphQLError && error.extensions?.code === ErrorCode.SUBGRAPH_UNAVAILABLE) throw recordsUnavailable(what);
  throw error;
}
