import { notGraphqlAnswer, stoppedAnswer } from '../../gateway/explorer/client/explorer-errors';

/** The message of an explorer error, the one error it holds. */
function message(answer: Record<string, unknown>): string {
  return (answer.errors as { message: string }[])[0].message;
}

/** The address the explorer posts to, as a page served from https://credit.example/explorer/ resolves it. */
const endpoint = 'https://credit.example/graphql';

describe("the explorer's message for an answer that is not GraphQL (a proxy's error page)", () => {
  it('says of a mutation a proxy failed on (502, 504) that it may have taken effect, with the advice Stop gives, not to try again later', () => {
    const stopped = message(stoppedAnswer('mutation'));
    const advice = stopped.slice(stopped.indexOf('the mutation may have taken effect'));
    expect(advice).toContain('idempotencyKey');
    for (const status of [502, 503, 504]) {
      const said = message(notGraphqlAnswer(status, 'text/html', 'mutation', endpoint));
      expect({ status, said }).toEqual({ status, said: expect.stringMatching(new RegExp(`^The gateway's address answered HTTP ${status} with text/html, not a GraphQL answer: .*`)) });
      expect({ status, advice: said.endsWith(advice), tryLater: said.includes('Try again later') }).toEqual({ status, advice: true, tryLater: false });
    }
  });

  it('tells of a query, which changes nothing, that the gateway or a proxy in front of it is failing: try again later', () => {
    const said = message(notGraphqlAnswer(502, 'text/html', 'query', endpoint));
    expect(said).toContain('Try again later');
    expect(said).not.toContain('may have taken effect');
    expect(message(notGraphqlAnswer(502, 'text/html', undefined, endpoint))).toBe(said);
  });

  it('says of a 413 that something in front of the gateway refused it as too large, which no retry helps, whatever the operation', () => {
    for (const operation of ['query', 'mutation', undefined]) {
      const said = message(notGraphqlAnswer(413, 'text/html', operation, endpoint));
      expect({ operation, said }).toEqual({ operation, said: expect.stringContaining('too large') });
      expect({ operation, tryLater: said.includes('Try again later'), mayHaveRun: said.includes('may have taken effect') }).toEqual({ operation, tryLater: false, mayHaveRun: false });
    }
  });

  /**
   * A proxy's 404 page (the gateway's own 404 is GraphQL's) or 403 page said "failing or down. Try
   * again later": the one is an address the proxy does not route to the gateway, the other a
   * firewall's or a proxy's rule, and neither passes with time (from the code-review probe).
   */
  it('says of a 404 page that the address it names is not routed to the gateway, not to try again later, whatever the operation', () => {
    for (const operation of ['query', 'mutation', undefined]) {
      const said = message(notGraphqlAnswer(404, 'text/html', operation, endpoint));
      expect({ operation, said }).toEqual({
        operation,
        said: expect.stringMatching(/^The address https:\/\/credit\.example\/graphql answered HTTP 404 with text\/html, a page that is not the gateway's .*: a proxy in front of it may not route this path to it\. /),
      });
      expect({ operation, tryLater: said.includes('Try again later'), mayHaveRun: said.includes('may have taken effect') }).toEqual({ operation, tryLater: false, mayHaveRun: false });
    }
  });

  it('says of a 403 page that something in front of the gateway (a firewall or a proxy rule) refused the request, not to try again later', () => {
    for (const operation of ['query', 'mutation', undefined]) {
      const said = message(notGraphqlAnswer(403, 'text/html', operation, endpoint));
      expect({ operation, said }).toEqual({ operation, said: expect.stringMatching(/^The address https:\/\/credit\.example\/graphql answered HTTP 403 with text\/html, .*something in front of the gateway \(a firewall or a proxy's rule\) refused the request/) });
      expect({ operation, tryLater: said.includes('Try again later'), mayHaveRun: said.includes('may have taken effect') }).toEqual({ operation, tryLater: false, mayHaveRun: false });
    }
  });

  it('keeps the status in its extensions, under the code EXPLORER_NOT_GRAPHQL', () => {
    expect((notGraphqlAnswer(504, 'no content type', 'mutation', endpoint).errors as { extensions: unknown }[])[0].extensions).toEqual({ code: 'EXPLORER_NOT_GRAPHQL', status: 504 });
  });
});
