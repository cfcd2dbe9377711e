import http from 'node:http';
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

  it('sends a browser that opens the API to the explorer, by an address relative to where it asked, so a proxy serving the gateway under a path keeps it there', async () => {
    for (const [path, status] of [['/', 302], ['/graphql', 302], ['/explorer', 301]] as const) {
      const response = await fetch(`${platform.origin}${path}`, { headers: { accept: 'text/html' }, redirect: 'manual' });
      const location = response.headers.get('location') ?? '';
      // A proxy passes a path-only Location back as it is: nginx's proxy_redirect rewrites only its upstream's own URL.
      const opened = { direct: new URL(location, `${platform.origin}${path}`).pathname, underPrefix: new URL(location, `https://proxy.example/credit${path}`).pathname };
      expect({ path, status: response.status, opened }).toEqual({ path, status, opened: { direct: '/explorer/', underPrefix: '/credit/explorer/' } });
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
    const missing = await fetch(`${platform.origin}/explorer/build.js`);
    expect(missing.status).toBe(404);
    // A file the explorer does not have is a route that does not exist, as any other path.
    expect(((await missing.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('ROUTE_NOT_FOUND');
  });

  it('lists the demo callers’ tokens and examples whose operations are valid for the supergraph', async () => {
    const settings = (await (await fetch(`${platform.origin}/explorer/settings.json`)).json()) as ExplorerSettings;
    // Relative to the page, as its files are: under a proxy's prefix, operations stay under it.
    expect(new URL(settings.endpoint, `${platform.origin}/explorer/`).href).toBe(`${platform.origin}/graphql`);
    expect(new URL(settings.endpoint, 'https://proxy.example/credit/explorer/').href).toBe('https://proxy.example/credit/graphql');
    expect(settings.purposeHeaders).toEqual({ matter: 'x-credit-matter', caseNumber: 'x-credit-case', consentId: 'x-credit-consent' });
    expect(settings.matters.map((m) => m.code)).toContain('GOVERNMENT_PROCUREMENT');
    expect(settings.demoCallers?.length).toBeGreaterThanOrEqual(5);
    expect(settings.examples.map((e) => e.name)).toEqual(['DepartmentSubjectCheck', 'DepartmentCreditCheck', 'AnalystStatistics', 'CreditOfficeAssessment', 'RegistryReview', 'OwnCredit', 'ProviderCollection', 'ProviderOwnFile']);

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
        Object.entries({ [settings.purposeHeaders.matter]: example.purpose.matter, [settings.purposeHeaders.caseNumber]: example.purpose.caseNumber, [settings.purposeHeaders.consentId]: example.purpose.consentId }).filter((e): e is [string, string] => e[1] !== undefined),
      );
      const result = await platform.query(example.query, example.variables, { headers: { authorization: `Bearer ${demo!.token}`, ...purpose } });
      expect({ example: example.name, errors: result.errors }).toEqual({ example: example.name, errors: undefined });
      expect(Object.values(result.data ?? {}).every((v) => v !== null)).toBe(true);
    }
  });
});

/** The explorer's settings as a page under `host` gets them: its browser names that host in `Host`, whatever address the name led to; `headers`, what a proxy on the way adds. */
function settingsUnder(origin: string, host: string, headers: Record<string, string> = {}): Promise<ExplorerSettings> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${origin}/explorer/settings.json`, { headers: { ...headers, host }, signal: AbortSignal.timeout(10_000) }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => (response.statusCode === 200 ? resolve(JSON.parse(body) as ExplorerSettings) : reject(new Error(`settings.json answered ${response.statusCode}: ${body}`))));
    });
    request.on('error', reject);
  });
}

describe('the demo tokens, by the host a page names (DNS rebinding)', () => {
  let platform: OpsPlatform;
  beforeAll(async () => {
    await ensureExplorerBundle();
    platform = await startOpsPlatform({ kind: 'sqlite', directory: ':memory:' }, { explorer: 'demo' });
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('are listed to a page under a loopback host, with any port', async () => {
    const { port } = new URL(platform.origin);
    for (const host of [`localhost:${port}`, `LocalHost:${port}`, 'localhost', `127.0.0.1:${port}`, `[::1]:${port}`, '[::1]']) {
      expect({ host, listed: (await settingsUnder(platform.origin, host)).demoCallers?.length }).toEqual({ host, listed: expect.any(Number) });
    }
  });

  it('are not listed to a page of another site whose name was pointed at this machine: it gets what production gets, and the log says why', async () => {
    const { port } = new URL(platform.origin);
    const production = await explorerSettingsProvider()({ headers: {} });
    for (const host of [`rebind.attacker.example:${port}`, `localhost.attacker.example:${port}`, `attacker.example@localhost:${port}`, `127.0.0.1.nip.io:${port}`, `localhost:${port}/x`]) {
      const settings = await settingsUnder(platform.origin, host);
      expect({ host, demoCallers: settings.demoCallers, examples: settings.examples }).toEqual({ host, demoCallers: null, examples: production.examples });
    }
    const withheld = platform.logs.gateway.lines.filter((l) => l.host === `rebind.attacker.example:${port}`);
    expect(withheld).toEqual([expect.objectContaining({ level: 'debug', msg: expect.stringContaining('DNS rebinding') })]);
  });

  it('are not listed to a request that came through a proxy, whatever host it names: it gets what production gets, and the log says why', async () => {
    const { port } = new URL(platform.origin);
    const production = await explorerSettingsProvider()({ headers: {} });
    // Each as a proxy on this machine adds it, naming its upstream in Host as nginx does unless told otherwise.
    // From the code-review probe: an nginx on HTTP/1.1 adding only X-Forwarded-Proto (or -Port,
    // -Prefix, -Server) got them, and so did a proxy naming its client as a CDN does.
    const added = {
      forwarded: 'for=203.0.113.7;proto=https',
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-host': 'credit.example.org',
      'x-forwarded-proto': 'https',
      'x-forwarded-port': '443',
      'x-forwarded-prefix': '/credit',
      'x-forwarded-server': 'proxy.example',
      'x-real-ip': '203.0.113.7',
      'x-original-forwarded-for': '203.0.113.7',
      'true-client-ip': '203.0.113.7',
      'cf-connecting-ip': '203.0.113.7',
      'x-client-ip': '203.0.113.7',
      via: '1.1 proxy.example',
    };
    for (const [name, value] of Object.entries(added)) {
      const settings = await settingsUnder(platform.origin, `127.0.0.1:${port}`, { [name]: value });
      expect({ name, demoCallers: settings.demoCallers, examples: settings.examples }).toEqual({ name, demoCallers: null, examples: production.examples });
    }
    const withheld = platform.logs.gateway.lines.filter((l) => l.proxyHeader === 'via');
    expect(withheld).toEqual([expect.objectContaining({ level: 'debug', host: `127.0.0.1:${port}`, msg: expect.stringContaining('through a proxy') })]);
  });

  // nginx's bare proxy_pass adds no header of a proxy, names its upstream in Host, and speaks HTTP/1.0, which no browser does.
  it('are not listed to a request over HTTP/1.0, as a proxy adding no header of its own sends it', async () => {
    const demo = { secret: platform.secrets.tokens };
    const listed = async (httpVersion: string) => (await explorerSettingsProvider(demo)({ headers: { host: '127.0.0.1:4000' }, httpVersion })).demoCallers !== null;
    expect({ '1.0': await listed('1.0'), '1.1': await listed('1.1') }).toEqual({ '1.0': false, '1.1': true });
  });

  it('are listed to a page under the host the gateway was told to listen on (HOST), never under a wildcard address', async () => {
    const demo = { secret: platform.secrets.tokens };
    const listed = async (listenHost: string, host: string) => (await explorerSettingsProvider(demo, { listenHost })({ headers: { host } })).demoCallers !== null;
    expect(await listed('credit-dev.lan', 'credit-dev.lan:4000')).toBe(true);
    expect(await listed('credit-dev.lan', 'Credit-Dev.LAN')).toBe(true);
    expect(await listed('credit-dev.lan', 'other.lan:4000')).toBe(false);
    expect(await listed('fd00::5', '[fd00::5]:4000')).toBe(true);
    expect(await listed('0.0.0.0', '0.0.0.0:4000')).toBe(false);
    expect(await listed('::', '[::]:4000')).toBe(false);
  });
});

describe('explorer settings outside the embedded default', () => {
  it('list no token and keep a placeholder code in the examples', async () => {
    const settings = await explorerSettingsProvider()({ headers: {} });
    expect(settings.demoCallers).toBeNull();
    expect(settings.examples.every((e) => e.demoCaller === undefined)).toBe(true);
    const { code } = settings.examples[0].variables as { code: string };
    // A well-formed code no subject has, so that the example answers null rather than an error.
    expect(validateUnifiedSocialCreditCode(code)).toEqual({ valid: true });
  });

  it('name no case: a real officer’s reads would be audited under it, so the case is a variable left blank for the officer', async () => {
    const settings = await explorerSettingsProvider()({ headers: {} });
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
