import { findDepartment } from '../../lib/catalogue/departments';
import { badInput, quotedInput } from '../../lib/errors';
import { optionalCode } from '../../lib/identifiers';

/**
 * The department a list's or a statistic's filter names (`field`, by its path in the input), read
 * as every code typed is (finance or ＦＩＮＡＮＣＥ is FINANCE); null when it names none. A code
 * of no department is the caller's mistake, refused before any scope applies: matching nothing,
 * a typo would read as "none".
 */
export function departmentFilter(typed: string | null | undefined, field: string): string | null {
  const department = optionalCode(typed);
  if (department !== null && !findDepartment(department)) {
    throw badInput(field, `${field.split('.').pop()} must be a department code from Query.departments, got ${quotedInput(typed)}`);
  }
  return department;
}
