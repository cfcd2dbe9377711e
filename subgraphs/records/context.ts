import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { loaderById, PageLoaders } from '../shared/loaders';
import { CreditCheckRepository } from './credit-check.repository';
import { CreditRecordRepository } from './credit-record.repository';
import { todayInDistrict } from '../../lib/calendar';
import type { CreditCheck } from './entities/credit-check.entity';
import type { CreditRecord } from './entities/credit-record.entity';
import type { CreditRecordEvent } from './entities/credit-record-event.entity';
import type { CreditRecordObjection } from './entities/credit-record-objection.entity';
import type { RestorationApplication } from './entities/restoration-application.entity';
import { SubjectDirectoryUnavailable, type SubjectDirectory } from '../shared/subject-directory';
import { RecordLifecycleRepository } from './record-lifecycle.repository';
import type { CheckReportFindings, ReportFindings } from './report-findings';
import type { RequestDeadline } from '../../lib/deadline';

/** What the records subgraph needs from outside its database. */
export interface RecordsDependencies {
  /** Where record intake checks that subjects exist, and a filing finds the subject a code names (the entities subgraph). */
  subjects: SubjectDirectory;
  /** Where a credit check learns the report findings that seal its verdict (the reports subgraph). */
  reports?: ReportFindings;
  /** Fixes the clock (tests). */
  now?: () => Date;
}

export interface RecordsContext {
  db: DataSource;
  /**
   * When the request started: history derives the expiries whose disclosure end is over by it,
   * including that of a spell begun by an event this request's mutation wrote after it.
   */
  now: Date;
  /** The district's date when the request started: `status` and the status filter both read it. */
  today: string;
  repository: CreditRecordRepository;
  lifecycle: RecordLifecycleRepository;
  checks: CreditCheckRepository;
  checkById: DataLoader<string, CreditCheck | null>;
  subjects: SubjectDirectory;
  /**
   * The reports subgraph's findings for the checks this request seals (`CreditCheck.verdict`,
   * `measures`, the feedback, a check just run), asked in one call for all of them, however many
   * a ledger page holds; a check's failure is kept, so a check run while the reports subgraph
   * could not answer is not asked again for its verdict in the same request. Undefined without a
   * reports subgraph. Keyed by the check's id; every key of a request carries its request id.
   */
  reportFindings?: DataLoader<{ check: CreditCheck; requestId: string }, CheckReportFindings, string>;
  recordById: DataLoader<string, CreditRecord | null>;
  eventsByRecord: DataLoader<string, CreditRecordEvent[]>;
  objectionsByRecord: DataLoader<string, CreditRecordObjection[]>;
  applicationsByRecord: DataLoader<string, RestorationApplication[]>;
  objectionById: DataLoader<string, CreditRecordObjection | null>;
  applicationById: DataLoader<string, RestorationApplication | null>;
  /** subject id → the id of its tax credit grade that stands (`standingTaxGrade`), or null. */
  standingTaxGradeBySubject: DataLoader<string, string | null>;
  pages: PageLoaders;
  clock: () => Date;
}

function reportFindingsLoader(reports: ReportFindings | undefined, deadline: RequestDeadline | undefined): RecordsContext['reportFindings'] {
  if (!reports) return undefined;
  return new DataLoader(
    async (keys) => {
      try {
        return await reports.forChecks(
          keys.map((k) => k.check),
          keys[0].requestId,
          deadline,
        );
      } catch (error) {
        // Each check's own failure, which the loader keeps (a failed batch it would forget).
        return keys.map(() => (error instanceof Error ? error : new Error(String(error))));
      }
    },
    { cacheKeyFn: (k) => k.check.id },
  );
}

/** A directory for contexts built without one (seeding, tests of reads): any lookup fails, typed. */
const noDirectory: SubjectDirectory = {
  lookUp: async () => {
    throw new SubjectDirectoryUnavailable('this records context was built without a subject directory');
  },
};

/**
 * Per request: loaders are never shared between requests. `now` lets tests fix the clock;
 * `deadline` is the request's, which every write it makes keeps within (lib/deadline.ts): the
 * repositories here are given it, and the request's record intake (resolvers.ts `intakeFor`) too.
 */
export function createRecordsContext(db: DataSource, now: Date = new Date(), dependencies: RecordsDependencies = { subjects: noDirectory }, deadline?: RequestDeadline): RecordsContext {
  const today = todayInDistrict(now);
  const clock = dependencies.now ?? (() => new Date());
  const repository = new CreditRecordRepository(db, today);
  const lifecycle = new RecordLifecycleRepository(db, today, dependencies.subjects, clock, deadline);
  const checks = new CreditCheckRepository(db, deadline);
  return {
    db,
    now,
    today,
    repository,
    lifecycle,
    checks,
    checkById: loaderById(checks.checks),
    subjects: dependencies.subjects,
    reportFindings: reportFindingsLoader(dependencies.reports, deadline),
    recordById: loaderById(repository.records),
    eventsByRecord: new DataLoader((ids) => lifecycle.eventsByRecords(ids)),
    objectionsByRecord: new DataLoader((ids) => lifecycle.objectionsByRecords(ids)),
    applicationsByRecord: new DataLoader((ids) => lifecycle.applicationsByRecords(ids)),
    objectionById: loaderById(lifecycle.objections),
    applicationById: loaderById(lifecycle.applications),
    standingTaxGradeBySubject: new DataLoader((subjectIds) => repository.standingTaxGrades(subjectIds)),
    pages: new PageLoaders(),
    clock,
  };
}
