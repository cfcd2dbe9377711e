import { runSubgraph } from '../shared/subgraph';
import { reportsSubgraph } from './subgraph';

void runSubgraph(reportsSubgraph);
