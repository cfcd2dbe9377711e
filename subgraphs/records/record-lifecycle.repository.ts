import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { In, type DataSource, type EntityManager, type EntityTarget, type Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { userInWords, type RequestIdentity } from '../../lib/access/identity';
import { inDistrictTime } from '../../lib/calendar';
import { findingGravity, findingInWords } from '../../lib/catalogue/measures';
import { disclosedLonger, restorableFrom, restorationRules, severitiesMildestFirst, type Polarity, type RecordCategoryCode, type Severity, type TaxCreditGrade } from '../../lib/catalogue/record-categories';
import { badInput, clientError, ErrorCode, InputProblems, quotedInput, refusedInput } from '../../lib/errors';
import { assertNoRepeats, isBlank, optionalProse, requiredLine, requiredProse } from '../../lib/text-input';
import { optionalCode } from '../../lib/identifiers';
import { foldedDocumentNumber } from '../../lib/text';
import type { CursorPosition } from '../shared/cursors';
import { forbidden, forbiddenAbout, purposeMismatch, refusalAbout } from '../shared/access';
import { groupedByKey } from '../shared/loaders';
import { loadPages, type Page } from '../shared/pagination';
import { disclosureEndedBy, effectiveStatus } from '../../lib/catalogue/record-standing';
import { recordFromDraft } from './credit-record.repository';
import { validateCreditRecord, type CreditRecordDraft } from './credit-record.validation';
import { CreditRecord, type RecordStatus, type StoredRecordStatus } from './entities/credit-record.entity';
import { CreditRecordEvent } from './entities/credit-record-event.entity';
import { CreditRecordObjection, type ObjectionResolution, type ObjectionStatus } from './entities/credit-record-objection.entity';
import { RestorationApplication, type RestorationStatus } from './entities/restoration-application.entity';
import { objectionTransitions, overdueBefore, recordTransitions, restorationTransitions, transition, type RecordAction, type RestorationAction } from './lifecycle';
import { asRead, changedValues, contentFields, recordEvent, sameContent, sameValue, type Actor, type ContentField } from './record-history';
import { applicationAsItStands, closeEndedApplications, endedCondition } from './restoration-closure';
import { actorOf, assertMaySeeCase, filedItForSubject, isCreditOffice, isSourceDepartment, isWindowOfficer, mayActFor, maySeeLifecycle, mayWithdraw, ownSubject, supervisesEveryDepartment, supervisionRefused } from './record-roles';
import { identifierOf, withEntitiesOrUnavailable, type SubjectDirectory } from '../shared/subject-directory';
import { lockFor, writeTransaction } from '../shared/write-queue';
import type { RequestDeadline } from '../../lib/deadline';
import { departmentFilter } from './department-filter';

/**
 * How a filing (an objection, a restoration application) names its record: by its id, or as the
 * subject's papers name it (its printed report has no ids), by the subject's code and the
 * record's document number (文书号), with its source department where two departments gave the
 * subject the same number. Exactly one of the two ways (`printedNaming`).
 */
export interface RecordNaming {
  recordId?: string | null;
  subjectCode?: string | null;
  documentNumber?: string | null;
  sourceDepartment?: string | null;
}

/** The record a filing named, and the input field that named it, on which a refusal about the record is said. */
interface NamedRecord {
  recordId: string;
  field: 'recordId' | 'documentNumber';
}

export interface FileObjectionInput extends RecordNaming {
  reason: string;
}

/** What the source department may correct when it accepts an objection; the subject is not among them (withdraw instead). */
export interface RecordCorrection {
  category?: RecordCategoryCode | null;
  polarity?: Polarity | null;
  severity?: Severity | null;
  taxCreditGrade?: TaxCreditGrade | null;
  decisionDate?: string | null;
  validUntil?: string | null;
  summary?: string | null;
}

export interface DecideObjectionInput {
  id: string;
  decision: 'ACCEPT' | 'REJECT';
  /** For ACCEPT: correct the record (with `correction`) or withdraw it. */
  resolution?: ObjectionResolution | null;
  correction?: RecordCorrection | null;
  reason: string;
}

export interface ApplyForRestorationInput extends RecordNaming {
  correction: string;
  evidence: string[];
  commitment: string;
}

export interface DecideRestorationInput {
  id: string;
  decision: 'APPROVE' | 'REJECT';
  reason: string;
}

/** Withdrawing (撤回) a pending objection or restoration application: which one, and optionally why. */
export interface WithdrawCaseInput {
  id: string;
  reason?: string | null;
}

/** An objection or application, as a withdrawal reads and writes it and the resolvers show its shared fields. */
export type FiledCase = CreditRecordObjection | RestorationApplication;

/**
 * Called with the record's subject once a caller may act for it on a filing (an objection, a
 * restoration application): whatever follows tells of the record (its status, when it can be
 * restored, a case pending on it), refused or filed, so the caller's learning of it is audited in
 * the subject's trail, as the answer naming the case would have been (the resolver reports it
 * under the mutation's field group). The credit office's window, which reads no record, learnt a
 * restored (restricted) record's status from the refusal, unaudited.
 */
export type CaseDisclosure = (subjectId: string) => void;

const outOfScope = "this request may act only on its own subject's records";

/** Not found, said the same way as "not yours" to a request scoped to one subject, so that it cannot probe ids. */
function notFound(identity: RequestIdentity, what: string, id: string) {
  if (identity.scope.subjectId) return forbidden('OUTSIDE_SUBJECT_SCOPE', outOfScope);
  return clientError(ErrorCode.NOT_FOUND, `no ${what} has the id ${quotedInput(id)}`, { field: what === 'credit record' ? 'recordId' : 'id' });
}

/**
 * "Not yours" to a request scoped to one subject (a subject's own inquiry, a consent), said as
 * "not found" is, before anything about the record or case could tell them apart; a code no
 * subject has (`subjectId` null) alike.
 */
function assertOwnSubject(identity: RequestIdentity, subjectId: string | null): void {
  if (identity.scope.subjectId && subjectId !== identity.scope.subjectId) throw forbiddenAbout(subjectId, 'OUTSIDE_SUBJECT_SCOPE', outOfScope);
}

/** A record named as the subject's papers name it: the subject's code and the document number, read as typed elsewhere. */
interface PrintedNaming {
  code: string;
  documentNumber: string;
  sourceDepartment: string | null;
}

/**
 * The subject's code and document number a filing names its record by, or null for one named by
 * `recordId`; refused, naming the field, unless exactly one of the two ways is given. A blank
 * field (empty or only spaces) is as if left out (README, Errors).
 */
function printedNaming(naming: RecordNaming): PrintedNaming | null {
  const byId = !isBlank(naming.recordId);
  const byCode = !isBlank(naming.subjectCode);
  const byNumber = !isBlank(naming.documentNumber);
  const oneWay = 'name the record by recordId, or by subjectCode and documentNumber as the subject’s papers do, exactly one of the two ways';
  if (byId) {
    if (byCode || byNumber) throw badInput('recordId', oneWay);
    if (!isBlank(naming.sourceDepartment)) throw badInput('sourceDepartment', 'sourceDepartment chooses among the records a subjectCode and documentNumber name; a record named by recordId is one already');
    return null;
  }
  if (!byCode && !byNumber) {
    // Named as the form names it: the counter's form has no recordId, so a code left blank there is refused on it.
    throw badInput(naming.subjectCode != null ? 'subjectCode' : naming.documentNumber != null ? 'documentNumber' : 'recordId', oneWay);
  }
  if (!byNumber) throw badInput('documentNumber', 'a record named by subjectCode needs its documentNumber (文书号) too, as the subject’s report prints it');
  if (!byCode) throw badInput('subjectCode', 'a record named by documentNumber needs its subject’s code too (subjectCode: 统一社会信用代码 or 公民身份号码): a document number is one department’s, and names no subject');
  return {
    code: identifierOf(naming.subjectCode!, 'subjectCode'),
    // As intake compares it: 〔２０２６〕９号 and [2026] 9号 are 〔2026〕9号.
    documentNumber: foldedDocumentNumber(naming.documentNumber!),
    sourceDepartment: isBlank(naming.sourceDepartment) ? null : optionalCode(naming.sourceDepartment),
  };
}

/**
 * No record the caller may file for has the number for the subject of the code: said in the same
 * words whether no subject has the code or the subject has no such record, so that the window,
 * which reads no subject, learns no more of a code than before. The subject's own inquiry, which
 * reads all its records, is told so too; any other request scoped to the subject (a consent) is
 * refused as an unknown id is (`notFound`). The code, which may be a person's citizen ID number,
 * is not repeated (as `grantConsent`'s NOT_FOUND does not): the caller has it.
 */
function noRecordNumbered(identity: RequestIdentity, { documentNumber, sourceDepartment }: PrintedNaming) {
  if (identity.scope.subjectId && !ownSubject(identity)) return forbidden('OUTSIDE_SUBJECT_SCOPE', outOfScope);
  const from = sourceDepartment === null ? '' : ` from ${quotedInput(sourceDepartment)}`;
  return clientError(ErrorCode.NOT_FOUND, `no credit record this request may file for has the document number ${quotedInput(documentNumber)}${from} for the subject of this code`, { field: 'documentNumber' });
}

/**
 * Refused for what the record or the case is now (README, Errors): its status, or for restoration
 * its kind and dates, which a correction since may have changed. `problem` tells a front end to
 * read it again rather than fix its input.
 */
function notAllowedNow(field: string, message: string, details: Record<string, unknown> = {}) {
  return badInput(field, message, { ...details, problem: 'TRANSITION_NOT_ALLOWED' });
}

/** Who besides a source department's officers decides restoration where the catalogue lets the credit office (`restorationRules`). */
const creditOfficeSupervisor = 'the credit office’s supervisor (CREDIT_OFFICE_SUPERVISOR)';

/**
 * Refuses a decision by the officer who filed the case on its subject's behalf (`filedItForSubject`):
 * another officer of the source department decides it, or `orAlso`. FORBIDDEN, audited DENIED in
 * the subject's trail as a decision refused to another department is.
 */
function assertNotFiledByDecider(identity: RequestIdentity, filed: FiledCase, what: string, orAlso = ''): void {
  if (!filedItForSubject(identity.caller, filed)) return;
  throw forbiddenAbout(
    filed.subjectId,
    'NOT_ENTITLED',
    `${what} filed on its subject’s behalf is not decided by the officer who filed it, ${userInWords(filed.submittedBy)}: another officer of the record’s source department, ${filed.sourceDepartment}, decides it${orAlso}`,
  );
}

/**
 * Runs a decision or withdrawal its caller may make: refused for what the case or its record is
 * now (decided already, withdrawn, closed, a record no longer restorable), it is audited DENIED
 * in the subject's trail (`refusalAbout`), as one refused to another organisation is: the refusal
 * tells the caller the case's status, when it was settled and, of a decision, by whom.
 */
async function auditedSettling<T>(subjectId: string, settle: () => Promise<T>): Promise<T> {
  try {
    return await settle();
  } catch (error) {
    if (error instanceof GraphQLError && error.extensions.problem === 'TRANSITION_NOT_ALLOWED') throw refusalAbout(subjectId, error);
    throw error;
  }
}

/**
 * Objections (异议) and restoration applications (信用修复): every write checks who acts (never an
 * input field), asks the transition tables of lifecycle.ts, and writes the case, the record and
 * its history event in one transaction, reading the rows it decides on inside it (locked on MySQL).
 */
export class RecordLifecycleRepository {
  readonly objections: Repository<CreditRecordObjection>;
  readonly applications: Repository<RestorationApplication>;
  readonly events: Repository<CreditRecordEvent>;

  /**
   * `subjects`: where a filing's subject code is looked up (the entities subgraph); `deadline`:
   * the request's, which its writes and that lookup keep within (lib/deadline.ts).
   */
  constructor(
    private readonly db: DataSource,
    private readonly today: string,
    private readonly subjects: SubjectDirectory,
    private readonly now: () => Date = () => new Date(),
    private readonly deadline?: RequestDeadline,
  ) {
    this.objections = db.getRepository(CreditRecordObjection);
    this.applications = db.getRepository(RestorationApplication);
    this.events = db.getRepository(CreditRecordEvent);
  }

  /** The stored events of many records, each list oldest first, in key order (DataLoader). */
  async eventsByRecords(recordIds: readonly string[]): Promise<CreditRecordEvent[][]> {
    const rows = await this.events.find({ where: { recordId: In([...recordIds]) }, order: { occurredAt: 'ASC', id: 'ASC' } });
    return groupedByKey(recordIds, rows, (e) => e.recordId);
  }

  async objectionsByRecords(recordIds: readonly string[]): Promise<CreditRecordObjection[][]> {
    const rows = await this.objections.find({ where: { recordId: In([...recordIds]) }, order: { submittedAt: 'DESC', id: 'DESC' } });
    return groupedByKey(recordIds, rows, (o) => o.recordId);
  }

  /** Applications as they stand today (`applicationAsItStands`), given their records (loaded or at hand). */
  asItStands(application: RestorationApplication, record: Pick<CreditRecord, 'status' | 'disclosureEndsAt'> | null | undefined): RestorationApplication {
    return applicationAsItStands(application, record, this.today);
  }

  async applicationsByRecords(recordIds: readonly string[]): Promise<RestorationApplication[][]> {
    const rows = await this.applications.find({ where: { recordId: In([...recordIds]) }, order: { submittedAt: 'DESC', id: 'DESC' } });
    return groupedByKey(recordIds, rows, (a) => a.recordId);
  }

  /**
   * The cases a request may list, newest first: a subject its own, the credit office and the
   * supervision all, a department those about the records it supplied and those it filed for
   * subjects. `sourceDepartment` narrows that to the cases about one department's records
   * (IDX_credit_record_objection_department, with the status: one department's overdue ones).
   */
  async list<E extends CreditRecordObjection | RestorationApplication>(
    repository: Repository<E>,
    identity: RequestIdentity,
    status: string | null | undefined,
    first: number,
    after?: CursorPosition | null,
    overdue?: boolean | null,
    sourceDepartment?: string | null,
  ): Promise<Page<E> | undefined> {
    const department = departmentFilter(sourceDepartment, 'sourceDepartment');
    const conditions: string[] = [];
    const params: unknown[] = [];
    const own = ownSubject(identity);
    const { caller } = identity;
    if (identity.scope.subjectId) {
      if (!own) throw forbidden('OUTSIDE_SUBJECT_SCOPE', 'this request may list only its own subject’s cases');
      conditions.push('t.subject_id = ?');
      params.push(own);
    } else if (supervisionRefused(identity)) {
      throw purposeMismatch(identity, 'every department’s cases are listed to a supervising department in its supervision (x-credit-matter CREDIT_SUPERVISION)');
    } else if (!supervisesEveryDepartment(identity)) {
      if (caller?.organisationKind !== 'DEPARTMENT') throw forbidden('NOT_ENTITLED', 'cases are listed for their subject, their source department and the credit office');
      conditions.push('(t.source_department = ? OR t.submitted_by_organisation = ?)');
      params.push(caller.organisation, caller.organisation);
    }
    if (department !== null) {
      conditions.push('t.source_department = ?');
      params.push(department);
    }
    if (status && repository.metadata.target === RestorationApplication) {
      // As `RestorationApplication.status` reads: one pending when its record's disclosure ended is CLOSED.
      if (status === 'SUBMITTED') conditions.push(`(t.status = 'SUBMITTED' AND NOT ${endedCondition(this.db, this.today, params)})`);
      else if (status === 'CLOSED') conditions.push(`(t.status = 'CLOSED' OR (t.status = 'SUBMITTED' AND ${endedCondition(this.db, this.today, params)}))`);
      else {
        conditions.push('t.status = ?');
        params.push(status);
      }
    } else if (status) {
      conditions.push('t.status = ?');
      params.push(status);
    }
    if (overdue !== undefined && overdue !== null) {
      // Pending and filed before the day whose objections are still within their time limit.
      const before = this.db.driver.preparePersistentValue(overdueBefore(this.today), repository.metadata.findColumnWithPropertyName('submittedAt')!);
      conditions.push(overdue ? "(t.status = 'SUBMITTED' AND t.submitted_at < ?)" : "(t.status <> 'SUBMITTED' OR t.submitted_at >= ?)");
      params.push(before);
    }
    const pages = await loadPages(repository, { where: conditions.length ? { sql: conditions.join(' AND '), params } : undefined, orderBy: 'submittedAt', direction: 'DESC', first, after });
    return pages.get('');
  }

  // -------------------------------------------------------------------------------------------
  // Objections

  /**
   * Files an objection. The same objection sent again by the same user (same reason) while it is
   * pending, a retried request whose answer was lost, is answered the pending one; any other
   * filing while one is pending is refused, naming the pending one (`objectionId`) to a caller
   * who may read it (`maySeeLifecycle`), and only saying that one is pending to another.
   */
  async fileObjection(input: FileObjectionInput, identity: RequestIdentity, disclosed?: CaseDisclosure): Promise<CreditRecordObjection> {
    const actor = actorOf(identity, 'objecting to a record');
    const reason = requiredProse(input.reason, 'reason', 500);
    const named = await this.namedRecord(input, identity, disclosed);
    return await this.write(async (manager) => {
      const record = await this.lockedRecord(manager, named.recordId, identity);
      if (!mayActFor(identity, record)) {
        throw forbiddenAbout(record.subjectId, 'NOT_ENTITLED', 'an objection is filed by the record’s subject itself, or on its behalf by an officer of the credit office or of the record’s source department');
      }
      disclosed?.(record.subjectId);
      const pending = record.status === 'OBJECTED' ? await manager.findOne(CreditRecordObjection, { where: { recordId: record.id, status: 'SUBMITTED' } }) : null;
      if (pending) {
        if (pending.submittedBy === actor.userId && pending.submittedByOrganisation === actor.organisation && pending.reason === reason) return pending;
        throw this.pendingCase(identity, pending, 'OBJECT', named.field);
      }
      const next = this.recordTransition(record, 'OBJECT', named.field);
      const objection = Object.assign(new CreditRecordObjection(), {
        id: randomUUID(),
        recordId: record.id,
        subjectId: record.subjectId,
        sourceDepartment: record.sourceDepartment,
        status: 'SUBMITTED' as ObjectionStatus,
        reason,
        submittedBy: actor.userId,
        submittedByOrganisation: actor.organisation,
        submittedAt: this.now(),
        resolution: null,
        decidedBy: null,
        decidedByOrganisation: null,
        decidedAt: null,
        decisionReason: null,
      });
      await manager.insert(CreditRecordObjection, objection);
      // At the filing's instant, which its decision is never earlier than (`decidedAfter`).
      await this.changeRecord(manager, record, { status: next }, 'OBJECTED', actor, { reason, relatedId: objection.id }, objection.submittedAt);
      return objection;
    });
  }

  async decideObjection(input: DecideObjectionInput, identity: RequestIdentity): Promise<CreditRecordObjection> {
    const actor = actorOf(identity, 'deciding an objection');
    const reason = requiredProse(input.reason, 'reason', 500);
    if (input.decision === 'ACCEPT' && input.resolution !== 'CORRECTED' && input.resolution !== 'WITHDRAWN') {
      throw badInput('resolution', `accepting an objection corrects the record (CORRECTED, with a correction) or withdraws it (WITHDRAWN), got ${quotedInput(input.resolution ?? null)}`);
    }
    // Stored as if no resolution were given, it would tell the subject nothing of what the caller meant.
    if (input.decision === 'REJECT' && input.resolution) {
      throw badInput('resolution', `a rejection keeps the record as it was and takes no resolution (CORRECTED and WITHDRAWN go with ACCEPT), got ${quotedInput(input.resolution)}`);
    }
    if ((input.decision !== 'ACCEPT' || input.resolution !== 'CORRECTED') && input.correction) {
      throw badInput('correction', 'a correction goes only with decision ACCEPT and resolution CORRECTED');
    }
    if (input.decision === 'ACCEPT' && input.resolution === 'CORRECTED' && !input.correction) {
      throw badInput('correction', 'accepting an objection as CORRECTED needs the correction: the fields that change (to keep the record as it is, REJECT; to take it back, WITHDRAWN)');
    }
    return await this.write(async (manager) => {
      const objection = await manager.findOne(CreditRecordObjection, { where: { id: input.id }, lock: lockFor(manager) });
      if (!objection) throw notFound(identity, 'objection', input.id);
      assertOwnSubject(identity, objection.subjectId);
      assertMaySeeCase(identity, objection, 'objection');
      if (!isSourceDepartment(identity.caller, objection.sourceDepartment)) {
        throw forbiddenAbout(objection.subjectId, 'NOT_ENTITLED', `an objection is decided by the record’s source department, ${objection.sourceDepartment}`);
      }
      assertNotFiledByDecider(identity, objection, 'an objection');
      return await auditedSettling(objection.subjectId, async () => {
        const status = transition(objectionTransitions, objection.status, input.decision);
        if (!status) {
          // A retried request (its answer lost): answered the objection as decided, changing nothing.
          if (await this.isSameDecision(manager, objection, input, reason, actor)) return objection;
          const settled = objection.status === 'WITHDRAWN' ? `(${objection.decidedAt ? inDistrictTime(objection.decidedAt) : ''})` : decidedByWhom(objection);
          throw notAllowedNow('id', `this objection is already ${objection.status} ${settled}; ${objection.status === 'WITHDRAWN' ? 'its subject withdrew it (撤回), so there is nothing to decide' : 'an objection is decided once'}`, { status: objection.status });
        }
        const record = await this.lockedRecord(manager, objection.recordId, identity);
        const action: RecordAction = input.decision === 'REJECT' ? 'REJECT_OBJECTION' : input.resolution === 'WITHDRAWN' ? 'ACCEPT_OBJECTION_WITHDRAWN' : 'ACCEPT_OBJECTION_CORRECTED';
        const next = this.recordTransition(record, action, 'id');
        const changes: Partial<CreditRecord> = { status: next };
        // Withdrawn, it is no longer disclosed from today: its end says so, its history the end it had.
        if (action === 'ACCEPT_OBJECTION_WITHDRAWN') changes.disclosureEndsAt = disclosureEndedBy(record.disclosureEndsAt, this.today);
        if (action === 'ACCEPT_OBJECTION_CORRECTED') {
          const corrected = this.corrected(record, input.correction!);
          // Otherwise the subject would read "accepted, corrected" over a record that stayed as it was.
          if (sameContent(corrected, record)) {
            throw badInput('correction', 'the correction changes nothing in the record: give the corrected values (to keep the record as it is, REJECT)');
          }
          const graver = graverCorrection(record, corrected);
          if (graver) throw badInput(`correction.${graver.field}`, graver.reason, { problem: 'GRAVER_CORRECTION' });
          Object.assign(changes, corrected);
        }
        const kind = action === 'REJECT_OBJECTION' ? 'OBJECTION_REJECTED' : action === 'ACCEPT_OBJECTION_WITHDRAWN' ? 'WITHDRAWN' : 'CORRECTED';
        await this.settle(manager, CreditRecordObjection, objection, { status, resolution: input.decision === 'ACCEPT' ? (input.resolution ?? null) : null }, actor, reason);
        await this.changeRecord(manager, record, changes, kind, actor, { reason, relatedId: objection.id }, objection.decidedAt!);
        if (action === 'ACCEPT_OBJECTION_WITHDRAWN') await this.closeRestoration(manager, record, objection, actor);
        return objection;
      });
    });
  }

  /**
   * Withdraws a pending objection (撤回): the record leaves OBJECTED as on a rejection (ACTIVE, or
   * EXPIRED when its period ended meanwhile), with an OBJECTION_WITHDRAWN event. The objection is
   * locked before its record, in the order `decideObjection` takes: a decision and a withdrawal
   * made at once serialise, and the second finds it no longer pending.
   */
  async withdrawObjection(input: WithdrawCaseInput, identity: RequestIdentity): Promise<CreditRecordObjection> {
    const actor = actorOf(identity, 'withdrawing an objection');
    const reason = optionalProse(input.reason, 'reason', 500);
    return await this.write(async (manager) => {
      const objection = await manager.findOne(CreditRecordObjection, { where: { id: input.id }, lock: lockFor(manager) });
      if (!objection) throw notFound(identity, 'objection', input.id);
      assertOwnSubject(identity, objection.subjectId);
      assertMaySeeCase(identity, objection, 'objection');
      this.assertMayWithdraw(identity, objection, 'an objection');
      if (settledAs(objection, 'WITHDRAWN', actor, reason)) return objection;
      return await auditedSettling(objection.subjectId, async () => {
        if (!transition(objectionTransitions, objection.status, 'WITHDRAW')) {
          throw notAllowedNow('id', `this objection is already ${objection.status} (${objection.decidedAt ? inDistrictTime(objection.decidedAt) : ''}); only a pending objection can be withdrawn`, { status: objection.status });
        }
        const record = await this.lockedRecord(manager, objection.recordId, identity);
        const next = this.recordTransition(record, 'WITHDRAW_OBJECTION', 'id');
        await this.settle(manager, CreditRecordObjection, objection, { status: 'WITHDRAWN' }, actor, reason);
        await this.changeRecord(manager, record, { status: next }, 'OBJECTION_WITHDRAWN', actor, { reason, relatedId: objection.id }, objection.decidedAt!);
        return objection;
      });
    });
  }

  /**
   * Withdraws a pending restoration application (撤回). The record is untouched and its history
   * tells nothing, as of an application filed: the subject may apply again. Locked as
   * `decideRestoration` locks, the record first.
   */
  async withdrawRestorationApplication(input: WithdrawCaseInput, identity: RequestIdentity): Promise<RestorationApplication> {
    const actor = actorOf(identity, 'withdrawing a restoration application');
    const reason = optionalProse(input.reason, 'reason', 500);
    return await this.write(async (manager) => {
      const { record, application } = await this.lockedApplication(manager, input.id, identity);
      assertMaySeeCase(identity, application, 'restoration application');
      this.assertMayWithdraw(identity, application, 'a restoration application');
      if (settledAs(application, 'WITHDRAWN', actor, reason)) return application;
      return await auditedSettling(record.subjectId, async () => {
        stillPendingFor(application, record, this.today, 'WITHDRAW', 'only a pending application can be withdrawn');
        await this.settle(manager, RestorationApplication, application, { status: 'WITHDRAWN' }, actor, reason);
        return application;
      });
    });
  }

  private assertMayWithdraw(identity: RequestIdentity, filed: FiledCase, what: string): void {
    if (mayWithdraw(identity, filed)) return;
    // The source department may be the organisation that filed it (at its counter; the credit
    // office's window on the office's own records): told the rule that refuses it, not one it meets.
    const { sourceDepartment } = filed;
    const rule = isSourceDepartment(identity.caller, sourceDepartment)
      ? `${what} is not withdrawn by the record’s source department, ${sourceDepartment}, which decides it, even one it filed at its own counter for the subject: the subject withdraws it itself (its own inquiry), or ${sourceDepartment} decides it`
      : `${what} is withdrawn by the record’s subject itself, or by an officer of the organisation that filed it on the subject’s behalf`;
    throw forbiddenAbout(filed.subjectId, 'NOT_ENTITLED', rule);
  }

  /**
   * Stores what settled a case, which the transition tables allowed: a decision or a withdrawal,
   * its status (and an objection's resolution) beside who settled it, when and why. The instant
   * is the one the case stopped pending, which the department statistics' backlog reads.
   */
  private async settle<T extends FiledCase>(
    manager: EntityManager,
    entity: EntityTarget<T>,
    filed: T,
    outcome: Pick<T, 'status'> & Partial<Pick<CreditRecordObjection, 'resolution'>>,
    actor: Actor,
    reason: string | null,
  ): Promise<void> {
    const settled = { ...outcome, decidedBy: actor.userId, decidedByOrganisation: actor.organisation, decidedAt: this.decidedAfter(filed.submittedAt), decisionReason: reason };
    // TypeORM cannot see that a case's own columns are a partial of the case.
    await manager.update(entity, { id: filed.id }, settled as QueryDeepPartialEntity<T>);
    Object.assign(filed, settled);
  }

  /**
   * When a case filed at `filedAt` is decided (or withdrawn): now, but never before its filing. A
   * replica whose clock runs behind the one that took the filing (50 s apart, or a clock stepped
   * back) decided an objection before it was filed, its record's history listing OBJECTION_REJECTED
   * before OBJECTED: as a consent is granted no earlier than it is asked for (consent.repository.ts),
   * a millisecond after the filing then, so that the history lists the decision after it.
   */
  private decidedAfter(filedAt: Date): Date {
    return new Date(Math.max(this.now().getTime(), filedAt.getTime() + 1));
  }

  /**
   * A record withdrawn leaves nothing to restore: an application pending for it is closed with
   * the objection's decision, rather than left for a department to reject (which would tell the
   * subject "not restored" of a record taken back).
   */
  private async closeRestoration(manager: EntityManager, record: CreditRecord, objection: CreditRecordObjection, actor: Actor): Promise<void> {
    // Each closed no earlier than it was filed (`decidedAfter`): read first for its filing's instant.
    for (const pending of await manager.find(RestorationApplication, { where: { recordId: record.id, status: 'SUBMITTED' } })) {
      await manager.update(
        RestorationApplication,
        { id: pending.id, status: 'SUBMITTED' },
        {
          status: transition(restorationTransitions, 'SUBMITTED', 'CLOSE')!,
          decidedBy: actor.userId,
          decidedByOrganisation: actor.organisation,
          decidedAt: this.decidedAfter(pending.submittedAt),
          decisionReason: `the record was withdrawn on an accepted objection (${objection.id}): nothing is left to restore`,
        },
      );
    }
  }

  /**
   * The record with a correction applied, validated as intake validates a new record, against the
   * day the record entered the platform too: a corrected decision is still one made by then.
   */
  private corrected(record: CreditRecord, correction: RecordCorrection): Pick<CreditRecord, ContentField | 'disclosureEndsAt'> {
    const draft = {
      subjectId: record.subjectId,
      category: correction.category ?? record.category,
      polarity: correction.polarity ?? record.polarity,
      severity: correction.severity !== undefined ? correction.severity : record.severity,
      taxCreditGrade: correction.taxCreditGrade !== undefined ? correction.taxCreditGrade : record.taxCreditGrade,
      sourceDepartment: record.sourceDepartment,
      documentNumber: record.documentNumber,
      decisionDate: correction.decisionDate ?? record.decisionDate,
      validUntil: correction.validUntil !== undefined ? correction.validUntil : record.validUntil,
      summary: correction.summary ?? record.summary,
      recordedAt: record.recordedAt,
    };
    // Named and shaped as a submission's problems are ({ field, reason }), at the input's path,
    // the first of each field only, as a submission lists them (a date in the future is told once).
    const problems = validateCreditRecord(draft, this.today)
      .map((p) => ({ field: `correction.${correctionField(p.field)}`, reason: p.message, ...p.details }))
      .filter((p, i, all) => all.findIndex((q) => q.field === p.field) === i);
    if (problems.length) throw refusedInput(problems);
    const fixed = recordFromDraft(draft, { id: record.id, recordedAt: record.recordedAt });
    const { category, polarity, severity, taxCreditGrade, decisionDate, validUntil, summary, disclosureEndsAt } = fixed;
    return { category, polarity, severity, taxCreditGrade, decisionDate, validUntil, summary, disclosureEndsAt };
  }

  // -------------------------------------------------------------------------------------------
  // Restoration

  /**
   * Applies for restoration. The same application sent again by the same user (same correction,
   * evidence and commitment) while it is pending, a retried request whose answer was lost, is
   * answered the pending one; any other while one is pending is refused, naming the pending one
   * (`applicationId`) to a caller who may read it, as `fileObjection` does.
   */
  async applyForRestoration(input: ApplyForRestorationInput, identity: RequestIdentity, disclosed?: CaseDisclosure): Promise<RestorationApplication> {
    const actor = actorOf(identity, 'applying for restoration');
    // A form a subject or a counter fills in: every field at fault told in one round (README, Errors).
    const problems = new InputProblems();
    const { correction, commitment, evidence } = problems.checked({
      correction: problems.read(() => requiredProse(input.correction, 'correction', 1000)),
      commitment: problems.read(() => requiredProse(input.commitment, 'commitment', 1000)),
      evidence: problems.read(() => {
        if (!Array.isArray(input.evidence) || input.evidence.length === 0 || input.evidence.length > 20) {
          throw badInput('evidence', `evidence lists 1 to 20 proof documents (证明材料), got ${Array.isArray(input.evidence) ? input.evidence.length : 0}`);
        }
        const items = input.evidence.map((item, i) => requiredLine(item, `evidence[${i}]`, 200));
        assertNoRepeats(items, 'evidence', 'proof document');
        return items;
      }),
    });
    const named = await this.namedRecord(input, identity, disclosed);
    return await this.write(async (manager) => {
      const record = await this.lockedRecord(manager, named.recordId, identity);
      if (!mayActFor(identity, record)) {
        throw forbiddenAbout(record.subjectId, 'NOT_ENTITLED', 'restoration is applied for by the record’s subject itself, or on its behalf by an officer of the credit office or of the record’s source department');
      }
      disclosed?.(record.subjectId);
      // Stored SUBMITTED, it is pending unless its record's disclosure has ended (then CLOSED).
      const stored = await manager.findOne(RestorationApplication, { where: { recordId: record.id, status: 'SUBMITTED' } });
      const pending = stored && this.asItStands(stored, record).status === 'SUBMITTED' ? stored : null;
      if (pending && pending.submittedBy === actor.userId && pending.submittedByOrganisation === actor.organisation && pending.correction === correction && pending.evidence.length === evidence.length && pending.evidence.every((item, i) => item === evidence[i]) && pending.commitment === commitment) {
        return pending;
      }
      this.restoration(record, named.field);
      if (pending) throw this.pendingCase(identity, pending, 'RESTORE', named.field);
      const application = Object.assign(new RestorationApplication(), {
        id: randomUUID(),
        recordId: record.id,
        subjectId: record.subjectId,
        sourceDepartment: record.sourceDepartment,
        status: 'SUBMITTED' as RestorationStatus,
        correction,
        evidence,
        commitment,
        submittedBy: actor.userId,
        submittedByOrganisation: actor.organisation,
        submittedAt: this.now(),
        decidedBy: null,
        decidedByOrganisation: null,
        decidedAt: null,
        decisionReason: null,
      });
      await manager.insert(RestorationApplication, application);
      return application;
    });
  }

  async decideRestoration(input: DecideRestorationInput, identity: RequestIdentity): Promise<RestorationApplication> {
    const actor = actorOf(identity, 'deciding a restoration application');
    const reason = requiredProse(input.reason, 'reason', 500);
    return await this.write(async (manager) => {
      const { record, application } = await this.lockedApplication(manager, input.id, identity);
      assertMaySeeCase(identity, application, 'restoration application');
      const rule = restorationRules[record.category];
      const creditOfficeDecides = rule?.decidedBy === 'SOURCE_DEPARTMENT_OR_CREDIT_OFFICE';
      if (!isSourceDepartment(identity.caller, application.sourceDepartment) && !(creditOfficeDecides && isCreditOffice(identity.caller))) {
        // The credit office decides by its supervisor: its window, told "or the credit office", would read itself entitled.
        const notTheWindow = isWindowOfficer(identity.caller) ? ', not by an officer of the credit office (DEPARTMENT_OFFICER, its window)' : '';
        const who = creditOfficeDecides
          ? `by an officer of its source department, ${application.sourceDepartment}, or by ${creditOfficeSupervisor}${notTheWindow}`
          : `only by its source department, ${application.sourceDepartment}${rule ? ` (${rule.basis})` : ''}`;
        throw forbiddenAbout(record.subjectId, 'NOT_ENTITLED', `restoration of this ${record.category} record is decided ${who}`);
      }
      assertNotFiledByDecider(identity, application, 'a restoration application', creditOfficeDecides ? `, or ${creditOfficeSupervisor}` : '');
      // A retried request (its answer lost): answered the application as decided, changing nothing.
      if (settledAs(application, input.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED', actor, reason)) return application;
      return await auditedSettling(record.subjectId, async () => {
        const status = stillPendingFor(application, record, this.today, input.decision, application.status === 'WITHDRAWN' ? 'its subject withdrew it (撤回), so there is nothing to decide' : 'an application is decided once (a rejected subject may apply again)', true);
        if (input.decision === 'APPROVE') {
          // Asked again: the record may have been corrected since the application (made serious,
          // dated anew, or found positive), and what it is now decides.
          const next = this.restoration(record, 'id');
          // Restored, it is no longer disclosed from today (the measures lifted at once): its end says so, its history the end it had.
          await this.changeRecord(manager, record, { status: next, disclosureEndsAt: disclosureEndedBy(record.disclosureEndsAt, this.today) }, 'RESTORED', actor, { reason, relatedId: application.id });
        }
        await this.settle(manager, RestorationApplication, application, { status }, actor, reason);
        return application;
      });
    });
  }

  /**
   * The refusal of a second case while one is pending for the record (`OBJECT`: an objection,
   * `RESTORE`: a restoration application): TRANSITION_NOT_ALLOWED on the field that named the
   * record, naming the pending case by its id (`objectionId`, `applicationId`) and when it was
   * filed to a caller who may read it, where a front end goes on with it; to any other (the
   * window, when the subject filed itself) saying only that one is pending. Disclosed either way
   * (`CaseDisclosure`).
   */
  private pendingCase(identity: RequestIdentity, pending: FiledCase, action: 'OBJECT' | 'RESTORE', field: NamedRecord['field']) {
    const shown = maySeeLifecycle(identity, pending);
    const named = shown ? ` (${pending.id}, filed at ${inDistrictTime(pending.submittedAt)})` : '';
    if (action === 'RESTORE') {
      return notAllowedNow(field, `an application for this record is already pending${named}; wait for its decision`, shown ? { applicationId: pending.id } : {});
    }
    return notAllowedNow(field, `the record is OBJECTED: an objection to it is pending${named}; one objection at a time`, { recordStatus: 'OBJECTED', ...(shown ? { objectionId: pending.id } : {}) });
  }

  /**
   * Whether a decided objection is what this decision would have made of it, by the same user:
   * the same decision, resolution and reason, and for a correction the same correction (the record
   * still reads as it leaves it, and it names every field the decision changed). A client that
   * lost the answer sends the decision again; refused as already decided, it would read as if the
   * decision had failed.
   */
  private async isSameDecision(manager: EntityManager, objection: CreditRecordObjection, input: DecideObjectionInput, reason: string, actor: Actor): Promise<boolean> {
    if (!settledAs(objection, input.decision === 'ACCEPT' ? 'ACCEPTED' : 'REJECTED', actor, reason)) return false;
    if ((objection.resolution ?? null) !== (input.decision === 'ACCEPT' ? (input.resolution ?? null) : null)) return false;
    if (objection.resolution !== 'CORRECTED') return true;
    const record = await manager.findOneBy(CreditRecord, { id: objection.recordId });
    const corrected = await manager.findOneBy(CreditRecordEvent, { recordId: objection.recordId, kind: 'CORRECTED', relatedId: objection.id });
    if (!record || !corrected || !input.correction) return false;
    const changed = Object.keys(corrected.afterValues ? (JSON.parse(corrected.afterValues) as object) : {}).filter((field): field is ContentField => (contentFields as readonly string[]).includes(field));
    const named = correctedFields(input.correction);
    if (!changed.every((field) => named.includes(field))) return false;
    try {
      return sameContent(this.corrected(record, input.correction), record);
    } catch {
      // A correction the record, as it is now, refuses is not the one it was corrected by.
      return false;
    }
  }

  /** The stored status restoring `record` leads to today, or a refusal saying why it cannot be restored. */
  private restoration(record: CreditRecord, field: string): StoredRecordStatus {
    const rule = restorationRules[record.category];
    if (record.polarity !== 'NEGATIVE' || !rule) {
      throw notAllowedNow(field, `only negative records of ${Object.keys(restorationRules).join(', ')} can be restored, this is a ${record.polarity} ${record.category} record`);
    }
    const next = this.recordTransition(record, 'RESTORE', field);
    const from = restorableFrom(record.category, record.severity, record.decisionDate);
    if (this.today < from) {
      throw notAllowedNow(field, `this record can be restored from ${from}, once its minimum disclosure period has passed (${rule.basis}); today is ${this.today}`, { restorableFrom: from });
    }
    return next;
  }

  // -------------------------------------------------------------------------------------------

  /**
   * The record a filing names (`RecordNaming`), found before the filing's transaction: a subject's
   * code is asked of the entities subgraph, which is not waited for holding the write lock. A
   * record's subject, source department and number never change, so the record found is the one
   * the transaction then locks. Only records the caller may file for are looked among (a source
   * department, its own): it is not told that another department gave the subject the number (a
   * restored record's, no longer disclosed), where the window and the subject itself, who may
   * file for any of the subject's records, are told which departments did (disclosed, as a
   * refusal about the record is: `CaseDisclosure`).
   */
  private async namedRecord(naming: RecordNaming, identity: RequestIdentity, disclosed?: CaseDisclosure): Promise<NamedRecord> {
    const printed = printedNaming(naming);
    if (!printed) return { recordId: naming.recordId!, field: 'recordId' };
    const found = await withEntitiesOrUnavailable(
      () => this.subjects.lookUp([], [printed.code], identity.requestId, this.deadline),
      'the subject’s code could not be looked up with the entities subgraph, so nothing was stored; retry later',
    );
    const subjectId = found.codes.get(printed.code) ?? null;
    // Another subject's code and one nobody has alike, as another subject's record id and an unknown one are.
    assertOwnSubject(identity, subjectId);
    const numbered =
      subjectId === null
        ? []
        : await this.db.getRepository(CreditRecord).find({
            select: { id: true, subjectId: true, sourceDepartment: true },
            where: { subjectId, documentNumber: printed.documentNumber, ...(printed.sourceDepartment === null ? {} : { sourceDepartment: printed.sourceDepartment }) },
            order: { sourceDepartment: 'ASC' },
          });
    const candidates = numbered.filter((record) => mayActFor(identity, record));
    if (candidates.length === 0) throw noRecordNumbered(identity, printed);
    if (candidates.length > 1) {
      disclosed?.(subjectId!);
      const departments = candidates.map((record) => record.sourceDepartment);
      throw badInput('sourceDepartment', `the subject of this code has records numbered ${quotedInput(printed.documentNumber)} from ${departments.join(' and ')}: name the department whose decision it is in sourceDepartment`, {
        problem: 'AMBIGUOUS_DOCUMENT_NUMBER',
        sourceDepartments: departments,
      });
    }
    return { recordId: candidates[0].id, field: 'documentNumber' };
  }

  /**
   * A restoration application and its record, both locked: the record first, in the order every
   * lifecycle write takes (an objection's decision closes the record's pending application after
   * locking the record): two writes locking them in opposite orders deadlock on MySQL.
   */
  private async lockedApplication(manager: EntityManager, id: string, identity: RequestIdentity): Promise<{ record: CreditRecord; application: RestorationApplication }> {
    const named = await manager.findOne(RestorationApplication, { where: { id }, select: { id: true, recordId: true } });
    if (!named) throw notFound(identity, 'restoration application', id);
    const record = await this.lockedRecord(manager, named.recordId, identity);
    const application = await manager.findOneOrFail(RestorationApplication, { where: { id }, lock: lockFor(manager) });
    return { record, application };
  }

  private async lockedRecord(manager: EntityManager, id: string, identity: RequestIdentity): Promise<CreditRecord> {
    const record = typeof id === 'string' && id.length <= 36 ? await manager.findOne(CreditRecord, { where: { id }, lock: lockFor(manager) }) : null;
    if (!record) throw notFound(identity, 'credit record', String(id));
    assertOwnSubject(identity, record.subjectId);
    return record;
  }

  /** The stored status `action` leads to, or a refusal naming the record's status today. */
  private recordTransition(record: CreditRecord, action: RecordAction, field: string) {
    const status: RecordStatus = effectiveStatus(record, this.today);
    const next = transition(recordTransitions, status, action);
    if (!next) throw notAllowedNow(field, `the record is ${status}: ${refusal(status, action)}`, { recordStatus: status });
    return next;
  }

  /**
   * Writes a change and its event. The event tells the statuses as read today (`asRead`): an
   * objection to an expired record reads EXPIRED → OBJECTED, a rejection after the period ended
   * OBJECTED → EXPIRED, a correction that dates an expired record anew EXPIRED → ACTIVE.
   */
  private async changeRecord(
    manager: EntityManager,
    record: CreditRecord,
    changes: Partial<CreditRecord>,
    kind: CreditRecordEvent['kind'],
    actor: Actor,
    details: { reason: string | null; relatedId: string },
    /** A filing's event at its `submittedAt`, a decision's at its `decidedAt`: the one after the other (`decidedAfter`). */
    now = this.now(),
  ): Promise<void> {
    const after = Object.assign(new CreditRecord(), record, changes);
    // An application left pending past the record's disclosure end is closed for good first.
    await closeEndedApplications(manager, record, after, this.today, actor, now);
    if (changedValues(record, after)) await manager.update(CreditRecord, { id: record.id }, changes);
    const delta = changedValues(asRead(record, this.today), asRead(after, this.today));
    await manager.insert(CreditRecordEvent, recordEvent(record.id, kind, actor, now, { ...details, ...(delta ?? {}) }));
  }

  /** Each write in a transaction of its own, not committed once too little of the request's time is left. */
  private write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return writeTransaction(this.db, work, undefined, this.deadline);
  }
}

/**
 * The field of RecordCorrectionInput behind a problem the intake validator names by a record's
 * field. The record's source department is checked against its category (a category comes from
 * some departments only), so a correction breaks that rule with its category; the day the record
 * entered the platform is carried over as stored, and a decision dated after it is the decision
 * date's problem already (a district day after today, on a clock set back, is told there too);
 * the other fields it does not have (the subject, the document number) are carried over as
 * stored, and pass as they did.
 */
function correctionField(field: keyof CreditRecordDraft): string {
  if (field === 'sourceDepartment') return 'category';
  if (field === 'recordedAt') return 'decisionDate';
  return field;
}

/** The fields of what a record found, in the order a graver finding names them: the one that decides it first. */
const findingFields = ['category', 'taxCreditGrade', 'polarity', 'severity'] as const satisfies readonly ContentField[];

/**
 * Why a correction on an accepted objection would make the record graver than its subject objected
 * to, naming the field of the correction at fault; undefined when it does not. The objection is
 * upheld (异议成立): the department found the subject right, and a correction that listed it, raised
 * the severity or disclosed the record longer would turn that against it under a decision reading
 * ACCEPTED. Graver is, as a re-submission after an accepted objection is held (record-intake.ts
 * `objectionRefusals`): a graver finding, in the situations a check finds (`findingGravity`: a
 * listing over a penalty, serious over general, negative over neutral, a tax grade C over B) or
 * in severity, or a disclosure that ends later (`disclosedLonger`: a later decision date, a longer
 * period). Another finding is a new decision, under a new document number.
 */
function graverCorrection(record: CreditRecord, corrected: Pick<CreditRecord, ContentField | 'disclosureEndsAt'>): { field: ContentField; reason: string } | undefined {
  const changed = (fields: readonly ContentField[]) => fields.filter((field) => !sameValue(field, corrected[field], record[field]));
  const change = (fields: readonly ContentField[]) => fields.map((field) => `${field} ${quotedInput(corrected[field])} for ${quotedInput(record[field])}`).join(', ');
  const graver = (fields: readonly ContentField[], what: string) => ({
    field: fields[0],
    reason: `the objection is upheld (异议成立), so its correction may not make the record graver than its subject objected to: ${change(fields)} ${what}; another finding is a new decision, under a new document number (to keep the record as it is, REJECT)`,
  });
  if (findingGravity(corrected) > findingGravity(record)) {
    return graver(changed(findingFields), `would make it ${findingInWords(corrected)} in a credit check, where it is ${findingInWords(record)}`);
  }
  const rank = (severity: Severity) => severitiesMildestFirst.indexOf(severity);
  if (record.severity !== null && corrected.severity !== null && rank(corrected.severity) > rank(record.severity)) {
    return graver(['severity'], 'raises its severity');
  }
  if (disclosedLonger(corrected.disclosureEndsAt, record.disclosureEndsAt)) {
    const until = record.disclosureEndsAt === null ? 'it is not disclosed as a negative record' : `its disclosure ends ${record.disclosureEndsAt}`;
    return graver(changed([...findingFields, 'decisionDate']), `would disclose it until ${corrected.disclosureEndsAt}, where ${until}`);
  }
  return undefined;
}

/**
 * The status `action` takes an application to, as it stands today (pending when its record's
 * disclosure ended, it was closed then); a refusal naming what it already is, and `then`, when
 * it is settled.
 */
function stillPendingFor<A extends RestorationAction>(application: RestorationApplication, record: CreditRecord, today: string, action: A, then: string, namingDecider = false): RestorationStatus {
  const standing = applicationAsItStands(application, record, today);
  const status = transition(restorationTransitions, standing.status, action);
  if (status) return status;
  const decided = standing.status === 'APPROVED' || standing.status === 'REJECTED';
  const why = standing.status === 'CLOSED' && standing.decisionReason ? ` (${standing.decisionReason})` : namingDecider && decided ? ` ${decidedByWhom(standing)}` : '';
  throw notAllowedNow('id', `this application is already ${standing.status}${why}; ${then}`, { status: standing.status });
}

/**
 * Who decided a case and when, as a refused second decision tells the deciding department: the
 * user, masked as every message names a user (userInWords), and the department (or the credit
 * office), shown whole inside the administration.
 * Not for a withdrawal, whose organisation may be a person's citizen ID number.
 */
function decidedByWhom(decided: Pick<FiledCase, 'decidedBy' | 'decidedByOrganisation' | 'decidedAt'>): string {
  return `(decided by ${decided.decidedBy ? userInWords(decided.decidedBy) : 'an unknown user'} of ${decided.decidedByOrganisation ?? 'an unknown department'} at ${decided.decidedAt ? inDistrictTime(decided.decidedAt) : 'an unknown time'})`;
}

/**
 * The fields a correction gives a value, as `corrected` reads it: one left out keeps the record's;
 * null keeps it too for a field every record has, and clears one it may lack (a severity, a tax
 * credit grade, an end of validity).
 */
function correctedFields(correction: RecordCorrection): ContentField[] {
  const clearable: readonly ContentField[] = ['severity', 'taxCreditGrade', 'validUntil'];
  return contentFields.filter((field) => (clearable.includes(field) ? correction[field] !== undefined : correction[field] !== undefined && correction[field] !== null));
}

/**
 * Whether `filed` was already settled as `status` (withdrawn, or decided so) by this actor with
 * this reason: a retried withdrawal or decision (a timed-out request), answered with the case as
 * it stands rather than refused.
 */
function settledAs(filed: FiledCase, status: FiledCase['status'], actor: Actor, reason: string | null): boolean {
  return filed.status === status && filed.decidedBy === actor.userId && filed.decidedByOrganisation === actor.organisation && filed.decisionReason === reason;
}

function refusal(status: RecordStatus, action: RecordAction): string {
  if (status === 'OBJECTED' && action === 'OBJECT') return 'an objection to it is pending; one objection at a time';
  if (status === 'OBJECTED' && action === 'RESTORE') return 'an objection to it is pending; restoration waits for its decision';
  if (status === 'EXPIRED' && action === 'RESTORE') return 'its disclosure period is over, so it no longer counts and there is nothing to restore';
  if (status === 'RESTORED' || status === 'WITHDRAWN') return `a ${status.toLowerCase()} record is settled`;
  if (action.includes('OBJECTION')) return 'no objection to it is pending';
  return `${action} is not allowed`;
}

