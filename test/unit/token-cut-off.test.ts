import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import { authenticate, createTokenVerifier, RefusedClaims, type TokenSettings } from '../../gateway/authentication';
import { GatewayMetrics } from '../../gateway/metrics';
import { parseRevocations, readRevocationsFile, revocationsRereadMs, type RevocationsRead } from '../../gateway/revocations';
import type { Logger } from '../../lib/logger';

const secret = new Uint8Array(randomBytes(32));
const settings: TokenSettings = { keys: { kind: 'secret', secret }, issuer: 'beidaihe-credit-platform', audience: 'beidaihe-credit-api' };
const now = () => Math.floor(Date.now() / 1000);

/** A finance-bureau officer's token, well formed in every claim; `shape` sets its dates (an hour's lifetime unless it does). */
async function officerToken(shape: (jwt: SignJWT) => SignJWT = (jwt) => jwt.setIssuedAt().setExpirationTime('1h'), claims: Record<string, unknown> = {}, key = secret): Promise<string> {
  const jwt = new SignJWT({ org: 'FINANCE', org_kind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER', ...claims }).setProtectedHeader({ alg: 'HS256' }).setSubject('officer-zhang').setIssuer(settings.issuer).setAudience(settings.audience);
  return await shape(jwt).sign(key);
}

/** What `authenticate` threw for `token`: the client's answer and whom the audit log records it under. */
async function refusalOf(token: string, verify = createTokenVerifier(settings)) {
  const error = await authenticate(`Bearer ${token}`, verify).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) throw new Error('the token was accepted');
  const refusal = error instanceof RefusedClaims ? error.refusal : (error as { message: string; extensions: Record<string, unknown> });
  const audited = error instanceof RefusedClaims ? { actor: error.user, organisation: error.caller?.organisation ?? 'unverified' } : { actor: 'unverified', organisation: 'unverified' };
  const { problem, code, http } = refusal.extensions as { problem: string; code: string; http: { headers: Map<string, string> } };
  return { code, problem, message: refusal.message, challenge: http.headers.get('www-authenticate'), ...audited };
}

describe('an expired token', () => {
  it('is audited under the user and organisation its signature proved, so that a stolen token is found by them once cut off', async () => {
    const expired = await officerToken((jwt) => jwt.setIssuedAt(now() - 7200).setExpirationTime(now() - 3600));
    expect(await refusalOf(expired)).toMatchObject({ problem: 'TOKEN_EXPIRED', actor: 'officer-zhang', organisation: 'FINANCE', challenge: expect.stringContaining('error_description="the access token expired"') });
  });

  it('is audited under its user alone when its other claims do not hold, and under nobody when its signature does not', async () => {
    const posing = await officerToken((jwt) => jwt.setIssuedAt(now() - 7200).setExpirationTime(now() - 3600), { org_kind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' });
    expect(await refusalOf(posing)).toMatchObject({ problem: 'TOKEN_EXPIRED', actor: 'officer-zhang', organisation: 'unverified' });
    const forged = await officerToken((jwt) => jwt.setIssuedAt(now() - 7200).setExpirationTime(now() - 3600), {}, new Uint8Array(randomBytes(32)));
    expect(await refusalOf(forged)).toMatchObject({ problem: 'TOKEN_INVALID', actor: 'unverified', organisation: 'unverified' });
  });
});

describe("a token's lifetime", () => {
  it('refuses a token valid for ten years, with its own problem and challenge, audited under the caller it names', async () => {
    const tenYears = await officerToken((jwt) => jwt.setIssuedAt().setExpirationTime('3650d'));
    expect(await refusalOf(tenYears)).toEqual({
      code: 'UNAUTHENTICATED',
      problem: 'TOKEN_LIFETIME_TOO_LONG',
      message: expect.stringMatching(/^the bearer token was refused: it is valid for 3153600\d\d s, longer than the 86400 s this platform accepts/),
      challenge: 'Bearer realm="credit-platform", error="invalid_token", error_description="the access token is valid for longer than this platform accepts"',
      actor: 'officer-zhang',
      organisation: 'FINANCE',
    });
  });

  it('bounds a token without iat by what remains of it, and one with iat by its whole lifetime', async () => {
    expect((await refusalOf(await officerToken((jwt) => jwt.setExpirationTime('30d')))).problem).toBe('TOKEN_LIFETIME_TOO_LONG');
    // Issued long ago with an hour left: a token of years all the same.
    expect((await refusalOf(await officerToken((jwt) => jwt.setIssuedAt(now() - 3 * 86_400).setExpirationTime('1h')))).problem).toBe('TOKEN_LIFETIME_TOO_LONG');
  });

  it('refuses a token issued further in the future than clocks may differ by, which a revocation by issue time would miss, and takes one a little ahead', async () => {
    // An identity provider ten minutes ahead: revoking "tokens issued before now" would let its token through.
    expect(await refusalOf(await officerToken((jwt) => jwt.setIssuedAt(now() + 600).setExpirationTime(now() + 3600)))).toMatchObject({
      problem: 'TOKEN_NOT_YET_VALID',
      message: expect.stringContaining('issued in the future'),
      actor: 'officer-zhang',
      organisation: 'FINANCE',
    });
    // Issued a day ahead, after its own expiry.
    expect((await refusalOf(await officerToken((jwt) => jwt.setIssuedAt(now() + 86_400).setExpirationTime(now() + 3600)))).problem).toBe('TOKEN_NOT_YET_VALID');
    await expect(authenticate(`Bearer ${await officerToken((jwt) => jwt.setIssuedAt(now() + 20).setExpirationTime(now() + 3600))}`, createTokenVerifier(settings))).resolves.toMatchObject({ id: 'officer-zhang' });
  });

  it("takes the demo tokens' twelve hours and a day, and the setting's lifetime when set", async () => {
    const verify = createTokenVerifier(settings);
    for (const lifetime of ['12h', '24h']) await expect(authenticate(`Bearer ${await officerToken((jwt) => jwt.setIssuedAt().setExpirationTime(lifetime))}`, verify)).resolves.toMatchObject({ id: 'officer-zhang' });
    const hour = createTokenVerifier({ ...settings, maxLifetimeSeconds: 3600 });
    expect((await refusalOf(await officerToken((jwt) => jwt.setIssuedAt().setExpirationTime('2h')), hour)).message).toContain('longer than the 3600 s this platform accepts');
  });
});

describe('the revocation file', () => {
  let directory: string;
  let file: string;
  const unreadable: [string, unknown][] = [];
  const observer = { keySetUnavailable: () => undefined, revocationsUnreadable: (f: string, cause: unknown) => unreadable.push([f, cause]) };
  const write = (list: unknown) => fs.writeFileSync(file, typeof list === 'string' ? list : JSON.stringify(list));
  const verifierReading = () => createTokenVerifier({ ...settings, revocations: { file, list: readRevocationsFile(file) } }, observer);
  /** Moves the clock past the interval at which the file is looked at again. */
  const later = () => jest.setSystemTime(Date.now() + revocationsRereadMs);

  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'revocations-'));
    file = path.join(directory, 'revocations.json');
    write({});
    unreadable.length = 0;
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'], now: Date.now() });
  });
  afterEach(() => {
    jest.useRealTimers();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it("refuses a user revoked while the gateway remembers its verified token, within the file's re-read interval", async () => {
    const verify = verifierReading();
    const token = await officerToken();
    await expect(authenticate(`Bearer ${token}`, verify)).resolves.toMatchObject({ id: 'officer-zhang' });
    write({ subjects: [' officer-zhang '] });
    later();
    expect(await refusalOf(token, verify)).toEqual({
      code: 'UNAUTHENTICATED',
      problem: 'TOKEN_REVOKED',
      message: "the bearer token was refused: the token's user (sub) is revoked",
      challenge: 'Bearer realm="credit-platform", error="invalid_token", error_description="the access token was revoked"',
      actor: 'officer-zhang',
      organisation: 'FINANCE',
    });
  });

  it('suspends an organisation, as the platform reads a token\'s org, and lifts it when the file says so', async () => {
    const verify = verifierReading();
    const token = await officerToken();
    write({ organisations: ['finance'] });
    later();
    expect(await refusalOf(token, verify)).toMatchObject({ problem: 'TOKEN_REVOKED', message: expect.stringContaining("the token's organisation (org) is suspended"), organisation: 'FINANCE' });
    write({ organisations: [] });
    later();
    await expect(authenticate(`Bearer ${token}`, verify)).resolves.toMatchObject({ organisation: 'FINANCE' });
  });

  it('refuses tokens issued before a moment, and one without iat, taking those issued since; and one token by its jti', async () => {
    write({ tokensIssuedBefore: new Date((now() - 60) * 1000).toISOString(), jti: ['stolen-1'] });
    const verify = verifierReading();
    expect((await refusalOf(await officerToken((jwt) => jwt.setIssuedAt(now() - 120).setExpirationTime('1h')), verify)).message).toMatch(/tokens issued before .* are revoked, and this one was issued /);
    expect((await refusalOf(await officerToken((jwt) => jwt.setExpirationTime('1h')), verify)).message).toContain('without saying when (no iat)');
    await expect(authenticate(`Bearer ${await officerToken()}`, verify)).resolves.toMatchObject({ id: 'officer-zhang' });
    expect((await refusalOf(await officerToken(undefined, { jti: 'stolen-1' }), verify)).message).toContain('the token (its jti) is revoked');
  });

  it('keeps the last good list when the file turns malformed, saying so once, and takes it again once mended', async () => {
    write({ subjects: ['officer-zhang'] });
    const verify = verifierReading();
    const token = await officerToken();
    write('{"subjects": ["officer-zhang"'); // an edit half-saved
    later();
    expect((await refusalOf(token, verify)).problem).toBe('TOKEN_REVOKED');
    later();
    expect((await refusalOf(token, verify)).problem).toBe('TOKEN_REVOKED');
    expect(unreadable.map(([f, cause]) => [f, (cause as Error).message])).toEqual([[file, expect.stringContaining('it must hold JSON')]]);
    write({ subjects: [] });
    later();
    await expect(authenticate(`Bearer ${token}`, verify)).resolves.toMatchObject({ id: 'officer-zhang' });
  });

  /** The SHA-256 of the file as saved, as `sha256sum` prints it. */
  const savedSha256 = () => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

  // An incident responder must be able to confirm that every replica took a revocation in.
  it('tells each good read, at start and once the file changed, with its entries counted and the SHA-256 of the version read', async () => {
    const reads: [string, RevocationsRead][] = [];
    write({ subjects: ['officer-li', 'officer-wang'], organisations: ['finance'] });
    const verify = createTokenVerifier({ ...settings, revocations: { file, list: readRevocationsFile(file) } }, { ...observer, revocationsRead: (f, read) => reads.push([f, read]) });
    const modifiedAt = () => fs.statSync(file).mtimeMs / 1000;
    expect(reads).toEqual([[file, { entries: { subjects: 2, organisations: 1, jti: 0 }, tokensIssuedBefore: null, sha256: savedSha256(), modifiedAt: modifiedAt() }]]);
    write({ jti: ['stolen-1'], tokensIssuedBefore: '2026-12-07T08:00:00Z' });
    later();
    await refusalOf(await officerToken(), verify).catch(() => undefined);
    expect(reads).toHaveLength(2);
    expect(reads[1]).toEqual([file, { entries: { subjects: 0, organisations: 0, jti: 1 }, tokensIssuedBefore: Date.parse('2026-12-07T08:00:00Z') / 1000, sha256: savedSha256(), modifiedAt: modifiedAt() }]);
    // A version that does not parse is no good read: the list held, and its version, stay.
    write('{"jti": [');
    later();
    await refusalOf(await officerToken(), verify).catch(() => undefined);
    expect(reads).toHaveLength(2);
  });

  it("gives the list a replica holds in its metrics and log: entries by kind, the version's SHA-256, when it was read; no subject named", async () => {
    const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
    const line = (level: string) => (fields: Record<string, unknown>, message: string) => lines.push({ level, fields, message });
    const metrics = new GatewayMetrics({ info: line('info'), warn: line('warn'), error: line('error') } as unknown as Logger);
    try {
      write({ subjects: ['officer-li', 'officer-wang'], organisations: ['finance'] });
      const verify = createTokenVerifier({ ...settings, revocations: { file, list: readRevocationsFile(file) } }, metrics);
      const first = savedSha256();
      write({ subjects: ['officer-zhang'] });
      later();
      expect((await refusalOf(await officerToken(), verify)).problem).toBe('TOKEN_REVOKED');
      const text = await metrics.registry.metrics();
      const series = (name: string) => text.split('\n').filter((l) => l.startsWith(name));
      expect(series('credit_gateway_revocations_entries')).toEqual([
        'credit_gateway_revocations_entries{kind="subjects",service="gateway"} 1',
        'credit_gateway_revocations_entries{kind="organisations",service="gateway"} 0',
        'credit_gateway_revocations_entries{kind="jti",service="gateway"} 0',
      ]);
      // The version held alone: the one replaced is gone.
      expect(series('credit_gateway_revocations_file_info')).toEqual([`credit_gateway_revocations_file_info{sha256="${savedSha256()}",service="gateway"} 1`]);
      expect(series('credit_gateway_revocations_read_timestamp_seconds')).toEqual([`credit_gateway_revocations_read_timestamp_seconds{service="gateway"} ${Date.now() / 1000}`]);
      expect(series('credit_gateway_revocations_file_modified_seconds')).toEqual([`credit_gateway_revocations_file_modified_seconds{service="gateway"} ${fs.statSync(file).mtimeMs / 1000}`]);
      expect(lines.map((l) => [l.level, l.message, l.fields.sha256, l.fields.subjects, l.fields.organisations])).toEqual([
        ['info', 'the revocation file was read: this replica refuses what it names', first, 2, 1],
        ['info', 'the revocation file was read: this replica refuses what it names', savedSha256(), 1, 0],
      ]);
      expect(JSON.stringify(lines)).not.toMatch(/officer-|FINANCE|finance/);
    } finally {
      metrics.close();
    }
  });

  // After a broken save, the error line was the only trace: /metrics kept the old version and the last good read.
  it('gives in its metrics whether the file as last looked at was read well, and when it was looked at', async () => {
    const metrics = new GatewayMetrics(undefined);
    try {
      write({ subjects: ['officer-li'] });
      const verify = createTokenVerifier({ ...settings, revocations: { file, list: readRevocationsFile(file) } }, metrics);
      const series = async (name: string) => (await metrics.registry.metrics()).split('\n').filter((l) => l.startsWith(name));
      const state = async () => [...(await series('credit_gateway_revocations_readable')), ...(await series('credit_gateway_revocations_checked_timestamp_seconds'))];
      expect(await state()).toEqual(['credit_gateway_revocations_readable{service="gateway"} 1', `credit_gateway_revocations_checked_timestamp_seconds{service="gateway"} ${Date.now() / 1000}`]);
      const look = async () => {
        later();
        await authenticate(`Bearer ${await officerToken()}`, verify).catch(() => undefined);
      };
      write('{"subjects": ['); // an edit half-saved
      await look();
      expect(await state()).toEqual(['credit_gateway_revocations_readable{service="gateway"} 0', `credit_gateway_revocations_checked_timestamp_seconds{service="gateway"} ${Date.now() / 1000}`]);
      // Unchanged since, still unreadable, though told once.
      await look();
      expect(await state()).toEqual(['credit_gateway_revocations_readable{service="gateway"} 0', `credit_gateway_revocations_checked_timestamp_seconds{service="gateway"} ${Date.now() / 1000}`]);
      fs.rmSync(file);
      await look();
      expect(await series('credit_gateway_revocations_readable')).toEqual(['credit_gateway_revocations_readable{service="gateway"} 0']);
      write({ subjects: [] });
      await look();
      expect(await state()).toEqual(['credit_gateway_revocations_readable{service="gateway"} 1', `credit_gateway_revocations_checked_timestamp_seconds{service="gateway"} ${Date.now() / 1000}`]);
      await look();
      expect(await series('credit_gateway_revocations_readable')).toEqual(['credit_gateway_revocations_readable{service="gateway"} 1']);
    } finally {
      metrics.close();
    }
  });

  it('states what is wrong with a file, for the start to stop on', () => {
    expect(() => parseRevocations('{"subject": ["officer-zhang"]}')).toThrow('it names "subject", which it does not know: its keys are subjects, organisations, tokensIssuedBefore, jti');
    expect(() => parseRevocations('{"subjects": "officer-zhang"}')).toThrow('"subjects" must be a list of non-empty strings, got "officer-zhang"');
    expect(() => parseRevocations('{"tokensIssuedBefore": "2026-12-07 08:00"}')).toThrow('"tokensIssuedBefore" must be a date-time with its offset');
    expect(() => parseRevocations('[]')).toThrow('it must hold a JSON object');
    expect(() => readRevocationsFile(path.join(directory, 'none.json'))).toThrow(`${path.join(directory, 'none.json')} cannot be read (ENOENT)`);
  });
});
