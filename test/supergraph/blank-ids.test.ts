import { buildSchema, getVariableValues, parse, type GraphQLError, type OperationDefinitionNode } from 'graphql';
import { blankRequiredId } from '../../gateway/request-checks';
import type { Caller } from '../../lib/access/identity';
import { todayInDistrict, addDays } from '../../lib/calendar';
import { subgraphNames } from '../../schema/subgraphs';
import { demoCallers } from '../../scripts/demo/callers';
import { demoBankOrganisation, demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { consentedBank as bank, supervisor, usePlatform, type As } from '../helpers/platform';
import { requestIdOf } from '../helpers/graphql';

/**
 * A blank `ID!` (empty or only spaces) is a front end's form bug: the gateway refuses it before
 * anything runs, as BAD_USER_INPUT naming the place a form names (README, Errors), where a
 * subgraph answered it as an unknown id (null, NOT_FOUND, or FORBIDDEN under a consent's scope).
 */
const world = demoWorld({ subjects: 8 });
const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;

const finance: Caller = { id: 'officer-finance', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };
const procurement: As = { caller: finance, headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'CG-BLANK-A' } };
const windowOfficer: As = { caller: demoCallers(world).find((c) => c.label.startsWith('Credit office window officer'))!.caller };

const GENERATE = /* GraphQL */ `mutation ($id: ID!) { generateCreditReport(subjectId: $id) { id } }`;
const REVOKE = /* GraphQL */ `mutation ($id: ID!) { revokeConsent(id: $id, reason: "本人到窗口撤销授权") { id } }`;
const RECORD = /* GraphQL */ `query ($id: ID!) { creditRecord(id: $id) { id } }`;
const SUBJECT = /* GraphQL */ `query ($id: ID!) { subject(id: $id) { name } }`;
const CHECK = /* GraphQL */ `mutation ($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { id } }`;

describe.each(testDatabases)('blank ids through the gateway on $label', (database) => {
  const platform = usePlatform(database, 'blankids', { seedSubjects: world.subjects.length });

  /** How many SQL statements a request sends to the subgraphs' databases, audit's included. */
  async function statementsOf(request: () => Promise<unknown>): Promise<number> {
    for (const name of subgraphNames) platform.sql[name].reset();
    await request();
    return subgraphNames.reduce((count, name) => count + platform.sql[name].statements.length, 0);
  }

  /**
   * Sends the request, and tells what it answered, what it ran (the statements it sent beyond
   * those of deciding its purpose, which a request selecting nothing under it sends too) and how
   * many audit entries it caused.
   */
  async function send(query: string, variables: Record<string, unknown>, as: As) {
    const purpose = await statementsOf(() => platform.query('{ __typename }', {}, as));
    let result: Awaited<ReturnType<typeof platform.query>> | undefined;
    const statements = await statementsOf(async () => (result = await platform.query(query, variables, as)));
    const [{ n: audited }] = await platform.databases.audit.query('SELECT COUNT(*) AS n FROM audit_entry WHERE request_id = ?', [requestIdOf(result!)]);
    return { status: result!.status, data: result!.data, errors: (result!.errors ?? []).map((e) => e.extensions), ran: statements - purpose, audited: Number(audited) };
  }

  const refused = (field: string, inputPath?: string) => ({
    status: 400,
    data: undefined,
    errors: [{ code: 'BAD_USER_INPUT', field, ...(inputPath ? { inputPath } : {}) }],
    // Nothing ran: no subgraph read or wrote, and nothing was audited.
    ran: 0,
    audited: 0,
  });

  it.each([
    ['generateCreditReport(subjectId:) as a literal', `mutation { generateCreditReport(subjectId: "") { id } }`, procurement, 'subjectId'],
    ['revokeConsent(id:) as a literal of spaces', `mutation { revokeConsent(id: "   ", reason: "本人到窗口撤销授权") { id } }`, windowOfficer, 'id'],
    ['creditRecord(id:) as a literal, in a fragment', `query { ...R } fragment R on Query { creditRecord(id: "") { id } }`, supervisor, 'id'],
    ['a field of a mutation’s input literal', `mutation { runCreditCheck(input: { subjectId: "\\u3000", matter: "GOVERNMENT_PROCUREMENT", caseNumber: "CG-BLANK-A" }) { id } }`, procurement, 'subjectId'],
    ['subject(id:) under a consent, which was FORBIDDEN as outside its scope', `{ subject(id: "") { name } }`, bank, 'id'],
  ])('refuses %s before anything runs, naming it as a form does', async (_label, query, as, field) => {
    expect(await send(query, {}, as)).toEqual(refused(field));
  });

  it.each([
    ['generateCreditReport', GENERATE, procurement],
    ['revokeConsent', REVOKE, windowOfficer],
    ['creditRecord', RECORD, supervisor],
    ['subject under a consent', SUBJECT, bank],
  ])('refuses a blank variable given to %s, naming the variable', async (_label, query, as) => {
    expect(await send(query, { id: ' ' }, as)).toEqual(refused('$id'));
  });

  it('names the place inside an input variable, and a variable inside an input literal', async () => {
    const input = { subjectId: '', matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'CG-BLANK-A' };
    expect(await send(CHECK, { input }, procurement)).toEqual(refused('$input', 'subjectId'));
    const inLiteral = `mutation ($s: ID!) { runCreditCheck(input: { subjectId: $s, matter: "GOVERNMENT_PROCUREMENT", caseNumber: "CG-BLANK-A" }) { id } }`;
    expect(await send(inLiteral, { s: '\t' }, procurement)).toEqual(refused('$s'));
  });

  it('answers an id that is not blank but names nothing as before: null, NOT_FOUND, FORBIDDEN under a consent', async () => {
    const unknown = 'no-such-object';
    const generated = await send(GENERATE, { id: unknown }, procurement);
    expect([generated.status, generated.data, generated.errors]).toEqual([200, { generateCreditReport: null }, [expect.objectContaining({ code: 'NOT_FOUND', field: 'subjectId' })]]);
    const revoked = await send(REVOKE, { id: unknown }, windowOfficer);
    expect([revoked.status, revoked.data, revoked.errors]).toEqual([200, { revokeConsent: null }, [expect.objectContaining({ code: 'NOT_FOUND', field: 'id' })]]);
    const record = await send(RECORD, { id: unknown }, supervisor);
    expect([record.status, record.data, record.errors]).toEqual([200, { creditRecord: null }, []]);
    const outside = await send(SUBJECT, { id: unknown }, bank);
    expect([outside.status, outside.data, outside.errors]).toEqual([200, { subject: null }, [expect.objectContaining({ code: 'FORBIDDEN', problem: 'OUTSIDE_SUBJECT_SCOPE' })]]);
    // A real id still reads.
    expect((await send(SUBJECT, { id: enterprise.id }, supervisor)).data).toEqual({ subject: { name: enterprise.name } });
  });

  it('leaves an optional ID left blank, or null, to the subgraph, which reads blank as none (README, Errors)', async () => {
    const terms = { granteeOrganisation: demoBankOrganisation, granteeKind: 'FINANCIAL_INSTITUTION', purpose: 'FINANCIAL_SERVICES', validUntil: addDays(todayInDistrict(), 30) };
    const grant = /* GraphQL */ `mutation ($input: GrantConsentInput!) { grantConsent(input: $input) { status subject { id } } }`;
    for (const subjectId of ['', '  ', null]) {
      const result = await send(grant, { input: { ...terms, subjectId, subjectCode: enterprise.identifier } }, windowOfficer);
      expect([subjectId, result.status, result.data, result.errors]).toEqual([subjectId, 200, { grantConsent: { status: 'ACTIVE', subject: { id: enterprise.id } } }, []]);
    }
  });

  // A department list whose "all" is "": each answered as if the ID were left out, and a caller
  // reads no more by it than by leaving it out, as each field's grants bound both.
  it.each([
    ['creditChecks(department:)', (d: string) => `{ creditChecks${d ? `(department: ${d})` : ''} { totalCount } }`],
    ['creditRecordObjections(sourceDepartment:)', (d: string) => `{ creditRecordObjections${d ? `(sourceDepartment: ${d})` : ''} { totalCount } }`],
    ['creditRecords(filter: { sourceDepartment })', (d: string) => `{ subject(id: "${enterprise.id}") { creditRecords${d ? `(filter: { sourceDepartment: ${d} })` : ''} { totalCount } } }`],
    ['creditRecordStatistics(sourceDepartment:)', (d: string) => `{ creditRecordStatistics(from: "2020-01-01", to: "2030-01-01"${d ? `, sourceDepartment: ${d}` : ''}) { rows { sourceDepartment { code } records } } }`],
    ['auditEntriesByOrganisation(organisationOf:)', (d: string) => `{ auditEntriesByOrganisation(organisation: "FINANCE"${d ? `, organisationOf: ${d}` : ''}, first: 5) { totalCount edges { node { id } } } }`],
  ])('reads an optional ID left blank in %s as left out, literal or variable', async (_label, query) => {
    const leftOut = await platform.query(query(''), {}, supervisor);
    expect(leftOut.errors).toBeUndefined();
    for (const blank of ['""', '"  "', '"\\u3000"']) expect(await platform.query(query(blank), {}, supervisor)).toEqual(leftOut);
    expect(await platform.query(`query ($d: ID) ${query('$d')}`, { d: ' ' }, supervisor)).toEqual(leftOut);
  });

  it('still refuses an unknown department, and a blank organisationOf alone names no organisation', async () => {
    const unknown = await send(`{ creditChecks(department: "NOWHERE") { totalCount } }`, {}, supervisor);
    expect([unknown.status, unknown.errors]).toEqual([200, [expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'department', serviceName: 'records' })]]);
    const alone = await send(`{ auditEntriesByOrganisation(organisationOf: "") { totalCount } }`, {}, supervisor);
    expect(alone.errors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'organisation', serviceName: 'audit' })]);
  });
});

describe('blankRequiredId', () => {
  // Lists of IDs and IDs deep in inputs, which the platform's schema does not have (yet).
  const schema = buildSchema(/* GraphQL */ `
    type Query {
      items(ids: [ID!]!): Int
      find(filter: Filter!): Int
      maybe(id: ID, ids: [ID]): Int
      nested(id: ID!): Item
    }
    type Item { part(id: ID!): Int }
    input Filter { owner: ID!, parts: [Part!] }
    input Part { id: ID!, label: String }
  `);

  /** The field and input path of the refusal, or null when the operation passes. */
  function refusal(source: string, variables: Record<string, unknown> = {}) {
    const document = parse(source);
    const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
    if (coerced.errors) throw coerced.errors[0];
    const error: GraphQLError | undefined = blankRequiredId(schema, document, operation, coerced.coerced);
    return error ? [error.extensions.field, error.extensions.inputPath, error.extensions.http] : null;
  }

  it.each([
    ['a list item literal', '{ items(ids: ["a", " "]) }', {}, ['ids[1]', undefined]],
    ['a single literal for a list, its item 0', '{ items(ids: "") }', {}, ['ids[0]', undefined]],
    ['a list item in a variable', 'query ($ids: [ID!]!) { items(ids: $ids) }', { ids: ['a', ''] }, ['$ids', '[1]']],
    ['a list variable given one blank value', 'query ($ids: [ID!]!) { items(ids: $ids) }', { ids: '' }, ['$ids', '[0]']],
    ['a variable as a list item', 'query ($i: ID!) { items(ids: ["a", $i]) }', { i: '' }, ['$i', undefined]],
    ['an ID in a list inside an input literal', '{ find(filter: { owner: "o", parts: [{ id: "p" }, { id: "" }] }) }', {}, ['filter.parts[1].id', undefined]],
    ['an ID in a list inside an input variable', 'query ($f: Filter!) { find(filter: $f) }', { f: { owner: 'o', parts: [{ id: ' ' }] } }, ['$f', 'parts[0].id']],
    ['an input object variable inside a literal list', 'query ($p: Part!) { find(filter: { owner: "o", parts: [$p] }) }', { p: { id: '' } }, ['$p', 'id']],
    ['an argument of a nested field', '{ nested(id: "n") { part(id: "") } }', {}, ['id', undefined]],
    ['a variable default', 'query ($id: ID! = "") { nested(id: $id) { part(id: "p") } }', {}, ['$id', undefined]],
    ['a field @include keeps', 'query ($on: Boolean!) { items(ids: [""]) @include(if: $on) }', { on: true }, ['ids[0]', undefined]],
    ['a field @skip keeps', '{ items(ids: [""]) @skip(if: false) }', {}, ['ids[0]', undefined]],
  ])('refuses %s', (_label, source, variables, [field, inputPath]) => {
    expect(refusal(source, variables)).toEqual([field, inputPath, { status: 400 }]);
  });

  it.each([
    ['ids that are not blank', '{ items(ids: ["a", 1]) find(filter: { owner: "o", parts: [{ id: "p" }] }) }', {}],
    ['an optional ID or list item left blank, or null', '{ maybe(id: "", ids: ["", null, " "]) }', {}],
    ['an optional ID variable left blank, or null', 'query ($a: ID, $b: ID) { maybe(id: $a) other: maybe(id: $b) }', { a: '', b: null }],
    ['a required ID variable given to an optional ID', 'query ($a: ID!) { maybe(id: $a) }', { a: '' }],
    ['a blank ID in a field @skip leaves out', '{ items(ids: [""]) @skip(if: true) find(filter: { owner: "o" }) }', {}],
    ['a blank ID in a field @include leaves out by a variable', 'query ($on: Boolean!) { nested(id: "") @include(if: $on) { part(id: "p") } }', { on: false }],
    ['a blank ID in an inline fragment left out', 'query ($off: Boolean!) { ... @skip(if: $off) { items(ids: [""]) } }', { off: true }],
    ['a blank ID in a fragment whose spread is left out', '{ ...Blank @include(if: false) } fragment Blank on Query { items(ids: [""]) }', {}],
  ])('lets through %s', (_label, source, variables) => {
    expect(refusal(source, variables)).toBeNull();
  });
});
