import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { loaderById } from '../shared/loaders';
import type { CreditReport } from './entities/credit-report.entity';
import type { ReportVerification } from './entities/report-verification.entity';
import { CheckRequirementRepository, type CheckRef, type IssuerFacts, type ReportRequirementSnapshot } from './check-requirement';
import type { ReportsPeers } from './peers';
import type { CurrentRecord } from './record-states';
import { ReportRepository } from './report.repository';
import type { RequestDeadline } from '../../lib/deadline';

export interface ReportsContext {
  repository: ReportRepository;
  reportById: DataLoader<string, CreditReport | null>;
  /** Every finding recorded on registered reports, by report id, newest first: one statement per batch. */
  verificationsOf: DataLoader<string, ReportVerification[]>;
  /** Stored snapshots of platform reports by report id: one statement per batch. */
  snapshotById: DataLoader<string, string | null>;
  /** Where the peers are and the key to sign calls to them with (the gateway's, which every subgraph shares). */
  peers: ReportsPeers;
  signingKey: Uint8Array;
  requirements: CheckRequirementRepository;
  /** Sealed report requirements of credit checks, one statement per batch; the resolver judges the missing ones. */
  sealedRequirement: DataLoader<CheckRef, ReportRequirementSnapshot | null, string>;
  /**
   * The records platform reports hold, as they stand now (status, whether a check counts them,
   * their content), by record id (null: unknown there): one call to the records subgraph per
   * batch, for all of a request's reports. Made on first use (resolvers.ts), when the request's
   * id is known.
   */
  recordStates: DataLoader<string, CurrentRecord | null> | null;
  /**
   * How the issuers of third-party reports stand today, by report (null: an issuer the registry
   * does not know), for their `acceptance`: one call to the providers subgraph per batch, for all
   * of a request's reports. Made on first use (resolvers.ts), as `recordStates` is.
   */
  issuerStandings: DataLoader<CreditReport, IssuerFacts | null, string> | null;
}

/** Per request; `deadline` is the request's, which every write it makes keeps within (lib/deadline.ts). */
export function createReportsContext(db: DataSource, peers: ReportsPeers, signingKey: Uint8Array, deadline?: RequestDeadline): ReportsContext {
  const repository = new ReportRepository(db, deadline);
  const requirements = new CheckRequirementRepository(db, deadline);
  return {
    repository,
    reportById: loaderById(repository.reports),
    snapshotById: new DataLoader((ids) => repository.snapshots(ids)),
    verificationsOf: new DataLoader((ids) => repository.verificationsOf(ids)),
    peers,
    signingKey,
    requirements,
    sealedRequirement: new DataLoader(
      async (checks) => {
        const sealed = await requirements.sealed(checks.map((c) => c.id));
        return checks.map((c) => sealed.get(c.id) ?? null);
      },
      { cacheKeyFn: (check) => check.id },
    ),
    recordStates: null,
    issuerStandings: null,
  };
}
