import { randomUUID } from 'node:crypto';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { migrateToLatest, openDatabase } from './db/database.js';
import { WorklinkError } from './errors.js';
import { startGraphSync } from './mail/graph-sync/start-graph-sync.js';
import { startSmtpListener } from './mail/smtp-listener.js';
import { EventBus } from './notifications/bus.js';
import { startPgFanout } from './notifications/pg-fanout.js';
import { seedDemo } from './seed/demo.js';
import { loadTlsFiles } from './tls/certificate.js';

/**
 * Starts Worklink: loads the configuration, migrates (and seeds) the
 * database, listens for HTTP(S) and SMTP, and shuts everything down on
 * SIGINT or SIGTERM.
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

  const database = openDatabase(config.databaseUrl);
  await migrateToLatest(database.db);
  if (config.seed === 'demo') {
    await seedDemo(database.db);
  }

  // One id per process names this instance in event fan-out payloads and mailbox sync leases.
  const instanceId = randomUUID();
  const events = new EventBus();
  const app = await buildApp({ config, database, events }, https === undefined ? {} : { https });
  // Instances on one PostgreSQL database share their events; SQLite serves a single instance.
  const fanout =
    database.dialect === 'postgres'
      ? await startPgFanout({ bus: events, database, connectionString: config.databaseUrl, log: app.log, instanceId })
      : undefined;
  // SMTP listens before HTTP so that `/healthz` returns 200 only once both listeners are up.
  const smtp = config.smtpPort === 0 ? undefined : await startSmtpListener({ config, database, log: app.log, events });
  if (smtp === undefined) {
    app.log.info('SMTP listener off (WORKLINK_SMTP_PORT=0)');
  }
  await app.listen({ host: config.host, port: config.port });
  const graphSync = startGraphSync({ config, database, log: app.log, events, instanceId });
  app.log.info(
    {
      auth: config.auth,
      dialect: database.dialect,
      tls: config.tls,
      certificate: certificateNote,
      smtpPort: smtp?.port ?? null,
      graphSync: graphSync === undefined ? 'off' : 'on',
      instanceId,
      seed: config.seed,
    },
    'worklink started',
  );

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) {
      return;
    }
    stopping = true;
    app.log.info({ signal }, 'worklink stopping');
    try {
      await graphSync?.stop();
      await smtp?.close();
      await app.close();
      await fanout?.close();
      await database.db.destroy();
      app.log.info('worklink stopped');
      process.exitCode = 0;
    } catch (error) {
      app.log.error({ err: error }, 'shutdown failed');
      process.exitCode = 1;
    }
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  // Configuration errors are for people: print the message, not a stack trace.
  if (error instanceof WorklinkError) {
    console.error(`${error.code}: ${error.message}`);
  } else {
    console.error('Worklink failed to start:', error);
  }
  process.exitCode = 1;
});
