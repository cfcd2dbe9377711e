import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { authenticate, createTokenVerifier, RefusedClaims, type TokenSettings } from '../../gateway/authentication';

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

  it("takes the demo tokens' twelve hours and a day, and the setting's lifetime when set", async () => {
    const verify = createTokenVerifier(settings);
    for (const lifetime of ['12h', '24h']) await expect(authenticate(`Bearer ${await officerToken((jwt) => jwt.setIssuedAt().setExpirationTime(lifetime))}`, verify)).resolves.toMatchObject({ id: 'officer-zhang' });
    const hour = createTokenVerifier({ ...settings, maxLifetimeSeconds: 3600 });
    expect((await refusalOf(await officerToken((jwt) => jwt.setIssuedAt().setExpirationTime('2h')), hour)).message).toContain('longer than the 3600 s this platform accepts');
  });
});
