import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

/** Who asked, as far as logs may say: organisation and role, never the user, a token or a name. */
export interface CallerSummary {
  organisation: string;
  organisationKind: string;
  role: string;
}

/**
 * What one HTTP request did, filled in as it goes (the HTTP layer, then Apollo's plugin) and
 * written as one log line and into the metrics when the response ends.
 */
export interface RequestRecord {
  requestId: string;
  /** The GraphQL operation's name; null for an anonymous operation, undefined when none was resolved. */
  operationName?: string | null;
  operationType?: string;
  /** `extensions.code` of every error in the response, in order (duplicates kept). */
  errorCodes: string[];
  caller?: CallerSummary | null;
  /** Set once Apollo's request pipeline has seen the request (the context was built). */
  executed?: boolean;
}

/**
 * The request being served, for everything that runs on its behalf (resolvers, the gateway's
 * subgraph calls, error formatting): the logger reads its request id from here, so every line
 * written while serving a request names it without passing it around.
 */
export const requestStorage = new AsyncLocalStorage<RequestRecord>();

export function currentRequest(): RequestRecord | undefined {
  return requestStorage.getStore();
}

// An incoming x-request-id is kept when it is printable ASCII of at most 64 characters: it is
// logged, sent to every subgraph in a header and stored in the audit log (request_id
// varchar(64)), so nothing longer, and no control or non-ASCII character. Nor a run of 15
// digits or more, which may be a citizen ID number (a client naming its request after the
// person it looks up), also when written in groups (130304-19730413-0019): the logs would mask
// it, but the audit log and every subgraph would keep it.
const acceptableRequestId = /^[\x21-\x7e](?:[\x20-\x7e]{0,62}[\x21-\x7e])?$/;
const longDigitRun = /\d(?:[-._ /:]?\d){14}/;

/** The request id of an incoming request: the caller's (or its proxy's) `x-request-id`, or a new one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  return value && acceptableRequestId.test(value) && !longDigitRun.test(value) ? value : randomUUID();
}

/**
 * Fills the current request's record from Apollo's pipeline: the operation's name and type once
 * resolved, the caller (as `describeCaller` tells it from the context) and the codes of the
 * errors sent, after formatting, so masked internal errors count as INTERNAL_SERVER_ERROR.
 */
export function recordOperations<TContext extends BaseContext>(describeCaller: (context: TContext) => CallerSummary | null): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart({ contextValue }) {
      const record = currentRequest();
      if (!record) return;
      record.executed = true;
      record.caller = describeCaller(contextValue);
      return {
        async didResolveOperation({ operationName, operation }) {
          record.operationName = operationName ?? null;
          record.operationType = operation?.operation;
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : response.body.initialResult.errors;
          for (const error of errors ?? []) record.errorCodes.push(typeof error.extensions?.code === 'string' ? error.extensions.code : 'UNKNOWN');
        },
      };
    },
  };
}
