/** An answer the result pane shows: the gateway's, or the explorer's own error (explorerError). */
export type Answer = Record<string, unknown>;

/**
 * What the explorer itself refuses or cannot read, in GraphQL's error shape: the result pane shows
 * it, with no stack, saying what to fix. The message's first sentence says what happened: the
 * status line says it (answerSummary).
 */
export function explorerError(code: string, message: string, extensions: Record<string, unknown> = {}): Answer {
  return { errors: [{ message, extensions: { code, ...extensions } }] };
}

/**
 * What a mutation may have done when the explorer has no answer from the gateway, and how to go
 * on: after Stop, and after a proxy's failure, either of which can come once the gateway has run
 * it. A blank pane, or "try again later", let officers run it again, and record a second credit check.
 */
const mutationMayHaveRun =
  'the mutation may have taken effect (a credit check recorded, say). Running it again with the same idempotencyKey is safe: a credit check or a report generation answers the one it first made. Without one, read what it would have changed before you run it again.';

/** What the result pane says after Stop: the request may have reached the gateway before it was aborted. */
export function stoppedAnswer(operation: string | undefined): Answer {
  const message =
    operation === 'mutation'
      ? `Stopped: the explorer no longer waits for the answer, but the request may have reached the gateway already, and ${mutationMayHaveRun}`
      : 'Stopped: the explorer no longer waits for the answer (the request may have reached the gateway, and been audited, already). A query changes nothing: run it again for its answer.';
  return explorerError('EXPLORER_STOPPED', message, { operation: operation ?? null });
}

/**
 * What the result pane says of an answer that is not GraphQL's: a proxy's error page, since the
 * gateway answers in GraphQL's shape even when it refuses or fails. A 5xx may come after the
 * gateway ran the request (a proxy that gave up waiting, 504), so for a mutation it says what Stop
 * says; a 4xx was refused, not carried out. A 413 is a proxy's limit on a request's size (nginx's
 * client_max_body_size; the gateway's own 413 is GraphQL's): the same request meets it again. A
 * 404 page is no page of the gateway's (its own 404 is GraphQL's): the address `endpoint` (the
 * page's `../graphql`) is not routed to it, a proxy's location or path being wrong; a 403 page is a
 * firewall's or a proxy's rule. Neither passes with time, so neither says to try again later.
 */
export function notGraphqlAnswer(status: number, type: string, operation: string | undefined, endpoint: string): Answer {
  return explorerError('EXPLORER_NOT_GRAPHQL', notGraphqlMessage(status, type, operation, endpoint), { status });
}

function notGraphqlMessage(status: number, type: string, operation: string | undefined, endpoint: string): string {
  if (status === 404) {
    return `The address ${endpoint} answered HTTP 404 with ${type}, a page that is not the gateway's (whose own 404 is a GraphQL answer): a proxy in front of it may not route this path to it. Sending the request again will not help: tell the gateway's operators, whose proxy (its location or path) should pass this address to the gateway.`;
  }
  if (status === 403) {
    return `The address ${endpoint} answered HTTP 403 with ${type}, not a GraphQL answer: something in front of the gateway (a firewall or a proxy's rule) refused the request, before the gateway read it. Sending it again will not help: tell the gateway's operators which address refused it.`;
  }
  const answered = `The gateway's address answered HTTP ${status} with ${type}, not a GraphQL answer:`;
  if (status === 413) {
    return `${answered} something in front of the gateway (a proxy's limit on a request's size) refused the request as too large, before the gateway read it. Sending it again will not help: send a smaller one, or ask the gateway's operators to raise that limit.`;
  }
  return operation === 'mutation' && status >= 500
    ? `${answered} the gateway, or a proxy in front of it, failed, perhaps after the gateway had received the request, and ${mutationMayHaveRun}`
    : `${answered} the gateway, or a proxy in front of it, is failing or down. Try again later, or tell its operators.`;
}
