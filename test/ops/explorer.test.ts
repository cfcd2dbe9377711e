import { buildClientSchema, getIntrospectionQuery, parse, validate, type IntrospectionQuery } from 'graphql';
import { validateUnifiedSocialCreditCode } from '../../lib/identifiers';
import { explorerSettingsProvider } from '../../gateway/explorer/explorer-settings';
import { demoCallers } from '../../scripts/demo/callers';
import { demoWorld } from '../../scripts/demo/world';
import type { ExplorerSettings } from '../../gateway/explorer/settings';
import { ensureExplorerBundle, startOpsPlatform, type OpsPlatform } from './ops-platform';

describe('the explorer, served by the gateway (embedded default, with demo tokens)', () => {
  let platform: OpsPlatform;
  beforeAll(async () => {
    await ensureExplorerBundle();
    platform = await startOpsPlatform({ kind: 'sqlite', directory: ':memory:' }, { seedSubjects: 20, explorer: 'demo' });
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('sends a browser that opens the API to the explorer', async () => {
    for (const path of ['/', '/graphql']) {
      const response = await fetch(`${platform.origin}${path}`, { headers: { accept: 'text/html' }, redirect: 'manual' });
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe('/explorer/');
    }
  });

  it('serves the page with a policy that allows nothing from another host', async () => {
    const response = await fetch(`${platform.origin}/explorer/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/https?:|\*/);
    const html = await response.text();
    expect(html).toContain('<script type="module" src="explorer.js">');
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('serves the bundle and Monaco’s workers compressed, with validators, and nothing else from disk', async () => {
    for (const file of ['explorer.js', 'explorer.css', 'editor.worker.js', 'json.worker.js', 'graphql.worker.js']) {
      const response = await fetch(`${platform.origin}/explorer/${file}`, { headers: { 'accept-encoding': 'gzip' } });
      expect(response.status).toBe(200);
      const etag = response.headers.get('etag');
      expect(etag).toBeTruthy();
      await response.arrayBuffer();
      expect((await fetch(`${platform.origin}/explorer/${file}`, { headers: { 'if-none-match': etag! } })).status).toBe(304);
    }
    expect((await fetch(`${platform.origin}/explorer/..%2F..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${platform.origin}/explorer/build.js`)).status).toBe(404);
  });

  it('lists the demo callers’ tokens and examples whose operations are valid for the supergraph', async () => {
    const settings = (await (await fetch(`${platform.origin}/explorer/settings.json`)).json()) as ExplorerSettings;
    expect(settings.endpoint).toBe('/graphql');
    expect(settings.purposeHeaders).toEqual({ matter: 'x-credit-matter', caseNumber: 'x-credit-case', consentId: 'x-credit-consent' });
    expect(settings.matters.map((m) => m.code)).toContain('GOVERNMENT_PROCUREMENT');
    expect(settings.demoCallers?.length).toBeGreaterThanOrEqual(5);
    expect(settings.examples.map((e) => e.name)).toEqual(['DepartmentSubjectCheck', 'DepartmentCreditCheck', 'AnalystStatistics', 'CreditOfficeAssessment', 'RegistryReview', 'OwnCredit']);

    const introspection = await platform.query<IntrospectionQuery>(getIntrospectionQuery());
    const schema = buildClientSchema(introspection.data!);
    for (const example of settings.examples) expect(validate(schema, parse(example.query))).toEqual([]);
  });

  it('runs every example as its demo caller, under its purpose, without an error', async () => {
    const settings = (await (await fetch(`${platform.origin}/explorer/settings.json`)).json()) as ExplorerSettings;
    for (const example of settings.examples) {
      const demo = settings.demoCallers!.find((c) => c.label === example.demoCaller);
      expect(demo).toBeDefined();
      const purpose = Object.fromEntries(
        Object.entries({ [settings.purposeHeaders.matter]: example.purpose.matter, [settings.purposeHeaders.caseNumber]: example.purpose.caseNumber }).filter((e): e is [string, string] => e[1] !== undefined),
      );
      const result = await platform.query(example.query, example.variables, { headers: { authorization: `Bearer ${demo!.token}`, ...purpose } });
      expect({ example: example.name, errors: result.errors }).toEqual({ example: example.name, errors: undefined });
      expect(Object.values(result.data ?? {}).every((v) => v !== null)).toBe(true);
    }
  });
});

describe('explorer settings outside the embedded default', () => {
  it('list no token and keep a placeholder code in the examples', async () => {
    const settings = await explorerSettingsProvider()();
    expect(settings.demoCallers).toBeNull();
    expect(settings.examples.every((e) => e.demoCaller === undefined)).toBe(true);
    const { code } = settings.examples[0].variables as { code: string };
    // A well-formed code no subject has, so that the example answers null rather than an error.
    expect(validateUnifiedSocialCreditCode(code)).toEqual({ valid: true });
  });

  it('name no case: a real officer’s reads would be audited under it, so the case is a variable left blank for the officer', async () => {
    const settings = await explorerSettingsProvider()();
    const demoCases = demoCallers(demoWorld({ subjects: 20 })).flatMap((c) => c.headers['x-credit-case'] ?? []);
    expect(demoCases.length).toBeGreaterThan(0);
    for (const example of settings.examples) {
      expect({ example: example.name, caseNumber: example.purpose.caseNumber }).toEqual({ example: example.name, caseNumber: undefined });
      for (const demoCase of demoCases) expect({ example: example.name, text: JSON.stringify(example) }).toEqual({ example: example.name, text: expect.not.stringContaining(demoCase) });
    }
    const check = settings.examples.find((e) => e.name === 'DepartmentCreditCheck')!;
    expect(check.variables).toMatchObject({ caseNumber: '' });
    expect(check.query).toContain('caseNumber: $caseNumber');
  });
});

describe('a public deployment (explorer and introspection off)', () => {
  let platform: OpsPlatform;
  beforeAll(async () => {
    platform = await startOpsPlatform({ kind: 'sqlite', directory: ':memory:' }, { explorer: 'off', introspection: false });
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('serves no explorer', async () => {
    expect((await fetch(`${platform.origin}/explorer/`)).status).toBe(404);
    expect((await fetch(`${platform.origin}/explorer/settings.json`)).status).toBe(404);
  });

  it('refuses introspection and still answers operations', async () => {
    const result = await platform.query(getIntrospectionQuery());
    expect(result.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    // The operator's switch, not Apollo's constructor option.
    expect(result.errors?.[0].message).toBe('GraphQL introspection is off on this gateway, but the query contained __schema or __type: its operator can switch it on with INTROSPECTION=on');
    expect((await platform.query('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });
});
