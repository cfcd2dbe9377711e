import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLRequestContext, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { identityHeader } from '../lib/access/identity';
import { ErrorCode } from '../lib/errors';
import type { GatewayObserver, SubgraphFetchOutcome } from './observer';
import type { GatewayContext } from './request-access';

/**
 * How the gateway calls one subgraph: with the request's identity signed by the gateway and its
 * request id; what the subgraph reports having disclosed is collected for the audit log. A
 * subgraph that cannot be reached becomes a typed error on the fields it owns
 * (`SUBGRAPH_UNAVAILABLE`, the gateway adds `serviceName`), not a failure of the whole operation.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    readonly name: string,
    url: string,
    private readonly observer?: GatewayObserver,
  ) {
    super({ url });
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    // The gateway's own health checks and schema loads carry no request context.
    if (!context?.signedIdentity) return;
    request.http?.headers.set(identityHeader, await context.signedIdentity());
    request.http?.headers.set('x-request-id', context.requestId);
  }

  override async didReceiveResponse({ response, context }: Required<Pick<GatewayGraphQLRequestContext<GatewayContext>, 'request' | 'response' | 'context'>>): Promise<GatewayGraphQLResponse> {
    const reported = response.extensions?.disclosures as { subjectId: string; groups: string[] }[] | undefined;
    if (reported && context?.disclosures) {
      for (const { subjectId, groups } of reported) {
        const known = context.disclosures.get(subjectId) ?? new Set<string>();
        groups.forEach((g) => known.add(g));
        context.disclosures.set(subjectId, known);
      }
    }
    if (response.extensions) delete response.extensions.disclosures;
    return response;
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const started = performance.now();
    let outcome: SubgraphFetchOutcome = 'failed';
    try {
      const response = await super.process(options);
      outcome = response.errors?.length ? 'graphql_errors' : 'ok';
      return response;
    } catch (error) {
      // A subgraph answers input it rejects (a bad scalar value, say) with HTTP 400 and typed
      // GraphQL errors; those are the client's to read, not a gateway fault.
      const body = (error as { extensions?: { response?: { body?: { errors?: unknown } } } }).extensions?.response?.body;
      if (body && Array.isArray(body.errors)) {
        outcome = 'graphql_errors';
        return { errors: body.errors } as GatewayGraphQLResponse;
      }
      if (!isConnectionFailure(error)) throw error;
      outcome = 'unreachable';
      return { errors: [{ message: `the ${this.name} subgraph could not be reached`, extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE } }] } as GatewayGraphQLResponse;
    } finally {
      this.observer?.subgraphFetch(this.name, (performance.now() - started) / 1000, outcome);
    }
  }
}

function isConnectionFailure(error: unknown): boolean {
  const text = `${(error as Error)?.message ?? ''} ${(error as { code?: string })?.code ?? ''}`;
  return /ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENOTFOUND|ETIMEDOUT|socket hang up/.test(text);
}
