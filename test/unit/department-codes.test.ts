import * as policy from '../../lib/access/policy';
import type { StandingGrant } from '../../lib/access/policy';
import { departments } from '../../lib/catalogue/departments';
import * as matterCatalogue from '../../lib/catalogue/matters';
import type { Matter } from '../../lib/catalogue/matters';
import * as measures from '../../lib/catalogue/measures';
import * as providerSupervision from '../../lib/catalogue/provider-supervision';
import * as publicSources from '../../lib/catalogue/public-sources';
import * as recordCategories from '../../lib/catalogue/record-categories';
import * as recordStanding from '../../lib/catalogue/record-standing';

/**
 * A department code misspelt in the catalogue or the policy ('CULTURE_TOURSIM' among a matter's
 * responsible departments, in a standing grant) used to pass tsc, the build and every test, and
 * the department silently lacked what it was given: the API's `matters { departments }` drops a
 * code it cannot find. tsc now refuses one (DepartmentCode); this suite checks what tsc cannot:
 * every list of departments anywhere in the catalogue modules, however it was typed.
 */

/** What names departments, beside departments.ts that defines them. */
const catalogueModules = { policy, matterCatalogue, measures, providerSupervision, publicSources, recordCategories, recordStanding };

/** Every entry of an array held under a key named `departments` or `…Departments`, with where it was found. */
function departmentListEntries(value: unknown, path: string, seen = new Set<unknown>()): { path: string; code: unknown }[] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return [];
  seen.add(value);
  return Object.entries(value).flatMap(([key, inner]) => {
    const here = `${path}.${key}`;
    const named = /^departments$|Departments$/.test(key) && Array.isArray(inner) ? inner.map((code) => ({ path: here, code })) : [];
    return [...named, ...departmentListEntries(inner, here, seen)];
  });
}

describe('department codes in the catalogue and the policy', () => {
  it('are refused by tsc when misspelt, in a matter and in a standing grant', () => {
    const misspeltGrant: StandingGrant = {
      who: 'culture and tourism officers',
      // @ts-expect-error: CULTURE_TORUISM is no catalogue department, as a typo of a new one would not be
      departments: ['CULTURE_TORUISM'],
      groups: [],
    };
    const misspeltUsers: Matter['users'] = {
      organisationKinds: ['DEPARTMENT'],
      roles: ['DEPARTMENT_OFFICER'],
      // @ts-expect-error: the same, among a matter's responsible departments
      departments: ['MARKET_REGULATION', 'CULTURE_TOURSIM'],
    };
    expect([misspeltGrant.departments, misspeltUsers.departments]).toHaveLength(2);
  });

  it('are each a department of the catalogue, wherever a list of departments names one', () => {
    const known = new Set<unknown>(departments.map((d) => d.code));
    const entries = departmentListEntries(catalogueModules, 'lib');
    // The walk reaches the lists it is meant to check: a matter's, a grant's, a record category's, the supervisors'.
    expect(entries.map((e) => e.path)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^lib\.matterCatalogue\.matters\.\d+\.users\.departments$/),
        expect.stringMatching(/^lib\.policy\.standingGrants\.\d+\.departments$/),
        expect.stringMatching(/^lib\.recordCategories\.recordCategories\.\d+\.sourceDepartments$/),
        'lib.matterCatalogue.supervisingDepartments',
      ]),
    );
    expect(entries.filter((e) => !known.has(e.code))).toEqual([]);
  });

  it('are catalogued once each', () => {
    const codes = departments.map((d) => d.code);
    expect(codes.filter((code, i) => codes.indexOf(code) !== i)).toEqual([]);
  });
});
