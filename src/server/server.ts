import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { ServerLifecycle } from './app.js';
import { loadConfig } from './config.js';
import type { Config } from './config.js';
import { migrateToLatest, openDatabase } from './db/database.js';
import type { DatabaseHandle } from './db/database.js';
import { WorklinkError } from './errors.js';
import { startGraphSync } from './mail/graph-sync/start-graph-sync.js';
import type { GraphSyncHandle } from './mail/graph-sync/start-graph-sync.js';
import { startSmtpListener } from './mail/smtp-listener.js';
import type { SmtpListener } from './mail/smtp-listener.js';
import { EventBus } from './notifications/bus.js';
import { startPgFanout } from './notifications/pg-fanout.js';
import type { PgFanout } from './notifications/pg-fanout.js';
import { seedDemo } from './seed/demo.js';
import { loadTlsFiles } from './tls/certificate.js';

/**
 * Messages to a parent process that started this one with an IPC channel, as `scripts/start.mjs`
 * does: `worklink-listening` once both listeners are up, `worklink-stopping` when a stop signal
 * arrives, so that the parent does not send the same signal again.
 */
type ParentMessage =
  | {
      type: 'worklink-listening';
      port: number;
      smtpPort: number | null;
      auth: Config['auth'];
      tls: Config['tls'];
      /** Path of the HTTPS certificate, absent when TLS is off. */
      certificate?: string;
    }
  | { type: 'worklink-stopping'; signal: NodeJS.Signals };

/** Parts of the server that have started, each set once it is up. */
interface Running {
  lifecycle: ServerLifecycle;
  database?: DatabaseHandle;
  app?: FastifyInstance;
  fanout?: PgFanout;
  smtp?: SmtpListener;
  graphSync?: GraphSyncHandle;
}

/** A failed start whose message names the setting to change, printed without a stack trace. */
class StartupError extends Error {}

/** Sends `message` to the parent process when there is an IPC channel. A parent that has gone away is ignored. */
function notifyParent(message: ParentMessage): void {
  if (process.send === undefined || !process.connected) {
    return;
  }
  process.send(message, undefined, undefined, () => undefined);
}

/**
 * Returns a `StartupError` that names the port and the variable to change when `error` is a
 * listen error that the user can fix, and `error` unchanged otherwise.
 */
function describeListenError(
  error: unknown,
  listener: { name: string; host: string; port: number; variable: string; off?: string },
): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const where = `port ${listener.port} on ${listener.host}`;
  const off = listener.off === undefined ? '' : ` (${listener.off})`;
  if (code === 'EADDRINUSE') {
    return new StartupError(
      `Worklink could not start its ${listener.name} listener because ${where} is already in use: ` +
        `stop the process that uses it, or set ${listener.variable} to a free port${off}.`,
    );
  }
  if (code === 'EACCES') {
    return new StartupError(
      `Worklink could not start its ${listener.name} listener because this user may not listen on ${where}: ` +
        `set ${listener.variable} to a port above 1023${off}.`,
    );
  }
  return error;
}

/** Returns `url` with the password of its user replaced, so that it can be printed. */
function withoutPassword(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
}

/**
 * Returns true for the error codes of a database that cannot be reached or opened. These are system
 * errors such as ECONNREFUSED, PostgreSQL's connection and authorization classes (08, 28) and its
 * missing database (3D000), and SQLite's codes for a file it cannot open or write.
 */
function isOpenFailure(code: string): boolean {
  return (
    /^E[A-Z]+$/.test(code) ||
    /^(08|28)[0-9A-Z]{3}$/.test(code) ||
    code === '3D000' ||
    ['SQLITE_CANTOPEN', 'SQLITE_PERM', 'SQLITE_READONLY', 'SQLITE_NOTADB'].includes(code)
  );
}

/** Returns the fix for a SQLite file that could not be opened, by the error's code. */
function sqliteOpenFix(code: string): string {
  if (code === 'SQLITE_NOTADB') {
    return 'point it at a Worklink SQLite file, or at a path where no file exists yet';
  }
  if (code === 'EEXIST' || code === 'ENOTDIR') {
    return 'remove or rename the file that is in the way of a folder in that path';
  }
  return 'check that this user may create and write the file and its folder';
}

/**
 * Returns a `StartupError` that names the database and the fix when the database cannot be reached or
 * opened. Any other error is returned unchanged, so that a failing migration keeps its stack trace.
 */
function describeDatabaseError(error: unknown, databaseUrl: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !isOpenFailure(code)) {
    return error;
  }
  const fix = databaseUrl.startsWith('sqlite:')
    ? sqliteOpenFix(code)
    : 'check that PostgreSQL runs at that address and that the role and the database exist (docs/admin-guide.md, section 7)';
  return new StartupError(
    `Worklink could not open its database ${withoutPassword(databaseUrl)}: ${(error as Error).message} (${code}). ` +
      `Correct WORKLINK_DATABASE_URL, or ${fix}.`,
  );
}

/** Closes every started part of `running`, the sync and the listeners first and the database last. Throws the first failure. */
async function closeRunning(running: Running): Promise<void> {
  await running.graphSync?.stop();
  await running.smtp?.close();
  await running.app?.close();
  await running.fanout?.close();
  await running.database?.db.destroy();
}

/**
 * Handles SIGINT and SIGTERM: the first signal starts `stop`, a second one is logged, and a third
 * ends the process at once with exit code 1. A terminal sends Ctrl+C to every process of its
 * group, so a repeated signal is common and must not cut the shutdown short.
 */
function handleStopSignals(log: FastifyBaseLogger, stop: (signal: NodeJS.Signals) => Promise<void>): void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    received += 1;
    if (received === 1) {
      void stop(signal);
      return;
    }
    if (received === 2) {
      log.warn({ signal }, 'shutdown already in progress; send the signal once more to exit at once');
      return;
    }
    log.error({ signal }, 'shutdown forced; exiting before open connections and the database are closed');
    process.exit(1);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** Migrates and seeds the database, then starts the app, the event fan-out, both listeners and the mailbox sync. */
async function start(
  config: Readonly<Config>,
  https: { key: Buffer; cert: Buffer } | undefined,
  running: Running,
): Promise<{ app: FastifyInstance; instanceId: string }> {
  let database: DatabaseHandle;
  let migrations: string[];
  try {
    database = openDatabase(config.databaseUrl);
    running.database = database;
    migrations = await migrateToLatest(database.db);
  } catch (error) {
    throw describeDatabaseError(error, config.databaseUrl);
  }
  if (config.seed === 'demo') {
    await seedDemo(database.db);
  }

  // One id per process names this instance in event fan-out payloads and mailbox sync leases.
  const instanceId = randomUUID();
  const events = new EventBus();
  const app = await buildApp(
    { config, database, events, lifecycle: running.lifecycle },
    https === undefined ? {} : { https },
  );
  running.app = app;
  app.log.info(
    { database: withoutPassword(config.databaseUrl), applied: migrations },
    migrations.length === 0 ? 'database schema up to date' : 'database migrations applied',
  );
  // Instances on one PostgreSQL database share their events; SQLite serves a single instance.
  if (database.dialect === 'postgres') {
    running.fanout = await startPgFanout({
      bus: events,
      database,
      connectionString: config.databaseUrl,
      log: app.log,
      instanceId,
    });
  }

  // SMTP listens before HTTP so that `/healthz` returns 200 only once both listeners are up.
  if (config.smtpPort === 0) {
    app.log.info('SMTP listener off (WORKLINK_SMTP_PORT=0)');
  } else {
    try {
      running.smtp = await startSmtpListener({ config, database, log: app.log, events });
    } catch (error) {
      const off = '0 turns the SMTP listener off';
      throw describeListenError(error, {
        name: 'SMTP',
        host: config.host,
        port: config.smtpPort,
        variable: 'WORKLINK_SMTP_PORT',
        off,
      });
    }
  }
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    const name = https === undefined ? 'HTTP' : 'HTTPS';
    throw describeListenError(error, { name, host: config.host, port: config.port, variable: 'WORKLINK_PORT' });
  }
  running.graphSync = startGraphSync({ config, database, log: app.log, events, instanceId });
  return { app, instanceId };
}

/**
 * Starts Worklink: loads the configuration, migrates (and seeds) the
 * database, listens for HTTP(S) and SMTP, and shuts everything down on
 * SIGINT or SIGTERM. A failed start closes what had started, so the process exits.
 */
async function main(): Promise<void> {
  let config = loadConfig();

  let https: { key: Buffer; cert: Buffer } | undefined;
  let certificateNote: string | undefined;
  if (config.tls === 'on') {
    const files = await loadTlsFiles(config);
    https = { key: files.key, cert: files.cert };
    certificateNote = files.generated ? `generated ${files.certPath}` : files.certPath;
    // The SMTP listener offers STARTTLS with the same certificate.
    config = Object.freeze({ ...config, tlsCert: files.certPath, tlsKey: files.keyPath });
  }

  const running: Running = { lifecycle: { stopping: false } };
  let started: { app: FastifyInstance; instanceId: string };
  try {
    started = await start(config, https, running);
  } catch (error) {
    // An open listener or database pool would keep the process running after the failure.
    try {
      await closeRunning(running);
    } catch (closeError) {
      running.app?.log.error({ err: closeError }, 'closing the started parts failed');
    }
    throw error;
  }

  const { app, instanceId } = started;
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  app.log.info(
    {
      auth: config.auth,
      dialect: running.database?.dialect,
      tls: config.tls,
      certificate: certificateNote,
      smtpPort: running.smtp?.port ?? null,
      graphSync: running.graphSync === undefined ? 'off' : 'on',
      instanceId,
      seed: config.seed,
    },
    'worklink started',
  );
  notifyParent({
    type: 'worklink-listening',
    port,
    smtpPort: running.smtp?.port ?? null,
    auth: config.auth,
    tls: config.tls,
    ...(config.tls === 'on' && config.tlsCert !== undefined ? { certificate: config.tlsCert } : {}),
  });

  handleStopSignals(app.log, async (signal) => {
    running.lifecycle.stopping = true;
    app.log.info({ signal }, 'worklink stopping');
    notifyParent({ type: 'worklink-stopping', signal });
    try {
      await closeRunning(running);
      app.log.info('worklink stopped');
      process.exitCode = 0;
    } catch (error) {
      app.log.error({ err: error }, 'shutdown failed');
      process.exitCode = 1;
    }
  });
}

main().catch((error: unknown) => {
  // Configuration and listen errors are for people: print the message, not a stack trace.
  if (error instanceof WorklinkError) {
    console.error(`${error.code}: ${error.message}`);
  } else if (error instanceof StartupError) {
    console.error(error.message);
  } else {
    console.error('Worklink failed to start:', error);
  }
  process.exitCode = 1;
});
