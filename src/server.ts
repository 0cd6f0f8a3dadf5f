// Builds the whole service from its dependencies: the Apollo server, the HTTP
// server around it, and the shared dependencies. main.ts and the tests use it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin, HeaderMap } from '@apollo/server';
import { BREAK, type DocumentNode, GraphQLError, visit } from 'graphql';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config.js';
import type { Context, Deps } from './context.js';
import type { Db } from './db/client.js';
import type { Logger } from './log.js';
import { AuditLog } from './audit/audit-log.js';
import { createSealer } from './crypto/seal.js';
import { HashPool } from './crypto/hash-pool.js';
import { HashThreads } from './crypto/hash-threads.js';
import { PasswordHasher } from './crypto/passwords.js';
import { defaultThrottleRules, SignInThrottle, shareThrottle } from './auth/throttle.js';
import { ThrottleStore } from './auth/throttle-store.js';
import { ChangeFeed } from './auth/change-feed.js';
import { NotificationBus } from './db/notifications.js';
import { DatabaseHealth } from './db/health.js';
import { VerifiedTokenCache } from './auth/token-cache.js';
import { SingleCredentialCheckRule } from './graphql/rules/single-credential-check.js';
import type { Authorizer } from './auth/authorize.js';
import { createPolicyAuthorizer } from './auth/policy-authorizer.js';
import { createFormatError } from './graphql/format-error.js';
import { limitRules, requestLimits } from './graphql/limits.js';
import { createCursorCodec } from './db/pagination.js';
import { buildExecutableSchema } from './graphql/schema.js';
import { createRequestListener, type Readiness, requestPlugin, serveMetrics } from './http.js';
import { createAwsEndpoint, type ExecutionResult } from './aws/endpoint.js';
import { SigningKeyCache } from './auth/sigv4.js';
import { LongTermKeyCache } from './auth/sigv4-authenticate.js';
import { Metrics } from './metrics.js';
import { noteError, type RequestObserver } from './request-log.js';
import { sweepIdleCaches, watchService } from './service-metrics.js';
import { SigningKeyStore } from './sessions/signing-keys.js';
import { TokenService } from './sessions/tokens.js';
import { OidcKeyStore, defaultOidcKeyStoreOptions } from './sts/oidc-keys.js';

/** Longest session we ever issue (GetSessionToken's 36 hours): a retired key stays published that long. */
export const MAX_TOKEN_SECONDS = 129_600;

export interface ServiceOptions {
  config: Config;
  db: Db;
  logger: Logger;
  masterKey: string;
  authorizer?: Authorizer;
  /** The time services read (default: the machine's clock). */
  clock?: Clock;
  /**
   * Connection string for the change feed's listening connection (defaults to
   * `config.databaseUrl`). Without one, every request reads its session row.
   */
  databaseUrl?: string;
  /** Told of each GraphQL and AWS request once answered, in its context (tracing, src/tracing.ts). */
  observer?: RequestObserver;
}

export interface RunningService {
  url: string;
  deps: Deps;
  httpServer: http.Server;
  /** Where /metrics is served on its own (METRICS_ADDRESS), if it is. */
  metricsUrl?: string;
  /** Stops accepting connections, finishes requests in flight, then resolves. */
  close(): Promise<void>;
}

/** Builds the dependencies shared by all requests. */
export async function buildDeps(options: ServiceOptions): Promise<Deps> {
  const sealer = createSealer(options.masterKey);
  const clock = options.clock ?? systemClock;
  const databaseUrl = options.databaseUrl ?? options.config.databaseUrl;
  const keys = new SigningKeyStore(options.db, sealer, { publishAheadSeconds: 300, maxTokenSeconds: MAX_TOKEN_SECONDS }, clock);
  await keys.init();
  keys.startRefresh();
  const tokens = new TokenService(keys, {
    issuer: options.config.issuer,
    audience: options.config.audience,
    clockSkewSeconds: options.config.clockSkewSeconds,
    clock,
  });
  // Processes sharing the database share one sign-in budget, which outlives them (src/auth/throttle.ts).
  const throttle = new SignInThrottle(defaultThrottleRules, () => clock.nowMs());
  const throttleStore = new ThrottleStore(options.db, options.logger, throttle.horizonMs);
  await throttleStore.load(throttle, clock.nowMs());
  // One listening connection per process carries both the change feed and the throttle's outcomes (src/db/notifications.ts).
  const notifications = databaseUrl ? new NotificationBus(databaseUrl, options.logger) : undefined;
  const changeFeed = notifications ? new ChangeFeed(notifications, { clock }) : undefined;
  throttle.ledger = throttleStore;
  if (notifications) shareThrottle(throttle, notifications);
  const metrics = new Metrics();
  return {
    config: options.config,
    clock,
    // Mutations' audit events commit with their effects through ctx.db (src/audit/scope.ts).
    db: options.db,
    logger: options.logger,
    sealer,
    keys,
    tokens,
    tokenCache: new VerifiedTokenCache(options.config.clockSkewSeconds),
    ...(notifications ? { notifications } : {}),
    ...(changeFeed ? { changeFeed } : {}),
    authorizer: options.authorizer ?? createPolicyAuthorizer(options.db, clock, { onDecision: (decision) => metrics.decisions.count(decision) }),
    cursors: createCursorCodec(options.masterKey),
    throttle,
    metrics,
    passwords: new PasswordHasher(
      new HashPool({ concurrency: options.config.hashConcurrency, queueLimit: options.config.hashQueue }),
      new HashThreads({
        threads: options.config.hashConcurrency,
        priority: options.config.hashPriority,
        onStarted: ({ problem }) => problem && options.logger.warn(`password hashing: ${problem}`),
      }),
    ),
    audit: new AuditLog(options.db, options.logger, clock),
    oidcKeys: new OidcKeyStore(
      {
        ...defaultOidcKeyStoreOptions,
        allowHttpLoopback: options.config.oidcAllowHttpLoopback,
        timeoutMs: options.config.oidcTimeoutMs,
        cooldownMs: options.config.oidcJwksCooldownSeconds * 1000,
      },
      clock,
    ),
  };
}

/** Starts the service on the configured host and port. */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const deps = await buildDeps(options);
  await deps.notifications?.start();
  const { config, logger } = deps;
  let ready = false;
  let closing = false;
  const httpServer = http.createServer();
  // Ready means the database answers (a shared SELECT 1 at most once a second, src/db/health.ts)
  // and the change feed listens (its connection state, no round trip).
  const database = new DatabaseHealth(() => deps.db.$queryRawUnsafe('SELECT 1'), logger);
  // The listening connection failing is the first sign of most outages: probe on the next check.
  deps.notifications?.watch({ up: () => {}, down: () => database.suspect() });
  const schema = buildExecutableSchema();
  const apollo = new ApolloServer<Context>({
    schema,
    // Off (the default under NODE_ENV=production) means off for anonymous callers: signed-in
    // ones still read the schema (the playground's Docs panel); see introspectionForSignedIn.
    introspection: true,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: config.production,
    // A request failing for want of the database asks for a probe, so the outage is logged (once) even when no one polls /readyz.
    formatError: createFormatError(logger, config.production, { onDatabaseUnreachable: () => void database.check() }),
    csrfPrevention: true,
    validationRules: [...limitRules, SingleCredentialCheckRule],
    parseOptions: { maxTokens: requestLimits.maxTokens },
    allowBatchedHttpRequests: false,
    // Signals are main.ts's to handle (drain, then stop Postgres). Apollo's own handlers,
    // on by default unless NODE_ENV=test, would stop it a second time and re-raise the
    // signal, which main.ts's handler then swallows: the process never exited.
    stopOnTerminationSignals: false,
    plugins: [
      ...(config.introspection ? [] : [introspectionForSignedIn]),
      requestPlugin,
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // IAM answers are never cacheable, and the cache-control plugin's per-field
      // hook costs every field of every response. The playground is ours (src/playground).
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();
  // The AWS Query protocol runs each action as its GraphQL field, through this same server.
  const signingKeys = new SigningKeyCache();
  const longTermKeys = new LongTermKeyCache();
  watchService(deps, { signingKeys, longTermKeys });
  const stopSweeping = sweepIdleCaches(deps, { signingKeys, longTermKeys });
  const aws = createAwsEndpoint(
    schema,
    async (request, contextValue) => {
      const response = await apollo.executeOperation<Record<string, unknown>>(request, { contextValue });
      return response.body.kind === 'single' ? (response.body.singleResult as ExecutionResult) : { errors: [{ message: 'Incremental delivery is not supported.' }] };
    },
    signingKeys,
    longTermKeys,
  );
  const readiness = async (): Promise<Readiness> => {
    if (!ready) return { ready: false, reason: closing ? 'stopping' : 'starting' };
    if (!(await database.check()).reachable) return { ready: false, reason: 'database unreachable' };
    if (deps.notifications?.unavailable) return { ready: false, reason: 'change feed not listening' };
    return { ready: true };
  };
  httpServer.on('request', createRequestListener({ deps, apollo, readiness, aws, ...(options.observer ? { observer: options.observer } : {}) }));
  const url = `${await listen(httpServer, config.port, config.host)}/graphql`;
  // Metrics on their own address answer anyone who reaches it: that address is the operator's to fence.
  const metricsServer = config.metricsAddress ? http.createServer((req, res) => (req.method === 'GET' && req.url === '/metrics' ? serveMetrics(deps, res) : res.writeHead(404).end())) : undefined;
  const metricsUrl = metricsServer && config.metricsAddress ? `${await listen(metricsServer, config.metricsAddress.port, config.metricsAddress.host)}/metrics` : undefined;
  ready = true;
  logger.info({ url, ...(metricsUrl ? { metricsUrl } : {}) }, 'open-iam listening');
  return {
    url,
    deps,
    httpServer,
    ...(metricsUrl ? { metricsUrl } : {}),
    async close() {
      ready = false;
      closing = true;
      stopSweeping();
      await new Promise<void>((resolve) => (metricsServer ? metricsServer.close(() => resolve()) : resolve()));
      await apollo.stop();
      await deps.notifications?.stop();
      await deps.audit.flush();
      await deps.passwords.close();
      deps.keys.stopRefresh();
    },
  };
}

/**
 * With introspection off, an operation asking for `__schema` or `__type` is answered only to a
 * signed-in caller (a session, or the operator token): the schema is this project's published
 * schema.graphql, so what is kept from anonymous callers is a map of the API, not a secret.
 */
const introspectionForSignedIn: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      // Runs once every didResolveOperation has, so the request plugin has authenticated the caller.
      async responseForOperation({ document, contextValue }) {
        if (contextValue.principal || contextValue.operator || !asksIntrospection(document)) return null;
        // A forged, expired or revoked token is told so, as everywhere else.
        const refused = contextValue.authError as (Error & { extensions?: { code?: string } }) | null;
        const code = refused?.extensions?.code ?? 'MissingAuthenticationToken';
        const error = new GraphQLError(
          refused?.message ?? 'GraphQL introspection is for signed-in callers on this server: send Authorization: Bearer <sessionToken> (signIn), or start the server with IAM_INTROSPECTION=true to answer everyone.',
          { extensions: { code } },
        );
        noteError(contextValue.record, error, code);
        return { http: { status: 400, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { errors: [error.toJSON()] } } };
      },
    };
  },
};

function asksIntrospection(document: DocumentNode): boolean {
  let asks = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        asks = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return asks;
}

/** Listens on `port` and `host`; resolves with the origin it took (`http://host:port`). */
async function listen(server: http.Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
}
