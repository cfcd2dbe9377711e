import { defaultUrl, readSubgraphUrls } from '../../schema/subgraphs';
import type { Peer, ReportsPeers } from './peers';

/**
 * The reports process's peers, from `SUBGRAPH_<NAME>_URL` (the variables the gateway reads too),
 * defaulting to the local ports. Read once at boot, with every subgraph's settings
 * (runSubgraph); bad URLs, all of them named, stop the process.
 */
export function readReportsPeers(env: NodeJS.ProcessEnv): ReportsPeers {
  const given = readSubgraphUrls<Peer>(env, ['entities', 'records', 'providers']);
  return { url: (peer) => given[peer] ?? defaultUrl(peer) };
}
