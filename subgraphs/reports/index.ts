import { ConfigProblems } from '../../lib/env';
import { createLogger } from '../../lib/logger';
import { readSubgraphConfig, runSubgraph } from '../shared/subgraph';
import { readReportsPeers } from './config';
import type { ReportsPeers } from './peers';
import { createReportsSubgraph } from './subgraph';

// Boot: the peers' addresses are read with every subgraph's own settings (runSubgraph reads those
// again), so that one message names every bad value, as the other subgraphs' do.
const problems = new ConfigProblems();
problems.read(() => readSubgraphConfig('reports', process.env, process.argv.slice(2)));
const peers = problems.read(() => readReportsPeers(process.env));
try {
  problems.check();
} catch (error) {
  createLogger('reports').fatal(`configuration error: ${(error as Error).message}`);
  process.exit(2);
}
void runSubgraph(createReportsSubgraph(peers as ReportsPeers));
