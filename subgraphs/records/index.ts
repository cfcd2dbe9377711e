import { runSubgraph } from '../shared/subgraph';
import { readRecordsPeers, recordsDependencies } from './config';
import { createRecordsSubgraph } from './subgraph';

void runSubgraph({ name: 'records', readPeers: readRecordsPeers, define: (peers, signingKey) => createRecordsSubgraph(recordsDependencies(peers, signingKey)) });
