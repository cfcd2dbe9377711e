import { demoVerdicts } from '../../scripts/demo/verdicts';
import { demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { usePlatform } from '../helpers/platform';

const world = demoWorld({ subjects: 12 });

describe.each(testDatabases)('the demo world on $label', (database) => {
  const platform = usePlatform(database, 'demo_verdicts', { seedSubjects: world.subjects.length });

  it('lands in every verdict, as the README says', () => {
    expect(new Set(demoVerdicts.map((d) => d.verdict)).size).toBe(5);
  });

  it.each(demoVerdicts.map((d) => [d.subjectIndex, d.matter, d.verdict, d] as const))('subject %i checked for %s is %s', async (_index, matter, verdict, demo) => {
    const caseNumber = `DEMO-${demo.subjectIndex}`;
    const result = await platform.query<{ runCreditCheck: { verdict: string } }>(
      `mutation($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { verdict } }`,
      { input: { subjectId: world.subjects[demo.subjectIndex].id, matter, caseNumber } },
      { caller: { id: 'demo-officer', organisation: demo.department, organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' }, headers: { 'x-credit-matter': matter, 'x-credit-case': caseNumber } },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.runCreditCheck.verdict).toBe(verdict);
  });
});
