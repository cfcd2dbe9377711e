import { ConfigProblems, readUrl } from '../../lib/env';
import { defaultUrl } from '../../schema/subgraphs';
import type { Peer, ReportsPeers } from './peers';

/**
 * The reports process's peers, from `SUBGRAPH_<NAME>_URL` (the variables the gateway reads too),
 * defaulting to the local ports. Read once at boot (index.ts); bad URLs, all of them named, stop
 * the process.
 */
export function readReportsPeers(env: NodeJS.ProcessEnv): ReportsPeers {
  const problems = new ConfigProblems();
  const read = (peer: Peer) => problems.read(() => readUrl(env, `SUBGRAPH_${peer.toUpperCase()}_URL`, ['http:', 'https:'])) ?? defaultUrl(peer);
  const urls: Record<Peer, string> = { entities: read('entities'), records: read('records'), providers: read('providers') };
  problems.check();
  return { url: (peer) => urls[peer] };
}
