import { GraphQLError } from 'graphql';
import { serviceUnavailable, SubgraphFault } from '../../lib/errors';
import { asUnansweredRead } from '../../subgraphs/reports/peers';

// A report's acceptance or its records' standing that a peer could not answer: the reason the call
// gave decides the retry, as for every SUBGRAPH_UNAVAILABLE (README, Errors).
describe('asUnansweredRead', () => {
  const rethrown = (error: unknown): GraphQLError => {
    try {
      asUnansweredRead(error, 'providers', "the issuer's standing");
    } catch (thrown) {
      return thrown as GraphQLError;
    }
    throw new Error('asUnansweredRead returned');
  };

  it('offers no retry when the peer refused the platform identity (IDENTITY_REFUSED), which no retry mends', () => {
    const error = rethrown(serviceUnavailable('providers', 'refused', { reason: SubgraphFault.IDENTITY_REFUSED }));
    expect(error.extensions).toEqual(expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'providers', reason: 'IDENTITY_REFUSED' }));
    expect(error.extensions).not.toHaveProperty('retryAfterSeconds');
    expect(error.message).not.toContain('retry later');
  });

  it.each([SubgraphFault.TIMEOUT, SubgraphFault.UNREACHABLE])('offers the retry on %s, with its reason', (reason) => {
    const error = rethrown(serviceUnavailable('providers', 'down', { reason }));
    expect(error.extensions).toEqual(expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'providers', reason, retryAfterSeconds: 5 }));
    expect(error.message).toMatch(/could not be checked: retry later$/);
  });

  it('passes any other error on as it is', () => {
    const other = new Error('boom');
    expect(rethrown(other)).toBe(other);
  });
});
