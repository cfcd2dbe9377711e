import { maskPersonalData } from '../../lib/logger';
import { clientRequestIdFrom, newRequestId, requestIdFrom } from '../../lib/request-record';

/**
 * About one UUID in 180 holds a run of digits the logs take for a citizen ID or mobile number
 * (70fd0597-2769-4225-…, written 70fd0597*******5925c-…): its request's log lines then carried
 * another id than the one the client was answered and the audit log stored, and no one could find
 * them by it. The ids the platform makes are ones the logs write as they are.
 */
describe('a request id the platform makes', () => {
  it('is a UUID the logs write unmasked, another one drawn when the first would be masked', () => {
    const drawn = ['70fd0597-2769-4225-925c-f6407b918285', '0190a8c4-6f1e-7c3a-9b2d-3f4e5a6b7c8d'];
    expect(maskPersonalData(drawn[0])).not.toBe(drawn[0]);
    expect(newRequestId(() => drawn.shift()!)).toBe('0190a8c4-6f1e-7c3a-9b2d-3f4e5a6b7c8d');
  });

  // One in 256 the logs wrote whole held 15 digits across its hyphens, which a subgraph refuses
  // from the gateway (clientRequestIdFrom): the subgraphs logged that request, and called their
  // peers, under ids of their own, and test/ops/logging found none of its lines (0 of 1) in CI.
  it('is one a subgraph takes from the gateway as it is, another one drawn when it would not be', () => {
    const drawn = ['38935519-3111-4012-a4e6-521a0f64ba4f', '0190a8c4-6f1e-7c3a-9b2d-3f4e5a6b7c8d'];
    expect(maskPersonalData(drawn[0])).toBe(drawn[0]);
    expect(requestIdFrom(drawn[0])).not.toBe(drawn[0]);
    expect(newRequestId(() => drawn.shift()!)).toBe('0190a8c4-6f1e-7c3a-9b2d-3f4e5a6b7c8d');
  });

  it('is never masked, nor refused by a subgraph, of many drawn', () => {
    for (let i = 0; i < 5_000; i++) {
      const id = newRequestId();
      expect(maskPersonalData(id)).toBe(id);
      expect(clientRequestIdFrom(id)).toBe(id);
    }
  });
});
