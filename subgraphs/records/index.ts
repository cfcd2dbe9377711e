import { runSubgraph } from '../shared/subgraph';
import { recordsSubgraph } from './subgraph';

void runSubgraph(recordsSubgraph);
