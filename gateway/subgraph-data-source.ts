import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ErrorCode } from '../lib/errors';

type GatewayGraphQLResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;

/**
 * How the gateway calls one subgraph. A subgraph that cannot be reached becomes a typed error
 * on the fields it owns (`SUBGRAPH_UNAVAILABLE`, with the gateway adding `serviceName` and the
 * path), instead of failing the whole operation: the other subgraphs' data still answers.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource {
  constructor(
    readonly name: string,
    url: string,
  ) {
    super({ url });
  }

  override async process(options: GraphQLDataSourceProcessOptions): Promise<GatewayGraphQLResponse> {
    try {
      return await super.process(options);
    } catch (error) {
      // A subgraph answers input it rejects (a bad scalar value, say) with HTTP 400 and typed
      // GraphQL errors; those are the client's to read, not a gateway fault.
      const body = (error as { extensions?: { response?: { body?: { errors?: unknown } } } }).extensions?.response?.body;
      if (body && Array.isArray(body.errors)) return { errors: body.errors } as GatewayGraphQLResponse;
      if (!isConnectionFailure(error)) throw error;
      return { errors: [{ message: `the ${this.name} subgraph could not be reached`, extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE } }] } as GatewayGraphQLResponse;
    }
  }
}

function isConnectionFailure(error: unknown): boolean {
  const text = `${(error as Error)?.message ?? ''} ${(error as { code?: string })?.code ?? ''}`;
  return /ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENOTFOUND|ETIMEDOUT|socket hang up/.test(text);
}
