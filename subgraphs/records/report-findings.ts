import { readSecret } from '../../lib/env';
import type { RequestDeadline } from '../../lib/deadline';
import { InternalClient } from '../../lib/internal-client';
import { readSubgraphUrl } from '../../schema/subgraphs';
import type { CreditCheck } from './entities/credit-check.entity';

/**
 * What the reports subgraph finds about a credit check's reports. Asked when the check is run,
 * so the ledger holds the verdict whatever the client selected; the same request through
 * federation (`CreditCheck.reportSatisfied` @requires) answers later reads from the reports
 * subgraph's sealed judgement, so the two always agree.
 */
export interface ReportFindings {
  /** `deadline`: the request's, which the call keeps within (lib/deadline.ts). */
  forCheck(check: CreditCheck, requestId: string, deadline?: RequestDeadline): Promise<{ satisfied: boolean; goodGrade: boolean }>;
}

export interface ReportsLookupConfig {
  url: string;
  signingKey: Uint8Array;
}

/** `SUBGRAPH_REPORTS_URL` (default the reports subgraph's default address) and `GATEWAY_SIGNING_KEY`. */
export function readReportsLookupConfig(env: Record<string, string | undefined>): ReportsLookupConfig {
  return {
    url: readSubgraphUrl(env, 'reports'),
    signingKey: readSecret(env, 'GATEWAY_SIGNING_KEY'),
  };
}

const FINDINGS = /* GraphQL */ `
  query CheckReportFindings($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on CreditCheck { reportSatisfied goodReportGrade } }
  }
`;

export class ReportsSubgraphFindings implements ReportFindings {
  /** `config` may be a function, read at the first call (tests learn the URL once reports listens). */
  constructor(private readonly config: ReportsLookupConfig | (() => ReportsLookupConfig)) {}

  async forCheck(check: CreditCheck, requestId: string, deadline?: RequestDeadline) {
    const { url, signingKey } = typeof this.config === 'function' ? this.config() : this.config;
    const representation = { __typename: 'CreditCheck', id: check.id, subjectId: check.subjectId, matter: check.matter, checkedAt: check.checkedAt.toISOString() };
    // The reports subgraph asks the providers registry (public) about issuers: that is the one grant it needs.
    const data = await new InternalClient(signingKey, undefined, 'reports').call<{ _entities: ({ reportSatisfied: boolean; goodReportGrade: boolean } | null)[] }>(
      url,
      FINDINGS,
      { representations: [representation] },
      ['PROVIDER_REGISTRY'],
      requestId,
      deadline,
    );
    const found = data._entities[0];
    if (!found) throw new Error(`the reports subgraph returned no findings for check ${check.id}`);
    return { satisfied: found.reportSatisfied, goodGrade: found.goodReportGrade };
  }
}
