import { ConfigProblems } from '../../lib/env';
import { readPeerEndpoint, type PeerEndpoint } from '../shared/peer-endpoint';
import { EntitiesSubjectDirectory } from '../shared/subject-directory';
import type { RecordsDependencies } from './context';
import { ReportsSubgraphFindings } from './report-findings';

/**
 * The records process's peers: the entities subgraph, which record intake asks whether subjects
 * exist, and the reports subgraph, which a credit check asks for its report findings
 * (`SUBGRAPH_ENTITIES_URL`, `SUBGRAPH_REPORTS_URL` and `GATEWAY_SIGNING_KEY`, the variables the
 * gateway reads too). Read once at boot, with every subgraph's settings (runSubgraph); every
 * bad value, all of them named, stops the process.
 */
export function readRecordsPeers(env: NodeJS.ProcessEnv): RecordsDependencies {
  const problems = new ConfigProblems();
  const entities = problems.read(() => readPeerEndpoint(env, 'entities'));
  const reports = problems.read(() => readPeerEndpoint(env, 'reports'));
  problems.check();
  return { subjects: new EntitiesSubjectDirectory(entities as PeerEndpoint), reports: new ReportsSubgraphFindings(reports as PeerEndpoint) };
}
