import { todayInDistrict } from '../../lib/calendar';
import { unifiedSocialCreditCode } from '../../lib/identifiers';
import type { Logger } from '../../lib/logger';
import { demoConsents } from '../../scripts/demo/consents';
import { demoBankOrganisation, demoWorld } from '../../scripts/demo/world';
import { startPlatform, supervisor, type As, type Platform } from '../helpers/platform';
import { StandInSubgraph, type StandInBehaviour } from '../helpers/stand-in-subgraph';

/**
 * A rolling upgrade half done: a gateway of this release in front of a subgraph of another, whose
 * schema lacks a field the gateway's supergraph plans with (the operator probe's providers subgraph
 * of the day before, without ReportIssuerStanding.classDSince). The subgraph refuses the gateway's
 * own fetch as invalid GraphQL; that is the platform's fault, never the client's query. SQLite
 * only: what is under test is how the gateway reads the subgraph's answer.
 */
const world = demoWorld({ subjects: 12 });
const subject = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;

/** What Apollo Server answers a call naming a field its schema lacks (HTTP 400). */
const refusedAs = (code: string, message: string): StandInBehaviour => ({
  kind: 'answer',
  status: 400,
  contentType: 'application/json',
  body: JSON.stringify({ errors: [{ message, extensions: { code } }] }),
});
const validationFailed = refusedAs('GRAPHQL_VALIDATION_FAILED', 'Cannot query field "classDSince" on type "ReportIssuerStanding".');
const parseFailed = refusedAs('GRAPHQL_PARSE_FAILED', 'Syntax Error: Unexpected Name "classDSince".');

const REPORTS = /* GraphQL */ `query Reports($id: ID!) { subject(id: $id) { creditReports { edges { node { reportNumber issuerStanding { acceptedOnIssueDate classDSince } } } } } }`;
type Reports = { subject: { creditReports: { edges: { node: { reportNumber: string; issuerStanding: { acceptedOnIssueDate: boolean; classDSince: string | null } | null } }[] } } };

const registrar: As = { caller: { id: 'test-registrar', organisation: 'MARKET_REGULATION', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' } };

describe('the gateway in front of a subgraph of another release', () => {
  let platform: Platform;
  let providers: StandInSubgraph;
  let entities: StandInSubgraph;
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const line = (level: string) => (fields: Record<string, unknown>, message: string) => void lines.push({ level, fields, message });

  beforeAll(async () => {
    providers = await StandInSubgraph.start();
    entities = await StandInSubgraph.start();
    platform = await startPlatform(
      { kind: 'sqlite', directory: ':memory:' },
      { seedSubjects: world.subjects.length, gateway: { subgraphUrls: { providers: providers.url, entities: entities.url }, logger: { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') } as unknown as Logger } },
    );
    providers.upstream = platform.subgraphs.providers.url;
    entities.upstream = platform.subgraphs.entities.url;
  });
  afterAll(async () => {
    await platform?.stop();
    await providers?.stop();
    await entities?.stop();
  });
  afterEach(() => {
    providers.behaviour = { kind: 'proxy' };
    entities.behaviour = { kind: 'proxy' };
  });

  // First: a line logged in the window before it would leave this one none to show.
  it('logs a subgraph of another release as a warning at once, then at most once per window, not once a request', async () => {
    providers.behaviour = validationFailed;
    for (let i = 0; i < 3; i++) await platform.query<Reports>(REPORTS, { id: subject.id }, supervisor);
    const mismatches = lines.filter((l) => l.fields.outcome === 'schema_mismatch');
    expect(mismatches).toEqual([
      {
        level: 'warn',
        fields: { subgraph: 'providers', outcome: 'schema_mismatch', cause: 'Cannot query field "classDSince" on type "ReportIssuerStanding".', callsSinceLastLine: 1 },
        message:
          "the providers subgraph refuses the gateway's calls as invalid GraphQL, so its fields answer SUBGRAPH_UNAVAILABLE: its schema differs from the gateway's supergraph; upgrade the subgraphs first, then the gateways (README, Upgrading)",
      },
    ]);
    // No line of a fault masked per request either.
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
  });

  // Before any other call the entities subgraph refuses so: its line would fall in that one's window.
  it("tells the operator once, with what the entities subgraph said, when it cannot read the gateway's own consent check (another release); the client gets its 503", async () => {
    const cause = 'Cannot query field "consentForAccess" on type "Query".';
    entities.behaviour = refusedAs('GRAPHQL_VALIDATION_FAILED', cause);
    const bank: As = { caller: { id: 'banker', organisation: demoBankOrganisation, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' }, headers: { 'x-credit-matter': 'FINANCIAL_SERVICES', 'x-credit-consent': demoConsents.bankFinancialServices } };
    for (let i = 0; i < 3; i++) {
      const result = await platform.query(/* GraphQL */ `query ($id: ID!) { subject(id: $id) { name } }`, { id: subject.id }, bank);
      expect(result.status).toBe(503);
      expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'entities', retryAfterSeconds: 5 }]);
      expect(JSON.stringify(result)).not.toMatch(/consentForAccess|GRAPHQL_VALIDATION_FAILED/);
    }
    expect(lines.filter((l) => l.fields.subgraph === 'entities')).toEqual([
      {
        level: 'warn',
        fields: { subgraph: 'entities', outcome: 'schema_mismatch', cause: `${entities.url} answered 400: ${cause}`, callsSinceLastLine: 1 },
        message:
          "the entities subgraph refuses the gateway's calls as invalid GraphQL, so its fields answer SUBGRAPH_UNAVAILABLE: its schema differs from the gateway's supergraph; upgrade the subgraphs first, then the gateways (README, Upgrading)",
      },
    ]);
  });

  it.each([
    ['GRAPHQL_VALIDATION_FAILED', validationFailed],
    ['GRAPHQL_PARSE_FAILED', parseFailed],
  ])("answers the providers subgraph's %s to the gateway's own fetch as that subgraph answering badly, not as the client's invalid query", async (_code, refusal) => {
    const healthy = await platform.query<Reports>(REPORTS, { id: subject.id }, supervisor);
    expect(healthy.errors).toBeUndefined();
    const nodes = healthy.data!.subject.creditReports.edges.map((e) => e.node);
    expect(nodes.length).toBeGreaterThan(0);
    providers.behaviour = refusal;
    const result = await platform.query<Reports>(REPORTS, { id: subject.id }, supervisor);
    expect(result.status).toBe(200);
    expect(result.data?.subject.creditReports.edges.map((e) => e.node)).toEqual(nodes.map((n) => ({ ...n, issuerStanding: null })));
    expect(result.errors?.map((e) => e.path!.join('.')).sort()).toEqual(nodes.map((_, i) => `subject.creditReports.edges.${i}.node.issuerStanding`).sort());
    for (const error of result.errors ?? []) {
      expect(error.extensions).toEqual({ code: 'SUBGRAPH_UNAVAILABLE', reason: 'BAD_RESPONSE', retryAfterSeconds: 5, serviceName: 'providers' });
      expect(error.message).toBe(
        "the providers subgraph could not read the gateway's call for this request: its schema differs from the supergraph the gateway plans with (the two are of different releases, an upgrade under way), a fault of the platform's, not of your query",
      );
    }
    // What the subgraph said is the operator's, not the client's.
    expect(JSON.stringify(result)).not.toMatch(/classDSince|GRAPHQL_(VALIDATION|PARSE)_FAILED/);
  });

  it('tells a client whose mutation a subgraph of another release refused that nothing was stored', async () => {
    const code = unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: 'MA0KEWX1' });
    entities.behaviour = refusedAs('GRAPHQL_VALIDATION_FAILED', 'Unknown argument "registrationDate" on field "Mutation.registerSubject".');
    const result = await platform.query<{ registerSubject: { id: string } | null }>(
      /* GraphQL */ `mutation Register($code: String!, $date: Date!) { registerSubject(input: { kind: ENTERPRISE, name: "版本测试有限公司", code: $code, registrationDate: $date }) { id } }`,
      { code, date: todayInDistrict() },
      registrar,
    );
    expect(result.data).toEqual({ registerSubject: null });
    expect(result.errors?.map((e) => [e.extensions, e.path])).toEqual([[{ code: 'SUBGRAPH_UNAVAILABLE', reason: 'BAD_RESPONSE', retryAfterSeconds: 5, serviceName: 'entities', outcome: 'NOT_STORED' }, ['registerSubject']]]);
    expect(result.errors?.[0].message).toMatch(/^the entities subgraph could not read the gateway's call for this request: .*; nothing was stored, retry later$/);
  });

  it("still passes on a subgraph's 400 refusing a value the client sent (BAD_USER_INPUT): that one is the client's to read", async () => {
    entities.behaviour = refusedAs('BAD_USER_INPUT', 'Variable "$representations" got invalid value: the client sent a bad code');
    const result = await platform.query(/* GraphQL */ `query ($id: ID!) { subject(id: $id) { name } }`, { id: subject.id }, supervisor);
    expect(result.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([['BAD_USER_INPUT', 'Variable "$representations" got invalid value: the client sent a bad code']]);
  });
});
