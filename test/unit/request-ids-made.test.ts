import { maskPersonalData } from '../../lib/logger';
import { newRequestId } from '../../lib/request-record';

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

  it('is never masked, of many drawn', () => {
    for (let i = 0; i < 5_000; i++) {
      const id = newRequestId();
      expect(maskPersonalData(id)).toBe(id);
    }
  });
});
