import type { GraphQLError } from 'graphql';
import type { Caller, RequestIdentity } from '../../lib/access/identity';
import { forbidden, forbiddenAbout, purposeMismatch, refusalOf, underSupervision } from '../shared/access';
import type { Actor } from './record-history';

/**
 * Who may act on a record's lifecycle. Field groups (checked by the gateway and the kernel) say
 * which kinds of caller may use a mutation at all; these say, record by record, in whose name.
 */

/** The subject a request is scoped to (its own inquiry), when its caller is that subject. */
export function ownSubject(identity: RequestIdentity): string | undefined {
  const scoped = identity.scope.subjectId;
  return scoped && identity.caller?.subjectId === scoped ? scoped : undefined;
}

export function isDepartmentOfficer(caller: Caller | null): boolean {
  return caller?.organisationKind === 'DEPARTMENT' && caller.role === 'DEPARTMENT_OFFICER';
}

/** The district credit office's supervisor (区信用办). */
export function isCreditOffice(caller: Caller | null): boolean {
  return caller?.organisationKind === 'DEPARTMENT' && caller.organisation === 'CREDIT_OFFICE' && caller.role === 'CREDIT_OFFICE_SUPERVISOR';
}

/**
 * Staff of the department that supplied the record (认定部门): its officers, or the credit office's
 * own supervisor for its own records. Not a supervising department's supervisor (行政审批局, 编办):
 * its supervision reads every department's objections (RECORD_OBJECTIONS under CREDIT_SUPERVISION)
 * and decides none; its department's officers decide those to its records.
 */
export function isSourceDepartment(caller: Caller | null, sourceDepartment: string): boolean {
  return caller?.organisationKind === 'DEPARTMENT' && caller.organisation === sourceDepartment && (caller.role === 'DEPARTMENT_OFFICER' || isCreditOffice(caller));
}

/**
 * The credit office or a supervising department in its supervision (CREDIT_SUPERVISION): it reads
 * every department's cases, as it counts them (`departmentHandlingStatistics`), and acts on none.
 */
export function supervisesEveryDepartment(identity: RequestIdentity): boolean {
  return isCreditOffice(identity.caller) || underSupervision(identity);
}

/**
 * A supervising department's supervisor whose purpose the gateway refused (CREDIT_SUPERVISION
 * withdrawn, or no longer its department's): what only its supervision shows is refused with that
 * refusal's problem and header (`purposeMismatch`), not as what it may never see (NOT_ENTITLED
 * would send it back to the header it sent), nor narrowed to its own department's cases, as if
 * those were every department's.
 */
export function supervisionRefused(identity: RequestIdentity): boolean {
  return identity.caller?.role === 'CREDIT_OFFICE_SUPERVISOR' && !isCreditOffice(identity.caller) && refusalOf(identity) !== undefined;
}

/** A record's lifecycle or case not shown to the request (`message` says to whom it is): NOT_ENTITLED, or the refusal of its supervision. */
export function lifecycleNotShown(identity: RequestIdentity, subjectId: string, message: string): GraphQLError {
  return supervisionRefused(identity) ? purposeMismatch(identity, message, subjectId) : forbiddenAbout(subjectId, 'NOT_ENTITLED', message);
}

/**
 * May this request file an objection or a restoration application about `record`: the subject
 * itself (its own inquiry), or on its behalf an officer of the platform's window (the credit
 * office) or of the department that supplied the record, where a subject would go. Not any
 * department: filing would let an officer read any record (the case answers with it) and mark
 * it disputed, whatever matter it is working on. A request scoped to a subject acts for that
 * subject only.
 */
export function mayActFor(identity: RequestIdentity, record: { subjectId: string; sourceDepartment: string }): boolean {
  if (identity.scope.subjectId) return ownSubject(identity) === record.subjectId;
  const { caller } = identity;
  return isWindowOfficer(caller) || (isDepartmentOfficer(caller) && caller?.organisation === record.sourceDepartment);
}

/** An officer of the credit office's window, which files for subjects and decides no other department's cases. */
export function isWindowOfficer(caller: Caller | null): boolean {
  return isDepartmentOfficer(caller) && caller?.organisation === windowDepartment;
}

/**
 * Did this caller itself file the case on its subject's behalf (at the window, or its department's
 * counter). Segregation of duties: the officer who took a subject's case does not decide it; the
 * subject reads both as its organisation's (submittedByOrganisation, decidedByOrganisation) and
 * could not tell that the clerk who took its objection also rejected it.
 */
export function filedItForSubject(caller: Caller | null, filed: { submittedBy: string; submittedByOrganisation: string }): boolean {
  return caller?.organisationKind === 'DEPARTMENT' && caller.id === filed.submittedBy && caller.organisation === filed.submittedByOrganisation;
}

/**
 * May this request withdraw (撤回) an objection or a restoration application: one who may file it
 * (`mayActFor`) and speaks for it. The subject itself, whoever filed it (the case is the
 * subject's own); an officer, only one its own organisation filed on the subject's behalf, and
 * never the source department, which decides the case, even one it filed at its own counter:
 * withdrawing it would close it undecided, out of the department's time-limit statistics (its
 * overdue objections cleared by its own hand), without the subject's say.
 */
export function mayWithdraw(identity: RequestIdentity, filed: { subjectId: string; sourceDepartment: string; submittedByOrganisation: string }): boolean {
  if (!mayActFor(identity, filed)) return false;
  if (identity.scope.subjectId) return true;
  return identity.caller?.organisation === filed.submittedByOrganisation && !isSourceDepartment(identity.caller, filed.sourceDepartment);
}

/** The department whose window files for subjects on any record: the credit office (区信用办), which runs the platform. */
const windowDepartment = 'CREDIT_OFFICE';

/**
 * May this request see a record's lifecycle (its history, objections, applications): its subject,
 * its source department, the credit office, the supervision (what its field groups open: the
 * objections), or the organisation that filed the case.
 */
export function maySeeLifecycle(identity: RequestIdentity, owner: { subjectId: string; sourceDepartment: string; submittedByOrganisation?: string }): boolean {
  if (identity.scope.subjectId) return ownSubject(identity) === owner.subjectId;
  const { caller } = identity;
  if (supervisesEveryDepartment(identity) || isSourceDepartment(caller, owner.sourceDepartment)) return true;
  return owner.submittedByOrganisation !== undefined && caller?.organisationKind === 'DEPARTMENT' && caller.organisation === owner.submittedByOrganisation;
}

/**
 * A case (objection, restoration application) shown to the request, or NOT_ENTITLED as its read
 * is refused: a mutation naming it by id says no more than the read would (which department
 * decides it, whose record it is) to a caller the read refuses.
 */
export function assertMaySeeCase(identity: RequestIdentity, value: { subjectId: string; sourceDepartment: string; submittedByOrganisation: string }, what: 'objection' | 'restoration application'): void {
  if (maySeeLifecycle(identity, value)) return;
  // The supervision reads objections only (RECORD_OBJECTIONS under CREDIT_SUPERVISION), not applications.
  const supervision = what === 'objection' ? ', and the supervising departments under CREDIT_SUPERVISION' : '';
  // The credit office's supervisors, not its window, whose officers are told so by this very message.
  throw lifecycleNotShown(identity, value.subjectId, `this ${what} is shown to its subject, the record's source department, the organisation that filed it and the credit office's supervisors${supervision}`);
}

/** The acting user, from the verified identity; never from an input field. */
export function actorOf(identity: RequestIdentity, what: string): Actor {
  const { caller } = identity;
  if (!caller) throw forbidden('AUTHENTICATION_REQUIRED', `${what} needs an authenticated caller`);
  return { userId: caller.id, organisation: caller.organisation, requestId: identity.requestId };
}
