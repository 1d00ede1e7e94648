import { AjvCompiler } from '@fastify/ajv-compiler';
import Fastify from 'fastify';
import fp from 'fastify-plugin';
import type { Server as HttpsServer } from 'node:https';
import type { FastifyHttpsOptions, FastifyInstance, FastifyPluginAsync, FastifyServerOptions } from 'fastify';
import type { Config } from './config.js';
import { assertDevAuthOnLoopback } from './config.js';
import type { DatabaseHandle } from './db/database.js';
import { EventBus } from './notifications/bus.js';
import { addinFilesPlugin } from './plugins/addin-files.js';
import { apiDocsPlugin } from './plugins/api-docs.js';
import { authPlugin } from './plugins/auth/index.js';
import { undeclaredInputPlugin } from './plugins/undeclared-input.js';
import { bodyLimitBytes, errorHandlerPlugin } from './plugins/error-handler.js';
import { planRetentionPlugin } from './plugins/plan-retention.js';
import { securityPlugin } from './plugins/security.js';
import { ensureAdminAgents } from './repositories/agents.js';
import { routePlugins } from './routes/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Readonly<Config>;
    database: DatabaseHandle;
    /** In-process events that inbound mail and send plans publish and notifications read. */
    events: EventBus;
    lifecycle: ServerLifecycle;
  }
}

/** State of the process that the routes report, such as `/healthz` during a shutdown. */
export interface ServerLifecycle {
  /** True from the moment the process starts to stop, while its listeners still finish their work. */
  stopping: boolean;
}

export interface AppOptions {
  config: Readonly<Config>;
  database: DatabaseHandle;
  /** Defaults to a new bus. */
  events?: EventBus;
  /** Defaults to a process that is not stopping. */
  lifecycle?: ServerLifecycle;
}

/**
 * Assembles the Worklink server: shared decorations, error handling,
 * security, docs, auth and routes. It is not encapsulated, so the instance
 * that registers it can use `config`, `database`, `events` and `devTokens`.
 */
const assemble: FastifyPluginAsync<AppOptions> = async (app, options) => {
  assertDevAuthOnLoopback(options.config);
  await ensureAdminAgents(options.database.db, options.config.adminEmails);

  app.decorate('config', options.config);
  app.decorate('database', options.database);
  app.decorate('events', options.events ?? new EventBus());
  app.decorate('lifecycle', options.lifecycle ?? { stopping: false });

  // Fastify reads text/plain bodies as strings, which every JSON endpoint would then reject with a type error.
  // Without the parser they get 415, which names the content type as the fix.
  app.removeContentTypeParser('text/plain');

  await app.register(errorHandlerPlugin);
  await app.register(undeclaredInputPlugin);
  await app.register(securityPlugin);
  await app.register(apiDocsPlugin);
  await app.register(authPlugin);

  for (const { plugin, prefix } of routePlugins) {
    await app.register(plugin, { prefix });
  }
  await app.register(addinFilesPlugin);
  await app.register(planRetentionPlugin);
};

export const worklinkApp = fp(assemble, { name: 'worklink-app' });

type ValidatorFactory = NonNullable<
  NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']
>;

const ajvOptions = {
  // Reject unknown fields (schemas set `additionalProperties: false`) instead of silently dropping them.
  removeAdditional: false,
  useDefaults: true,
  // Errors carry the value and its schema, so that the error handler can name them.
  verbose: true,
  // Every problem goes into `details`, and a misspelt field name is reported as unknown, not only as missing.
  allErrors: true,
} as const;

/**
 * Returns a factory of Fastify's own Ajv compiler that converts types in the parts of a
 * request that arrive as text (querystring, path parameters, headers) and not in JSON
 * bodies, so that `{"name": 5}` or `{"teamId": "3"}` is rejected rather than converted.
 * With a custom compiler Fastify no longer lower-cases the names in `headers` schemas,
 * so those schemas name headers in lower case.
 */
function partAwareValidator(): ValidatorFactory {
  // One pool of Ajv instances for each Fastify instance, as Fastify's default factory does.
  const fromPool = AjvCompiler();
  return (externalSchemas) => {
    const textValidator = fromPool(externalSchemas, { customOptions: { ...ajvOptions, coerceTypes: 'array' } });
    const bodyValidator = fromPool(externalSchemas, { customOptions: { ...ajvOptions, coerceTypes: false } });
    return (route) => (route.httpPart === 'body' ? bodyValidator(route) : textValidator(route));
  };
}

/** Options of the Fastify instance itself, apart from the HTTPS settings that `server.ts` adds. */
export function fastifyOptions(config: Readonly<Config>): FastifyServerOptions {
  return {
    logger: {
      level: config.logLevel,
      // Bearer tokens and cookies are secrets. The default serializers omit headers, and this guards custom logs.
      redact: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'],
    },
    schemaController: { compilersFactory: { buildValidator: partAwareValidator() } },
    bodyLimit: bodyLimitBytes,
  };
}

/** Builds a ready-to-listen (or ready-to-inject) app; with `listener.https`, the server speaks HTTPS. */
export async function buildApp(
  options: AppOptions,
  listener: { https?: { key: Buffer; cert: Buffer } } = {},
): Promise<FastifyInstance> {
  const serverOptions = fastifyOptions(options.config);
  // Fastify's HTTPS overload types the instance with the https server; the routes do not depend on it.
  const app =
    listener.https === undefined
      ? Fastify(serverOptions)
      : (Fastify({
          ...serverOptions,
          https: listener.https,
        } as FastifyHttpsOptions<HttpsServer>) as unknown as FastifyInstance);
  await app.register(worklinkApp, options);
  await app.ready();
  return app;
}
