import { runSubgraph } from '../shared/subgraph';
import { EntitiesSubjectDirectory, readEntitiesLookupConfig, type EntitiesLookupConfig } from '../shared/subject-directory';
import { readReportsLookupConfig, ReportsSubgraphFindings, type ReportsLookupConfig } from './report-findings';
import { createRecordsSubgraph } from './subgraph';

// Boot: record intake asks the entities subgraph whether subjects exist, and a credit check asks
// the reports subgraph for its report findings, so their addresses and the signing key are read
// here, once, and a bad value stops the process at start.
let lookup: EntitiesLookupConfig;
let reports: ReportsLookupConfig;
try {
  lookup = readEntitiesLookupConfig(process.env);
  reports = readReportsLookupConfig(process.env);
} catch (error) {
  console.error(`[records] configuration error: ${(error as Error).message}`);
  process.exit(2);
}
void runSubgraph(createRecordsSubgraph({ subjects: new EntitiesSubjectDirectory(lookup), reports: new ReportsSubgraphFindings(reports) }));
