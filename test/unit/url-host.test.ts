import { urlHost } from '../../lib/env';
import { addressOf } from '../../lib/start-failure';
import { localGatewayUrl } from '../../scripts/launch';

/**
 * An IPv6 host is written in brackets wherever a port follows it: a URL the launcher calls, a
 * start failure's `host:port`, the `Host` the explorer lists its demo tokens under (HOST=fd00::5,
 * `[fd00::5]:4000`, in explorer.test.ts). Three places bracketed it two ways (net.isIPv6, a ':'
 * in the host); urlHost serves them all.
 */
describe('urlHost', () => {
  it.each([
    ['::1', '[::1]'],
    ['fd00::5', '[fd00::5]'],
    ['::', '[::]'],
    ['127.0.0.1', '127.0.0.1'],
    ['credit-dev.lan', 'credit-dev.lan'],
  ])('writes %s as %s', (host, written) => {
    expect(urlHost(host)).toBe(written);
  });

  it('brackets an IPv6 host in a start failure’s address and in the launcher’s URLs', () => {
    expect(addressOf('::1', 4000)).toBe('[::1]:4000');
    expect(addressOf('127.0.0.1', 4000)).toBe('127.0.0.1:4000');
    expect(localGatewayUrl({ HOST: 'fd00::5' }, 4000)).toBe('http://[fd00::5]:4000/graphql');
    expect(localGatewayUrl({ HOST: '::' }, 4000)).toBe('http://127.0.0.1:4000/graphql');
  });
});
