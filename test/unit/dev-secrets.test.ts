import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../lib/project-root';
import { demoTokensListed, withDevSecrets } from '../../scripts/dev-secrets';
import { defaultAudience, defaultIssuer } from '../../gateway/config';
import { demoCallers } from '../../scripts/demo/callers';
import { demoWorld } from '../../scripts/demo/world';
import { main as importMain } from '../../scripts/import';
import { defaultDemoSize } from '../../scripts/seed';
import { demoTokens, main as tokensMain, startupTokens } from '../../scripts/tokens';
import { decodeJwt } from 'jose';

/**
 * The embedded default's secrets file (data/dev-secrets.json) is read, or made, only for a secret
 * the environment lacks: a host that sets its secrets (production) gets no file of made-up ones.
 */
describe('withDevSecrets', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dev-secrets-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = () => path.join(dir, 'data', 'dev-secrets.json');
  const given = { AUTH_JWT_SECRET: 'base64:given-auth', GATEWAY_SIGNING_KEY: 'base64:given-signing' };

  it('neither reads nor writes the file when the environment gives every secret', () => {
    const env = withDevSecrets({ ...given, OTHER: 'kept' }, path.join(dir, 'data'));
    expect(env).toMatchObject({ ...given, OTHER: 'kept' });
    expect(fs.existsSync(path.join(dir, 'data'))).toBe(false);
    // Not read either: an unreadable file changes nothing.
    fs.mkdirSync(path.join(dir, 'data'));
    fs.writeFileSync(file(), 'not json');
    expect(withDevSecrets(given, path.join(dir, 'data'))).toEqual(given);
    expect(fs.readFileSync(file(), 'utf8')).toBe('not json');
  });

  it('needs no AUTH_JWT_SECRET beside external keys, nor one the command does not use', () => {
    expect(withDevSecrets({ GATEWAY_SIGNING_KEY: given.GATEWAY_SIGNING_KEY, AUTH_JWKS_URL: 'https://idp.example/jwks' }, path.join(dir, 'data'))).not.toHaveProperty('AUTH_JWT_SECRET');
    expect(withDevSecrets({ GATEWAY_SIGNING_KEY: given.GATEWAY_SIGNING_KEY }, path.join(dir, 'data'), ['GATEWAY_SIGNING_KEY'])).toEqual({ GATEWAY_SIGNING_KEY: given.GATEWAY_SIGNING_KEY });
    expect(fs.existsSync(file())).toBe(false);
  });

  it('makes the file for a secret the environment lacks, owner-only, and reuses it; what the environment gives wins', () => {
    const first = withDevSecrets({}, path.join(dir, 'data'));
    expect(first.AUTH_JWT_SECRET).toMatch(/^base64:/);
    expect(first.GATEWAY_SIGNING_KEY).toMatch(/^base64:/);
    expect(fs.statSync(file()).mode & 0o777).toBe(0o600);
    const written = fs.readFileSync(file(), 'utf8');
    expect(withDevSecrets({}, path.join(dir, 'data'))).toEqual(first);
    const mixed = withDevSecrets({ AUTH_JWT_SECRET: given.AUTH_JWT_SECRET }, path.join(dir, 'data'));
    expect(mixed).toEqual({ AUTH_JWT_SECRET: given.AUTH_JWT_SECRET, GATEWAY_SIGNING_KEY: first.GATEWAY_SIGNING_KEY });
    expect(fs.readFileSync(file(), 'utf8')).toBe(written);
  });
});

describe('npm run import with NODE_ENV=production', () => {
  it('refuses without the real GATEWAY_SIGNING_KEY, making no development one', async () => {
    const secrets = path.join(projectRoot, 'data', 'dev-secrets.json');
    const before = fs.existsSync(secrets) ? fs.statSync(secrets).mtimeMs : null;
    const saved = { ...process.env };
    const errors: string[] = [];
    const error = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.join(' ')));
    try {
      process.env.NODE_ENV = 'production';
      delete process.env.GATEWAY_SIGNING_KEY;
      // Were it to go on, into a database of its own, not the checkout's.
      delete process.env.DATABASE_URL;
      process.env.SQLITE_DIRECTORY = fs.mkdtempSync(path.join(os.tmpdir(), 'import-production-'));
      process.env.SUBGRAPH_ENTITIES_URL = 'http://127.0.0.1:1/graphql';
      const status = await importMain(['--department', 'MARKET_REGULATION', path.join(os.tmpdir(), 'no-such-records.csv')]);
      expect(status).toBe(2);
      expect(errors.join('\n')).toMatch(/GATEWAY_SIGNING_KEY is required with NODE_ENV=production/);
    } finally {
      error.mockRestore();
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
    expect(fs.existsSync(secrets) ? fs.statSync(secrets).mtimeMs : null).toBe(before);
  });
});

/**
 * `npm start` lists the demo callers' tokens in the explorer, a credit office supervisor's among
 * them, to anyone who reaches it: only when they are signed with the checkout's own demo secret,
 * never with a secret an operator set (a staging host started with `npm start`).
 */
describe('demoTokensListed', () => {
  it('lists them with the demo secret only, and as EXPLORER_DEMO_TOKENS says when it is set', () => {
    expect(demoTokensListed({})).toBe('true');
    expect(demoTokensListed({ AUTH_JWT_SECRET: 'base64:the-operators' })).toBe('false');
    expect(demoTokensListed({ AUTH_JWKS_URL: 'https://idp.example/jwks' })).toBe('false');
    expect(demoTokensListed({ AUTH_PUBLIC_KEY_FILE: '/etc/credit/idp.pem' })).toBe('false');
    expect(demoTokensListed({ AUTH_JWT_SECRET: 'base64:the-operators', EXPLORER_DEMO_TOKENS: 'true' })).toBe('true');
    expect(demoTokensListed({ EXPLORER_DEMO_TOKENS: 'off' })).toBe('off');
  });
});

/**
 * `npm start`'s console banner decides as the explorer does (demoTokensListed): it once printed
 * the demo callers' tokens whenever there was an AUTH_JWT_SECRET, an operator's own included,
 * so that real tokens, a credit office supervisor's among them, went into whatever log kept it.
 */
describe("npm start's banner (startupTokens)", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'startup-tokens-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const gatewayUrl = 'http://127.0.0.1:4010/graphql';
  const operatorSecret = 'operator-real-secret-0123456789-abcdefgh';
  /** What npm start prints for an environment as given: its env, as scripts/start.ts builds it. */
  const banner = (given: NodeJS.ProcessEnv) => startupTokens(given, { ...withDevSecrets(given, path.join(dir, 'data')), EXPLORER_DEMO_TOKENS: demoTokensListed(given) }, gatewayUrl);
  const printedTokens = (text: string) => text.match(/Bearer [\w-]+\.[\w-]+\.[\w-]+/g) ?? [];

  it("prints the demo callers' tokens, for the gateway it started, when they are signed with the demo secret", async () => {
    const text = await banner({});
    expect(printedTokens(text)).toHaveLength(demoCallers(demoWorld({ subjects: defaultDemoSize })).length);
    expect(text).toContain(`curl -s ${gatewayUrl} `);
  });

  it('prints none signed with a secret the operator set, and says where tokens come from', async () => {
    const text = await banner({ AUTH_JWT_SECRET: operatorSecret });
    expect(printedTokens(text)).toEqual([]);
    expect(text).toContain('identity provider');
    expect(text).toContain('npm run tokens');
  });

  it('prints none beside external keys, nor when EXPLORER_DEMO_TOKENS is off; an explicit on prints them, as the explorer lists them', async () => {
    expect(printedTokens(await banner({ AUTH_JWKS_URL: 'https://idp.example/jwks' }))).toEqual([]);
    const off = await banner({ EXPLORER_DEMO_TOKENS: 'off' });
    expect(printedTokens(off)).toEqual([]);
    expect(off).toContain('npm run tokens');
    expect(printedTokens(await banner({ AUTH_JWT_SECRET: operatorSecret, EXPLORER_DEMO_TOKENS: 'on' })).length).toBeGreaterThan(0);
  });
});

/**
 * `npm run tokens` mints a credit office supervisor's token among the demo callers': with
 * NODE_ENV=production it did so with the production secret (or made a development one on the
 * host), and it named port 4000 whatever port the gateway ran on.
 */
describe('npm run tokens', () => {
  const secrets = path.join(projectRoot, 'data', 'dev-secrets.json');
  const given = { AUTH_JWT_SECRET: 'operator-real-secret-0123456789-abcdefgh', GATEWAY_SIGNING_KEY: 'base64:' + Buffer.alloc(32, 7).toString('base64') };
  let output: { stdout: string[]; stderr: string[] };
  let spies: jest.SpyInstance[];
  beforeEach(() => {
    output = { stdout: [], stderr: [] };
    spies = [
      jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void output.stdout.push(args.join(' '))),
      jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void output.stderr.push(args.join(' '))),
    ];
  });
  afterEach(() => spies.forEach((spy) => spy.mockRestore()));

  it('refuses NODE_ENV=production, minting nothing and making no development secret', async () => {
    const before = fs.existsSync(secrets) ? fs.statSync(secrets).mtimeMs : null;
    expect(await tokensMain(['--json'], { ...given, NODE_ENV: 'production' })).toBe(2);
    expect(await tokensMain([], { NODE_ENV: 'production' })).toBe(2);
    expect(output.stdout).toEqual([]);
    expect(output.stderr.join('\n')).toContain('refuses NODE_ENV=production');
    expect(fs.existsSync(secrets) ? fs.statSync(secrets).mtimeMs : null).toBe(before);
  });

  it('names the gateway at GATEWAY_PORT, as npm start runs it', async () => {
    expect(await tokensMain([], { ...given, GATEWAY_PORT: '4010' })).toBe(0);
    const text = output.stdout.join('\n');
    expect(text).toContain('for http://127.0.0.1:4010/graphql:');
    expect(text).toContain('curl -s http://127.0.0.1:4010/graphql ');
    expect(text).not.toContain(':4000/');
  });

  it('refuses a bad GATEWAY_PORT as a configuration error', async () => {
    expect(await tokensMain([], { ...given, GATEWAY_PORT: '99999' })).toBe(2);
    expect(output.stderr.join('\n')).toContain('GATEWAY_PORT must be a port number between 1 and 65535, got "99999"');
    expect(output.stdout).toEqual([]);
  });
});

describe('demoTokens', () => {
  it('signs for the issuer and audience the gateway checks (AUTH_ISSUER, AUTH_AUDIENCE), as the explorer does, or the defaults', async () => {
    const secret = 'demo-tokens-secret-demo-tokens-secret-0123';
    const [own] = await demoTokens({ AUTH_JWT_SECRET: secret, AUTH_ISSUER: 'https://idp.district.example', AUTH_AUDIENCE: 'credit-prod' });
    expect(decodeJwt(own.token)).toMatchObject({ iss: 'https://idp.district.example', aud: 'credit-prod' });
    const [plain] = await demoTokens({ AUTH_JWT_SECRET: secret, AUTH_ISSUER: '', AUTH_AUDIENCE: '' });
    expect(decodeJwt(plain.token)).toMatchObject({ iss: defaultIssuer, aud: defaultAudience });
  });
});
