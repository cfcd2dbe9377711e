import { runSubgraph } from '../shared/subgraph';
import { providersSubgraph } from './subgraph';

void runSubgraph(providersSubgraph);
