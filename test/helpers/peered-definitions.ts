import type { SubgraphName } from '../../schema/subgraphs';
import { EntitiesSubjectDirectory } from '../../subgraphs/shared/subject-directory';
import { ReportsSubgraphFindings } from '../../subgraphs/records/report-findings';
import { createRecordsSubgraph } from '../../subgraphs/records/subgraph';
import { subgraphDefinitions } from '../../subgraphs/registry';
import { createReportsSubgraph } from '../../subgraphs/reports/subgraph';

/**
 * The five definitions for an in-process platform, with the records and reports subgraphs pointed
 * at this platform's own peers (subject checks, issuer standing), whose ports are known only once
 * they listen: call `listening(name, url)` as each starts.
 */
export function peeredDefinitions(signingKey: Uint8Array) {
  const urls: Partial<Record<SubgraphName, string>> = {};
  const urlOf = (name: SubgraphName) => {
    const url = urls[name];
    if (!url) throw new Error(`the ${name} subgraph of this platform is not listening yet`);
    return url;
  };
  return {
    definitions: {
      ...subgraphDefinitions,
      records: createRecordsSubgraph({
        subjects: new EntitiesSubjectDirectory(() => ({ url: urlOf('entities'), signingKey })),
        reports: new ReportsSubgraphFindings(() => ({ url: urlOf('reports'), signingKey })),
      }),
      reports: createReportsSubgraph({ url: urlOf }),
    },
    listening: (name: SubgraphName, url: string) => void (urls[name] = url),
  };
}
