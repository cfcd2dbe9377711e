import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isLeafType,
  isListType,
  isObjectType,
  isRequiredArgument,
  parse,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { subgraphNames, readSdl, type SubgraphName } from '../../schema/subgraphs';
import { seeds } from '../../scripts/seed';
import { demoWorld } from '../../scripts/demo/world';
import { departments } from '../../lib/catalogue/departments';
import { AuditEntry } from '../../subgraphs/audit/entities/audit-entry.entity';
import { auditSubgraph } from '../../subgraphs/audit/subgraph';
import { entitiesSubgraph } from '../../subgraphs/entities/subgraph';
import { providersSubgraph } from '../../subgraphs/providers/subgraph';
import { CreditCheckRepository } from '../../subgraphs/records/credit-check.repository';
import { CreditCheck } from '../../subgraphs/records/entities/credit-check.entity';
import { CreditRecord } from '../../subgraphs/records/entities/credit-record.entity';
import type { ReportFindings } from '../../subgraphs/records/report-findings';
import { createRecordsSubgraph } from '../../subgraphs/records/subgraph';
import { SubjectDirectoryUnavailable, type SubjectDirectory } from '../../subgraphs/shared/subject-directory';
import { CreditReport } from '../../subgraphs/reports/entities/credit-report.entity';
import type { Peer } from '../../subgraphs/reports/peers';
import { createReportsSubgraph } from '../../subgraphs/reports/subgraph';
import { subgraphDefinitions } from '../../subgraphs/registry';
import { testDatabases } from '../helpers/databases';
import { useSubgraph, type TestSubgraph } from '../helpers/subgraph';

/**
 * No N+1, generated from the schema: for every field a subgraph serves on a type it resolves by
 * reference, and for every root field that pages a list, the subgraphs are sent as many SELECTs for
 * a batch of 12 as for a batch of 2. A field added tomorrow is covered without anyone listing it:
 * the fields are read from each subgraph's SDL, and a field the guard cannot select by itself (a
 * required argument) fails here until it is given a value (`argumentsFor`) or a reason not to be
 * selected (`notSelected`).
 *
 * What is selected: on an entity, every field this subgraph serves (its @external ones are another
 * subgraph's), each in its own query beside the key, so that a failure names its field; a field
 * returning objects, one level deeper their leaf fields; a connection, its leaf fields (totalCount)
 * and `edges { node { leaf fields } }`. A root list is paged with `first` 2 and 12, every field of
 * its items selected as an entity's are. Arguments that are all optional keep their defaults.
 *
 * The five subgraphs run together over one seeded demo world (the reports subgraph asks its peers
 * for what @requires and record states need), and every subgraph's SELECTs are counted: a field
 * that asks a peer once per parent shows up in the peer's count.
 */

/** The batch sizes compared; the large one as far as the seed allows. */
const small = 2;
const large = 12;

/** The demo world every subgraph is seeded with. */
const world = demoWorld({ subjects: 40 });

/**
 * THE table of arguments: for each field with a required argument (or a root list whose optional
 * arguments find too few items in the demo world), the arguments it is selected with, as GraphQL.
 */
const argumentsFor: Record<string, string> = {
  'CreditServiceProvider.standingOn': 'date: "2025-06-30"',
  // Every demo subject's name holds the district's.
  'Query.searchSubjects': 'name: "北戴河"',
  // The first subject has the most entries: its disclosures, its consents' and the supervision's reads.
  'Query.auditEntriesBySubject': `subjectId: "${world.subjects[0].id}"`,
  'Query.auditEntriesByOrganisation': 'organisation: "MARKET_REGULATION", organisationKind: DEPARTMENT',
  'Query.auditCases': 'from: "2020-01-01T00:00:00Z", to: "2030-01-01T00:00:00Z"',
};

/** THE skip list: field coordinate → why the guard does not select it. Each reason must hold. */
const notSelected: Record<string, string> = {
  'Query.creditRecordCategories': 'the catalogue in code (lib/catalogue), read from no database, with no `first` to vary',
  'Query.departments': 'the catalogue in code (lib/catalogue), read from no database, with no `first` to vary',
  'Query.matters': 'the catalogue in code (lib/catalogue), read from no database, with no `first` to vary',
  'Query.creditCheckStatistics': 'counts, one row per department and matter, from one grouped statement (CreditCheckRepository.statistics), with no `first` to vary',
  'Query.departmentHandlingStatistics': 'counts, one row per department, from four grouped statements (department-statistics.ts), with no `first` to vary',
  'Query.auditStatistics': 'counts, one row per organisation and matter, from grouped statements (AuditRepository.statistics), with no `first` to vary',
  'Query.consentsOfSubject': "one subject's consents, with no `first` to vary; a Consent's fields are those Subject.consents selects, for 2 subjects and 12",
  'Query.consentsGivenToCaller': "the demo's 6 consents (scripts/demo/consents.ts) are too few to page 12; a Consent's fields are those Subject.consents selects, for 2 subjects and 12",
};

/**
 * N+1s the guard found and nobody has fixed yet, by `subgraph Type.field`: their tests are expected
 * to fail (it.failing), so that the suite stays green while they are listed and turns red, saying
 * to strike the entry, the day one is fixed. Never a place for a new field: fix it instead.
 */
const knownNPlusOne: Record<string, string> = {};

/** The representations of an entity type the seeded world holds (ids that exist, every @requires field carried), in the order batches take them. */
type RepresentationSource = () => Promise<Record<string, unknown>[]>;

interface Served {
  subgraph: SubgraphName;
  schema: GraphQLSchema;
  /** Entity types this subgraph resolves by reference (a `__resolveReference` in its resolvers). */
  entities: GraphQLObjectType[];
  /** Root fields returning a list or a connection. */
  lists: GraphQLField<unknown, unknown>[];
}

const served: Served[] = subgraphNames.map((subgraph) => {
  const schema = buildSubgraphSchema({ typeDefs: parse(readSdl(subgraph)) });
  const resolvers = subgraphDefinitions[subgraph].resolvers as Record<string, Record<string, unknown>>;
  const entities = Object.keys(resolvers)
    .filter((type) => typeof resolvers[type]?.__resolveReference === 'function')
    .map((type) => schema.getType(type))
    .filter((type): type is GraphQLObjectType => isObjectType(type));
  const lists = Object.values(schema.getQueryType()!.getFields()).filter((f) => !f.name.startsWith('_') && (isListType(getNullableType(f.type)) || isConnection(getNamedType(f.type))));
  return { subgraph, schema, entities, lists };
});

function isConnection(type: GraphQLNamedType): type is GraphQLObjectType {
  if (!isObjectType(type)) return false;
  const edges = type.getFields().edges;
  const edge = edges && getNamedType(edges.type);
  return !!edge && isObjectType(edge) && 'node' in edge.getFields();
}

const directive = (field: GraphQLField<unknown, unknown>, name: string) => field.astNode?.directives?.find((d) => d.name.value === name);
/** The fields of `type` this subgraph serves: not those it takes from another (@external). */
const servedFields = (type: GraphQLObjectType) => Object.values(type.getFields()).filter((f) => !directive(f, 'external'));
const coordinate = (type: GraphQLNamedType, field: GraphQLField<unknown, unknown>) => `${type.name}.${field.name}`;

/** `name(arguments)` as the guard selects it: required arguments from `argumentsFor`, or refused saying what to do. */
function fieldCall(type: GraphQLNamedType, field: GraphQLField<unknown, unknown>, extra: string[] = []): string {
  const given = argumentsFor[coordinate(type, field)];
  const missing = field.args.filter((a) => isRequiredArgument(a) && !extra.some((e) => e.startsWith(`${a.name}:`)));
  if (missing.length > 0 && given === undefined) {
    throw new Error(
      `${coordinate(type, field)} has a required argument (${missing.map((a) => `${a.name}: ${String(a.type)}`).join(', ')}) the N+1 guard cannot choose: ` +
        `add a value for it to \`argumentsFor\` in test/subgraphs/statements-per-batch.test.ts, or a reason not to select the field to \`notSelected\``,
    );
  }
  const args = [...extra, ...(given ? [given] : [])];
  return args.length ? `${field.name}(${args.join(', ')})` : field.name;
}

/** The leaf fields of `type` (one level deeper than the field selected), or `__typename` where it has none. */
function leaves(type: GraphQLNamedType): string {
  if (isAbstractType(type)) return '__typename';
  if (!isObjectType(type)) return '';
  const fields = servedFields(type)
    .filter((f) => isLeafType(getNamedType(f.type)) && !(coordinate(type, f) in notSelected))
    .map((f) => fieldCall(type, f));
  return fields.length ? fields.join(' ') : '__typename';
}

/** A field of an entity or of a listed item: leaf as is, objects with their leaves, a connection its leaves and its nodes' leaves. */
function selection(type: GraphQLNamedType, field: GraphQLField<unknown, unknown>, extra: string[] = []): string {
  const call = fieldCall(type, field, extra);
  const returned = getNamedType(field.type);
  if (isLeafType(returned)) return call;
  if (isConnection(returned)) {
    const node = getNamedType((getNamedType(returned.getFields().edges.type) as GraphQLObjectType).getFields().node.type);
    const own = servedFields(returned).filter((f) => isLeafType(getNamedType(f.type)));
    return `${call} { ${own.map((f) => fieldCall(returned, f)).join(' ')} edges { node { ${leaves(node)} } } }`;
  }
  return `${call} { ${leaves(returned)} }`;
}

/** Every field of a listed item (a root list's node, or its element), as an entity's field is selected. */
function itemFields(type: GraphQLNamedType): string {
  if (!isObjectType(type)) return isAbstractType(type) ? '__typename' : '';
  return servedFields(type)
    .filter((f) => !(coordinate(type, f) in notSelected))
    .map((f) => selection(type, f))
    .join(' ');
}

/** The fields named by a field's @requires (their first level: what a representation must carry). */
function requiredByRepresentation(type: GraphQLObjectType): string[] {
  const names = new Set<string>();
  for (const field of servedFields(type)) {
    const requires = directive(field, 'requires');
    const fields = requires?.arguments?.find((a) => a.name.value === 'fields')?.value;
    if (fields?.kind !== 'StringValue') continue;
    const parsed = parse(`{ ${fields.value} }`).definitions[0];
    if (parsed.kind === 'OperationDefinition') for (const s of parsed.selectionSet.selections) if (s.kind === 'Field') names.add(s.name.value);
  }
  return [...names];
}

/** The SELECTs each subgraph was sent. */
type Counts = Record<SubgraphName, string[]>;

/**
 * `rows` with one that `reaches` first and another at the start of the large batch: a loader only
 * some parents need (a tax grade's standing, a report's noted verifications) is asked once by a
 * batch holding one and not at all by a batch holding none, which is no N+1.
 */
function reachingEveryLoader<T>(rows: T[], ...reaches: ((row: T) => boolean)[]): T[] {
  const front: T[] = [];
  const second: T[] = [];
  for (const reach of reaches) {
    const [a, b] = rows.filter((r) => reach(r) && !front.includes(r) && !second.includes(r));
    if (a) front.push(a);
    // The seed's only one is read in both batches (a read that writes nothing, as such a loader's).
    if (a) second.push(b ?? a);
  }
  const rest = rows.filter((r) => !front.includes(r) && !second.includes(r));
  // ...the rest in order, the small batch filled up first.
  return [...front, ...rest.slice(0, Math.max(0, small - front.length)), ...second, ...rest.slice(Math.max(0, small - front.length))];
}
const describeCounts = (counts: Counts) => subgraphNames.filter((n) => counts[n].length > 0).map((n) => `${n} ${counts[n].length}`).join(', ') || 'none';

/** A statement with its lists of parameters folded: `IN (?, ?, ?)` and `IN (?)` are one statement. */
const shape = (statement: string) => statement.replace(/\s+/g, ' ').replace(/(\?|\$\d+)(\s*,\s*(\?|\$\d+))+/g, '…');

/** The statements `many` sent more often than `few`: where the loop is. */
function repeated(few: string[], many: string[]): string[] {
  const times = (list: string[]) => list.reduce((m, s) => m.set(s, (m.get(s) ?? 0) + 1), new Map<string, number>());
  const before = times(few.map(shape));
  return [...times(many.map(shape))].filter(([s, n]) => n > (before.get(s) ?? 0)).map(([s, n]) => `${n}× ${s.slice(0, 200)}`);
}

/** The records subgraph here looks no subject up: a lookup fails as the entities subgraph unavailable would. */
const noSubjectLookUps: SubjectDirectory = {
  lookUp: async () => {
    throw new SubjectDirectoryUnavailable('statements per batch look no subject up');
  },
};

/** What the reports subgraph finds for every check (an accepted report graded A or better): a first reading seals the check. */
const reportFindings: ReportFindings = { forChecks: async (checks) => checks.map(() => ({ satisfied: true, goodGrade: true })) };

describe.each(testDatabases)('statements per batch on $label', (database) => {
  const urls: Partial<Record<Peer, string>> = {};
  const started: Record<SubgraphName, TestSubgraph> = {
    entities: useSubgraph(entitiesSubgraph, database, 'perbatch_entities'),
    records: useSubgraph(createRecordsSubgraph({ subjects: noSubjectLookUps, reports: reportFindings }), database, 'perbatch_records'),
    reports: useSubgraph(createReportsSubgraph({ url: (peer) => urls[peer] ?? 'http://127.0.0.1:9/graphql', timeoutMs: 5_000 }), database, 'perbatch_reports'),
    providers: useSubgraph(providersSubgraph, database, 'perbatch_providers'),
    audit: useSubgraph(auditSubgraph, database, 'perbatch_audit'),
  };

  beforeAll(async () => {
    for (const name of subgraphNames) await seeds[name](started[name].db(), world);
    urls.entities = started.entities.url();
    urls.records = started.records.url();
    urls.providers = started.providers.url();
    // The demo seeds no credit check: the ledger's entities are run here, one per subject.
    const checks = new CreditCheckRepository(started.records.db());
    for (const [i, subject] of world.subjects.slice(0, 2 * small + large).entries()) {
      await checks.run({ subjectId: subject.id, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: `BDH-CG-2026-${1000 + i}` }, { userId: 'officer-finance', department: 'FINANCE' }, new Date());
    }
  }, 120_000);

  const subjects = (ordered = world.subjects) => ordered.map((s) => ({ __typename: 'Subject', id: s.id, kind: s.kind }));
  const records = () => started.records.db().getRepository(CreditRecord).find({ order: { id: 'ASC' } });
  const reports = () => started.reports.db().getRepository(CreditReport).find({ order: { id: 'ASC' } });
  const checks = async () => started.records.db().getRepository(CreditCheck).find({ order: { id: 'ASC' } });
  const isTaxGrade = (r: CreditRecord) => r.category === 'TAX_CREDIT_GRADE';
  const isNoted = (r: CreditReport) => r.verificationNote !== null;
  /** THE table of representations, by `subgraph Type`: a new entity type fails until it has one. Every key exists in the seeded world. */
  const representationsOf: Record<string, RepresentationSource> = {
    'entities Subject': async () => subjects(),
    'records Subject': async () => {
      const graded = new Set((await records()).filter(isTaxGrade).map((r) => r.subjectId));
      return subjects(reachingEveryLoader(world.subjects, (s) => graded.has(s.id)));
    },
    'reports Subject': async () => {
      const noted = new Set((await reports()).filter(isNoted).map((r) => r.subjectId));
      return subjects(reachingEveryLoader(world.subjects, (s) => noted.has(s.id)));
    },
    'audit Subject': async () => world.subjects.map((s) => ({ __typename: 'Subject', id: s.id })),
    'providers CreditServiceProvider': async () => world.providers.map((p) => ({ __typename: 'CreditServiceProvider', id: p.id })),
    'reports CreditServiceProvider': async () => world.providers.map((p) => ({ __typename: 'CreditServiceProvider', id: p.id })),
    'records CreditRecord': async () => reachingEveryLoader(await records(), isTaxGrade).map((r) => ({ __typename: 'CreditRecord', id: r.id })),
    'records Department': async () => departments.map((d) => ({ __typename: 'Department', code: d.code })),
    // Unsealed (run here without the reports subgraph): a first reading seals the check with `reportFindings`.
    'records CreditCheck': async () => (await checks()).map((c) => ({ __typename: 'CreditCheck', id: c.id })),
    'reports CreditCheck': async () => (await checks()).map((c) => ({ __typename: 'CreditCheck', id: c.id, subjectId: c.subjectId, matter: c.matter, caseNumber: c.caseNumber, checkedAt: c.checkedAt.toISOString() })),
    'reports CreditReport': async () => reachingEveryLoader(await reports(), isNoted).map((r) => ({ __typename: 'CreditReport', id: r.id })),
    // The demo has few third-party reports: the others' dates, each with one of the world's providers as its issuer.
    'providers CreditReport': async () =>
      (await reports()).map((r, i) => ({ __typename: 'CreditReport', id: r.id, issuedOn: r.issuedOn, issuer: { id: r.issuerProviderId ?? world.providers[i % world.providers.length].id } })),
    'audit AuditEntry': async () => (await started.audit.db().getRepository(AuditEntry).find({ order: { sequence: 'ASC' } })).map((e) => ({ __typename: 'AuditEntry', id: e.id })),
  };

  /** SELECTs each subgraph was sent while `action` ran. */
  async function countedSelects(action: () => Promise<void>): Promise<Counts> {
    for (const name of subgraphNames) started[name].sql.reset();
    await action();
    return Object.fromEntries(subgraphNames.map((n) => [n, started[n].sql.selects])) as Counts;
  }

  /** Fails naming the field, both batches and each subgraph's counts when the large batch cost more SELECTs (or fewer) than the small. */
  function expectSameStatements(what: string, batch: [number, number], counts: [Counts, Counts]): void {
    const [few, many] = counts;
    const differs = subgraphNames.filter((n) => few[n].length !== many[n].length);
    if (differs.length > 0) {
      throw new Error(
        `${what}: ${describeCounts(few)} SELECTs for ${batch[0]}, ${describeCounts(many)} for ${batch[1]}: a list or a reference that queries once per parent. ` +
          `Load it through the request's DataLoader (the subgraph's context.ts). Sent more often for ${batch[1]}:\n` +
          differs.flatMap((n) => repeated(few[n], many[n]).map((s) => `  ${n}: ${s}`)).join('\n'),
      );
    }
    expect(describeCounts(many)).toBe(describeCounts(few));
  }

  const answered = (label: string, result: { errors?: unknown[]; data?: unknown }) => {
    if (result.errors) throw new Error(`${label} was answered with errors, so its statements tell nothing (use queryAs, or give it a reason in \`notSelected\`): ${JSON.stringify(result.errors)}`);
    return result.data as Record<string, unknown>;
  };

  describe.each(served.filter((s) => s.entities.length > 0).flatMap((s) => s.entities.map((type) => ({ subgraph: s.subgraph, type }))))('$subgraph resolves $type.name by reference', ({ subgraph, type }) => {
    const source = () => {
      const found = representationsOf[`${subgraph} ${type.name}`];
      if (!found) throw new Error(`no representations of ${type.name} for the ${subgraph} subgraph: add '${subgraph} ${type.name}' to \`representationsOf\` in test/subgraphs/statements-per-batch.test.ts`);
      return found;
    };
    /**
     * Disjoint batches, each read for the first time: the small one, the large one, and before
     * them a warm-up (what a process caches once). The source puts first the rows that reach a
     * loader only some parents need (`reachingEveryLoader`), so that both batches reach it.
     */
    const batches = async () => {
      const all = (await source()()).slice(0, small + large + small);
      const few = all.slice(0, small);
      const many = all.slice(small, small + large);
      if (many.length <= small) throw new Error(`the seed holds ${all.length} ${type.name} for the ${subgraph} subgraph: the guard needs more than ${2 * small} to compare batches`);
      const warm = all.slice(small + large);
      return { warm: warm.length ? warm : few, few, many };
    };

    it('is given representations carrying every field its @requires needs', async () => {
      const needs = requiredByRepresentation(type);
      const [representation] = await source()();
      expect(needs.filter((name) => !(name in representation))).toEqual([]);
    });

    const key = (type.astNode?.directives?.find((d) => d.name.value === 'key')?.arguments?.[0]?.value as { value: string } | undefined)?.value ?? 'id';
    const fields: [string, string | null][] = [['the reference itself', null], ...servedFields(type).filter((f) => !key.split(/\s+/).includes(f.name) && !(coordinate(type, f) in notSelected)).map((f): [string, string] => [coordinate(type, f), f.name])];
    for (const [label, name] of fields) {
      const known = knownNPlusOne[`${subgraph} ${label}`];
      (known ? it.failing : it)(`${label}: as many SELECTs for a batch of 12 as of 2${known ? ` (a known N+1: ${known})` : ''}`, async () => {
        const field = name === null ? null : type.getFields()[name];
        const text = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on ${type.name} { ${key} ${field ? selection(type, field) : ''} } } }`;
        const { warm, few, many } = await batches();
        const run = (representations: Record<string, unknown>[]) => async () => {
          const data = answered(label, await started[subgraph].query(text, { r: representations }));
          const resolved = data._entities as unknown[];
          expect(resolved.filter((e) => e === null)).toEqual([]);
        };
        await run(warm)();
        expectSameStatements(`${subgraph} ${label}`, [few.length, many.length], [await countedSelects(run(few)), await countedSelects(run(many))]);
      });
    }
  });

  describe.each(served.filter((s) => s.lists.length > 0))('$subgraph root lists', ({ subgraph, schema }) => {
    const query = schema.getQueryType()!;
    const lists = served.find((s) => s.subgraph === subgraph)!.lists.filter((f) => !(coordinate(query, f) in notSelected));
    it.each(lists.map((f) => [coordinate(query, f), f.name]))('%s: as many SELECTs for first 12 as for first 2', async (label, name) => {
      const field = query.getFields()[name];
      if (!field.args.some((a) => a.name === 'first')) {
        throw new Error(`${label} is a list without \`first\`: the N+1 guard cannot vary its length. Give it \`first\`, or a reason not to select it in \`notSelected\` (test/subgraphs/statements-per-batch.test.ts)`);
      }
      const returned = getNamedType(field.type);
      const items = isConnection(returned) ? getNamedType((getNamedType(returned.getFields().edges.type) as GraphQLObjectType).getFields().node.type) : returned;
      const body = isConnection(returned) ? `{ totalCount edges { node { ${itemFields(items)} } } }` : `{ ${itemFields(items)} }`;
      const text = `query ($first: Int) { list: ${fieldCall(query, field, ['first: $first'])} ${body} }`;
      const length = async (first: number) => {
        const data = answered(label, await started[subgraph].query(text, { first }));
        const list = data.list as { edges?: unknown[] } | unknown[] | null;
        return Array.isArray(list) ? list.length : (list?.edges?.length ?? 0);
      };
      await length(small);
      let lengths: [number, number] = [0, 0];
      const counts: [Counts, Counts] = [await countedSelects(async () => void (lengths[0] = await length(small))), await countedSelects(async () => void (lengths[1] = await length(large)))];
      if (lengths[1] <= lengths[0]) throw new Error(`${label} lists ${lengths[1]} items for first ${large}: the seed gives it too few to compare; give it arguments that find more in \`argumentsFor\``);
      expectSameStatements(`${subgraph} ${label}`, lengths, counts);
    });
  });

  it('names in the skip list and the argument table only fields that exist', () => {
    const coordinates = new Set(served.flatMap(({ schema }) => Object.values(schema.getTypeMap()).flatMap((t) => (isObjectType(t) ? Object.keys(t.getFields()).map((f) => `${t.name}.${f}`) : []))));
    expect([...Object.keys(notSelected), ...Object.keys(argumentsFor)].filter((c) => !coordinates.has(c))).toEqual([]);
  });
});
