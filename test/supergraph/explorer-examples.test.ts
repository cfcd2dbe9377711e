import fs from 'node:fs';
import { buildSchema, parse } from 'graphql';
import { exampleCallers, explorerExamples } from '../../gateway/explorer/examples';
import { supergraphPath } from '../../schema/subgraphs';
import { selectionsWithoutCacheKey } from '../helpers/cache-keys';
import { demoCallers } from '../../scripts/demo/callers';
import { demoWorld } from '../../scripts/demo/world';
import { demoConsentRows, demoConsents } from '../../scripts/demo/consents';
import { testDatabases } from '../helpers/databases';
import { usePlatform } from '../helpers/platform';

/**
 * The explorer's saved operations, as a newcomer opens them: each sent by the demo caller it is
 * meant for, under its purpose, against the seeded demo world, answers without an error. A window
 * an analyst may not count, or a field a role is refused, would greet them with one.
 */
const world = demoWorld({ subjects: 20 });
const callers = demoCallers(world);
const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
const consentingSubject = world.subjects[demoConsentRows(world).find((c) => c.id === demoConsents.providerCollection)!.subject];
const examples = explorerExamples({ subjectCode: enterprise.identifier, subjectId: enterprise.id, consentingSubjectId: consentingSubject.id, callers: exampleCallers(callers) });

// A front end copies them into an Apollo Client set up as README says: each must work there too.
it.each(examples.map((e) => [e.name, e] as const))('%s selects the key README gives a client cache, wherever it selects a type keyed other than by id', (_name, example) => {
  expect(selectionsWithoutCacheKey(buildSchema(fs.readFileSync(supergraphPath, 'utf8')), parse(example.query))).toEqual([]);
});

describe.each(testDatabases)('the explorer examples on $label', (database) => {
  const platform = usePlatform(database, 'examples', { seedSubjects: world.subjects.length });

  it.each(examples.map((e) => [e.name, e] as const))('%s answers its demo caller without an error', async (_name, example) => {
    const caller = callers.find((c) => c.label === example.demoCaller);
    expect(caller).toBeDefined();
    const { matter, caseNumber, consentId } = example.purpose;
    const headers: Record<string, string> = { ...(matter ? { 'x-credit-matter': matter } : {}), ...(caseNumber ? { 'x-credit-case': caseNumber } : {}), ...(consentId ? { 'x-credit-consent': consentId } : {}) };
    const result = await platform.query(example.query, example.variables, { caller: caller!.caller, headers });
    expect(result.errors).toBeUndefined();
    expect(result.data).toBeTruthy();
  });
});
