import type { Caller } from '../../lib/access/identity';
import { demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { usePlatform, type As } from '../helpers/platform';
import { requestIdOf } from '../helpers/graphql';

/**
 * The credit office's assessment statistics (`departmentHandlingStatistics`,
 * `creditCheckStatistics`) are read in its supervision only, and their field group says so: the
 * gateway refuses exactly whom the records subgraph would, so that the `@grant` group, docs/access.md
 * and the explorer's "Field group" line promise no caller a field that is then refused.
 */
const world = demoWorld({ subjects: 8 });

const department = (organisation: string, role: Caller['role']): Caller => ({ id: `${role.toLowerCase()}-${organisation.toLowerCase()}`, organisation, organisationKind: 'DEPARTMENT', role });
const supervision = { 'x-credit-matter': 'CREDIT_SUPERVISION' };

const STATISTICS = /* GraphQL */ `
  query Assessment {
    departmentHandlingStatistics(from: "2026-01-01", to: "2026-01-02") { department { code } }
    creditCheckStatistics(from: "2026-01-01T00:00:00+08:00", to: "2026-01-02T00:00:00+08:00") { matter checks }
  }
`;
const fields = ['departmentHandlingStatistics', 'creditCheckStatistics'] as const;

describe.each(testDatabases)('the assessment statistics’ field group on $label', (database) => {
  const platform = usePlatform(database, 'supstats', { seedSubjects: world.subjects.length });

  async function ask(as: As) {
    const result = await platform.query<Record<(typeof fields)[number], unknown[] | null>>(STATISTICS, {}, as);
    const requestId = requestIdOf(result);
    const entries: { outcome: string; subject_id: string | null; field_groups: string }[] = await platform.databases.audit.query(
      'SELECT outcome, subject_id, field_groups FROM audit_entry WHERE request_id = ? ORDER BY sequence',
      [requestId],
    );
    return { result, entries };
  }

  it.each([
    ['the credit office', department('CREDIT_OFFICE', 'CREDIT_OFFICE_SUPERVISOR')],
    ['the administrative approval bureau, a supervising department', department('ADMINISTRATIVE_APPROVAL', 'CREDIT_OFFICE_SUPERVISOR')],
  ])('answers %s under CREDIT_SUPERVISION', async (_, caller) => {
    const { result } = await ask({ caller, headers: supervision });
    expect(result.errors).toBeUndefined();
    for (const field of fields) expect(result.data?.[field]).toEqual(expect.any(Array));
  });

  // Before, an analyst held STATISTICS and an officer CREDIT_CHECK_LEDGER: the gateway let the
  // fields through, and the records subgraph refused them (NOT_ENTITLED). `header` only where
  // naming a matter would open the fields (the credit office's): before, a front end could not tell
  // that refusal from the analyst's by the extensions. The same advice whether or not the request
  // named a matter: before, a caller under one was told the group only.
  const noMatterGrants = (caller: Caller) => `, which no matter grants to ${caller.role} callers of ${caller.organisation}`;
  const analyst = department('DEVELOPMENT_REFORM', 'ANALYST');
  const officer = department('FINANCE', 'DEPARTMENT_OFFICER');
  it.each([
    ['an analyst under STATISTICAL_ANALYSIS', { caller: analyst, headers: { 'x-credit-matter': 'STATISTICAL_ANALYSIS' } }, noMatterGrants(analyst), {}],
    ['a department officer in a case', { caller: officer, headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'CG-2026-1' } }, noMatterGrants(officer), {}],
    ['an analyst without a purpose', { caller: analyst }, noMatterGrants(analyst), {}],
    ['a department officer without a purpose', { caller: officer }, noMatterGrants(officer), {}],
    [
      'the credit office without a purpose',
      { caller: department('CREDIT_OFFICE', 'CREDIT_OFFICE_SUPERVISOR') },
      ': name the matter in the x-credit-matter header (CREDIT_SUPERVISION)',
      { header: 'x-credit-matter' },
    ],
  ])('refuses %s at the gateway, by the group, before the records subgraph is asked', async (_, as, advice, header) => {
    const { result, entries } = await ask(as as As);
    expect(result.data).toEqual({ departmentHandlingStatistics: null, creditCheckStatistics: null });
    expect(result.errors?.map((e) => ({ path: e.path, message: e.message, extensions: e.extensions }))).toEqual(
      fields.map((field) => ({
        path: [field],
        message: `Query.${field} needs the field group SUPERVISION_STATISTICS${advice}`,
        // No serviceName: the gateway refused it, as the subgraph would have.
        extensions: { code: 'FORBIDDEN', group: 'SUPERVISION_STATISTICS', field: `Query.${field}`, problem: 'GROUP_NOT_GRANTED', ...header },
      })),
    );
    expect(entries).toEqual([{ outcome: 'DENIED', subject_id: null, field_groups: 'SUPERVISION_STATISTICS' }]);
  });

  it('tells the group in the schema the gateway serves, as the explorer shows it', async () => {
    const result = await platform.query<{ __type: { fields: { name: string; description: string }[] } }>(`{ __type(name: "Query") { fields { name description } } }`, {}, {});
    for (const field of fields) {
      expect(result.data!.__type.fields.find((f) => f.name === field)!.description).toMatch(/Field group: `SUPERVISION_STATISTICS`/);
    }
  });
});
