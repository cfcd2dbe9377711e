import { runSubgraph } from '../shared/subgraph';
import { readReportsPeers } from './config';
import { createReportsSubgraph } from './subgraph';

void runSubgraph({ name: 'reports', readPeers: readReportsPeers, define: createReportsSubgraph });
