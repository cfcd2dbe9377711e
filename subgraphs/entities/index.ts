import { runSubgraph } from '../shared/subgraph';
import { entitiesSubgraph } from './subgraph';

void runSubgraph(entitiesSubgraph);
