import { readUrl } from '../../lib/env';
import { defaultUrl } from '../../schema/subgraphs';
import type { Peer, ReportsPeers } from './peers';

/**
 * The reports process's peers, from `SUBGRAPH_<NAME>_URL` (the variables the gateway reads too),
 * defaulting to the local ports. Read once at boot (index.ts); a bad URL stops the process.
 */
export function readReportsPeers(env: NodeJS.ProcessEnv): ReportsPeers {
  const urls: Record<Peer, string> = {
    entities: readUrl(env, 'SUBGRAPH_ENTITIES_URL', ['http:', 'https:']) ?? defaultUrl('entities'),
    records: readUrl(env, 'SUBGRAPH_RECORDS_URL', ['http:', 'https:']) ?? defaultUrl('records'),
    providers: readUrl(env, 'SUBGRAPH_PROVIDERS_URL', ['http:', 'https:']) ?? defaultUrl('providers'),
  };
  return { url: (peer) => urls[peer] };
}
