import { buildSchema, graphql } from 'graphql';
import type { Caller } from '../../lib/access/identity';
import { foldTypedIds } from '../../subgraphs/shared/typed-ids';
import { demoCallers } from '../../scripts/demo/callers';
import { demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { consentedBank as bank, supervisor, usePlatform, type As } from '../helpers/platform';
import { requestIdOf } from '../helpers/graphql';

/**
 * Ids are UUIDs the platform writes in lower case; a client's system may print one in upper case
 * (a SQL Server uniqueidentifier), an input method in full width. Typed so, an id is that id: it
 * was no subject, and a refusal of it was audited under an id that is no subject's, missing from
 * the trail of the subject it named.
 */
const world = demoWorld({ subjects: 8 });
const enterprises = world.subjects.filter((s) => s.kind === 'ENTERPRISE');
const consented = world.subjects[0];
const other = enterprises.find((s) => s.id !== consented.id)!;
const fullWidth = (text: string) => text.replace(/[0-9a-z-]/gi, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

const finance: Caller = { id: 'officer-finance', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };
const procurement: As = { caller: finance, headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'CG-TYPED-IDS' } };
const windowOfficer: As = { caller: demoCallers(world).find((c) => c.label.startsWith('Credit office window officer'))!.caller };

describe.each(testDatabases)('ids typed in upper case or full width, through the gateway, on $label', (database) => {
  const platform = usePlatform(database, 'typedids', { seedSubjects: world.subjects.length });

  it.each([
    ['in upper case', other.id.toUpperCase()],
    ['in full width', fullWidth(other.id)],
    ['with spaces around', ` ${other.id.toUpperCase()} `],
  ])('reads the subject named %s', async (_how, typed) => {
    const result = await platform.query<{ subject: { id: string; name: string } }>('query ($id: ID!) { subject(id: $id) { id name } }', { id: typed }, supervisor);
    expect(result.errors).toBeUndefined();
    expect(result.data?.subject).toEqual({ id: other.id, name: other.name });
  });

  it("audits a refused read of another subject, named in upper case, in that subject's trail", async () => {
    const result = await platform.query('query ($id: ID!) { subject(id: $id) { name } }', { id: other.id.toUpperCase() }, bank);
    const requestId = requestIdOf(result);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', problem: 'OUTSIDE_SUBJECT_SCOPE' });
    const entries = await platform.databases.audit.query('SELECT subject_id, outcome FROM audit_entry WHERE request_id = ?', [requestId]);
    expect(entries.map((e: { subject_id: string; outcome: string }) => [e.subject_id, e.outcome])).toEqual([[other.id, 'DENIED']]);
  });

  it.each([
    ['in upper case', other.id.toUpperCase()],
    ['in full width', fullWidth(other.id)],
  ])("audits a refusal the gateway makes itself, of a subject named %s, in that subject's trail", async (_how, typed) => {
    // The window reads no subject's basics: the gateway cuts the field before any subgraph sees it.
    const result = await platform.query('query ($id: ID!) { subject(id: $id) { name } }', { id: typed }, windowOfficer);
    const requestId = requestIdOf(result);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', problem: 'GROUP_NOT_GRANTED' });
    const entries = await platform.databases.audit.query('SELECT subject_id, outcome FROM audit_entry WHERE request_id = ?', [requestId]);
    expect(entries.map((e: { subject_id: string; outcome: string }) => [e.subject_id, e.outcome])).toEqual([[other.id, 'DENIED']]);
  });

  it('runs a check of a subject whose id in the input is in upper case, stored under the id', async () => {
    const result = await platform.query<{ runCreditCheck: { subject: { id: string } } }>(
      'mutation ($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { subject { id } } }',
      { input: { subjectId: enterprises[0].id.toUpperCase(), matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'CG-TYPED-IDS' } },
      procurement,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.runCreditCheck.subject.id).toBe(enterprises[0].id);
  });
});

describe('foldTypedIds', () => {
  const schema = buildSchema(`
    input Filter { ids: [ID!], label: String, nested: Filter }
    type Query { echo(id: ID, filter: Filter, text: String): String }
  `);
  schema.getQueryType()!.getFields().echo.resolve = (_: unknown, args: unknown) => JSON.stringify(args);
  const folded = foldTypedIds(schema);

  it('folds every ID at any depth of the arguments, and nothing else', async () => {
    const id = 'C437CA86-67CF-4B11-A9B5-7225232EE487';
    const result = await graphql({
      schema: folded,
      source: 'query ($filter: Filter) { echo(id: "ＡＢＣ", filter: $filter, text: "C437CA86-67CF-4B11-A9B5-7225232EE487") }',
      variableValues: { filter: { ids: [id, 'not-a-uuid'], label: id, nested: { ids: [` ${id} `] } } },
    });
    expect(result.errors).toBeUndefined();
    expect(JSON.parse(result.data!.echo as string)).toEqual({
      id: 'ＡＢＣ',
      filter: { ids: [id.toLowerCase(), 'not-a-uuid'], label: id, nested: { ids: [id.toLowerCase()] } },
      text: id,
    });
  });

  it('reads an optional ID left blank as none, and leaves a blank one that is required to be refused', async () => {
    const result = await graphql({ schema: folded, source: 'query ($filter: Filter) { echo(id: " ", filter: $filter, text: "") }', variableValues: { filter: { ids: [''], nested: { ids: [] } } } });
    expect(result.errors).toBeUndefined();
    expect(JSON.parse(result.data!.echo as string)).toEqual({ id: null, filter: { ids: [''], nested: { ids: [] } }, text: '' });
  });
});
