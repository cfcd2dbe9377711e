import { runSubgraph } from '../shared/subgraph';
import { readReportsPeers } from './config';
import type { ReportsPeers } from './peers';
import { createReportsSubgraph } from './subgraph';

let peers: ReportsPeers;
try {
  peers = readReportsPeers(process.env);
} catch (error) {
  console.error(`[reports] configuration error: ${(error as Error).message}`);
  process.exit(2);
}
void runSubgraph(createReportsSubgraph(peers));
