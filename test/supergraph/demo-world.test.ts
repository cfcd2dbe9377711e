import fs from 'node:fs';
import { Kind, parse, print } from 'graphql';
import path from 'node:path';
import { decideGrants } from '../../lib/access/policy';
import { projectRoot } from '../../lib/project-root';
import { demoCallers } from '../../scripts/demo/callers';
import { demoVerdicts } from '../../scripts/demo/verdicts';
import { demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { usePlatform } from '../helpers/platform';

const world = demoWorld({ subjects: 12 });
const readme = fs.readFileSync(path.join(projectRoot, 'README.md'), 'utf8');

/** The README's operation whose text holds `marker`, alone (a README block may hold two). */
function readmeOperation(marker: string): string {
  const block = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes(marker));
  if (!block) throw new Error(`no README example holds ${marker}`);
  const operations = parse(block).definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  return print(operations.find((d) => print(d).includes(marker))!);
}

describe.each(testDatabases)('the demo world on $label', (database) => {
  const platform = usePlatform(database, 'demo_verdicts', { seedSubjects: world.subjects.length });

  it('lands in every verdict, as the README says', () => {
    expect(new Set(demoVerdicts.map((d) => d.verdict)).size).toBe(5);
  });

  it('registers a subject as the README example does, with a printed demo token', async () => {
    const example = readmeOperation('registerSubject(');
    const registrar = demoCallers(world).find((c) => decideGrants(c.caller, null).groups.includes('SUBJECT_REGISTRATION'));
    expect(registrar).toBeDefined();
    const result = await platform.query<{ registerSubject: { id: string } }>(example!, {}, { caller: registrar!.caller, headers: registrar!.headers });
    expect(result.errors).toBeUndefined();
    expect(result.data?.registerSubject.id).toEqual(expect.any(String));
  });

  it('has a filing change awaiting decision, which the README examples list and approve with the registry admin\'s demo token', async () => {
    const admin = demoCallers(world).find((c) => c.caller.role === 'REGISTRY_ADMIN')!;
    const listed = await platform.query<{ creditServiceProviders: { edges: { node: { name: string; pendingFilingChange: { id: string; changes: unknown[] }; filingHistory: { id: string }[] } }[] } }>(
      readmeOperation('query ChangesToDecide'), {}, { caller: admin.caller, headers: admin.headers },
    );
    expect(listed.errors).toBeUndefined();
    const pending = listed.data!.creditServiceProviders.edges.map((e) => e.node);
    expect(pending.map((p) => [p.name, p.pendingFilingChange.changes])).toEqual([['渤海信用科技有限公司', [{ particular: 'CONTACT', before: world.providers[6].contact, after: '0335-4188600' }]]]);
    const decided = await platform.query<{ decideProviderFilingChange: { status: string } }>(
      readmeOperation('mutation DecideChange'), { changeId: pending[0].pendingFilingChange.id, lastStepId: pending[0].filingHistory.at(-1)!.id }, { caller: admin.caller, headers: admin.headers },
    );
    expect(decided.errors).toBeUndefined();
    expect(decided.data?.decideProviderFilingChange.status).toBe('APPROVED');
  });

  // As a newcomer runs it: with the printed token of a demo officer of the department.
  it.each(demoVerdicts.map((d) => [d.subjectIndex, d.matter, d.verdict, d] as const))('subject %i checked for %s is %s, by a demo caller', async (_index, matter, verdict, demo) => {
    const officer = demoCallers(world).find((c) => c.caller.organisation === demo.department && c.caller.role === 'DEPARTMENT_OFFICER');
    expect(officer).toBeDefined();
    const caseNumber = `DEMO-${demo.subjectIndex}`;
    const result = await platform.query<{ runCreditCheck: { verdict: string } }>(
      `mutation($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { verdict } }`,
      { input: { subjectId: world.subjects[demo.subjectIndex].id, matter, caseNumber } },
      { caller: officer!.caller, headers: { 'x-credit-matter': matter, 'x-credit-case': caseNumber } },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.runCreditCheck.verdict).toBe(verdict);
  });
});
