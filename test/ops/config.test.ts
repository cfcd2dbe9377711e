import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import { createTokenVerifier } from '../../gateway/authentication';
import { readGatewayConfig } from '../../gateway/config';
import { defaultOperationLimits } from '../../gateway/operation-limits';
import { configRefusal } from '../helpers/config';
import { readSubgraphConfig } from '../../subgraphs/shared/subgraph';
import { readPeerEndpoint } from '../../subgraphs/shared/peer-endpoint';
import { readRecordsPeers } from '../../subgraphs/records/config';
import { readReportsPeers } from '../../subgraphs/reports/config';

const secret = 'a-secret-of-at-least-thirty-two-bytes!!';
const valid = { AUTH_JWT_SECRET: secret, GATEWAY_SIGNING_KEY: secret };
/** Production refuses one secret for both (see 'in production'). */
const signingKey = 'base64:' + Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 11) % 256)).toString('base64');
const production = { AUTH_JWT_SECRET: secret, GATEWAY_SIGNING_KEY: signingKey, NODE_ENV: 'production' };

function gatewayError(env: NodeJS.ProcessEnv, argv: string[] = []): string {
  return configRefusal(() => readGatewayConfig(env, argv));
}

describe('readGatewayConfig', () => {
  it('accepts the minimal configuration, with explorer and introspection on outside production', () => {
    const config = readGatewayConfig(valid, []);
    expect(config).toMatchObject({ port: 4000, host: '127.0.0.1', logLevel: 'info', production: false, explorer: true, introspection: true, explorerDemoTokens: false });
  });

  it('switches explorer and introspection off in production unless configured on', () => {
    expect(readGatewayConfig(production, [])).toMatchObject({ production: true, explorer: false, introspection: false });
    expect(readGatewayConfig({ ...production, EXPLORER: 'on', INTROSPECTION: 'on' }, [])).toMatchObject({ explorer: true, introspection: true });
    expect(readGatewayConfig({ ...valid, EXPLORER: 'off', INTROSPECTION: 'off' }, [])).toMatchObject({ explorer: false, introspection: false });
  });

  it('names a missing signing key', () => {
    expect(gatewayError({ AUTH_JWT_SECRET: secret })).toBe('GATEWAY_SIGNING_KEY is required: a secret of at least 32 bytes (plain text or base64:...)');
  });

  it('names a missing or ambiguous token verification', () => {
    expect(gatewayError({ GATEWAY_SIGNING_KEY: secret })).toBe("set exactly one of AUTH_JWT_SECRET, AUTH_PUBLIC_KEY_FILE, AUTH_JWKS_URL to verify callers' tokens, got none");
    expect(gatewayError({ ...valid, AUTH_JWKS_URL: 'https://idp.example/jwks' })).toMatch(/got AUTH_JWT_SECRET and AUTH_JWKS_URL$/);
  });

  it('states what a bad value should be and what it was', () => {
    expect(gatewayError({ ...valid, GATEWAY_PORT: 'eighty' })).toBe('GATEWAY_PORT must be a port number between 1 and 65535, got "eighty"');
    expect(gatewayError({ ...valid, LOG_LEVEL: 'loud' })).toBe('LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"');
    expect(gatewayError({ ...valid, EXPLORER: 'maybe' })).toBe('EXPLORER must be on or off, got "maybe"');
    expect(gatewayError({ ...valid, SUBGRAPH_RECORDS_URL: 'records:4002' })).toBe('SUBGRAPH_RECORDS_URL must use http: or https:, got "records:"');
    expect(gatewayError({ ...valid, GATEWAY_SIGNING_KEY: 'short' })).toBe('GATEWAY_SIGNING_KEY must be at least 32 bytes, got 5');
    expect(gatewayError({ ...valid, SUBGRAPH_TIMEOUT_MS: '10s' })).toBe('SUBGRAPH_TIMEOUT_MS must be a whole number of milliseconds between 100 and 600000, got "10s"');
  });

  /** Number() took 1e3, 0x10 and 600.0: GATEWAY_PORT=1e3 listened on port 1000. */
  it('takes numbers written in decimal digits only', () => {
    for (const written of ['1e3', '0x10', '600.0', '0b11', '1.0e1', '+4000', '-0', '4_', '_4000', '4 000']) {
      expect(gatewayError({ ...valid, GATEWAY_PORT: written })).toBe(`GATEWAY_PORT must be a port number between 1 and 65535, got "${written}"`);
      expect(gatewayError({ ...valid, GATEWAY_MAX_DEPTH: written })).toBe(`GATEWAY_MAX_DEPTH must be a whole number of at least 1, got "${written}"`);
      expect(gatewayError({ ...valid, SUBGRAPH_TIMEOUT_MS: written })).toBe(`SUBGRAPH_TIMEOUT_MS must be a whole number of milliseconds between 100 and 600000, got "${written}"`);
    }
    expect(subgraphError({ GATEWAY_SIGNING_KEY: secret, PORT: '4e3' })).toBe('PORT must be a port number between 1 and 65535, got "4e3"');
    expect(subgraphError({ GATEWAY_SIGNING_KEY: secret, DATABASE_LOCK_TIMEOUT_SECONDS: '0x10' })).toBe('DATABASE_LOCK_TIMEOUT_SECONDS must be a whole number of seconds between 1 and 600, got "0x10"');
    expect(readGatewayConfig({ ...valid, GATEWAY_PORT: '04000', GATEWAY_MAX_COST: ' 50_000 ', SUBGRAPH_TIMEOUT_MS: '2500' }, [])).toMatchObject({ port: 4000, limits: { cost: 50_000 }, subgraphTimeoutMs: 2500 });
  });

  /** HOST was not read with the others: "0.0.0.0\r", http://0.0.0.0 or 0.0.0.0:4000 stopped the process at listen, exit 1. */
  it('takes an IP address or a host name for HOST, refusing anything else with the other problems', () => {
    const refused = (raw: string) => `HOST must be an IP address (0.0.0.0 for every interface, 127.0.0.1 for this machine alone) or a host name, without a scheme, a port or whitespace, got ${JSON.stringify(raw)}`;
    for (const host of ['0.0.0.0\r', ' 0.0.0.0', 'http://0.0.0.0', '0.0.0.0:4000', '[::1]', 'gateway_1', '-gateway', 'a..b']) {
      expect(gatewayError({ ...valid, HOST: host })).toBe(refused(host));
    }
    expect(gatewayError({ ...valid, HOST: 'http://0.0.0.0', GATEWAY_PORT: '99999' }).split('\n')).toEqual([
      '2 configuration problems:',
      `  - ${refused('http://0.0.0.0')}`,
      '  - GATEWAY_PORT must be a port number between 1 and 65535, got "99999"',
    ]);
    for (const host of ['0.0.0.0', '127.0.0.1', '::', '::1', 'localhost', 'credit-gateway', 'gateway.credit.internal']) {
      expect(readGatewayConfig({ ...valid, HOST: host }, []).host).toBe(host);
    }
    expect(readGatewayConfig(valid, []).host).toBe('127.0.0.1');
    // Listening beyond loopback without NODE_ENV=production, explorer and introspection on, was never flagged.
    const forgotten = 'HOST=0.0.0.0 listens beyond this machine without NODE_ENV=production: the explorer and introspection are on unless switched off, and the production checks are off; set NODE_ENV=production for a deployment';
    expect(readGatewayConfig({ ...valid, HOST: '0.0.0.0' }, []).warnings).toEqual([forgotten]);
    for (const host of ['127.0.0.1', '127.0.1.1', '::1', 'localhost']) expect(readGatewayConfig({ ...valid, HOST: host }, []).warnings).toEqual([]);
    expect(readGatewayConfig({ ...production, HOST: '0.0.0.0' }, []).warnings).toEqual([]);
    // A subgraph reads it with its own settings, before it opens (and migrates) its database.
    expect(subgraphError({ GATEWAY_SIGNING_KEY: secret, HOST: '0.0.0.0:4005' })).toBe(refused('0.0.0.0:4005'));
    expect(readSubgraphConfig('audit', { GATEWAY_SIGNING_KEY: secret, HOST: '0.0.0.0' }, []).host).toBe('0.0.0.0');
  });

  /** An empty supergraph stopped the gateway with a stack naming neither file nor setting; one unreadable was told only once all else was mended. */
  it('reads and parses the supergraph with the other settings, naming SUPERGRAPH_PATH and the file', () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'credit-supergraph-'));
    try {
      const empty = path.join(directory, 'empty.graphql');
      fs.writeFileSync(empty, '');
      const html = path.join(directory, 'page.graphql');
      fs.writeFileSync(html, '<html>not found</html>');
      const none = path.join(directory, 'none.graphql');
      expect(gatewayError({ ...valid, SUPERGRAPH_PATH: empty, LOG_LEVEL: 'loud' }).split('\n')).toEqual([
        '2 configuration problems:',
        `  - SUPERGRAPH_PATH (${empty}) must hold a composed supergraph (npm run compose writes one), got text that is no GraphQL: Syntax Error: Unexpected <EOF>.`,
        '  - LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      ]);
      expect(gatewayError({ ...valid, SUPERGRAPH_PATH: html })).toMatch(new RegExp(`^SUPERGRAPH_PATH \\(${html}\\) must hold a composed supergraph .*: Syntax Error: `));
      expect(gatewayError({ ...valid, GATEWAY_PORT: '0' }, ['--supergraph', none]).split('\n')).toEqual([
        '2 configuration problems:',
        `  - SUPERGRAPH_PATH names a file that cannot be read: ${none} (ENOENT)`,
        '  - GATEWAY_PORT must be a port number between 1 and 65535, got "0"',
      ]);
      expect(readGatewayConfig(valid, []).supergraphSdl).toContain('@link(url: "https://specs.apollo.dev/join/');
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  it('bounds each subgraph call by SUBGRAPH_TIMEOUT_MS, 10 s unless set', () => {
    expect(readGatewayConfig(valid, []).subgraphTimeoutMs).toBe(10_000);
    expect(readGatewayConfig({ ...valid, SUBGRAPH_TIMEOUT_MS: '2500' }, []).subgraphTimeoutMs).toBe(2_500);
  });

  it("bounds a request's subgraph calls together by REQUEST_TIMEOUT_MS, 10 s unless set", () => {
    expect(readGatewayConfig(valid, []).requestTimeoutMs).toBe(10_000);
    expect(readGatewayConfig({ ...valid, REQUEST_TIMEOUT_MS: '15000' }, []).requestTimeoutMs).toBe(15_000);
    expect(gatewayError({ ...valid, REQUEST_TIMEOUT_MS: '0' })).toBe('REQUEST_TIMEOUT_MS must be a whole number of milliseconds between 100 and 600000, got "0"');
  });

  /** SUBGRAPH_TIMEOUT_MS=10, seconds meant, failed every subgraph call while the gateway served. */
  it('refuses a timeout in milliseconds below 100, asking whether seconds were meant', () => {
    expect(gatewayError({ ...valid, SUBGRAPH_TIMEOUT_MS: '10', REQUEST_TIMEOUT_MS: '30' }).split('\n')).toEqual([
      '2 configuration problems:',
      '  - SUBGRAPH_TIMEOUT_MS must be a whole number of milliseconds between 100 and 600000, got "10": milliseconds, did you mean 10000?',
      '  - REQUEST_TIMEOUT_MS must be a whole number of milliseconds between 100 and 600000, got "30": milliseconds, did you mean 30000?',
    ]);
    expect(gatewayError({ ...valid, SUBGRAPH_TIMEOUT_MS: '99' })).toBe('SUBGRAPH_TIMEOUT_MS must be a whole number of milliseconds between 100 and 600000, got "99": milliseconds, did you mean 99000?');
    expect(readGatewayConfig({ ...valid, SUBGRAPH_TIMEOUT_MS: '100', REQUEST_TIMEOUT_MS: '100' }, [])).toMatchObject({ subgraphTimeoutMs: 100, requestTimeoutMs: 100 });
  });

  it('takes the front ends allowed across origins from CORS_ORIGINS, exact origins only, none unless set', () => {
    expect(readGatewayConfig(valid, []).corsOrigins).toEqual([]);
    expect(readGatewayConfig({ ...valid, CORS_ORIGINS: 'https://credit.example.gov.cn, http://localhost:5173' }, []).corsOrigins).toEqual(['https://credit.example.gov.cn', 'http://localhost:5173']);
    for (const origin of ['*', 'https://credit.example.gov.cn/', 'https://credit.example.gov.cn/app', 'credit.example.gov.cn', 'ftp://credit.example.gov.cn']) {
      expect(gatewayError({ ...valid, CORS_ORIGINS: origin })).toBe(`CORS_ORIGINS must list origins such as https://credit.example.gov.cn (scheme, host and port, no path, no *), got "${origin}"`);
    }
  });

  it("bounds a token's lifetime by AUTH_MAX_TOKEN_LIFETIME_SECONDS, a day unless set", () => {
    expect(readGatewayConfig(valid, []).tokens?.maxLifetimeSeconds).toBe(86_400);
    expect(readGatewayConfig({ ...valid, AUTH_MAX_TOKEN_LIFETIME_SECONDS: '3600' }, []).tokens?.maxLifetimeSeconds).toBe(3600);
    expect(gatewayError({ ...valid, AUTH_MAX_TOKEN_LIFETIME_SECONDS: '12h' })).toBe('AUTH_MAX_TOKEN_LIFETIME_SECONDS must be a whole number of seconds between 1 and 2592000 (30 days), got "12h"');
  });

  /** 86400000, a day written in milliseconds, lifted the cap an incident's responder counts on to nearly three years. */
  it('caps AUTH_MAX_TOKEN_LIFETIME_SECONDS at 30 days, asking of a value in milliseconds', () => {
    expect(readGatewayConfig({ ...valid, AUTH_MAX_TOKEN_LIFETIME_SECONDS: '2592000' }, []).tokens?.maxLifetimeSeconds).toBe(2_592_000);
    expect(gatewayError({ ...valid, AUTH_MAX_TOKEN_LIFETIME_SECONDS: '86400000' })).toBe(
      'AUTH_MAX_TOKEN_LIFETIME_SECONDS must be a whole number of seconds between 1 and 2592000 (30 days), got "86400000": seconds, did you mean 86400?',
    );
    expect(gatewayError({ ...valid, AUTH_MAX_TOKEN_LIFETIME_SECONDS: '2592001' })).toBe('AUTH_MAX_TOKEN_LIFETIME_SECONDS must be a whole number of seconds between 1 and 2592000 (30 days), got "2592001"');
  });

  it('reads the revocation file at start, and does not start on one that cannot be read or does not parse', () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'credit-revocations-'));
    try {
      const file = path.join(directory, 'revocations.json');
      fs.writeFileSync(file, '{"subjects": ["officer-zhang"], "organisations": ["finance"]}');
      const { revocations } = readGatewayConfig({ ...valid, AUTH_REVOCATIONS_FILE: file }, []).tokens ?? {};
      expect(revocations).toEqual({ file, list: expect.objectContaining({ subjects: new Set(['officer-zhang']), organisations: new Set(['FINANCE']) }) });
      fs.writeFileSync(file, '{"subjects": ["officer-zhang"]');
      expect(gatewayError({ ...valid, AUTH_REVOCATIONS_FILE: file })).toMatch(new RegExp(`^AUTH_REVOCATIONS_FILE: ${file}: it must hold JSON: `));
      expect(gatewayError({ ...valid, AUTH_REVOCATIONS_FILE: path.join(directory, 'none.json') })).toBe(`AUTH_REVOCATIONS_FILE: ${path.join(directory, 'none.json')} cannot be read (ENOENT)`);
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  it('refuses an explorer without introspection, and demo tokens in production or without the demo secret', () => {
    expect(gatewayError({ ...valid, EXPLORER: 'on', INTROSPECTION: 'off' })).toMatch(/^EXPLORER=on needs INTROSPECTION=on/);
    expect(gatewayError({ ...production, EXPLORER_DEMO_TOKENS: 'true' })).toBe('EXPLORER_DEMO_TOKENS is for the embedded default only and cannot be on with NODE_ENV=production');
    expect(gatewayError({ GATEWAY_SIGNING_KEY: secret, AUTH_JWKS_URL: 'https://idp.example/jwks', EXPLORER_DEMO_TOKENS: 'true' })).toBe('EXPLORER_DEMO_TOKENS needs AUTH_JWT_SECRET: the demo tokens are signed with it');
  });

  it('reads each operation limit, with its default when unset', () => {
    expect(readGatewayConfig(valid, []).limits).toEqual(defaultOperationLimits);
    const limits = readGatewayConfig({ ...valid, GATEWAY_MAX_DEPTH: '8', GATEWAY_MAX_COST: '50_000', GATEWAY_MAX_BODY_BYTES: '65536' }, []).limits;
    expect(limits).toEqual({ ...defaultOperationLimits, depth: 8, cost: 50_000, bodyBytes: 65_536 });
    expect(gatewayError({ ...valid, GATEWAY_MAX_ALIASES: '0' })).toBe('GATEWAY_MAX_ALIASES must be a whole number of at least 1, got "0"');
    expect(gatewayError({ ...valid, GATEWAY_MAX_TOKENS: 'lots' })).toBe('GATEWAY_MAX_TOKENS must be a whole number of at least 1, got "lots"');
  });

  it('turns access control off only outside production', () => {
    expect(readGatewayConfig(valid, []).accessControl).toBe(true);
    expect(readGatewayConfig({ ...valid, ACCESS_CONTROL: 'off' }, []).accessControl).toBe(false);
    expect(gatewayError({ ...production, ACCESS_CONTROL: 'off' })).toBe('ACCESS_CONTROL=off is for development only and cannot be set with NODE_ENV=production');
  });

  it('needs no token settings or signing key with access control off, and still checks any given', () => {
    const open = readGatewayConfig({ ACCESS_CONTROL: 'off' }, []);
    expect(open.tokens).toBeNull();
    expect(open.signingKey).toHaveLength(32);
    expect(gatewayError({ ACCESS_CONTROL: 'off', GATEWAY_SIGNING_KEY: 'short' })).toMatch(/GATEWAY_SIGNING_KEY/);
    expect(gatewayError({ ACCESS_CONTROL: 'off', AUTH_JWT_SECRET: 'x'.repeat(40), AUTH_JWKS_URL: 'https://idp.example/jwks' })).toMatch(/set exactly one of/);
    expect(gatewayError({})).toMatch(/AUTH_JWT_SECRET/);
  });

  it('trusts no proxy unless TRUSTED_PROXIES lists one, and reads its IPv4 and IPv6 addresses and ranges', () => {
    expect(readGatewayConfig(valid, []).trustedProxies).toBeUndefined();
    expect(readGatewayConfig({ ...valid, TRUSTED_PROXIES: ' , ' }, []).trustedProxies).toBeUndefined();
    const trusted = readGatewayConfig({ ...valid, TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8,fd00::/8 , ::1' }, []).trustedProxies;
    expect(['127.0.0.1', '10.200.3.4'].map((a) => trusted?.check(a, 'ipv4'))).toEqual([true, true]);
    expect(['fd12::1', '::1', '::ffff:10.1.1.1', 'fe80::1'].map((a) => trusted?.check(a, 'ipv6'))).toEqual([true, true, true, false]);
    expect(trusted?.check('11.0.0.1', 'ipv4')).toBe(false);
  });

  it('names the TRUSTED_PROXIES entry that is no IP address or CIDR range, with the other problems', () => {
    const refused = (entry: string) => `TRUSTED_PROXIES must list IP addresses and CIDR ranges (127.0.0.1, 10.0.0.0/8, fd00::/8), comma-separated, got "${entry}"`;
    for (const entry of ['localhost', '10.0.0', '10.0.0.0/33', 'fd00::/129', '10.0.0.0/', '10.0.0.0/8/8', '10.0.0.0/-1', '10.0.0.0/ 8', '*', '10.0.0.1:8080', 'fe80::1%eth0']) {
      expect(gatewayError({ ...valid, TRUSTED_PROXIES: `127.0.0.1,${entry}` })).toBe(refused(entry));
    }
    expect(gatewayError({ ...valid, TRUSTED_PROXIES: '10.0.0.0/8 192.168.0.1', LOG_LEVEL: 'loud' }).split('\n')).toEqual([
      '2 configuration problems:',
      '  - LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      `  - ${refused('10.0.0.0/8 192.168.0.1')}`,
    ]);
  });

  it('limits rates by default, in memory, and reads budgets, Redis and the switch', () => {
    expect(readGatewayConfig(valid, []).rateLimits).toEqual({ callerPerMinute: 600, organisationPerMinute: 3000, redisUrl: undefined, redisPrefix: 'credit:rate-limit:' });
    const configured = { ...valid, RATE_LIMIT_CALLER_PER_MINUTE: '120', RATE_LIMIT_ORGANISATION_PER_MINUTE: '1000', RATE_LIMIT_REDIS_URL: 'redis://redis:6379/2', RATE_LIMIT_REDIS_PREFIX: 'staging:' };
    expect(readGatewayConfig(configured, []).rateLimits).toEqual({ callerPerMinute: 120, organisationPerMinute: 1000, redisUrl: 'redis://redis:6379/2', redisPrefix: 'staging:' });
    expect(readGatewayConfig({ ...configured, RATE_LIMIT: 'off' }, []).rateLimits).toBeNull();
  });

  it('names bad rate-limit settings, even when rate limiting is off', () => {
    const message = gatewayError({ ...valid, RATE_LIMIT: 'off', RATE_LIMIT_CALLER_PER_MINUTE: '0', RATE_LIMIT_ORGANISATION_PER_MINUTE: '2.5', RATE_LIMIT_REDIS_URL: 'http://redis:6379' });
    expect(message.split('\n')).toEqual([
      '3 configuration problems:',
      '  - RATE_LIMIT_CALLER_PER_MINUTE must be a whole number of at least 1, got "0"',
      '  - RATE_LIMIT_ORGANISATION_PER_MINUTE must be a whole number of at least 1, got "2.5"',
      '  - RATE_LIMIT_REDIS_URL must use redis: or rediss:, got "http:"',
    ]);
    expect(gatewayError({ ...valid, RATE_LIMIT: 'sometimes' })).toBe('RATE_LIMIT must be on or off, got "sometimes"');
  });

  /**
   * ioredis reads the URL's path as the database's number: /credit was sent as SELECT NaN, and the
   * gateway logged "shared in Redis" and "serving", then died of an unhandled "Command timed out".
   */
  it('refuses a RATE_LIMIT_REDIS_URL whose path or ?db= is no database number, with the other problems', () => {
    const noNumber = (got: string) => `RATE_LIMIT_REDIS_URL must name its database by number after the host (redis://redis:6379/2), or none, got "${got}"`;
    expect(gatewayError({ ...valid, RATE_LIMIT_REDIS_URL: 'redis://127.0.0.1:6379/credit', LOG_LEVEL: 'loud' }).split('\n')).toEqual([
      '2 configuration problems:',
      '  - LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      `  - ${noNumber('/credit')}`,
    ]);
    expect(gatewayError({ ...valid, RATE_LIMIT_REDIS_URL: 'rediss://:hunter2@redis:6379/2x' })).toBe(noNumber('/2x'));
    expect(gatewayError({ ...valid, RATE_LIMIT_REDIS_URL: 'redis://redis:6379/0/' })).toBe(noNumber('/0/'));
    expect(gatewayError({ ...valid, RATE_LIMIT_REDIS_URL: 'redis://redis:6379?db=two' })).toBe(noNumber('?db=two'));
    for (const url of ['redis://redis:6379', 'redis://redis:6379/', 'redis://redis:6379/15', 'redis://redis:6379?db=3', 'rediss://:pw@redis:6380/0']) {
      expect(readGatewayConfig({ ...valid, RATE_LIMIT_REDIS_URL: url }, []).rateLimits?.redisUrl).toBe(url);
    }
  });

  it('reports every problem at once, one per line', () => {
    const message = gatewayError({ GATEWAY_PORT: '99999', LOG_LEVEL: 'loud' });
    expect(message.split('\n')).toEqual([
      '4 configuration problems:',
      '  - GATEWAY_PORT must be a port number between 1 and 65535, got "99999"',
      "  - set exactly one of AUTH_JWT_SECRET, AUTH_PUBLIC_KEY_FILE, AUTH_JWKS_URL to verify callers' tokens, got none",
      '  - GATEWAY_SIGNING_KEY is required: a secret of at least 32 bytes (plain text or base64:...)',
      '  - LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    ]);
  });
});

/** A self-signed certificate for an EC P-256 key, as an identity provider may publish its key: public data. */
const certificate = `-----BEGIN CERTIFICATE-----
MIIBjDCCATGgAwIBAgIUb/+1Fkz7/5/+HumSKVxjVRQF5wwwCgYIKoZIzj0EAwIw
GzEZMBcGA1UEAwwQaWRlbnRpdHkuZXhhbXBsZTAeFw0yNjEyMDYxMDIxMjJaFw0z
NjEyMDMxMDIxMjJaMBsxGTAXBgNVBAMMEGlkZW50aXR5LmV4YW1wbGUwWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAAQOPbToB68uSYxAcCIX2/fNtTRvtT281xRvz9mz
bKvNcFHo8acwlRTHaFEBNCgXzFolWcIAZeOe8WBo/3PoEA1Ao1MwUTAdBgNVHQ4E
FgQU0yRAMTot+Uu25+SnfcCb64dd8g4wHwYDVR0jBBgwFoAU0yRAMTot+Uu25+Sn
fcCb64dd8g4wDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEA8TDZ
O9y/rNVSdukWI4IFL4QdCFXXPSyMctHlJbvztWwCIQCxjBTXAlbZkTyOd5eO2Q3A
RPqIRLAv2NFUxw0g1iq94g==
-----END CERTIFICATE-----
`;

/**
 * An identity provider's public key, given as a file: read and checked against AUTH_JWT_ALGORITHM
 * at start, where a key of another form or kind once stopped the gateway later with a stack trace
 * (exit 1) or let it serve and refuse every token as TOKEN_INVALID.
 */
describe('AUTH_PUBLIC_KEY_FILE', () => {
  let directory: string;
  beforeAll(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'credit-public-key-'));
  });
  afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

  function keyFile(name: string, content: string | Buffer): string {
    const file = path.join(directory, name);
    fs.writeFileSync(file, content);
    return file;
  }
  const spki = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const withKey = (file: string, algorithm?: string) => ({ GATEWAY_SIGNING_KEY: secret, AUTH_PUBLIC_KEY_FILE: file, ...(algorithm ? { AUTH_JWT_ALGORITHM: algorithm } : {}) });

  it.each([
    ['an RSA key with RS256, the default', rsa, undefined, 'RS256'],
    ['an RSA key with PS512', rsa, 'PS512', 'PS512'],
    ['an EC P-256 key with ES256', p256, 'ES256', 'ES256'],
    ['an EC P-384 key with ES384', generateKeyPairSync('ec', { namedCurve: 'P-384' }), 'ES384', 'ES384'],
    ['an Ed25519 key with EdDSA', generateKeyPairSync('ed25519'), 'EdDSA', 'EdDSA'],
    ['an RSA-PSS key restricted to SHA-256 with PS256', generateKeyPairSync('rsa-pss', { modulusLength: 2048, hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256' }), 'PS256', 'PS256'],
  ])('verifies tokens signed for %s', async (label, pair, configured, algorithm) => {
    const { tokens } = readGatewayConfig(withKey(keyFile(`${label}.pem`, spki(pair.publicKey)), configured), []);
    if (!tokens) throw new Error('expected token settings');
    const token = await new SignJWT({ org: 'FINANCE' }).setProtectedHeader({ alg: algorithm }).setSubject('officer-1').setIssuer(tokens.issuer).setAudience(tokens.audience).setExpirationTime('5m').sign(pair.privateKey);
    expect((await createTokenVerifier(tokens)(token)).sub).toBe('officer-1');
  });

  it('refuses a file in another form than a PEM public key, naming it and saying how to take the key out', () => {
    const cert = keyFile('cert.pem', certificate);
    expect(gatewayError(withKey(cert, 'ES256'))).toBe(`AUTH_PUBLIC_KEY_FILE (${cert}) must hold a PEM public key (BEGIN PUBLIC KEY), got a certificate (BEGIN CERTIFICATE): give its public key, openssl x509 -pubkey -noout -in ${cert}`);
    const pkcs1 = keyFile('pkcs1.pem', rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }));
    expect(gatewayError(withKey(pkcs1))).toBe(`AUTH_PUBLIC_KEY_FILE (${pkcs1}) must hold a PEM public key (BEGIN PUBLIC KEY), got an RSA public key in PKCS#1 form (BEGIN RSA PUBLIC KEY): convert it, openssl rsa -RSAPublicKey_in -pubout -in ${pkcs1}`);
    const privateKey = keyFile('private.pem', p256.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect(gatewayError(withKey(privateKey, 'ES256'))).toBe(`AUTH_PUBLIC_KEY_FILE (${privateKey}) must hold a PEM public key (BEGIN PUBLIC KEY), got a private key (BEGIN PRIVATE KEY), which belongs to the identity provider alone: give its public key, openssl pkey -pubout -in ${privateKey}`);
    const junk = keyFile('junk.pem', 'not a key at all\n');
    expect(gatewayError(withKey(junk))).toBe(`AUTH_PUBLIC_KEY_FILE (${junk}) must hold a PEM public key (BEGIN PUBLIC KEY), got no PEM block`);
    const broken = keyFile('broken.pem', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n');
    expect(gatewayError(withKey(broken))).toMatch(new RegExp(`^AUTH_PUBLIC_KEY_FILE \\(${broken}\\) must hold a PEM public key \\(BEGIN PUBLIC KEY\\), got one that does not parse \\(.+\\)$`));
  });

  it('refuses a key that cannot verify the algorithm, naming both variables and the algorithms the key would verify', () => {
    const rsaFile = keyFile('rsa.pem', spki(rsa.publicKey));
    const p256File = keyFile('p256.pem', spki(p256.publicKey));
    expect(gatewayError(withKey(rsaFile, 'ES256'))).toBe(
      `AUTH_PUBLIC_KEY_FILE (${rsaFile}) holds an RSA key of 2048 bits, but AUTH_JWT_ALGORITHM=ES256 needs an EC key on curve P-256: set AUTH_JWT_ALGORITHM to the one the identity provider signs with (this key verifies RS256, RS384, RS512, PS256, PS384, PS512), or give the key it signs ES256 tokens with`,
    );
    expect(gatewayError(withKey(p256File))).toBe(
      `AUTH_PUBLIC_KEY_FILE (${p256File}) holds an EC key on curve P-256, but AUTH_JWT_ALGORITHM=RS256 (the default) needs an RSA key of at least 2048 bits: set AUTH_JWT_ALGORITHM to the one the identity provider signs with (this key verifies ES256), or give the key it signs RS256 tokens with`,
    );
    expect(gatewayError(withKey(p256File, 'ES384'))).toContain('holds an EC key on curve P-256, but AUTH_JWT_ALGORITHM=ES384 needs an EC key on curve P-384: ');
    const short = keyFile('rsa-1024.pem', spki(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey));
    expect(gatewayError(withKey(short))).toBe(`AUTH_PUBLIC_KEY_FILE (${short}) holds an RSA key of 1024 bits, but AUTH_JWT_ALGORITHM=RS256 (the default) needs an RSA key of at least 2048 bits: give the key it signs RS256 tokens with`);    // An RSA-PSS key verifies PS algorithms only, whatever its length: named as what it is.
    const pss = keyFile('rsa-pss.pem', spki(generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).publicKey));
    expect(gatewayError(withKey(pss))).toContain(`holds an RSA-PSS key of 2048 bits, but AUTH_JWT_ALGORITHM=RS256 (the default) needs an RSA key of at least 2048 bits: set AUTH_JWT_ALGORITHM to the one the identity provider signs with (this key verifies PS256, PS384, PS512)`);
    // Bound by its own parameters to SHA-256 (jose refuses it for PS384 at every token).
    const pssSha256 = keyFile('rsa-pss-sha256.pem', spki(generateKeyPairSync('rsa-pss', { modulusLength: 2048, hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256' }).publicKey));
    expect(gatewayError(withKey(pssSha256, 'PS384'))).toContain(
      'holds an RSA-PSS key of 2048 bits restricted to sha256 with a salt of 32 bytes, but AUTH_JWT_ALGORITHM=PS384 needs an RSA key of at least 2048 bits (an RSA-PSS key unrestricted, or restricted to sha384 with a salt of at most 48 bytes): set AUTH_JWT_ALGORITHM to the one the identity provider signs with (this key verifies PS256)',
    );
    const x25519 = keyFile('x25519.pem', spki(generateKeyPairSync('x25519').publicKey));
    expect(gatewayError(withKey(x25519, 'EdDSA'))).toContain('holds a key of type X25519, but AUTH_JWT_ALGORITHM=EdDSA needs an Ed25519 or Ed448 key');
  });

  it('lists a bad algorithm and a bad file together, with the other problems', () => {
    const junk = keyFile('junk-too.pem', 'junk');
    expect(gatewayError({ ...withKey(junk, 'HS256'), LOG_LEVEL: 'loud' }).split('\n')).toEqual([
      '3 configuration problems:',
      '  - AUTH_JWT_ALGORITHM must be one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA with AUTH_PUBLIC_KEY_FILE, got "HS256"',
      `  - AUTH_PUBLIC_KEY_FILE (${junk}) must hold a PEM public key (BEGIN PUBLIC KEY), got no PEM block`,
      '  - LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    ]);
  });
});

describe('readSubgraphConfig', () => {
  it('reads its port, database and key', () => {
    const config = readSubgraphConfig('records', { GATEWAY_SIGNING_KEY: secret, DATABASE_URL: 'mysql://credit:pw@db:3306', LOG_LEVEL: 'warn' }, []);
    expect(config).toMatchObject({ port: 4002, logLevel: 'warn', database: { kind: 'mysql', url: 'mysql://credit:pw@db:3306', prefix: 'credit_' } });
  });

  it('reports every bad value, without echoing a database password', () => {
    const message = configRefusal(() => readSubgraphConfig('records', { PORT: '-1', DATABASE_URL: 'postgres://credit:hunter2@db/credit' }, []));
    expect(message).toContain('3 configuration problems:');
    expect(message).toContain('PORT must be a port number between 1 and 65535, got "-1"');
    expect(message).toContain('DATABASE_URL must be a mysql:// or mariadb:// URL naming the host, such as mysql://user:password@db-host:3306');
    expect(message).toContain('got "postgres://…@db/credit"');
    expect(message).toContain('GATEWAY_SIGNING_KEY is required');
    expect(message).not.toContain('hunter2');
  });

  it("reads records' peers with GATEWAY_SIGNING_KEY read once, with the settings, and names a bad peer address beside a missing key", () => {
    const asked: string[] = [];
    const env = new Proxy<NodeJS.ProcessEnv>({ GATEWAY_SIGNING_KEY: secret, SUBGRAPH_REPORTS_URL: 'http://reports:4003/graphql' }, {
      get(target, name) {
        if (typeof name === 'string') asked.push(name);
        return Reflect.get(target, name);
      },
    });
    expect(readRecordsPeers(env)).toEqual({ entities: 'http://127.0.0.1:4001/graphql', reports: 'http://reports:4003/graphql' });
    expect(asked).not.toContain('GATEWAY_SIGNING_KEY');
    const message = configRefusal(() => readSubgraphConfig('records', { SUBGRAPH_ENTITIES_URL: 'entities:4001' }, [], readRecordsPeers));
    expect(message.split('\n')).toEqual(['2 configuration problems:', expect.stringContaining('GATEWAY_SIGNING_KEY is required'), '  - SUBGRAPH_ENTITIES_URL must use http: or https:, got "entities:"']);
  });
});

function subgraphError(env: NodeJS.ProcessEnv): string {
  return configRefusal(() => readSubgraphConfig('audit', env, []));
}

/** Keys the verifiers take besides GATEWAY_SIGNING_KEY while it is changed (README "Changing the signing key"). */
describe('GATEWAY_SIGNING_KEYS_ACCEPTED', () => {
  const retired = `base64:${Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 53 + 7) % 256)).toString('base64')}`;
  const another = 'another-secret-of-at-least-32-bytes!!';
  const database = { DATABASE_URL: 'mysql://credit_audit:pw@db:3306' };

  it('is read by the subgraphs as one or more keys, comma- or space-separated, as GATEWAY_SIGNING_KEY is read; none when unset', () => {
    expect(readSubgraphConfig('audit', { GATEWAY_SIGNING_KEY: signingKey }, []).acceptedKeys).toEqual([]);
    expect(readSubgraphConfig('audit', { GATEWAY_SIGNING_KEY: signingKey, GATEWAY_SIGNING_KEYS_ACCEPTED: '' }, []).acceptedKeys).toEqual([]);
    const one = readSubgraphConfig('audit', { GATEWAY_SIGNING_KEY: signingKey, GATEWAY_SIGNING_KEYS_ACCEPTED: retired }, []).acceptedKeys;
    expect(one.map((k) => Buffer.from(k).toString('base64'))).toEqual([retired.slice('base64:'.length)]);
    for (const list of [`${retired},${another}`, ` ${retired} , ${another} `, `${retired}\n${another}`]) {
      expect(readSubgraphConfig('audit', { GATEWAY_SIGNING_KEY: signingKey, GATEWAY_SIGNING_KEYS_ACCEPTED: list }, []).acceptedKeys.map((k) => Buffer.from(k).toString())).toEqual([
        Buffer.from(retired.slice('base64:'.length), 'base64').toString(),
        another,
      ]);
    }
  });

  it('refuses a key the reader of GATEWAY_SIGNING_KEY refuses, naming which', () => {
    expect(subgraphError({ GATEWAY_SIGNING_KEY: signingKey, GATEWAY_SIGNING_KEYS_ACCEPTED: 'too-short' })).toBe('GATEWAY_SIGNING_KEYS_ACCEPTED must be at least 32 bytes, got 9');
    expect(subgraphError({ GATEWAY_SIGNING_KEY: signingKey, GATEWAY_SIGNING_KEYS_ACCEPTED: `${retired},short` })).toBe('GATEWAY_SIGNING_KEYS_ACCEPTED (its key 2) must be at least 32 bytes, got 5');
    expect(subgraphError({ ...database, NODE_ENV: 'production', GATEWAY_SIGNING_KEY: signingKey, GATEWAY_SIGNING_KEYS_ACCEPTED: 'a'.repeat(32) })).toMatch(/^GATEWAY_SIGNING_KEYS_ACCEPTED must hold at least 8 different characters with NODE_ENV=production, got 1/);
  });

  it('refuses the same key twice, in the gateway and the subgraphs, however each is written', () => {
    const current = 'GATEWAY_SIGNING_KEYS_ACCEPTED must not hold GATEWAY_SIGNING_KEY: it lists the keys accepted besides it (during a change of key, the other one)';
    const twice = 'GATEWAY_SIGNING_KEYS_ACCEPTED must not list a key twice';
    expect(subgraphError({ GATEWAY_SIGNING_KEY: signingKey, GATEWAY_SIGNING_KEYS_ACCEPTED: signingKey })).toBe(current);
    expect(subgraphError({ GATEWAY_SIGNING_KEY: another, GATEWAY_SIGNING_KEYS_ACCEPTED: `${retired} base64:${Buffer.from(another).toString('base64')}` })).toBe(current);
    expect(subgraphError({ GATEWAY_SIGNING_KEY: signingKey, GATEWAY_SIGNING_KEYS_ACCEPTED: `${another},${another}` })).toBe(twice);
    expect(gatewayError({ ...valid, GATEWAY_SIGNING_KEYS_ACCEPTED: secret })).toBe(current);
    expect(gatewayError({ ...production, GATEWAY_SIGNING_KEYS_ACCEPTED: `${retired},${retired}` })).toBe(twice);
  });

  it('is refused by the gateway with NODE_ENV=production when it holds AUTH_JWT_SECRET, and taken otherwise', () => {
    expect(gatewayError({ ...production, GATEWAY_SIGNING_KEYS_ACCEPTED: `${retired} base64:${Buffer.from(secret).toString('base64')}` })).toBe(
      'AUTH_JWT_SECRET and GATEWAY_SIGNING_KEYS_ACCEPTED must be different secrets with NODE_ENV=production: whoever signs callers\' tokens with the one could sign the identities the subgraphs trust with the other',
    );
    expect(readGatewayConfig({ ...production, GATEWAY_SIGNING_KEYS_ACCEPTED: retired }, []).production).toBe(true);
    expect(readGatewayConfig({ ...production, AUTH_JWT_SECRET: undefined, AUTH_JWKS_URL: 'https://idp.example/jwks.json', GATEWAY_SIGNING_KEYS_ACCEPTED: secret }, []).production).toBe(true);
    expect(readGatewayConfig({ AUTH_JWT_SECRET: secret, GATEWAY_SIGNING_KEY: signingKey, GATEWAY_SIGNING_KEYS_ACCEPTED: secret }, []).production).toBe(false);
  });
});

/**
 * What NODE_ENV=production refuses besides the development switches: a placeholder secret, one
 * secret for callers' tokens and the gateway's identities, a key set over plain HTTP, and a
 * subgraph on the SQLite default. Outside production all of them are taken, as tests and the demo
 * use them.
 */
describe('in production (NODE_ENV=production)', () => {
  const database = { DATABASE_URL: 'mysql://credit_audit:pw@db:3306' };
  const placeholder = (name: string, distinct: number) =>
    `${name} must hold at least 8 different characters with NODE_ENV=production, got ${distinct}: a placeholder, not a secret (make one with: echo "base64:$(openssl rand -base64 32)")`;

  it('refuses a secret of one repeated character, or of a few, in the gateway and the subgraphs', () => {
    expect(gatewayError({ ...production, AUTH_JWT_SECRET: 'a'.repeat(32) })).toBe(placeholder('AUTH_JWT_SECRET', 1));
    expect(gatewayError({ ...production, GATEWAY_SIGNING_KEY: 'changeme'.repeat(4) })).toBe(placeholder('GATEWAY_SIGNING_KEY', 7));
    // Counted on the decoded bytes: 32 bytes of 7, written in base64.
    expect(gatewayError({ ...production, GATEWAY_SIGNING_KEY: `base64:${Buffer.alloc(32, 7).toString('base64')}` })).toBe(placeholder('GATEWAY_SIGNING_KEY', 1));
    expect(subgraphError({ ...database, NODE_ENV: 'production', GATEWAY_SIGNING_KEY: 'a'.repeat(32) })).toBe(placeholder('GATEWAY_SIGNING_KEY', 1));
  });

  it('takes 8 different characters and more, random secrets of either form, and any secret outside production', () => {
    expect(readGatewayConfig({ ...production, GATEWAY_SIGNING_KEY: 'abcdefgh'.repeat(4) }, []).production).toBe(true);
    expect(readGatewayConfig({ ...production, AUTH_JWT_SECRET: '0123456789abcdef0123456789abcdef01234567', GATEWAY_SIGNING_KEY: `base64:${Buffer.from('f3a9c4e1b2d8076a5e4c3b2a1f0e9d8c7b6a59483726150f').toString('base64')}` }, []).production).toBe(true);
    expect(readSubgraphConfig('audit', { ...database, NODE_ENV: 'production', GATEWAY_SIGNING_KEY: signingKey }, []).signingKey).toHaveLength(32);
    expect(readGatewayConfig({ AUTH_JWT_SECRET: 'a'.repeat(32), GATEWAY_SIGNING_KEY: 'b'.repeat(32) }, []).production).toBe(false);
    expect(readSubgraphConfig('audit', { GATEWAY_SIGNING_KEY: 'a'.repeat(32) }, []).signingKey).toHaveLength(32);
  });

  it('refuses AUTH_JWT_SECRET equal to GATEWAY_SIGNING_KEY, however each is written', () => {
    const same = 'AUTH_JWT_SECRET and GATEWAY_SIGNING_KEY must be different secrets with NODE_ENV=production: whoever signs callers\' tokens with the one could sign the identities the subgraphs trust with the other';
    expect(gatewayError({ ...valid, NODE_ENV: 'production' })).toBe(same);
    expect(gatewayError({ ...production, AUTH_JWT_SECRET: `base64:${Buffer.from(secret).toString('base64')}`, GATEWAY_SIGNING_KEY: secret })).toBe(same);
    // Outside production the two may be one (tests, the demo).
    expect(readGatewayConfig(valid, []).production).toBe(false);
  });

  it('fetches the key set over https only', () => {
    const jwks = { GATEWAY_SIGNING_KEY: signingKey, NODE_ENV: 'production' };
    const plain = (url: string) => `AUTH_JWKS_URL must use https: with NODE_ENV=production (a key set fetched over plain HTTP can be swapped on the way, and every token signed with the swapped keys accepted), got "${url}"`;
    expect(gatewayError({ ...jwks, AUTH_JWKS_URL: 'http://idp.example/jwks.json' })).toBe(plain('http://idp.example/jwks.json'));
    expect(gatewayError({ ...jwks, AUTH_JWKS_URL: 'http://127.0.0.1:8080/jwks.json' })).toBe(plain('http://127.0.0.1:8080/jwks.json'));
    expect(gatewayError({ ...jwks, AUTH_JWKS_URL: 'http://svc:hunter2@idp.example/jwks.json' })).not.toContain('hunter2');
    expect(readGatewayConfig({ ...jwks, AUTH_JWKS_URL: 'https://idp.example/jwks.json' }, []).tokens?.keys).toEqual({ kind: 'jwks', url: 'https://idp.example/jwks.json' });
    expect(readGatewayConfig({ GATEWAY_SIGNING_KEY: signingKey, AUTH_JWKS_URL: 'http://127.0.0.1:8080/jwks.json' }, []).tokens?.keys.kind).toBe('jwks');
  });

  it('refuses a subgraph without DATABASE_URL, SQLITE_DIRECTORY or not, and names every problem at once', () => {
    const required = 'DATABASE_URL is required with NODE_ENV=production: a mysql:// or mariadb:// URL such as mysql://user:password@db-host:3306 (the SQLite default, SQLITE_DIRECTORY included, is for development and trials: it would keep the data and the audit log in files on this machine\'s disk)';
    expect(subgraphError({ NODE_ENV: 'production', GATEWAY_SIGNING_KEY: signingKey })).toBe(required);
    expect(subgraphError({ NODE_ENV: 'production', GATEWAY_SIGNING_KEY: signingKey, SQLITE_DIRECTORY: '/var/lib/credit' })).toBe(required);
    expect(subgraphError({ NODE_ENV: 'production', GATEWAY_SIGNING_KEY: 'x'.repeat(32) }).split('\n')).toEqual(['2 configuration problems:', `  - ${required}`, `  - ${placeholder('GATEWAY_SIGNING_KEY', 1)}`]);
    expect(readSubgraphConfig('audit', { NODE_ENV: 'production', GATEWAY_SIGNING_KEY: signingKey, ...database }, []).database).toEqual({ kind: 'mysql', url: database.DATABASE_URL, prefix: 'credit_', ifMissing: 'refuse' });
    expect(readSubgraphConfig('audit', { GATEWAY_SIGNING_KEY: signingKey, SQLITE_DIRECTORY: '/tmp/credit' }, []).database).toEqual({ kind: 'sqlite', directory: '/tmp/credit' });
  });
});

/**
 * NODE_ENV=production switches every production safeguard on, and any other value left them all
 * off: NODE_ENV=Production or =prod started a gateway with the explorer and introspection on, and a
 * subgraph without DATABASE_URL on SQLite, accepting placeholder secrets. Every process refuses a
 * value that is none of production, development, test (jest's) or unset, naming those. It is not
 * taken for production meanwhile: NODE_ENV=prod was also told "DATABASE_URL is required with
 * NODE_ENV=production", a production never set, and the checks made for production alone now say
 * nothing of their own.
 */
describe('NODE_ENV other than production, development, test or unset', () => {
  const unrecognised = (value: string) => `NODE_ENV must be production, development or test (or unset), got "${value}"`;

  it.each(['Production', 'prod', 'PRODUCTION', 'staging', ' production'])('is refused by the gateway and the subgraphs: %j', (value) => {
    expect(gatewayError({ ...production, NODE_ENV: value })).toBe(unrecognised(value));
    expect(subgraphError({ GATEWAY_SIGNING_KEY: signingKey, DATABASE_URL: 'mysql://credit_audit:pw@db:3306', NODE_ENV: value })).toBe(unrecognised(value));
  });

  it('is the one problem told of what only production refuses, and is listed with every other', () => {
    expect(subgraphError({ GATEWAY_SIGNING_KEY: 'a'.repeat(32), NODE_ENV: 'prod' })).toBe(unrecognised('prod'));
    expect(subgraphError({ GATEWAY_SIGNING_KEY: 'a'.repeat(32), GATEWAY_SIGNING_KEYS_ACCEPTED: 'b'.repeat(32), DATABASE_URL: 'mysql://credit_audit:pw@db:3306', NODE_ENV: 'staging' })).toBe(unrecognised('staging'));
    expect(gatewayError({ ...valid, NODE_ENV: 'Production' })).toBe(unrecognised('Production'));
    expect(gatewayError({ GATEWAY_SIGNING_KEY: 'a'.repeat(32), AUTH_JWKS_URL: 'http://idp.example/jwks.json', ACCESS_CONTROL: 'off', NODE_ENV: 'prod' })).toBe(unrecognised('prod'));
    expect(gatewayError({ ...valid, AUTH_JWT_SECRET: 'b'.repeat(32), EXPLORER_DEMO_TOKENS: 'true', NODE_ENV: 'prod' })).toBe(unrecognised('prod'));
    expect(subgraphError({ GATEWAY_SIGNING_KEY: 'a'.repeat(32), PORT: '0', NODE_ENV: 'prod' }).split('\n')).toEqual(['2 configuration problems:', `  - ${unrecognised('prod')}`, '  - PORT must be a port number between 1 and 65535, got "0"']);
    expect(gatewayError({ ...valid, GATEWAY_PORT: '0', NODE_ENV: 'prod' }).split('\n')).toEqual(['2 configuration problems:', `  - ${unrecognised('prod')}`, '  - GATEWAY_PORT must be a port number between 1 and 65535, got "0"']);
  });

  it('takes production, development, test, and none (unset or empty)', () => {
    expect(readGatewayConfig(production, []).production).toBe(true);
    for (const value of ['development', 'test', '', undefined]) {
      expect(readGatewayConfig({ ...valid, NODE_ENV: value }, [])).toMatchObject({ production: false, explorer: true, introspection: true });
      expect(readSubgraphConfig('audit', { GATEWAY_SIGNING_KEY: 'a'.repeat(32), NODE_ENV: value }, []).database.kind).toBe('sqlite');
    }
  });
});

/**
 * A mistyped setting's name was ignored, and its default taken without a word: DATABASE_PREFX
 * started a production subgraph on an empty database of the default prefix, GATEWAY_SIGNING_KEYS_ACCEPTD
 * made a key change's first round do nothing, RATE_LIMIT_REDIS_ULR left the counters per replica,
 * AUTH_JWKS_ULR said "got none". Every process checks the names it is given against the platform's
 * settings (lib/settings.ts): a near miss is a problem listed with the others; another name under
 * the platform's prefixes a warning; the rest of the environment is not looked at.
 */
describe('a setting name mistyped', () => {
  const database = { DATABASE_URL: 'mysql://credit_audit:pw@db:3306' };
  const nearMiss = (name: string, meant: string) => `${name} is not a setting: did you mean ${meant}?`;

  it('is refused by the subgraphs and the gateway, naming the setting meant', () => {
    expect(subgraphError({ GATEWAY_SIGNING_KEY: secret, ...database, DATABASE_PREFX: 'credit_prod_' })).toBe(nearMiss('DATABASE_PREFX', 'DATABASE_PREFIX'));
    expect(subgraphError({ GATEWAY_SIGNING_KEY: secret, GATEWAY_SIGNING_KEYS_ACCEPTD: signingKey })).toBe(nearMiss('GATEWAY_SIGNING_KEYS_ACCEPTD', 'GATEWAY_SIGNING_KEYS_ACCEPTED'));
    expect(gatewayError({ ...valid, GATEWAY_SIGNING_KEYS_ACCEPTD: signingKey })).toBe(nearMiss('GATEWAY_SIGNING_KEYS_ACCEPTD', 'GATEWAY_SIGNING_KEYS_ACCEPTED'));
    expect(gatewayError({ ...valid, RATE_LIMIT_REDIS_ULR: 'redis://redis:6379' })).toBe(nearMiss('RATE_LIMIT_REDIS_ULR', 'RATE_LIMIT_REDIS_URL'));
    expect(gatewayError({ ...valid, SUBGRAPH_TIMEOUT: '2000' })).toBe(nearMiss('SUBGRAPH_TIMEOUT', 'SUBGRAPH_TIMEOUT_MS'));
    expect(gatewayError({ ...valid, LOG_LEVL: 'debug' })).toBe(nearMiss('LOG_LEVL', 'LOG_LEVEL'));
  });

  it('is listed first, with the problems it explains', () => {
    expect(gatewayError({ GATEWAY_SIGNING_KEY: secret, AUTH_JWKS_ULR: 'https://idp.example/jwks.json', GATEWAY_PORT: 'eighty' }).split('\n')).toEqual([
      '3 configuration problems:',
      `  - ${nearMiss('AUTH_JWKS_ULR', 'AUTH_JWKS_URL')}`,
      '  - GATEWAY_PORT must be a port number between 1 and 65535, got "eighty"',
      "  - set exactly one of AUTH_JWT_SECRET, AUTH_PUBLIC_KEY_FILE, AUTH_JWKS_URL to verify callers' tokens, got none",
    ]);
  });

  it('is a near miss written in another case or without its underscores, or one or two letters off (one for a name shorter than 8)', () => {
    for (const name of ['database_prefix', 'DATABASEPREFIX', 'Database_Prefix', 'DATABASE__PREFIX', 'DATABASE_PERFIX', 'DATABASE_PREFIXES']) {
      expect(subgraphError({ GATEWAY_SIGNING_KEY: secret, [name]: 'credit_' })).toBe(nearMiss(name, 'DATABASE_PREFIX'));
    }
    expect(subgraphError({ GATEWAY_SIGNING_KEY: secret, PORTS: '4005' })).toBe(nearMiss('PORTS', 'PORT'));
    expect(subgraphError({ GATEWAY_SIGNING_KEY: secret, port: '4005' })).toBe(nearMiss('port', 'PORT'));
    // A setting of another process is refused mistyped too: a shared environment file holds it for them all.
    expect(subgraphError({ GATEWAY_SIGNING_KEY: secret, EXPLORRE: 'on' })).toBe(nearMiss('EXPLORRE', 'EXPLORER'));
  });

  it('is refused for a SUBGRAPH_<X>_URL or GATEWAY_MAX_<X> that names no subgraph or limit, however far from one', () => {
    const noSubgraph = (name: string) =>
      `${name} names no subgraph: the subgraphs' addresses are SUBGRAPH_ENTITIES_URL, SUBGRAPH_RECORDS_URL, SUBGRAPH_REPORTS_URL, SUBGRAPH_PROVIDERS_URL and SUBGRAPH_AUDIT_URL`;
    expect(gatewayError({ ...valid, SUBGRAPH_ENTITY_URL: 'http://entities:4001/graphql' })).toBe(noSubgraph('SUBGRAPH_ENTITY_URL'));
    expect(gatewayError({ ...valid, SUBGRAPH_RECORD_URL: 'http://records:4002/graphql' })).toBe(nearMiss('SUBGRAPH_RECORD_URL', 'SUBGRAPH_RECORDS_URL'));
    expect(gatewayError({ ...valid, GATEWAY_MAX_QUERY_DEPTH: '8' })).toBe(
      'GATEWAY_MAX_QUERY_DEPTH names no operation limit: the limits are GATEWAY_MAX_DEPTH, GATEWAY_MAX_ALIASES, GATEWAY_MAX_ROOT_FIELDS, GATEWAY_MAX_DIRECTIVES, GATEWAY_MAX_TOKENS, GATEWAY_MAX_COST and GATEWAY_MAX_BODY_BYTES',
    );
    expect(refusalOfSubgraph('records', { GATEWAY_SIGNING_KEY: secret, SUBGRAPH_ENTITY_URL: 'http://entities:4001/graphql' })).toBe(noSubgraph('SUBGRAPH_ENTITY_URL'));
    expect(refusalOfSubgraph('reports', { GATEWAY_SIGNING_KEY: secret, SUBGRAPH_PROVIDER_URL: 'http://providers:4004/graphql' })).toBe(nearMiss('SUBGRAPH_PROVIDER_URL', 'SUBGRAPH_PROVIDERS_URL'));
  });

  /** AUTH_REVOCATIONS (its _FILE left off) was only warned of; GATEWAY_HOST was answered "did you mean GATEWAY_PORT?". */
  it('is refused as a setting with a prefix added or its last part left off, naming that setting', () => {
    expect(gatewayError({ ...valid, AUTH_REVOCATIONS: '/etc/credit/revocations.json' })).toBe(nearMiss('AUTH_REVOCATIONS', 'AUTH_REVOCATIONS_FILE'));
    expect(gatewayError({ ...valid, GATEWAY_HOST: '0.0.0.0' })).toBe(nearMiss('GATEWAY_HOST', 'HOST'));
    expect(gatewayError({ ...valid, GATEWAY_LOG_LEVEL: 'debug' })).toBe(nearMiss('GATEWAY_LOG_LEVEL', 'LOG_LEVEL'));
    expect(subgraphError({ GATEWAY_SIGNING_KEY: secret, DATABASE_PORT: '3306' })).toBe(nearMiss('DATABASE_PORT', 'PORT'));
  });

  /** GATEWAY_SIGNING_KEY_FILE was answered "GATEWAY_SIGNING_KEY is required" alone: the warning that it is ignored was dropped. */
  it('is warned of in the refusal too when the configuration is refused', () => {
    expect(gatewayError({ AUTH_JWT_SECRET: secret, GATEWAY_SIGNING_KEY_FILE: '/run/secrets/signing-key' }).split('\n')).toEqual([
      '2 configuration problems:',
      '  - GATEWAY_SIGNING_KEY is required: a secret of at least 32 bytes (plain text or base64:...)',
      expect.stringMatching(/^ {2}- GATEWAY_SIGNING_KEY_FILE is not a setting, and is ignored: the settings beginning GATEWAY_ are GATEWAY_SIGNING_KEY, /),
    ]);
    // A subgraph's refusal alike.
    expect(subgraphError({ GATEWAY_SIGNING_KEY_FILE: '/run/secrets/signing-key' }).split('\n')).toEqual([
      '2 configuration problems:',
      '  - GATEWAY_SIGNING_KEY is required: a secret of at least 32 bytes (plain text or base64:...)',
      expect.stringMatching(/^ {2}- GATEWAY_SIGNING_KEY_FILE is not a setting, and is ignored: the settings beginning GATEWAY_ are GATEWAY_SIGNING_KEY, /),
    ]);
  });

  it('is warned of, and ignored, for another name under the platform\'s prefixes', () => {
    expect(readGatewayConfig({ ...valid, GATEWAY_REGION: 'cn-north' }, []).warnings).toEqual([
      expect.stringMatching(/^GATEWAY_REGION is not a setting, and is ignored: the settings beginning GATEWAY_ are GATEWAY_SIGNING_KEY, GATEWAY_SIGNING_KEYS_ACCEPTED, GATEWAY_PORT, GATEWAY_MAX_DEPTH, .* and GATEWAY_MAX_BODY_BYTES$/),
    ]);
    expect(readSubgraphConfig('audit', { GATEWAY_SIGNING_KEY: secret, DATABASE_POOL_SIZE: '20', AUTH_JWT_ISSUER: 'x' }, []).warnings).toEqual([
      expect.stringMatching(/^DATABASE_POOL_SIZE is not a setting, and is ignored: the settings beginning DATABASE_ are DATABASE_URL, DATABASE_PREFIX, /),
      expect.stringMatching(/^AUTH_JWT_ISSUER is not a setting, and is ignored: the settings beginning AUTH_ are /),
    ]);
  });

  it('is no concern of the rest of the environment, of another process\'s settings, nor of a name left empty', () => {
    const environment = {
      PATH: '/usr/bin', HOME: '/home/node', HOSTNAME: 'credit-7d9f', USER: 'node', SHELL: '/bin/bash', TERM: 'xterm', LANG: 'C.UTF-8', TZ: 'Asia/Shanghai', PWD: '/app',
      NODE_OPTIONS: '--max-old-space-size=2048', NODE_VERSION: '22.12.0', YARN_VERSION: '1.22.22', NODE_EXTRA_CA_CERTS: '/etc/ca.pem',
      npm_config_cache: '/tmp/npm', npm_lifecycle_event: 'start', INIT_CWD: '/app', APOLLO_TELEMETRY_DISABLED: 'true', KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_PORT: 'tcp://10.0.0.1:443',
      TEST_DATABASE_URL: 'off', TEST_RUN_TAG: 'x', JEST_WORKER_ID: '1', CI: 'true', DEBUG: '', HTTP_PROXY: 'http://proxy:3128', NO_PROXY: 'localhost',
    };
    // npm start gives every process the one environment: the gateway's settings reach the subgraphs, and theirs the gateway.
    const gateway = readGatewayConfig({ ...environment, ...valid, DATABASE_URL: 'mysql://credit:pw@db:3306', PORT: '4001', DATABASE_PREFX: '' }, []);
    expect(gateway.warnings).toEqual([]);
    const subgraph = readSubgraphConfig('audit', { ...environment, GATEWAY_SIGNING_KEY: secret, AUTH_JWT_SECRET: secret, EXPLORER_DEMO_TOKENS: 'true', RATE_LIMIT: 'off', SUBGRAPH_RECORDS_URL: 'http://records:4002/graphql' }, []);
    expect(subgraph.warnings).toEqual([]);
  });
});

function refusalOfSubgraph(name: 'records' | 'reports', env: NodeJS.ProcessEnv): string {
  return configRefusal(() => readSubgraphConfig(name, env, []));
}

/**
 * A subgraph's address is SUBGRAPH_<NAME>_URL for one of the five subgraphs: any other, such as a
 * mistyped SUBGRAPH_RECORD_URL, was ignored, and the process called that subgraph at its default
 * address. Every process that reads the addresses refuses it (above, and with every other problem here).
 */
describe('SUBGRAPH_<NAME>_URL naming no subgraph', () => {
  it('is refused by the gateway, with every other problem', () => {
    expect(gatewayError({ ...valid, SUBGRAPH_records_URL: 'http://records:4002/graphql', SUBGRAPH_AUDIT_URL: 'audit:4005', LOG_LEVEL: 'loud' }).split('\n')).toEqual([
      '3 configuration problems:',
      '  - SUBGRAPH_records_URL is not a setting: did you mean SUBGRAPH_RECORDS_URL?',
      '  - SUBGRAPH_AUDIT_URL must use http: or https:, got "audit:"',
      '  - LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    ]);
  });

  it('is no problem left empty, as an address left empty is unset; the five names are read as before', () => {
    const config = readGatewayConfig({ ...valid, SUBGRAPH_RECORD_URL: '', SUBGRAPH_RECORDS_URL: 'http://records:4002/graphql' }, []);
    expect(config.subgraphUrls).toEqual({ records: 'http://records:4002/graphql' });
    expect(readPeerEndpoint({ GATEWAY_SIGNING_KEY: secret }, 'entities').url).toBe('http://127.0.0.1:4001/graphql');
    expect(readReportsPeers({ SUBGRAPH_RECORDS_URL: 'http://records:4002/graphql' }).url('records')).toBe('http://records:4002/graphql');
    // SUBGRAPH_TIMEOUT_MS is no address.
    expect(readGatewayConfig({ ...valid, SUBGRAPH_TIMEOUT_MS: '2000' }, []).subgraphTimeoutMs).toBe(2000);
  });
});

/**
 * GATEWAY_SIGNING_KEY and AUTH_JWT_SECRET are taken byte for byte. " base64:…" (a space before)
 * was taken as 45 bytes of text, which every subgraph then refused from the gateway at run time,
 * and "base64:" before something that is no base64 was decoded to what Node could make of it, the
 * message saying "at least 32 bytes, got 20".
 */
describe('a secret (GATEWAY_SIGNING_KEY, AUTH_JWT_SECRET)', () => {
  const whitespace = (name: string, where: 'begins' | 'ends') =>
    `${name} must not begin or end with whitespace (a space, a tab, a line break), got one that ${where} with it: a secret is taken byte for byte, and " base64:…" would be read as text, not as the key it encodes`;

  it('is refused with whitespace before or after it, in the gateway and the subgraphs', () => {
    expect(gatewayError({ ...valid, GATEWAY_SIGNING_KEY: ` ${signingKey}` })).toBe(whitespace('GATEWAY_SIGNING_KEY', 'begins'));
    expect(gatewayError({ ...valid, GATEWAY_SIGNING_KEY: `${secret}\n` })).toBe(whitespace('GATEWAY_SIGNING_KEY', 'ends'));
    expect(gatewayError({ ...valid, AUTH_JWT_SECRET: `\t${secret}` })).toBe(whitespace('AUTH_JWT_SECRET', 'begins'));
    expect(subgraphError({ GATEWAY_SIGNING_KEY: `${secret} ` })).toBe(whitespace('GATEWAY_SIGNING_KEY', 'ends'));
    // Within a text secret a space is one of its bytes.
    expect(readGatewayConfig({ ...valid, AUTH_JWT_SECRET: 'a secret of at least thirty-two bytes' }, []).tokens?.keys).toEqual({ kind: 'secret', secret: new Uint8Array(Buffer.from('a secret of at least thirty-two bytes')) });
  });

  it('is refused when what follows base64: is no base64, saying so', () => {
    const invalid = (name: string, what: string) => `${name} must be base64 after base64: (A-Z, a-z, 0-9, + and /, or - and _, with = only at its end), got ${what}`;
    expect(gatewayError({ ...valid, GATEWAY_SIGNING_KEY: 'base64:!!!notbase64!!!aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' })).toBe(invalid('GATEWAY_SIGNING_KEY', 'a character that is not base64 at position 8'));
    expect(gatewayError({ ...valid, AUTH_JWT_SECRET: `base64:${Buffer.alloc(32, 1).toString('base64').slice(0, 41)}` })).toBe(invalid('AUTH_JWT_SECRET', 'a length no base64 has (41 characters)'));
    expect(gatewayError({ ...valid, AUTH_JWT_SECRET: 'base64:' })).toBe(invalid('AUTH_JWT_SECRET', 'nothing'));
    expect(subgraphError({ GATEWAY_SIGNING_KEY: `base64:${Buffer.alloc(32, 1).toString('base64').replace('=', '=A')}` })).toBe(invalid('GATEWAY_SIGNING_KEY', 'a character that is not base64 at position 51'));
    // Short but valid base64 is still told by its length.
    expect(gatewayError({ ...valid, GATEWAY_SIGNING_KEY: `base64:${Buffer.alloc(20, 1).toString('base64')}` })).toBe('GATEWAY_SIGNING_KEY must be at least 32 bytes, got 20');
  });

  it('takes whitespace after base64, which cannot be the key\'s, as a secret file made with echo ends in a line break', () => {
    const encoded = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7)).toString('base64');
    const key = new Uint8Array(Buffer.from(encoded, 'base64'));
    for (const end of ['\n', '\r\n', ' \n\n']) {
      expect(readSubgraphConfig('audit', { GATEWAY_SIGNING_KEY: `base64:${encoded}${end}` }, []).signingKey).toEqual(key);
    }
    expect(readGatewayConfig({ ...valid, AUTH_JWT_SECRET: `base64:${encoded}\n` }, []).tokens?.keys).toEqual({ kind: 'secret', secret: key });
    // Whitespace before it, or within it, is still refused: " base64:…" is text, and a line break
    // within is no base64.
    expect(gatewayError({ ...valid, GATEWAY_SIGNING_KEY: ` base64:${encoded}` })).toBe(whitespace('GATEWAY_SIGNING_KEY', 'begins'));
    expect(subgraphError({ GATEWAY_SIGNING_KEY: `base64:${encoded.slice(0, 20)}\n${encoded.slice(20)}` })).toMatch(/^GATEWAY_SIGNING_KEY must be base64 after base64: .*got a character that is not base64 at position 28$/);
  });

  it('takes base64 padded or not, and base64url', () => {
    const bytes = Buffer.from(Array.from({ length: 33 }, (_, i) => (i * 53 + 250) % 256));
    for (const encoded of [bytes.toString('base64'), bytes.toString('base64url'), Buffer.alloc(32, 9).toString('base64').replace(/=+$/, '')]) {
      expect(readSubgraphConfig('audit', { GATEWAY_SIGNING_KEY: `base64:${encoded}` }, []).signingKey).toEqual(new Uint8Array(Buffer.from(encoded, 'base64')));
    }
  });
});

/** AUTH_ISSUER and AUTH_AUDIENCE were taken verbatim: a leading space, or a CRLF env file's \r, refused every token "unexpected iss claim value". */
describe('AUTH_ISSUER and AUTH_AUDIENCE', () => {
  const whitespace = (name: string, where: 'begins' | 'ends') =>
    `${name} must not begin or end with whitespace (a space, a tab, a line break), got one that ${where} with it: it is compared with every token's claim exactly`;

  it('are refused with whitespace around them, together with the other problems', () => {
    expect(gatewayError({ ...valid, AUTH_ISSUER: ' https://idp.example', AUTH_AUDIENCE: 'credit-api\r' }).split('\n')).toEqual([
      '2 configuration problems:',
      `  - ${whitespace('AUTH_ISSUER', 'begins')}`,
      `  - ${whitespace('AUTH_AUDIENCE', 'ends')}`,
    ]);
    expect(gatewayError({ ...valid, AUTH_ISSUER: 'https://idp.example\n' })).toBe(whitespace('AUTH_ISSUER', 'ends'));
  });

  it('are taken as written otherwise, their defaults when unset', () => {
    expect(readGatewayConfig({ ...valid, AUTH_ISSUER: 'https://idp.example/realms/credit district', AUTH_AUDIENCE: 'credit-api' }, []).tokens).toMatchObject({ issuer: 'https://idp.example/realms/credit district', audience: 'credit-api' });
    expect(readGatewayConfig(valid, []).tokens).toMatchObject({ issuer: 'beidaihe-credit-platform', audience: 'beidaihe-credit-api' });
  });
});

/**
 * AUTH_JWT_ALGORITHM names the algorithm AUTH_PUBLIC_KEY_FILE's key verifies (README,
 * Configuration). Beside AUTH_JWT_SECRET, whose tokens are HS256, or AUTH_JWKS_URL, whose keys
 * say what they verify, it was ignored: AUTH_JWT_ALGORITHM=RS256 with an HMAC secret started a
 * gateway that verified HS256 tokens all the same.
 */
describe('AUTH_JWT_ALGORITHM beside another token setting than AUTH_PUBLIC_KEY_FILE', () => {
  it('is refused beside AUTH_JWT_SECRET unless it says HS256, with every other problem', () => {
    expect(gatewayError({ ...valid, AUTH_JWT_ALGORITHM: 'RS256' })).toBe(
      'AUTH_JWT_ALGORITHM=RS256 does not apply to AUTH_JWT_SECRET, whose tokens are verified as HS256 only: unset AUTH_JWT_ALGORITHM, or, for RS256 tokens, give the identity provider\'s public key as AUTH_PUBLIC_KEY_FILE in place of AUTH_JWT_SECRET',
    );
    expect(gatewayError({ ...valid, AUTH_JWT_SECRET: 'short', AUTH_JWT_ALGORITHM: 'HS512' }).split('\n')).toEqual([
      '2 configuration problems:',
      '  - AUTH_JWT_ALGORITHM=HS512 does not apply to AUTH_JWT_SECRET, whose tokens are verified as HS256 only: unset AUTH_JWT_ALGORITHM',
      '  - AUTH_JWT_SECRET must be at least 32 bytes, got 5',
    ]);
    expect(readGatewayConfig({ ...valid, AUTH_JWT_ALGORITHM: 'HS256' }, []).tokens?.keys.kind).toBe('secret');
  });

  it('is refused beside AUTH_JWKS_URL', () => {
    expect(gatewayError({ GATEWAY_SIGNING_KEY: secret, AUTH_JWKS_URL: 'https://idp.example/jwks.json', AUTH_JWT_ALGORITHM: 'ES256' })).toBe(
      'AUTH_JWT_ALGORITHM=ES256 does not apply to AUTH_JWKS_URL, whose keys each verify the algorithm the key set gives them: unset AUTH_JWT_ALGORITHM (it goes with AUTH_PUBLIC_KEY_FILE)',
    );
    // Left empty, as docker/compose.yaml passes it unset, it is no setting.
    expect(readGatewayConfig({ GATEWAY_SIGNING_KEY: secret, AUTH_JWKS_URL: 'https://idp.example/jwks.json', AUTH_JWT_ALGORITHM: '' }, []).tokens?.keys.kind).toBe('jwks');
  });
});
