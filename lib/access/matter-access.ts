import { departments, type Department } from '../catalogue/departments';
import { matters, type Matter } from '../catalogue/matters';
import type { FieldGroup } from './field-groups';
import type { Caller } from './identity';
import { decideGrants, namedInFull, refusalOfPurpose } from './policy';

/**
 * Who may name which matter, as the API tells front ends (`Query.matters`, `Query.viewer`):
 * answered by asking the policy itself (`refusalOfPurpose`, `decideGrants`) rather than by reading
 * the catalogue's tables again, so that what a front end offers is what the gateway then accepts.
 */

export interface OpenMatter {
  matter: Matter;
  /** Every field group a request of the caller naming it holds: the standing ones and the matter's own. */
  groups: FieldGroup[];
}

/** The matters this caller may name, in catalogue order, each with the grants the gateway decides for a request naming it. */
export function mattersOpenTo(caller: Caller): OpenMatter[] {
  return matters.flatMap((matter) => {
    const decision = decideGrants(caller, namedInFull(matter.code));
    return decision.purposeRefused ? [] : [{ matter, groups: decision.groups }];
  });
}

/**
 * The departments whose callers may name `matter` (in one of its roles), in catalogue order: the
 * policy's responsible departments, or for the relevant departments (区有关部门) each the policy
 * counts as one; none for a purpose outside the administration.
 */
export function departmentsNaming(matter: Matter): Department[] {
  return departments.filter((department) =>
    matter.users.roles.some((role) => !refusalOfPurpose({ id: 'catalogue', organisation: department.code, organisationKind: 'DEPARTMENT', role }, namedInFull(matter.code), matter)),
  );
}
