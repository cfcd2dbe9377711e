import { hostOfUrl, urlHost } from '../../lib/env';
import { addressOf } from '../../lib/start-failure';
import { localGatewayUrl } from '../../scripts/launch';

/**
 * An IPv6 host is written in brackets wherever a port follows it: a URL the launcher calls, a
 * start failure's `host:port`, the `Host` the explorer lists its demo tokens under (HOST=fd00::5,
 * `[fd00::5]:4000`, in explorer.test.ts). Three places bracketed it two ways (net.isIPv6, a ':'
 * in the host); urlHost serves them all, and hostOfUrl reads a URL's host back without them.
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

  // npm start (a subgraph URL's host, looked up) and the database's connection (the driver's host)
  // took the brackets off with a regular expression each.
  it.each([
    ['http://[::1]:4002/graphql', '::1'],
    ['mysql://root@[fd00::5]:3306', 'fd00::5'],
    ['http://127.0.0.1:4002/graphql', '127.0.0.1'],
    ['mysql://root@db.credit.lan:3306', 'db.credit.lan'],
  ])('reads the host of %s, as a connection takes it, as %s, which it writes back as the URL did', (url, host) => {
    expect(hostOfUrl(new URL(url))).toBe(host);
    expect(urlHost(hostOfUrl(new URL(url)))).toBe(new URL(url).hostname);
  });

  it('brackets an IPv6 host in a start failure’s address and in the launcher’s URLs', () => {
    expect(addressOf('::1', 4000)).toBe('[::1]:4000');
    expect(addressOf('127.0.0.1', 4000)).toBe('127.0.0.1:4000');
    expect(localGatewayUrl({ HOST: 'fd00::5' }, 4000)).toBe('http://[fd00::5]:4000/graphql');
    expect(localGatewayUrl({ HOST: '::' }, 4000)).toBe('http://127.0.0.1:4000/graphql');
  });
});
