import { runSubgraph } from '../shared/subgraph';
import { readRecordsPeers } from './config';
import { createRecordsSubgraph } from './subgraph';

void runSubgraph({ name: 'records', readPeers: readRecordsPeers, define: createRecordsSubgraph });
