import { defaultUrl, readSubgraphUrls } from '../../schema/subgraphs';
import { EntitiesSubjectDirectory } from '../shared/subject-directory';
import type { RecordsDependencies } from './context';
import { ReportsSubgraphFindings } from './report-findings';

/** Where the records process's peers are: the entities subgraph and the reports subgraph. */
export interface RecordsPeers {
  entities: string;
  reports: string;
}

/**
 * The records process's peers: the entities subgraph, which record intake asks whether subjects
 * exist, and the reports subgraph, which a credit check asks for its report findings, from
 * `SUBGRAPH_ENTITIES_URL` and `SUBGRAPH_REPORTS_URL` (the variables the gateway reads too),
 * defaulting to the local ports. Read once at boot, with every subgraph's settings
 * (runSubgraph); every bad value, all of them named, stops the process.
 */
export function readRecordsPeers(env: NodeJS.ProcessEnv): RecordsPeers {
  const given = readSubgraphUrls(env, ['entities', 'reports']);
  return { entities: given.entities ?? defaultUrl('entities'), reports: given.reports ?? defaultUrl('reports') };
}

/** The peers called with `signingKey`, the GATEWAY_SIGNING_KEY the process read with its settings (readSubgraphConfig). */
export function recordsDependencies(peers: RecordsPeers, signingKey: Uint8Array): RecordsDependencies {
  return { subjects: new EntitiesSubjectDirectory({ url: peers.entities, signingKey }), reports: new ReportsSubgraphFindings({ url: peers.reports, signingKey }) };
}
