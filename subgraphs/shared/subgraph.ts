import path from 'node:path';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { GraphQLError, parse, type GraphQLFormattedError } from 'graphql';
import type { DataSource } from 'typeorm';
import { DatabaseFault, ErrorCode, maskUnexpectedErrors, MutationOutcome, outcomeNotKnown, peerOutageCause, type KnownFault } from '../../lib/errors';
import { operationTypeOfError, requestIdOfError } from '../../lib/request-record';
import { ConfigProblems, readAcceptedSecrets, readFlag, readHost, readLogLevel, readNodeEnvironment, readPort, readSecret, readWholeNumber, unresolvedHost, type WholeNumberRange } from '../../lib/env';
import { pathOf, sendJson, serveGraphQL, type ExtraRoute, type RunningHttpServer } from '../../lib/http-server';
import { databaseLogger, failedStatement, failedStatementOf } from '../../lib/database-logger';
import { createLogger, type LogLevel, type Logger as ServiceLogger } from '../../lib/logger';
import { OutageLog, type Stoppable } from '../../lib/outage-log';
import { checkSettingNames } from '../../lib/settings';
import { poolStats, registerPoolMetrics, registerQueryCounter, ServiceMetrics } from '../../lib/metrics';
import { readinessRoute, withTimeout } from '../../lib/readiness';
import { forceAfterGraceMs, handleShutdownSignals, subgraphStopGracePeriodMs } from '../../lib/shutdown';
import { exitOnUncaughtFault, exitWithFatal } from '../../lib/start-failure';
import { projectRoot } from '../../lib/project-root';
import { defaultPorts, readSdl, type SubgraphName } from '../../schema/subgraphs';
import { databaseTarget, defaultDatabaseWaits, describeTarget, exceededDatabaseWait, isConnectionLostWithWriteSent, isDeadlock, isConnectionNotMade, isDatabaseConnectionLoss, tooManyDatabaseConnections, openDatabase, refusedRight, refusedRightsLog, storageFault, type DatabaseTarget, type DatabaseWaits, type DataModel, type StorageFault } from './database';
import { CursorSeal } from './cursors';
import { lockSqliteDatabases } from './sqlite-lock';
import { identityHeader, verifierFor, type IdentityVerifier } from '../../lib/access/identity';
import { PeerTimeout, readTimeout, RequestDeadline } from '../../lib/deadline';
import { accessFromRequest, enforceGrants, gatewayIdentity, invalidIdentityMessage, type SubgraphContext, type SubjectOf } from './access';
import { scalarResolvers } from './scalars';
import { foldTypedIds } from './typed-ids';
import { sqliteFileGone } from './sqlite-connection';

/**
 * Everything that makes one subgraph: its data model, its resolvers and how a request's
 * context (loaders, repositories) is built. The five subgraphs are five values of this type,
 * served by the one server below.
 */
export interface SubgraphDefinition<TContext extends object> extends DataModel {
  name: SubgraphName;
  resolvers: GraphQLResolverMap<TContext & SubgraphContext>;
  /** For each type that holds a subject's data, how to find the subject: disclosures are reported per subject. */
  subjectOf?: SubjectOf;
  /** Root fields that look a subject up by its id, disclosing nothing by themselves (`enforceGrants`). */
  lookupsById?: readonly string[];
  /**
   * Called once per request (the kernel adds `access`): loaders must never be shared between
   * requests. `deadline` is the request's (lib/deadline.ts), for its writes to keep within.
   */
  createContext(db: DataSource, kernel: { signingKey: Uint8Array; deadline?: RequestDeadline }): TContext;
  /** The largest request body it takes, when more than lib/http-server.ts's default (the audit subgraph's appends). */
  maxBodyBytes?: number;
  /** Extra HTTP routes beside GraphQL (the reports subgraph's printable reports), built once per server; `identities` checks the gateway's signature as GraphQL requests are checked, and `signingKey` signs calls to peers as `createContext`'s does. */
  routes?(db: DataSource, kernel: { identities: IdentityVerifier; signingKey: Uint8Array }): ExtraRoute[];
  /**
   * Run once the database is migrated, before the process serves: throws a StartFailure when the
   * stored data holds what this release cannot read back (the records subgraph's department codes
   * the catalogue lacks), so that the start is refused in one line instead of every request
   * touching those rows failing.
   */
  checkStored?(db: DataSource): Promise<void>;
}

export type ContextOf<TContext extends object> = TContext & SubgraphContext;

/**
 * Reports what this response disclosed in `extensions.disclosures` ([{ subjectId, groups }],
 * `subjectId` null for a read about no subject (a page's count), `toAnyone: true` for a public
 * lookup's, `consentId` for a read about one consent of the subject); the gateway reads it for the audit log and strips it before answering the client.
 */
const reportDisclosures: ApolloServerPlugin<SubgraphContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        const access = contextValue.access;
        if (response.body.kind !== 'single' || !access || access.disclosures.size + access.publicDisclosures.size + access.consentDisclosures.size === 0) return;
        const reported = (disclosures: Map<string | null, Set<string>>, toAnyone: boolean) =>
          [...disclosures].map(([subjectId, groups]) => ({ subjectId, groups: [...groups].sort(), ...(toAnyone ? { toAnyone } : {}) }));
        const aboutConsents = [...access.consentDisclosures].map(([consentId, { subjectId, groups }]) => ({ subjectId, groups: [...groups].sort(), consentId }));
        response.body.singleResult.extensions = {
          ...response.body.singleResult.extensions,
          disclosures: [...reported(access.disclosures, false), ...reported(access.publicDisclosures, true), ...aboutConsents],
        };
      },
    };
  },
};

export function createSubgraphServer<TContext extends object>(definition: SubgraphDefinition<TContext>, logger?: ServiceLogger): ApolloServer<ContextOf<TContext>> {
  const schema = enforceGrants(
    foldTypedIds(
      buildSubgraphSchema({
        typeDefs: parse(readSdl(definition.name)),
        resolvers: { ...scalarResolvers, ...definition.resolvers } as GraphQLResolverMap<unknown>,
      }),
    ),
    definition.subjectOf ?? {},
    definition.lookupsById,
  );
  const logFault = maskedFaultLog(definition.name, logger);
  const tellRefusedRight = refusedRightsLog((fields, message) => (logger ? logger.error(fields, message) : console.error(`[${definition.name}] ${message}`, fields)));
  return new ApolloServer<ContextOf<TContext>>({
    schema,
    includeStacktraceInErrorResponses: false,
    // Shutdown belongs to runSubgraph (lib/shutdown.ts): Apollo's own handler would re-raise the signal before the database is closed.
    stopOnTerminationSignals: false,
    plugins: [
      reportDisclosures as ApolloServerPlugin<ContextOf<TContext>>,
      // The closing lines the fault logs wait to write (lib/outage-log.ts) would tell of a server stopped.
      { serverWillStart: async () => ({ serverWillStop: async () => [logFault, tellRefusedRight].forEach((log) => log.stop()) }) },
      // Apollo's cache control (on by default) wraps every field's resolver to collect cache
      // hints; nothing here may be cached (credit data, read under a request's grants).
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
    ],
    formatError: withPeerOutagesLogged(
      definition.name,
      logger,
      withMutationOutcome(
        maskUnexpectedErrors(
          (message, error, requestId) => {
            if (!tellRefusedRight(error, requestId)) logFault(message, error, requestId);
          },
          (error) => databaseFault(definition.name, error),
        ),
      ),
    ),
  });
}

/**
 * The log of a fault masked for the client (maskUnexpectedErrors): an unexpected one each time,
 * with its stack; a database fault (`databaseFault`: the database down, full or too slow) as an
 * outage, at once and then once per window a fault with the calls since, as the gateway logs a
 * subgraph it cannot reach: each failed field of each request logged a stack (5 aliases, 5
 * lines, 2.7 KB a request, for as long as the database was down).
 */
export function maskedFaultLog(name: SubgraphName, logger: ServiceLogger | undefined): ((message: string, error: unknown, requestId: string | undefined) => void) & Stoppable {
  const outages = new OutageLog(name, logger);
  const log = (message: string, error: unknown, requestId: string | undefined) => {
    // A failed statement carries its values (TypeORM's parameters, mysql2's filled-in SQL): logged without them.
    const statement = failedStatementOf(error);
    const logged = { ...(statement ? { failure: failedStatement(statement) } : { err: error }), requestId };
    if (!logger) return console.error(`[${name}] ${message}`, statement ? logged : error);
    // maskUnexpectedErrors (lib/errors.ts) gives a fault it recognised (here a database fault) by its message, any other as this.
    if (message !== 'unexpected error') return outages.tell(message, logged, message, 'error');
    logger.error(logged, message);
  };
  return Object.assign(log, { stop: () => outages.stop() });
}

/**
 * A peer this subgraph could not ask is told to the client as SUBGRAPH_UNAVAILABLE, in words about
 * its request; the operator needs the cause (the peer's address refusing connections, a key the
 * peer does not share), which only this process knows: the gateway sees this subgraph answer. A
 * call stopped because the request's caller went away (a closed browser tab) is no outage of the
 * peer: at debug, or every closed tab would warn of a peer timing out.
 */
export function withPeerOutagesLogged(name: SubgraphName, logger: ServiceLogger | undefined, format: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const cause = peerOutageCause(error);
    if (cause) {
      const logged = { peer: formatted.extensions?.serviceName, reason: formatted.extensions?.reason, cause: cause.message, requestId: requestIdOfError(error) };
      if (PeerTimeout.forGoneCaller(cause)) logger?.debug(logged, 'a call to a peer subgraph was stopped: the caller went away');
      else if (logger) logger.warn(logged, 'a peer subgraph could not be asked');
      else console.warn(`[${name}] a peer subgraph could not be asked`, logged);
    }
    return format(formatted, error);
  };
}

/**
 * Whether `error` answers a mutation field itself (or the operation as a whole), where its
 * `outcome` is told: not a field beneath it, read once the mutation field answered, its change
 * stored, which the gateway tells by `applied` (gateway/gateway.ts withAppliedMutationsTold).
 */
function atMutationField(error: unknown): boolean {
  return operationTypeOfError(error) === 'mutation' && (error instanceof GraphQLError ? (error.path?.length ?? 0) : 0) <= 1;
}

/**
 * An outage a mutation field is answered with says whether its change was stored (`outcome`,
 * MutationOutcome), as the gateway's of a subgraph it could not reach does: the one `databaseFault`
 * tells (UNKNOWN, a connection lost with the write sent) stands; any other is NOT_STORED. That
 * holds for a peer this subgraph could not ask, and a peer's outage it passes on
 * (lib/internal-client.ts peerCallFailure), as every mutation asks its peers before it stores
 * anything (a check's subject, a report's records, a filing's record by its subject's code): a
 * peer asked after the commit (a check's seal) has its failure caught, the mutation answering
 * what it stored. So does the request's deadline running out (lib/deadline.ts), before a commit.
 */
function withMutationOutcome(format: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const told = format(formatted, error);
    const outage = told.extensions?.code === ErrorCode.SUBGRAPH_UNAVAILABLE || told.extensions?.code === ErrorCode.DATABASE_UNAVAILABLE;
    if (!outage || told.extensions?.outcome !== undefined || !atMutationField(error)) return told;
    return { ...told, extensions: { ...told.extensions, outcome: MutationOutcome.NOT_STORED } };
  };
}

const waitsRunOut = {
  statement: 'a statement ran over its time limit',
  lock: 'a lock another change holds was waited for too long',
  pool: 'no database connection came free in time',
} as const;

/** Whose limit of connections the database server refused a new one for (tooManyDatabaseConnections), as a client is told. */
const connectionLimitsTold = {
  server: 'the database server has too many connections (its max_connections)',
  user: 'its database user may open no more connections (its max_user_connections)',
} as const;

/**
 * What a client is told of each fault of the database's disk or file (storageFault: either
 * database's disk full or its writes refused, SQLite's file failing), after "the <subgraph>
 * subgraph", and its `reason`. A lasting one (lastingDatabaseFaults) says what mends it instead of
 * "retry later", which no retry would.
 */
const storageFaultsTold: Record<StorageFault, { told: string; reason: DatabaseFault }> = {
  full: { told: 'could not write its database: the disk holding it is full, until space is freed on it', reason: DatabaseFault.DISK_FULL },
  readOnly: { told: 'could not write its database: its file or directory is read-only, until it is made writable', reason: DatabaseFault.READ_ONLY },
  serverReadOnly: { told: 'could not write its database: the database server is read-only (its read_only), until an operator makes it writable', reason: DatabaseFault.READ_ONLY },
  moved: { told: 'could not write its database: its file was deleted or replaced while the subgraph had it open, until the file is restored and the subgraph restarted', reason: DatabaseFault.FILE_REPLACED },
  io: { told: 'could not read or write its database: the disk or file system under it failed (an I/O error), until an operator mends it', reason: DatabaseFault.IO_ERROR },
  cannotOpen: { told: 'could not open a file of its database (a journal or temporary file), until an operator makes its directory writable or lets the subgraph open more files', reason: DatabaseFault.CANNOT_OPEN },
  busy: { told: 'could not write its database: another process (an import, say) held its file locked for too long: retry later', reason: DatabaseFault.BUSY },
};

/**
 * The database faults a client is told of by name: gone (a restart; down, refusing connections),
 * full (the server refuses a new connection, at its max_connections or the user's
 * max_user_connections), too slow (a wait of DatabaseWaits ran out), busy (a change that
 * deadlocked with others each time it was tried), its disk full or its writes refused (a
 * read-only server or SQLite file), or, on SQLite, its file failing (gone, an I/O error, locked by
 * another process). One code for
 * all, the message saying which: a later retry may succeed, but for the lasting ones
 * (lastingDatabaseFaults), which an operator must mend. Nothing was
 * stored, but when a mutation field's connection was lost with a write or its COMMIT sent: the server
 * may have stored it before the connection went (an autocommit INSERT, a COMMIT), so the client
 * is told that this is not known, and to send the same request again, which answers with what was
 * stored, as the gateway tells it of a subgraph lost under a mutation. A read's retry is harmless
 * either way.
 */
function databaseFault(subgraph: SubgraphName, error: unknown): KnownFault | undefined {
  // Any other fault at a mutation field stored nothing: NOT_STORED, told with every outage there (withMutationOutcome).
  if (atMutationField(error) && isConnectionLostWithWriteSent(error)) {
    return { code: ErrorCode.DATABASE_UNAVAILABLE, reason: DatabaseFault.CONNECTION_LOST, message: `the ${subgraph} subgraph lost its database connection while it stored the change: ${outcomeNotKnown}`, outcome: MutationOutcome.UNKNOWN };
  }
  const told = databaseFaultTold(subgraph, error);
  return told && { code: ErrorCode.DATABASE_UNAVAILABLE, ...told };
}

/** What a client is told of a database fault that stored nothing (`databaseFault`), and its `reason`; undefined for any other error. */
function databaseFaultTold(subgraph: SubgraphName, error: unknown): { message: string; reason: DatabaseFault } | undefined {
  const tooMany = tooManyDatabaseConnections(error);
  if (tooMany) return { message: `the ${subgraph} subgraph could not connect to its database: ${connectionLimitsTold[tooMany]}: retry later`, reason: DatabaseFault.TOO_MANY_CONNECTIONS };
  if (isConnectionNotMade(error)) return { message: `the ${subgraph} subgraph could not connect to its database: retry later`, reason: DatabaseFault.UNREACHABLE };
  if (isDatabaseConnectionLoss(error)) return { message: `the ${subgraph} subgraph lost its database connection: retry later`, reason: DatabaseFault.CONNECTION_LOST };
  const wait = exceededDatabaseWait(error);
  if (wait) return { message: `the ${subgraph} subgraph's database was too slow (${waitsRunOut[wait]}): retry later`, reason: DatabaseFault.TIMEOUT };
  // What outlasted write-queue.ts's attempts, as SQLite's file held by another process outlasted its patience: BUSY both.
  if (isDeadlock(error)) return { message: `the ${subgraph} subgraph could not write its database: its change deadlocked with others made at the same time, each time it was tried: retry later`, reason: DatabaseFault.BUSY };
  if (refusedRight(error) !== undefined) {
    return { message: `the ${subgraph} subgraph could not use its database as the request needs: its database user lacks a right there, until that right is granted to it again`, reason: DatabaseFault.PERMISSION_DENIED };
  }
  const storage = storageFault(error);
  if (storage) return { message: `the ${subgraph} subgraph ${storageFaultsTold[storage].told}`, reason: storageFaultsTold[storage].reason };
  return undefined;
}

export interface StartedSubgraph {
  name: SubgraphName;
  url: string;
  http: RunningHttpServer;
  metrics: ServiceMetrics;
  stop(): Promise<void>;
}

/** `/ready` of a subgraph: its database answers a trivial query within this time. */
const databaseProbeMs = 2_000;

/**
 * `/ready` as the gateway probes it, with its signed identity (gateway/readiness.ts): refused 401
 * when that does not verify, before the database is asked, so that a gateway holding another
 * GATEWAY_SIGNING_KEY is not ready rather than ready and refused on every field. A caller without
 * the key learns only what a GraphQL request would tell it, in the same words; without the header,
 * `/ready` is the database's alone, as orchestrators probe it.
 */
function signedReadinessRoute(ready: ExtraRoute, identities: IdentityVerifier): ExtraRoute {
  return async (req, res) => {
    if (pathOf(req) !== '/ready') return false;
    if (req.headers[identityHeader] !== undefined && !(await gatewayIdentity(req.headers, identities))) {
      sendJson(res, 401, { status: 'not ready', checks: { gatewayIdentity: { ok: false, detail: invalidIdentityMessage } } });
      return true;
    }
    return await ready(req, res);
  };
}

/**
 * Build without boot: tests call this with their own database, key and port 0. Serves GraphQL,
 * `/health`, `/ready` (the database answers, on SQLite from the file still at its path; and the
 * gateway's identity verifies, when it comes with one) and `/metrics` (requests, errors, latency,
 * the database pool); with a logger, one JSON line per request carrying the gateway's request id.
 */
export async function startSubgraph<TContext extends object>(
  definition: SubgraphDefinition<TContext>,
  db: DataSource,
  options: { port: number; host?: string; signingKey: Uint8Array; acceptedKeys?: readonly Uint8Array[]; logger?: ServiceLogger; stopGracePeriodMillis?: number; metrics?: ServiceMetrics },
): Promise<StartedSubgraph> {
  const server = createSubgraphServer(definition, options.logger);
  // Signed with signingKey alone; what was signed with an accepted key (a change of key) verifies too.
  const cursors = new CursorSeal(options.signingKey, options.acceptedKeys);
  const identities = verifierFor(options.signingKey, options.acceptedKeys);
  const metrics = options.metrics ?? new ServiceMetrics(definition.name);
  // Metrics made here are closed here (their GC observer would outlive the subgraph); metrics a caller passed are the caller's.
  const ownMetrics = options.metrics ? undefined : metrics;
  // SQLite has no pool: no gauges rather than made-up numbers.
  if (poolStats(db)) registerPoolMetrics(metrics, () => poolStats(db));
  let http: RunningHttpServer | undefined;
  let fileGoneLogged = false;
  const ready = signedReadinessRoute(readinessRoute(async () => {
    // SQLite answers SELECT 1 from a file deleted under it: the file's place is looked at too.
    const fileGone = sqliteFileGone(db);
    if (fileGone) {
      if (!fileGoneLogged) {
        if (options.logger) options.logger.error(fileGone);
        else console.error(`[${definition.name}] ${fileGone}`);
        fileGoneLogged = true;
      }
      return { database: { ok: false, detail: 'the database file was deleted or replaced while the subgraph had it open: restart it once the file is restored' } };
    }
    try {
      await withTimeout('the database', databaseProbeMs, db.query('SELECT 1'));
      return { database: { ok: true } };
    } catch (error) {
      // /ready answers anyone: the error's code, never its message, which names the database's host and port.
      const code = (error as { code?: unknown }).code;
      return { database: { ok: false, detail: `the database did not answer${typeof code === 'string' ? ` (${code})` : ''}` } };
    }
  }, () => http?.stopping ?? false), identities);
  try {
    http = await serveGraphQL(server, {
      port: options.port,
      host: options.host,
      logger: options.logger,
      metrics,
      routes: [ready, ...(definition.routes?.(db, { identities, signingKey: options.signingKey }) ?? [])],
      stopGracePeriodMillis: options.stopGracePeriodMillis,
      maxBodyBytes: definition.maxBodyBytes,
      describeCaller: (context: ContextOf<TContext>) => {
        const caller = context.access?.identity.caller;
        return caller ? { organisation: caller.organisation, organisationKind: caller.organisationKind, role: caller.role } : null;
      },
      isPlatformCall: (context: ContextOf<TContext>) => context.access?.identity.platform === true,
      context: async ({ req, body, receivedAt, callerGone }) => {
        const access = await accessFromRequest(req.headers, body, identities);
        access.deadline = RequestDeadline.fromHeaders(req.headers, definition.name, receivedAt, callerGone);
        return Object.assign(definition.createContext(db, { signingKey: options.signingKey, deadline: access.deadline }), { access, cursors });
      },
    });
  } catch (error) {
    ownMetrics?.close();
    throw error;
  }
  const running = http;
  const stop = async () => {
    try {
      await running.stop();
    } finally {
      ownMetrics?.close();
    }
  };
  return { name: definition.name, url: running.url, http: running, metrics, stop };
}

export interface SubgraphConfig<TPeers = undefined> {
  port: number;
  host: string;
  database: DatabaseTarget;
  /** The key the gateway signs identities with, and this subgraph its calls to peers and its page cursors. */
  signingKey: Uint8Array;
  /** `GATEWAY_SIGNING_KEYS_ACCEPTED`: keys it verifies identities and cursors with besides signingKey, while that is changed. */
  acceptedKeys: Uint8Array[];
  logLevel: LogLevel;
  /** How long it waits on a MySQL/MariaDB database (`DATABASE_*_TIMEOUT_*`); SQLite has no such waits. */
  databaseWaits: DatabaseWaits;
  /** How long its stop waits for its requests in flight: as long as the gateway waits for a call to it (`SUBGRAPH_TIMEOUT_MS`, lib/shutdown.ts subgraphStopGracePeriodMs). */
  stopGracePeriodMs: number;
  /** Variables given under the platform's prefixes that are no setting (lib/settings.ts checkSettingNames), each logged at start. */
  warnings: string[];
  /** Where the peers a subgraph calls itself are (PeeredSubgraph's `readPeers`); undefined for a subgraph that calls none. */
  peers: TPeers;
}

/**
 * A subgraph that calls peers of its own (records asks entities and reports, reports asks
 * entities, records and providers): its definition is made once their addresses are read, and
 * they are read with every subgraph's settings, so one message names every bad value. Its calls
 * are signed with `signingKey`, the GATEWAY_SIGNING_KEY read with those settings: read once.
 */
export interface PeeredSubgraph<TContext extends object, TPeers> {
  name: SubgraphName;
  readPeers(env: NodeJS.ProcessEnv): TPeers;
  define(peers: TPeers, signingKey: Uint8Array): SubgraphDefinition<TContext>;
}

/**
 * Each database wait's variable and what it may be: at most ten minutes, as `SUBGRAPH_TIMEOUT_MS`;
 * at least 100 ms for those in milliseconds, as a smaller one is seconds meant (=5 failed every
 * statement or every wait for a connection).
 */
const databaseWaitVariables: Record<keyof DatabaseWaits, { name: string; range: WholeNumberRange }> = {
  statementMs: { name: 'DATABASE_STATEMENT_TIMEOUT_MS', range: { unit: 'milliseconds', min: 100, max: 600_000 } },
  lockSeconds: { name: 'DATABASE_LOCK_TIMEOUT_SECONDS', range: { unit: 'seconds', min: 1, max: 600 } },
  poolMs: { name: 'DATABASE_POOL_TIMEOUT_MS', range: { unit: 'milliseconds', min: 100, max: 600_000 } },
};

/** Whole numbers within their ranges: every wait is bounded, none may be switched off. */
function readDatabaseWaits(env: NodeJS.ProcessEnv, problems: ConfigProblems): DatabaseWaits {
  const waits = { ...defaultDatabaseWaits };
  for (const [wait, { name, range }] of Object.entries(databaseWaitVariables) as [keyof DatabaseWaits, (typeof databaseWaitVariables)[keyof DatabaseWaits]][]) {
    waits[wait] = problems.read(() => readWholeNumber(env, name, defaultDatabaseWaits[wait], range)) ?? defaultDatabaseWaits[wait];
  }
  return waits;
}

/**
 * The only reader of `process.env` in a subgraph process (runSubgraph hands it over once), the
 * peers' addresses included (`readPeers`); every bad or missing value, and every mistyped name
 * (lib/settings.ts checkSettingNames), is reported at once. With NODE_ENV=production it also
 * refuses the SQLite default (no DATABASE_URL) and a placeholder GATEWAY_SIGNING_KEY (lib/env.ts
 * readSecret). `unresolved`: HOST, when looking it up found no address (lib/env.ts unresolvedHost).
 */
export function readSubgraphConfig<TPeers = undefined>(name: SubgraphName, env: NodeJS.ProcessEnv, argv: string[], readPeers?: (env: NodeJS.ProcessEnv) => TPeers, unresolved?: string): SubgraphConfig<TPeers> {
  const problems = new ConfigProblems();
  const warnings = problems.read(() => checkSettingNames(env)) ?? [];
  problems.read(() => readNodeEnvironment(env));
  const portFlag = readFlag(argv, 'port');
  const host = problems.read(() => readHost(env, unresolved));
  const port = problems.read(() => readPort(portFlag === undefined ? env : { PORT: portFlag }, 'PORT', defaultPorts[name]));
  const database = problems.read(() => databaseTarget(env, path.join(projectRoot, 'data')));
  const signingKey = problems.read(() => readSecret(env, 'GATEWAY_SIGNING_KEY'));
  const acceptedKeys = problems.read(() => readAcceptedSecrets(env, 'GATEWAY_SIGNING_KEYS_ACCEPTED', { name: 'GATEWAY_SIGNING_KEY', secret: signingKey }));
  const logLevel = problems.read(() => readLogLevel(env));
  const databaseWaits = readDatabaseWaits(env, problems);
  const subgraphTimeoutMs = problems.read(() => readTimeout(env, 'SUBGRAPH_TIMEOUT_MS'));
  const peers = readPeers && problems.read(() => readPeers(env));
  problems.check(warnings);
  return {
    port: port as number,
    host: host as string,
    database: database as DatabaseTarget,
    signingKey: signingKey as Uint8Array,
    acceptedKeys: acceptedKeys as Uint8Array[],
    logLevel: logLevel as LogLevel,
    databaseWaits,
    stopGracePeriodMs: subgraphStopGracePeriodMs(subgraphTimeoutMs as number),
    warnings,
    peers: peers as TPeers,
  };
}

/**
 * Boot: read configuration (and make a peered subgraph's definition from its peers'), hold its
 * SQLite file (sqlite-lock.ts), open the database, listen; on SIGTERM or Ctrl-C stop accepting,
 * finish the requests in flight, then close the database (lib/shutdown.ts).
 */
export async function runSubgraph<TContext extends object, TPeers>(subgraph: SubgraphDefinition<TContext> | PeeredSubgraph<TContext, TPeers>): Promise<void> {
  let config: SubgraphConfig<TPeers | undefined>;
  try {
    config = readSubgraphConfig(subgraph.name, process.env, process.argv.slice(2), 'define' in subgraph ? subgraph.readPeers : undefined, await unresolvedHost(process.env));
  } catch (error) {
    // Before the configuration is read there is no level yet; the message is one JSON line all the same.
    createLogger(subgraph.name).fatal(`configuration error: ${(error as Error).message}`);
    process.exit(2);
  }
  const logger = createLogger(subgraph.name, { level: config.logLevel });
  exitOnUncaughtFault(logger);
  for (const warning of config.warnings) logger.warn(warning);
  try {
    // Within the try, after the logger: a peered subgraph's definition is made from its peers'
    // settings, and a throw from it ended the process with Node's plain stack, unmasked.
    const definition = 'define' in subgraph ? subgraph.define(config.peers as TPeers, config.signingKey) : subgraph;
    // Made before the database is opened, so that its logger can count statements from the first.
    const metrics = new ServiceMetrics(definition.name);
    // Before the database is opened: a second process on its SQLite file stops here.
    const lock = lockSqliteDatabases(config.database, [definition.name], `the ${definition.name} subgraph`);
    const db = await openDatabase(definition.name, config.database, definition, databaseLogger(logger, registerQueryCounter(metrics)), config.databaseWaits);
    await definition.checkStored?.(db);
    const served = await startSubgraph(definition, db, { port: config.port, host: config.host, signingKey: config.signingKey, acceptedKeys: config.acceptedKeys, logger, metrics, stopGracePeriodMillis: config.stopGracePeriodMs });
    logger.info({ url: served.url, database: describeTarget(config.database), ...(config.database.kind === 'mysql' ? { databaseWaits: config.databaseWaits } : {}), stopGracePeriodMs: config.stopGracePeriodMs }, 'serving');
    handleShutdownSignals(logger, [
      { name: 'HTTP server', stop: () => served.stop() },
      {
        name: 'database',
        stop: async () => {
          await db.destroy();
          lock.release();
        },
      },
    ], forceAfterGraceMs(config.stopGracePeriodMs));
  } catch (error) {
    exitWithFatal(logger, error);
  }
}
