import type { GraphQLFormattedError } from 'graphql';
import { PeerTimeout } from '../../lib/deadline';
import { peerUnavailable } from '../../lib/internal-client';
import { SubgraphFault } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { SubjectDirectoryUnavailable } from '../../subgraphs/shared/subject-directory';
import { withPeerOutagesLogged } from '../../subgraphs/shared/subgraph';

/**
 * A subgraph logged a call to its peer that it stopped because its own caller went away (a
 * browser tab closed) as a peer outage: every closed tab a warning that the entities subgraph
 * timed out. It is no outage, and logged at debug; a peer that did not answer in time still warns.
 */
describe("a subgraph's log of a peer call that did not end", () => {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const line = (level: string) => (fields: Record<string, unknown>, message: string) => void lines.push({ level, fields, message });
  const logger = { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') } as unknown as Logger;
  const format = withPeerOutagesLogged('records', logger, (formatted) => formatted);
  beforeEach(() => (lines.length = 0));

  /** What formatError is given for the records subgraph's subject check that ended with `timeout`. */
  const formatSubjectCheck = (timeout: PeerTimeout) => {
    const error = peerUnavailable('entities', SubgraphFault.TIMEOUT, `${timeout.message}; nothing was stored`, new SubjectDirectoryUnavailable('the subject lookup failed', { cause: timeout }));
    const formatted: GraphQLFormattedError = { message: error.message, extensions: error.extensions };
    format(formatted, error);
  };

  it('logs a call stopped because the caller went away at debug, not as a peer outage', () => {
    formatSubjectCheck(new PeerTimeout('entities', 2_000, true, true, true));
    expect(lines.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
    expect(lines).toEqual([expect.objectContaining({ level: 'debug', fields: expect.objectContaining({ peer: 'entities', reason: 'TIMEOUT' }) })]);
  });

  it('warns of a peer that did not answer in time', () => {
    formatSubjectCheck(new PeerTimeout('entities', 2_000, true, false));
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', message: 'a peer subgraph could not be asked', fields: expect.objectContaining({ peer: 'entities', reason: 'TIMEOUT' }) })]);
  });
});
