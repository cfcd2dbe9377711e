import { notGraphqlAnswer, stoppedAnswer } from '../../gateway/explorer/client/explorer-errors';

/** The message of an explorer error, the one error it holds. */
function message(answer: Record<string, unknown>): string {
  return (answer.errors as { message: string }[])[0].message;
}

describe("the explorer's message for an answer that is not GraphQL (a proxy's error page)", () => {
  it('says of a mutation a proxy failed on (502, 504) that it may have taken effect, with the advice Stop gives, not to try again later', () => {
    const stopped = message(stoppedAnswer('mutation'));
    const advice = stopped.slice(stopped.indexOf('the mutation may have taken effect'));
    expect(advice).toContain('idempotencyKey');
    for (const status of [502, 503, 504]) {
      const said = message(notGraphqlAnswer(status, 'text/html', 'mutation'));
      expect({ status, said }).toEqual({ status, said: expect.stringMatching(new RegExp(`^The gateway's address answered HTTP ${status} with text/html, not a GraphQL answer: .*`)) });
      expect({ status, advice: said.endsWith(advice), tryLater: said.includes('Try again later') }).toEqual({ status, advice: true, tryLater: false });
    }
  });

  it('tells of a query, which changes nothing, that the gateway or a proxy in front of it is failing: try again later', () => {
    const said = message(notGraphqlAnswer(502, 'text/html', 'query'));
    expect(said).toContain('Try again later');
    expect(said).not.toContain('may have taken effect');
    expect(message(notGraphqlAnswer(502, 'text/html', undefined))).toBe(said);
  });

  it('says of a 413 that something in front of the gateway refused it as too large, which no retry helps, whatever the operation', () => {
    for (const operation of ['query', 'mutation', undefined]) {
      const said = message(notGraphqlAnswer(413, 'text/html', operation));
      expect({ operation, said }).toEqual({ operation, said: expect.stringContaining('too large') });
      expect({ operation, tryLater: said.includes('Try again later'), mayHaveRun: said.includes('may have taken effect') }).toEqual({ operation, tryLater: false, mayHaveRun: false });
    }
  });

  it('keeps the status in its extensions, under the code EXPLORER_NOT_GRAPHQL', () => {
    expect((notGraphqlAnswer(504, 'no content type', 'mutation').errors as { extensions: unknown }[])[0].extensions).toEqual({ code: 'EXPLORER_NOT_GRAPHQL', status: 504 });
  });
});
