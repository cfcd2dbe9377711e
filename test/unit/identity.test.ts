import { randomBytes } from 'node:crypto';
import { clockToleranceSeconds, IdentitySigner, IdentityVerifier, signIdentity, type RequestIdentity } from '../../lib/access/identity';

const key = new Uint8Array(randomBytes(32));
const officer: RequestIdentity = {
  caller: { id: 'officer-zhang', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  purpose: { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0117' },
  grants: ['SUBJECT_BASICS', 'PUBLIC_RECORDS'],
  scope: {},
  requestId: 'first-request',
};

describe('identities between the gateway and the subgraphs', () => {
  afterEach(() => jest.useRealTimers());

  it('are signed once per identity and half-minute, whatever the request id', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'], now: Date.now() });
    const signer = new IdentitySigner(key);
    const first = await signer.sign(officer);
    expect(await signer.sign({ ...officer, requestId: 'second-request' } as RequestIdentity)).toBe(first);
    expect(await signer.sign({ ...officer, grants: ['SUBJECT_BASICS'] })).not.toBe(first);
    expect(await signer.sign({ ...officer, purpose: { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0118' } })).not.toBe(first);
    // Past half of its minute, the next request gets a fresh signature, valid for a full minute again.
    jest.advanceTimersByTime(31_000);
    const renewed = await signer.sign(officer);
    expect(renewed).not.toBe(first);
    expect(await new IdentityVerifier(key).verify(renewed, 'r')).not.toBeNull();
  });

  it('are signed afresh half a minute after they were signed however the gateway\'s clock stepped, never handed out longer', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'], now: Date.now() });
    const signer = new IdentitySigner(key);
    const first = await signer.sign(officer);
    const issuedAt = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { iat: number }).iat;
    // The wall clock steps a minute back (NTP correcting it), then half a minute passes.
    jest.setSystemTime(Date.now() - 60_000);
    jest.advanceTimersByTime(31_000);
    const renewed = await signer.sign(officer);
    expect(renewed).not.toBe(first);
    expect(issuedAt(renewed)).toBe(Math.floor(Date.now() / 1000));
    // Within its half-minute, a small step forward keeps it; one past its expiry has it signed again at once.
    jest.setSystemTime(Date.now() + 10_000);
    expect(await signer.sign(officer)).toBe(renewed);
    jest.setSystemTime(Date.now() + 120_000);
    const afterStep = await signer.sign(officer);
    expect(afterStep).not.toBe(renewed);
    expect(await new IdentityVerifier(key).verify(afterStep, 'r')).not.toBeNull();
  });

  it('carry the request id of the request that presents them, never a signed one', async () => {
    const verifier = new IdentityVerifier(key);
    const token = await new IdentitySigner(key).sign(officer);
    expect(await verifier.verify(token, 'request-a')).toEqual({ ...officer, requestId: 'request-a' });
    expect(await verifier.verify(token, 'request-b')).toEqual({ ...officer, requestId: 'request-b' });
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { identity: Record<string, unknown> };
    expect(payload.identity).not.toHaveProperty('requestId');
  });

  it('are refused once expired, beyond the clocks’ tolerance, even after they verified', async () => {
    const verifier = new IdentityVerifier(key);
    const token = await signIdentity(officer, key, '30s');
    expect(await verifier.verify(token, 'r')).not.toBeNull();
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'], now: Date.now() + (30 + clockToleranceSeconds + 1) * 1000 });
    expect(await verifier.verify(token, 'r')).toBeNull();
  });

  it('are refused by a subgraph whose clock runs behind the gateway’s by more than half a minute, as by one ahead', async () => {
    const signed = await new IdentitySigner(key).sign(officer);
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'], now: Date.now() - (clockToleranceSeconds + 15) * 1000 });
    expect(await new IdentityVerifier(key).verify(signed, 'r')).toBeNull();
    jest.setSystemTime(Date.now() + 30_000);
    expect(await new IdentityVerifier(key).verify(signed, 'r')).not.toBeNull();
  });

  it('are taken from a gateway whose clock runs behind the subgraph’s by up to half a minute', async () => {
    // The signature the gateway hands out last, 30 s after it made it, read by a subgraph 29 s ahead.
    const signed = await new IdentitySigner(key).sign(officer);
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'], now: Date.now() + 30_000 + 29_000 + 20_000 });
    expect(await new IdentityVerifier(key).verify(signed, 'r')).toMatchObject({ caller: officer.caller });
  });

  it('are taken, whichever was handed out, by a subgraph up to 60 s ahead of the gateway; up to 90 s ahead, only the freshest; by none more than 30 s behind (README)', async () => {
    // Taken before signing: the header's iat, whole seconds, is then never earlier.
    const signedAt = Date.now();
    const signed = await new IdentitySigner(key).sign(officer);
    const verifiedAt = async (offsetMs: number) => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'], now: signedAt + offsetMs });
      const taken = (await new IdentityVerifier(key).verify(signed, 'r')) !== null;
      jest.useRealTimers();
      return taken;
    };
    // The last hand-out of a header, 30 s after it was signed, at a subgraph 59 s ahead; a fresh one at one 89 s ahead.
    expect(await verifiedAt(30_000 + 59_000)).toBe(true);
    expect(await verifiedAt(89_000)).toBe(true);
    // Refused: reused 30 s, at a subgraph 61 s ahead; fresh, at one 91 s ahead; fresh, at one 31 s behind.
    expect(await verifiedAt(30_000 + 61_000)).toBe(false);
    expect(await verifiedAt(91_000)).toBe(false);
    expect(await verifiedAt(-31_000)).toBe(false);
  });

  it('are refused when forged, signed with another key or tampered with, each time', async () => {
    const verifier = new IdentityVerifier(key);
    const good = await signIdentity(officer, key);
    await verifier.verify(good, 'r');
    const [header, payload, signature] = good.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { identity: RequestIdentity };
    const widened = Buffer.from(JSON.stringify({ ...claims, identity: { ...claims.identity, grants: [...claims.identity.grants, 'PERSONAL_IDENTIFIERS'] } })).toString('base64url');
    const tampered = [header, widened, signature].join('.');
    expect(await verifier.verify(tampered, 'r')).toBeNull();
    expect(await verifier.verify(tampered, 'r')).toBeNull();
    expect(await verifier.verify(await signIdentity(officer, new Uint8Array(randomBytes(32))), 'r')).toBeNull();
    expect(await verifier.verify('not.a.token', 'r')).toBeNull();
  });
});

/**
 * A change of GATEWAY_SIGNING_KEY (README "Changing the signing key"): each verifier takes the
 * keys of GATEWAY_SIGNING_KEYS_ACCEPTED besides its own, so that processes restarted one by one
 * keep answering each other whichever of the two keys each signs with.
 */
describe('identities during a change of signing key', () => {
  const retired = new Uint8Array(randomBytes(32));

  it('are taken signed with a key the verifier accepts besides its own, as with its own', async () => {
    const verifier = new IdentityVerifier(key, [retired]);
    expect(await verifier.verify(await new IdentitySigner(retired).sign(officer), 'r')).toEqual({ ...officer, requestId: 'r' });
    expect(await verifier.verify(await new IdentitySigner(key).sign(officer), 'r')).toEqual({ ...officer, requestId: 'r' });
  });

  it('are refused signed with a key neither its own nor accepted, and tampered with under an accepted one', async () => {
    const verifier = new IdentityVerifier(key, [retired]);
    expect(await verifier.verify(await signIdentity(officer, new Uint8Array(randomBytes(32))), 'r')).toBeNull();
    const [header, payload, signature] = (await signIdentity(officer, retired)).split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { identity: RequestIdentity };
    const widened = Buffer.from(JSON.stringify({ ...claims, identity: { ...claims.identity, grants: ['PERSONAL_IDENTIFIERS'] } })).toString('base64url');
    expect(await verifier.verify([header, widened, signature].join('.'), 'r')).toBeNull();
    // Without the key accepted, what it signed is refused as any other key's.
    expect(await new IdentityVerifier(key).verify(await signIdentity(officer, retired), 'r')).toBeNull();
  });
});
