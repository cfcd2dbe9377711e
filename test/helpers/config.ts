import { ConfigError } from '../../lib/env';

/** The message of the ConfigError `read` throws; fails the test when it throws none, or another error. */
export function configRefusal(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}
