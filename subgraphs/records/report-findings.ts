import type { RequestDeadline } from '../../lib/deadline';
import { InternalClient } from '../../lib/internal-client';
import { peerEndpointOf, type PeerEndpointSource } from '../shared/peer-endpoint';
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

const FINDINGS = /* GraphQL */ `
  query CheckReportFindings($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on CreditCheck { reportSatisfied goodReportGrade } }
  }
`;

export class ReportsSubgraphFindings implements ReportFindings {
  constructor(private readonly config: PeerEndpointSource) {}

  async forCheck(check: CreditCheck, requestId: string, deadline?: RequestDeadline) {
    const { url, signingKey } = peerEndpointOf(this.config);
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
