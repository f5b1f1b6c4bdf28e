import { createRepeatedRefusals } from './audit/repeated-refusals.js';
import { createAuthenticator } from './auth/authenticate.js';
import { PrincipalCache } from './auth/principal-cache.js';
import { inProcessPrincipalChanges, postgresPrincipalChanges, type PrincipalChanges } from './auth/principal-changes.js';
import { createTokenUsage, type TokenUsage } from './auth/token-usage.js';
import { createLauncherJwtVerifier } from './auth/launcher-jwt.js';
import { createRateLimits } from './rate-limit/rate-limits.js';
import { withRateLimits } from './rate-limit/rate-limited-authenticator.js';
import { connectRedis } from './rate-limit/redis-client.js';
import { withShield } from './auth/shield.js';
import type { Config } from './config/config.js';
import { databaseUsageOf, type Db, pgPoolOf } from './db/database.js';
import { createRouter, type FetchHandler } from './http/router.js';
import { useAgentPersistedOperations } from './http/plugins/use-agent-persisted-operations.js';
import { useOperationObservation } from './http/plugins/use-operation-observation.js';
import { logAccess } from './observability/access-log.js';
import { observeRequest, watchPool, watchTaskerReachability } from './observability/metrics.js';
import { createMetricsEndpoint } from './observability/metrics-endpoint.js';
import { observationOf } from './observability/request-observation.js';
import type { GatewayTracing } from './observability/tracing.js';
import { createGatewayYoga, type GatewayYoga } from './http/yoga.js';
import { createMcpEndpoint } from './mcp/http-endpoint.js';
import { loadToolManifest } from './mcp/manifest.js';
import { createOriginPolicy } from './mcp/origin-policy.js';
import { createMetadataDocumentFetcher } from './oauth/clients/metadata-documents.js';
import { createClientRegistry } from './oauth/clients/registry.js';
import { type OAuthDeps, urlsFor } from './oauth/deps.js';
import { createOAuthRoutes } from './oauth/routes.js';
import type { Logger } from './logging/logger.js';
import type { GatewayDeps } from './resolvers/context.js';
import { createTaskerClient, type TaskerClient, type TaskerObserver } from './tasker/client.js';
import { allObservers, createTaskerLogging, taskerMetrics } from './observability/tasker-observer.js';
import { startTaskerProbe } from './observability/tasker-probe.js';
import { createTaskerReachability, unconfiguredReachability } from './observability/tasker-reachability.js';
import { unconfiguredTasker } from './tasker/unconfigured.js';
import { pothosSchema } from './schema/index.js';

export interface GatewayApp {
  fetch: FetchHandler;
  yoga: GatewayYoga;
  deps: GatewayDeps;
  /** Authenticated agents kept in process; exposed for what reports on it (tests, metrics). */
  principalCache: PrincipalCache;
  /** When tokens were last used, written in batches; `close` writes what is pending. */
  tokenUsage: TokenUsage;
  close(): Promise<void>;
}

/** Each Tasker attempt carries the trace of the request it is made for, with a span of its own. */
const traceAttempt = (requestId: string, operation: string, attempt: number) => observationOf(requestId)?.span.taskerAttempt(operation, attempt);

function taskerFor(config: Config, observer: TaskerObserver): TaskerClient {
  const { url, signingSecret } = config.tasker;
  if (!url || !signingSecret) return unconfiguredTasker();
  return createTaskerClient({
    observer,
    traceAttempt,
    baseUrl: url,
    signingSecret,
    signingKeyId: config.tasker.signingKeyId,
    connectTimeoutMs: config.tasker.connectTimeoutMs,
    timeoutMs: config.tasker.timeoutMs,
    maxRetries: config.tasker.maxRetries,
  });
}

/** On PostgreSQL other instances may share the database and must hear of changes; PGlite is this process alone. */
function principalChangesFor(config: Config, cache: PrincipalCache, logger: Logger, now: () => Date): PrincipalChanges {
  if (config.database.kind === 'pglite') return inProcessPrincipalChanges(cache);
  return postgresPrincipalChanges({ cache, listenUrl: config.database.listenUrl ?? config.database.url, logger, now: () => now().getTime() });
}

/** The composition root: wires configuration, database and surfaces. Listening is server.ts's job. */
export function createGatewayApp(options: {
  config: Config;
  db: Db;
  logger: Logger;
  now?: () => Date;
  /** Span export (startTracing in src/observability/tracing.ts); default: W3C headers only. */
  tracing?: GatewayTracing;
}): GatewayApp {
  const now = options.now ?? (() => new Date());
  const principals = new PrincipalCache({
    maxEntries: options.config.principalCache.maxEntries,
    maxAgeMs: options.config.principalCache.maxAgeSeconds * 1000,
    now: () => now().getTime(),
  });
  const reachability = createTaskerReachability(now);
  const redisConfig = options.config.redis;
  const redis = redisConfig ? connectRedis(redisConfig, options.logger) : undefined;
  const taskerObserver = allObservers(createTaskerLogging(options.logger), taskerMetrics, reachability);
  const deps: GatewayDeps = {
    db: options.db,
    config: options.config,
    now,
    rateLimits: createRateLimits(options.config.rateLimits, {
      pool: pgPoolOf(options.db),
      redis: redis && redisConfig ? { client: redis, keyPrefix: redisConfig.keyPrefix } : undefined,
      logger: options.logger,
    }, () => now().getTime()),
    tasker: taskerFor(options.config, taskerObserver),
    taskerReachability: options.config.tasker.url ? reachability.report : unconfiguredReachability,
    logger: options.logger,
    principalChanges: principalChangesFor(options.config, principals, options.logger, now),
  };
  const tokenUsage = createTokenUsage({ db: options.db, now, logger: options.logger });
  // Every surface authenticates through this one authenticator, so the rate limits hold on all of
  // them and every refused credential or rate-limited caller is audited the same way.
  const refusals = createRepeatedRefusals({ db: options.db, logger: options.logger, now, windowSeconds: options.config.audit.repeatWindowSeconds });
  const authenticator = withRateLimits(
    createAuthenticator({
      db: options.db,
      principals,
      tokenUsage,
      launcherJwt: createLauncherJwtVerifier(options.config.launcherJwt, () => now().getTime()),
      now,
      refusals,
    }),
    deps.rateLimits,
    refusals,
  );
  const manifest = loadToolManifest();
  const yoga = createGatewayYoga({
    schema: withShield(pothosSchema),
    deps,
    authenticator,
    logger: options.logger,
    plugins: [
      useOperationObservation({
        operationNames: Object.fromEntries(manifest.tools.map((tool) => [tool.operationId, tool.operationName])),
        logger: options.logger,
      }),
      useAgentPersistedOperations({
        persistedOperations: manifest.persistedOperations,
        db: options.db,
        authenticator,
        trustProxy: options.config.http.trustProxy,
      }),
    ],
  });
  const { clientMetadata } = options.config.oauth;
  const metadataDocuments = createMetadataDocumentFetcher({ ...clientMetadata, now });
  const oauth: OAuthDeps = {
    gateway: deps,
    logger: options.logger,
    clients: createClientRegistry({
      db: options.db,
      configured: options.config.oauth.clients,
      metadataDocuments,
      allowPrivateAddresses: clientMetadata.allowPrivateAddresses,
      dynamicRegistration: options.config.oauth.dynamicClientRegistration,
    }),
  };
  const mcp = createMcpEndpoint({
    manifest,
    yoga,
    db: options.db,
    authenticator,
    trustProxy: options.config.http.trustProxy,
    originAllowed: createOriginPolicy({
      allowedOrigins: options.config.mcp.allowedOrigins,
      publicUrl: options.config.http.publicUrl,
      listenHost: options.config.http.host,
    }),
    toolsListTtlSeconds: options.config.mcp.toolsListTtlSeconds,
    protectedResource: (request) => urlsFor(oauth, request),
    now,
    logger: options.logger,
  });
  const fetch = createRouter({
    deps,
    authenticator,
    logger: options.logger,
    yoga,
    mcp,
    oauth: createOAuthRoutes(oauth),
    ...(options.config.metrics.token ? { metrics: createMetricsEndpoint({ token: options.config.metrics.token }) } : {}),
    ...(options.tracing ? { tracing: options.tracing } : {}),
    observe: (observation, status) => {
      const latencyMs = performance.now() - observation.startedAt;
      logAccess(options.logger, observation, status, latencyMs);
      observeRequest(observation, status, latencyMs / 1000);
    },
  });
  const stopWatchingPool = watchPool(databaseUsageOf(options.db));
  const stopWatchingTasker = watchTaskerReachability(() => deps.taskerReachability().status);
  const { url: taskerUrl, probeIntervalSeconds } = options.config.tasker;
  // Readiness and the metrics know Tasker before the first agent call, and while no agent calls.
  const probe =
    taskerUrl && probeIntervalSeconds > 0
      ? startTaskerProbe({ tasker: deps.tasker, observer: taskerObserver, intervalMs: probeIntervalSeconds * 1000, logger: options.logger })
      : undefined;
  return {
    fetch,
    yoga,
    deps,
    principalCache: principals,
    tokenUsage,
    close: async () => {
      await probe?.stop();
      stopWatchingTasker();
      stopWatchingPool();
      await tokenUsage.close();
      await deps.tasker.close();
      await metadataDocuments.close();
      await deps.principalChanges.close();
      redis?.disconnect();
    },
  };
}
