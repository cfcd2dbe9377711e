import { ConfigError } from '../../lib/env';
import { readSubgraphConfig } from '../../subgraphs/shared/subgraph';

const secret = 'base64:' + Buffer.alloc(32, 7).toString('base64');

/** The configuration error `DATABASE_URL` causes, or undefined when it is read. */
function refusal(url: string): string | undefined {
  try {
    readSubgraphConfig('providers', { GATEWAY_SIGNING_KEY: secret, DATABASE_URL: url }, []);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
}

/**
 * A database URL the driver could not read stopped a subgraph later, with a stack trace that
 * held the URL, password and all (`openssl rand -base64` passwords hold / and +), and one with no
 * host connected to localhost as root: each is a configuration error now, naming no credential.
 */
describe('DATABASE_URL', () => {
  it.each([
    ['a password holding /', 'mysql://credit:Zx9/q+Rt2Lw=@127.0.0.1:3306', 'Zx9/q+Rt2Lw='],
    ['a password holding a bare %', 'mysql://credit:50%off@db:3306', '50%off'],
    ['a password holding #', 'mariadb://credit:a#b@db:3306', 'a#b'],
    ['no host', 'mysql://', undefined],
    ['a user but no host', 'mysql://credit:secret@', 'secret'],
  ])('refuses a URL with %s as a configuration error, without its credentials', (_label, url, password) => {
    const message = refusal(url);
    expect(message).toMatch(/DATABASE_URL must be a mysql:\/\/ or mariadb:\/\/ URL naming the host/);
    if (password) expect(message).not.toContain(password);
  });

  it('reads one whose password is percent-encoded', () => {
    expect(refusal('mysql://credit:Zx9%2Fq%2BRt2Lw%3D@127.0.0.1:3306')).toBeUndefined();
  });
});
