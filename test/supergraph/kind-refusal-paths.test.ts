import type { Caller } from '../../lib/access/identity';
import { demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import type { GraphQLResponse } from '../helpers/graphql';
import { usePlatform, type As } from '../helpers/platform';
import { requestIdOf } from '../helpers/graphql';

/**
 * A purpose that covers organisations only (government procurement) reaches a natural person not
 * only by `subject(id:)`, which answers null with FORBIDDEN at ["subject"], but nested: the
 * subject of a check in the department's review ledger, of a record it submitted, of an objection
 * it filed. The ledger's line, the record and the objection stand (their `subject` is non-null and
 * keeps its id, which the line names); what is withheld is each field of the person asked for, and
 * each answers null with its FORBIDDEN at its own path, so that a front end mapping errors to
 * fields marks what was withheld and nothing else. The refusal is audited against the person, as
 * before. The person's check history (`creditChecks`) is the ledger's lines about it, and is
 * answered as they are.
 */
const world = demoWorld({ subjects: 40 });
const person = world.subjects.find((s) => s.kind === 'NATURAL_PERSON')!;
const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;

const finance: Caller = { id: 'officer-finance', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };
const procurement: As = { caller: finance, headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'BDH-CG-2026-0117' } };
// State asset transfer covers natural persons too: the finance bureau checks one there, and that line stays in its ledger.
const assetTransfer: As = { caller: finance, headers: { 'x-credit-matter': 'STATE_ASSET_TRANSFER', 'x-credit-case': 'BDH-ZC-2026-0003' } };
// Record intake and objections are the department's standing work, under no purpose.
const standing: As = { caller: finance };

type Path = (string | number)[];

/** Every path in `data` whose value is null. */
function nullPaths(value: unknown, path: Path = []): Path[] {
  if (value === null) return [path];
  if (typeof value !== 'object' || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((item, i) => nullPaths(item, [...path, i]));
  return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) => nullPaths(item, [...path, key]));
}

function at(data: unknown, path: Path): unknown {
  return path.reduce<unknown>((value, key) => (value === null || value === undefined ? undefined : (value as Record<string | number, unknown>)[key]), data);
}

const key = (path: Path | undefined) => JSON.stringify(path ?? null);

describe.each(testDatabases)('a subject of a kind the purpose does not cover, reached nested, on $label', (database) => {
  const platform = usePlatform(database, 'kindpaths', { seedSubjects: world.subjects.length });
  const ids: { personCheck: string; personObjection: string } = { personCheck: '', personObjection: '' };

  async function send(as: As, query: string, variables: Record<string, unknown> = {}) {
    const result = await platform.query(query, variables, as);
    const requestId = requestIdOf(result);
    const rows: { outcome: string; subject_id: string | null; field_groups: string }[] = await platform.databases.audit.query(
      'SELECT outcome, subject_id, field_groups FROM audit_entry WHERE request_id = ? ORDER BY sequence',
      [requestId],
    );
    return { result, audit: rows.map((r) => ({ outcome: r.outcome, subject: r.subject_id, groups: r.field_groups === '' ? [] : r.field_groups.split(',') })) };
  }

  async function setUp<T>(as: As, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const { result } = await send(as, query, variables);
    expect(result.errors).toBeUndefined();
    return result.data as T;
  }

  beforeAll(async () => {
    const run = `mutation($s: ID!) { runCreditCheck(input: { subjectId: $s, matter: "STATE_ASSET_TRANSFER", caseNumber: "BDH-ZC-2026-0003" }) { id } }`;
    ids.personCheck = (await setUp<{ runCreditCheck: { id: string } }>(assetTransfer, run, { s: person.id })).runCreditCheck.id;
    await setUp(assetTransfer, run, { s: enterprise.id });
    const submit = `mutation($input: SubmitCreditRecordInput!) { submitCreditRecord(input: $input) { record { id } } }`;
    const record = (subjectCode: string, documentNumber: string) => ({ subjectCode, category: 'ADMINISTRATIVE_PENALTY', polarity: 'NEGATIVE', severity: 'GENERAL', documentNumber, decisionDate: '2026-01-05', summary: '未按合同约定履行' });
    const personRecord = (await setUp<{ submitCreditRecord: { record: { id: string } } }>(standing, submit, { input: record(person.identifier, '北财罚〔2026〕1号') })).submitCreditRecord.record.id;
    const enterpriseRecord = (await setUp<{ submitCreditRecord: { record: { id: string } } }>(standing, submit, { input: record(enterprise.identifier, '北财罚〔2026〕2号') })).submitCreditRecord.record.id;
    const object = `mutation($r: ID!) { objectToCreditRecord(input: { recordId: $r, reason: "当事人称已履行" }) { id } }`;
    ids.personObjection = (await setUp<{ objectToCreditRecord: { id: string } }>(standing, object, { r: personRecord })).objectToCreditRecord.id;
    await setUp(standing, object, { r: enterpriseRecord });
  });

  const SUBJECT = `id name creditRecords(first: 1) { totalCount } creditReports(first: 1) { totalCount } creditChecks(first: 1) { totalCount }`;
  const ways: [string, string, () => Record<string, unknown>][] = [
    ['a credit check looked up by id', `query($id: ID!) { creditCheck(id: $id) { id subject { ${SUBJECT} } } }`, () => ({ id: ids.personCheck })],
    ["the department's review ledger, a person's line among an enterprise's", `{ creditChecks(first: 10) { edges { node { id subject { ${SUBJECT} } } } } }`, () => ({})],
    ['a record the department submitted', `{ submittedCreditRecord(documentNumber: "北财罚〔2026〕1号") { id subject { ${SUBJECT} } } }`, () => ({})],
    ['an objection looked up by id, and its record', `query($id: ID!) { creditRecordObjection(id: $id) { id subject { name } record { id subject { ${SUBJECT} } } } }`, () => ({ id: ids.personObjection })],
    ["the department's objections, a person's among an enterprise's", `{ creditRecordObjections { edges { node { id subject { id name } record { subject { name creditRecords(first: 1) { totalCount } } } } } } }`, () => ({})],
  ];

  it.each(ways)('puts each FORBIDDEN at the field withheld, and each field withheld has its own: %s', async (_label, query, variables) => {
    const { result, audit } = await send(procurement, query, variables());
    const errors: NonNullable<GraphQLResponse['errors']> = result.errors ?? [];
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.map((e) => e.extensions?.code)).toEqual(errors.map(() => 'FORBIDDEN'));
    // Every error at a field the answer holds as null (its parent present), none at a parent the answer holds.
    for (const error of errors) {
      const parent = at(result.data, error.path!.slice(0, -1));
      expect({ path: error.path, parent: typeof parent, has: parent !== null && typeof parent === 'object' && error.path!.at(-1)! in parent, value: at(result.data, error.path!) }).toEqual({
        path: error.path,
        parent: 'object',
        has: true,
        value: null,
      });
    }
    // Every null in the answer is a field withheld, with its error at exactly its path, once.
    expect(errors.map((e) => key(e.path)).sort()).toEqual(nullPaths(result.data).map(key).sort());
    // The lines themselves stand: the person is named by the id the line holds, its name is not read.
    expect(JSON.stringify(result.data)).not.toContain(person.name);
    // Audited against the person, as refused; nothing of it disclosed beyond the line that names it.
    const denied = audit.filter((e) => e.outcome === 'DENIED');
    // One entry, with every group asked beneath the person: as the subgraph's refusal at `…subject` was always audited.
    expect(denied).toEqual([{ outcome: 'DENIED', subject: person.id, groups: /creditReports/.test(query) ? ['PUBLIC_RECORDS', 'REPORTS', 'SUBJECT_BASICS'] : ['PUBLIC_RECORDS', 'SUBJECT_BASICS'] }]);
    const disclosedOfPerson = audit.filter((e) => e.outcome === 'DISCLOSED' && e.subject === person.id).flatMap((e) => e.groups);
    expect(['CREDIT_CHECK_LEDGER', 'PUBLIC_RECORDS', 'RECORD_OBJECTIONS', 'RECORD_SUBMISSION']).toEqual(expect.arrayContaining(disclosedOfPerson));
    expect(disclosedOfPerson).not.toContain('SUBJECT_BASICS');
  });

  it('withholds the fields of each person in a list, and answers the enterprise beside it in full', async () => {
    const { result } = await send(procurement, `{ creditChecks(first: 10) { edges { node { id subject { ${SUBJECT} } } } } }`);
    const subjects = (result.data as { creditChecks: { edges: { node: { subject: Record<string, unknown> } }[] } }).creditChecks.edges.map((e) => e.node.subject);
    // Its check history is the ledger's lines about it, which the list itself holds.
    const personLines = subjects.filter((s) => s.id === person.id).length;
    expect(subjects).toEqual(expect.arrayContaining([{ id: person.id, name: null, creditRecords: null, creditReports: null, creditChecks: { totalCount: personLines } }]));
    expect(subjects).toContainEqual({
      id: enterprise.id,
      name: enterprise.name,
      creditRecords: { totalCount: expect.any(Number) },
      creditReports: { totalCount: expect.any(Number) },
      creditChecks: { totalCount: expect.any(Number) },
    });
    const index = subjects.findIndex((s) => s.id === person.id);
    expect((result.errors ?? []).map((e) => [e.path, e.extensions?.code, e.message])).toEqual(
      ['name', 'creditRecords', 'creditReports'].map((field) => [
        ['creditChecks', 'edges', index, 'node', 'subject', field],
        'FORBIDDEN',
        'the purpose of this request does not cover subjects of kind NATURAL_PERSON',
      ]),
    );
  });

  it('audits the refusal against the person with every group asked beneath it, as before', async () => {
    const { audit } = await send(procurement, `query($id: ID!) { creditCheck(id: $id) { id subject { ${SUBJECT} } } }`, { id: ids.personCheck });
    expect(audit.filter((e) => e.outcome === 'DENIED')).toEqual([{ outcome: 'DENIED', subject: person.id, groups: ['PUBLIC_RECORDS', 'REPORTS', 'SUBJECT_BASICS'] }]);
  });

  // From a probe of the front end's contract: the history answered null, FORBIDDEN naming
  // Subject.kind, a field never asked (fetched for the kind check): with no purpose every
  // subject's, under one for organisations every person's.
  it.each([
    ['with no purpose', standing],
    ['under a purpose for organisations only', procurement],
  ])("answers each subject's check history beside the ledger's lines %s, with no error", async (_label, as) => {
    const { result, audit } = await send(as, `{ creditChecks(first: 10) { edges { node { subject { id creditChecks(first: 10) { totalCount edges { node { id } } } } } } } }`);
    expect(result.errors).toBeUndefined();
    type Line = { node: { subject: { id: string; creditChecks: { totalCount: number; edges: { node: { id: string } }[] } } } };
    const lines = (result.data as { creditChecks: { edges: Line[] } }).creditChecks.edges;
    expect(lines.map((l) => l.node.subject.id)).toEqual(expect.arrayContaining([person.id, enterprise.id]));
    for (const { node } of lines) expect(node.subject.creditChecks.totalCount).toBe(lines.filter((l) => l.node.subject.id === node.subject.id).length);
    expect(audit.filter((e) => e.outcome === 'DENIED')).toEqual([]);
  });

  it('still answers subject(id:) for the person null, with FORBIDDEN at ["subject"]', async () => {
    const { result, audit } = await send(procurement, `query($id: ID!) { subject(id: $id) { name creditRecords { totalCount } } }`, { id: person.id });
    expect(result.data).toEqual({ subject: null });
    expect(result.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['subject'], 'FORBIDDEN']]);
    expect(audit).toEqual([{ outcome: 'DENIED', subject: person.id, groups: ['PUBLIC_RECORDS', 'SUBJECT_BASICS'] }]);
  });
});
