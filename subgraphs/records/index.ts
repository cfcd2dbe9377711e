import { runSubgraph } from '../shared/subgraph';
import { EntitiesSubjectDirectory, readEntitiesLookupConfig, type EntitiesLookupConfig } from './intake/subject-directory';
import { createRecordsSubgraph } from './subgraph';

// Boot: record intake asks the entities subgraph whether subjects exist, so its address and the
// signing key are read here, once, and a bad value stops the process at start.
let lookup: EntitiesLookupConfig;
try {
  lookup = readEntitiesLookupConfig(process.env);
} catch (error) {
  console.error(`[records] configuration error: ${(error as Error).message}`);
  process.exit(2);
}
void runSubgraph(createRecordsSubgraph({ subjects: new EntitiesSubjectDirectory(lookup) }));
