import { runSubgraph } from '../shared/subgraph';
import { auditSubgraph } from './subgraph';

void runSubgraph(auditSubgraph);
