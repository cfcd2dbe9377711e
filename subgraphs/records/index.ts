import { ConfigProblems } from '../../lib/env';
import { createLogger } from '../../lib/logger';
import { readSubgraphConfig, runSubgraph } from '../shared/subgraph';
import { EntitiesSubjectDirectory, readEntitiesLookupConfig, type EntitiesLookupConfig } from '../shared/subject-directory';
import { readReportsLookupConfig, ReportsSubgraphFindings, type ReportsLookupConfig } from './report-findings';
import { createRecordsSubgraph } from './subgraph';

// Boot: record intake asks the entities subgraph whether subjects exist, and a credit check asks
// the reports subgraph for its report findings, so their addresses and the signing key are read
// here, once, with every subgraph's own settings (runSubgraph reads those again), so that one
// message names every bad value, as the other subgraphs' do.
const problems = new ConfigProblems();
problems.read(() => readSubgraphConfig('records', process.env, process.argv.slice(2)));
const lookup = problems.read(() => readEntitiesLookupConfig(process.env));
const reports = problems.read(() => readReportsLookupConfig(process.env));
try {
  problems.check();
} catch (error) {
  createLogger('records').fatal(`configuration error: ${(error as Error).message}`);
  process.exit(2);
}
void runSubgraph(createRecordsSubgraph({ subjects: new EntitiesSubjectDirectory(lookup as EntitiesLookupConfig), reports: new ReportsSubgraphFindings(reports as ReportsLookupConfig) }));
