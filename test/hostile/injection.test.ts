import type { Caller } from '../../lib/access/identity';
import { unifiedSocialCreditCode } from '../../lib/identifiers';
import { hasInvisibleCharacters } from '../../lib/text';
import { demoCallers } from '../../scripts/demo/callers';
import { demoWorld } from '../../scripts/demo/world';
import { AuditEntry } from '../../subgraphs/audit/entities/audit-entry.entity';
import { changedTables, databaseChecksum } from '../helpers/database-checksum';
import { testDatabases } from '../helpers/databases';
import { supervisor, usePlatform, type As } from '../helpers/platform';
import { injectionPayloads } from './hostile-requests';
import { wellFormednessProblems, type RawAnswer } from './response-check';
import { rootOperations, servedSchema, withValueAt, type RootOperation } from './schema-operations';

/**
 * SQL injection through every String and ID argument the gateway serves, nested input fields
 * included, on SQLite and on MySQL/MariaDB: classic payloads get a typed error or an empty
 * result, queries change nothing, and text a mutation stores is stored as the exact literal.
 */
const world = demoWorld({ subjects: 12 });
const registrar: As = { caller: { id: 'inject-registrar', organisation: 'MARKET_REGULATION', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' } };
const byLabel = (prefix: string): As => {
  const found = demoCallers(world).find((c) => c.label.startsWith(prefix));
  if (!found) throw new Error(`no demo caller ${prefix}`);
  return { caller: found.caller, headers: found.headers };
};
/** Who tries each mutation: each of them is allowed some, so payloads get past access control into the repositories. */
const writers: As[] = [supervisor, registrar, byLabel('Provider registry admin'), byLabel('Finance bureau officer')];
/** The payloads most likely to break a statement, for mutations (each is tried by every writer). */
const mutationPayloads = ["' OR 1=1 --", '"; DROP TABLE subject; --', "%' UNION SELECT name, 1, 1 FROM sqlite_master --", '\\', "\\'", 'a\u0000b'];

/** "Nothing found": null, an empty list, an empty connection, a report that is not genuine. */
function isEmptyResult(value: unknown): boolean {
  if (value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  const object = value as { totalCount?: unknown; genuine?: unknown };
  return object.totalCount === 0 || object.genuine === false;
}

/** Whether some row of these tables holds exactly this text in some column. */
async function storedLiterally(tables: string[], databases: Record<string, import('typeorm').DataSource>, text: string): Promise<boolean> {
  for (const table of tables) {
    const [subgraph, tablePath] = table.split('.');
    const db = databases[subgraph];
    const rows: Record<string, unknown>[] = await db.query(`SELECT * FROM ${db.driver.escape(tablePath)}`);
    if (rows.some((row) => Object.values(row).some((value) => value === text || (typeof value === 'string' && value.includes(JSON.stringify(text).slice(1, -1)))))) return true;
  }
  return false;
}

describe.each(testDatabases)('SQL injection through every text argument on $label', (database) => {
  const platform = usePlatform(database, 'inject', { seedSubjects: world.subjects.length });
  let operations: RootOperation[];
  let internalNames: string[];
  let auditTables: string[];

  beforeAll(async () => {
    operations = rootOperations(await servedSchema(platform.gatewayUrl));
    auditTables = [platform.databases.audit.getMetadata(AuditEntry).tablePath];
    const tables = Object.values(platform.databases).flatMap((db) => db.entityMetadatas.map((m) => m.tablePath));
    internalNames = [...Object.values(platform.subgraphs).map((s) => new URL(s.url).host), ...tables.filter((t) => t.includes('_'))];
  });

  async function send(operation: RootOperation, variables: unknown, as: As): Promise<{ answer: RawAnswer; body: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] }; sent: string }> {
    const sent = JSON.stringify({ query: operation.text, variables });
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(as.caller ? { authorization: `Bearer ${await platform.token(as.caller as Caller)}` } : {}), ...as.headers };
    const response = await fetch(platform.gatewayUrl, { method: 'POST', headers, body: sent, signal: AbortSignal.timeout(30_000) });
    const answer = { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
    let body = {};
    try {
      body = JSON.parse(answer.text);
    } catch {
      // wellFormednessProblems reports it
    }
    return { answer, body, sent };
  }

  it('finds text arguments to attack in queries and mutations, nested input fields included', () => {
    const slots = operations.flatMap((o) => o.textSlots.map((s) => `${o.field}.${s.join('.')}`));
    expect(slots).toEqual(expect.arrayContaining(['searchSubjects.name', 'subjectByCode.code', 'searchSubjects.after', 'registerSubject.input.name', 'submitCreditRecord.input.documentNumber', 'applyForProviderFiling.input.businessScope']));
  });

  it('answers each payload in each String and ID argument of each query with a typed error or an empty result, and changes no table', async () => {
    const failures: string[] = [];
    let attempts = 0;
    for (const operation of operations.filter((o) => o.root === 'query')) {
      const before = await databaseChecksum(platform.databases, auditTables);
      for (const slot of operation.textSlots) {
        for (const payload of injectionPayloads) {
          attempts++;
          const { answer, body, sent } = await send(operation, withValueAt(operation.variables, slot, payload), supervisor);
          const where = `${operation.field}(${slot.join('.')} = ${JSON.stringify(payload)})`;
          failures.push(...wellFormednessProblems(answer, sent, internalNames).map((p) => `${where}: ${p}`));
          const value = body.data?.[operation.field];
          if (value !== undefined && !isEmptyResult(value)) failures.push(`${where}: answered ${JSON.stringify(value).slice(0, 200)}`);
        }
      }
      const changed = changedTables(before, await databaseChecksum(platform.databases, auditTables));
      if (changed.length) failures.push(`${operation.field} changed ${changed.join(', ')}`);
    }
    expect(attempts).toBeGreaterThan(200);
    expect(failures).toEqual([]);
  });

  it('answers each payload in each text argument of each mutation with a typed error, and changes a table only to store the literal', async () => {
    const failures: string[] = [];
    for (const operation of operations.filter((o) => o.root === 'mutation')) {
      for (const slot of operation.textSlots) {
        const before = await databaseChecksum(platform.databases, auditTables);
        const carriedOut: string[] = [];
        for (const payload of mutationPayloads) {
          for (const writer of writers) {
            const { answer, body, sent } = await send(operation, withValueAt(operation.variables, slot, payload), writer);
            const where = `${operation.field}(${slot.join('.')} = ${JSON.stringify(payload)}) as ${writer.caller?.role}/${writer.caller?.organisation}`;
            failures.push(...wellFormednessProblems(answer, sent, internalNames).map((p) => `${where}: ${p}`));
            if (body.data?.[operation.field] !== null && body.data?.[operation.field] !== undefined) carriedOut.push(payload);
          }
        }
        const changed = changedTables(before, await databaseChecksum(platform.databases, auditTables));
        const where = `${operation.field}(${slot.join('.')})`;
        if (changed.length && !carriedOut.length) failures.push(`${where}: every payload was rejected, yet ${changed.join(', ')} changed`);
        // A batch answers with data even when it rejects its rows: what changed must hold one of the accepted payloads as sent.
        if (changed.length && carriedOut.length) {
          const found = await Promise.all(carriedOut.map((payload) => storedLiterally(changed, platform.databases, payload)));
          if (!found.some(Boolean)) failures.push(`${where}: ${changed.join(', ')} changed, but hold none of the accepted payloads as sent`);
        }
      }
    }
    expect(failures).toEqual([]);
    // Every text slot of every mutation, each payload as each writer, and a checksum of every table
    // per slot: about 30 s on MariaDB alone, twice that beside the rest of the suite on two cores.
  }, 180_000);

  describe('a name search', () => {
    const names = ['注入测试%甲', '注入测试_乙', '注入测试!丙', '注入测试\\丁', "注入测试'戊", '注入测试"; DROP TABLE subject; --'];
    const ids: string[] = [];
    beforeAll(async () => {
      for (const [i, name] of names.entries()) {
        const code = unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: `7700000${i}` });
        const result = await platform.query<{ registerSubject: { id: string } }>(
          'mutation ($input: RegisterSubjectInput!) { registerSubject(input: $input) { id } }',
          { input: { kind: 'ENTERPRISE', name, code, registrationDate: '2020-01-01' } },
          registrar,
        );
        if (!result.data?.registerSubject) throw new Error(`could not register ${name}: ${JSON.stringify(result.errors)}`);
        ids.push(result.data.registerSubject.id);
      }
    });

    it('stores every payload in a subject’s text fields exactly as sent, or refuses one a person could not read back (a NUL) with a typed error', async () => {
      for (const [i, payload] of mutationPayloads.entries()) {
        const code = unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: `7710000${i}` });
        const input = { kind: 'ENTERPRISE', name: `注入${payload}`, registeredAddress: `地址${payload}`, legalRepresentative: `代表${payload}`, code, registrationDate: '2020-01-01' };
        const registered = await platform.query<{ registerSubject: { id: string } | null }>('mutation ($input: RegisterSubjectInput!) { registerSubject(input: $input) { id } }', { input }, registrar);
        if (hasInvisibleCharacters(payload)) {
          expect([payload, registered.errors?.map((e) => [e.extensions?.code, e.extensions?.field])]).toEqual([payload, [['BAD_USER_INPUT', 'name']]]);
          continue;
        }
        expect([payload, registered.errors]).toEqual([payload, undefined]);
        const read = await platform.query<{ subject: Record<string, string> }>('query ($id: ID!) { subject(id: $id) { name registeredAddress legalRepresentative } }', { id: registered.data!.registerSubject!.id }, supervisor);
        expect(read.data?.subject).toEqual({ name: input.name, registeredAddress: input.registeredAddress, legalRepresentative: input.legalRepresentative });
      }
    });

    it('stores names with quotes, wildcards and backslashes as they were sent', async () => {
      for (const [i, id] of ids.entries()) {
        const result = await platform.query<{ subject: { name: string } }>('query ($id: ID!) { subject(id: $id) { name } }', { id }, supervisor);
        expect(result.data?.subject.name).toBe(names[i]);
      }
    });

    // A name is searched as read, its punctuation left out, LIKE's wildcards and escape among it:
    // as wildcards, 入%试 and 注_测 would have found every name here.
    it.each([
      ['%', '入%试', []],
      ['_', '注_测', []],
      ['the escape character !', '测试!丙', ['注入测试!丙']],
      ['a backslash', '测试\\丁', ['注入测试\\丁']],
      ['a quote', "测试'戊", ["注入测试'戊"]],
      ['an injected statement', '测试"; DROP TABLE subject; --', ['注入测试"; DROP TABLE subject; --']],
    ])('leaves out %s, no wildcard', async (_label, term, expected) => {
      const result = await platform.query<{ searchSubjects: { edges: { node: { name: string } }[] } }>(
        'query ($name: String!) { searchSubjects(name: $name, first: 100) { edges { node { name } } } }',
        { name: term },
        supervisor,
      );
      expect(result.errors).toBeUndefined();
      expect(result.data?.searchSubjects.edges.map((e) => e.node.name).sort()).toEqual([...expected].sort());
    });

    it.each([
      ['two wildcards', '%%'],
      ['a wildcard-only pattern', '__'],
    ])('refuses %s, which reads as no characters of a name', async (_label, term) => {
      const result = await platform.query('query ($name: String!) { searchSubjects(name: $name, first: 100) { edges { node { name } } } }', { name: term }, supervisor);
      expect(result.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['BAD_USER_INPUT', 'name']]);
    });

    it('finds all of them by their common prefix, so the searches above could have matched more', async () => {
      const result = await platform.query<{ searchSubjects: { totalCount: number } }>('{ searchSubjects(name: "注入测试", first: 1) { totalCount } }', {}, supervisor);
      expect(result.data?.searchSubjects.totalCount).toBe(names.length);
    });
  });
});
