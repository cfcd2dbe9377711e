import type { RequestDeadline } from '../../lib/deadline';
import { InternalClient } from '../../lib/internal-client';
import { peerEndpointOf, type PeerEndpointSource } from '../shared/peer-endpoint';
import type { CreditCheck } from './entities/credit-check.entity';

/** Whether a check's report requirement was met, and whether a good grade was found: what seals its verdict. */
export interface CheckReportFindings {
  satisfied: boolean;
  goodGrade: boolean;
}

/**
 * What the reports subgraph finds about credit checks' reports, asked for all the unsealed checks
 * a request reads in one call (the request's `reportFindings` loader): when a check is run, so the
 * ledger holds the verdict whatever the client selected, and when a check run while the reports
 * subgraph could not be asked is first read. The reports subgraph seals its judgement of a check,
 * so this and `CreditCheck.reportRequirement` always agree.
 */
export interface ReportFindings {
  /** One answer per check, in order, or an Error for a check it gave none for. `deadline`: the request's, which the call keeps within (lib/deadline.ts). */
  forChecks(checks: readonly CreditCheck[], requestId: string, deadline?: RequestDeadline): Promise<(CheckReportFindings | Error)[]>;
}

const FINDINGS = /* GraphQL */ `
  query CheckReportFindings($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on CreditCheck { reportSatisfied goodReportGrade } }
  }
`;

export class ReportsSubgraphFindings implements ReportFindings {
  constructor(private readonly config: PeerEndpointSource) {}

  async forChecks(checks: readonly CreditCheck[], requestId: string, deadline?: RequestDeadline) {
    const { url, signingKey } = peerEndpointOf(this.config);
    const representations = checks.map((check) => ({ __typename: 'CreditCheck', id: check.id, subjectId: check.subjectId, matter: check.matter, checkedAt: check.checkedAt.toISOString() }));
    // The reports subgraph asks the providers registry (public) about issuers: that is the one grant it needs.
    const data = await new InternalClient(signingKey, undefined, 'reports').call<{ _entities: ({ reportSatisfied: boolean; goodReportGrade: boolean } | null)[] }>(
      url,
      FINDINGS,
      { representations },
      ['PROVIDER_REGISTRY'],
      requestId,
      deadline,
    );
    return checks.map((check, i) => {
      const found = data._entities[i];
      return found ? { satisfied: found.reportSatisfied, goodGrade: found.goodReportGrade } : new Error(`the reports subgraph returned no findings for check ${check.id}`);
    });
  }
}
