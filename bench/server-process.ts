/**
 * Entry of a bench server process, forked by `server-control.ts`. It runs one server on
 * 127.0.0.1 with a free port, so that the load generator in the parent process does not share
 * its event loop: either Worklink (HTTP API and SMTP listener, as `src/server/server.ts` starts
 * them) on a fresh store, or a bare smtp-server that discards every message.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/server/app.js';
import { loadConfig } from '../src/server/config.js';
import { migrateToLatest, openDatabase } from '../src/server/db/database.js';
import type { DatabaseHandle } from '../src/server/db/database.js';
import { startSmtpListener } from '../src/server/mail/smtp-listener.js';
import { EventBus } from '../src/server/notifications/bus.js';
import { seedDemo } from '../src/server/seed/demo.js';
import { loadTlsFiles } from '../src/server/tls/certificate.js';
import { fillSqliteStore } from './store-fill.js';
import type { StoreFill } from './store-fill.js';
import { benchAgent } from './server-protocol.js';
import type { ChildMessage, ParentMessage, ServerInfo, ServerSpec, StoreCounts } from './server-protocol.js';

interface RunningServer {
  info: ServerInfo;
  counts(): Promise<StoreCounts>;
  stop(): Promise<void>;
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

/** Opens, migrates and demo-seeds the database at `url`; for SQLite, then bulk-fills the file. */
async function prepareStore(url: string, fill: StoreFill): Promise<{ database: DatabaseHandle; fillSeconds: number }> {
  let database = openDatabase(url);
  await migrateToLatest(database.db);
  await seedDemo(database.db);
  const bulk = fill.workItems + fill.mailboxes + fill.storedMessages;
  if (bulk === 0) {
    return { database, fillSeconds: 0 };
  }
  if (database.dialect !== 'sqlite') {
    throw new Error(`Bulk fill is implemented for SQLite only, but the bench asked for it on ${url}.`);
  }
  await database.db.destroy();
  const fillSeconds = fillSqliteStore(url.slice('sqlite:'.length), fill);
  database = openDatabase(url);
  return { database, fillSeconds };
}

async function startWorklink(spec: Extract<ServerSpec, { kind: 'worklink' }>): Promise<RunningServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'worklink-bench-'));
  const databaseUrl = spec.databaseUrl ?? `sqlite:${path.join(dataDir, 'worklink.sqlite')}`;
  // The same configuration path as the real server, with every listener on loopback and a free port.
  let config = loadConfig({
    WORKLINK_HOST: '127.0.0.1',
    WORKLINK_PORT: '0',
    WORKLINK_TLS: spec.tls === true ? 'on' : 'off',
    WORKLINK_DATA_DIR: dataDir,
    WORKLINK_DATABASE_URL: databaseUrl,
    WORKLINK_SMTP_PORT: '0',
    WORKLINK_AUTH: 'dev',
    WORKLINK_SEED: 'demo',
    WORKLINK_LOG_LEVEL: 'silent',
    // The bench sends every request as one agent, far above the default per-agent limit.
    WORKLINK_RATE_LIMIT_MAX: '1000000000',
    WORKLINK_ADDIN_DIR: spec.addinDir ?? path.join(dataDir, 'addin'),
  });
  let https: { key: Buffer; cert: Buffer } | undefined;
  if (config.tls === 'on') {
    // A self-signed certificate for localhost in the data directory, as `npm start` generates one.
    const files = await loadTlsFiles(config);
    https = { key: files.key, cert: files.cert };
    config = Object.freeze({ ...config, tlsCert: files.certPath, tlsKey: files.keyPath });
  }

  const { database, fillSeconds } = await prepareStore(databaseUrl, spec.fill);
  const events = new EventBus();
  let app: FastifyInstance | undefined;
  let smtp: { port: number; close(): Promise<void> } | undefined;
  try {
    app = await buildApp({ config, database, events }, https === undefined ? {} : { https });
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    smtp = await startSmtpListener({ config, database, log: app.log, events, listenPort: 0 });

    const tokenResponse = await app.inject({
      method: 'POST',
      url: '/api/v1/dev/tokens',
      payload: { email: benchAgent },
    });
    if (tokenResponse.statusCode !== 200) {
      throw new Error(`Dev token for ${benchAgent} failed with ${tokenResponse.statusCode}: ${tokenResponse.body}`);
    }
    const token = (tokenResponse.json() as { accessToken: string }).accessToken;
    const titles = spec.lookupTitles ?? [];
    const rows =
      titles.length === 0
        ? []
        : await database.db
            .selectFrom('work_items')
            .select(['title', 'reference'])
            .where('title', 'in', titles)
            .execute();

    const running = { app, smtp };
    return {
      info: {
        httpOrigin: new URL(address).origin.replace('localhost', '127.0.0.1'),
        smtpPort: smtp.port,
        token,
        fillSeconds,
        dialect: database.dialect,
        references: Object.fromEntries(rows.map((row) => [row.title, row.reference])),
      },
      async counts() {
        const count = async (table: 'messages' | 'work_items' | 'send_plans'): Promise<number> => {
          const row = await database.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('count'))
            .executeTakeFirstOrThrow();
          return Number(row.count);
        };
        const cpu = process.cpuUsage();
        return {
          cpuMicros: cpu.user + cpu.system,
          messages: await count('messages'),
          workItems: await count('work_items'),
          sendPlans: await count('send_plans'),
        };
      },
      async stop() {
        await running.smtp.close();
        await running.app.close();
        await database.db.destroy();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await smtp?.close();
    await app?.close();
    await database.db.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** Starts an SMTP server with the listener's protocol settings that reads each message and discards it. */
async function startBareSmtp(): Promise<RunningServer> {
  let received = 0;
  const server = new SMTPServer({
    name: 'bench-discard',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received += 1;
        callback(null, 'Discarded');
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    info: { httpOrigin: null, smtpPort: port, token: null, fillSeconds: 0, dialect: null, references: {} },
    counts: async () => {
      const cpu = process.cpuUsage();
      return { messages: received, workItems: 0, sendPlans: 0, cpuMicros: cpu.user + cpu.system };
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let running: RunningServer | undefined;

async function handle(message: ParentMessage): Promise<void> {
  try {
    if (message.type === 'start') {
      running = message.spec.kind === 'worklink' ? await startWorklink(message.spec) : await startBareSmtp();
      send({ type: 'ready', info: running.info });
    } else if (message.type === 'counts') {
      if (running === undefined) {
        throw new Error('No server is running: send "start" first.');
      }
      send({ type: 'counts', counts: await running.counts() });
    } else {
      await running?.stop();
      running = undefined;
      send({ type: 'stopped' });
      process.disconnect();
    }
  } catch (error) {
    send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
}

process.on('message', (message: ParentMessage) => void handle(message));
// A parent that exits without "stop" must not leave a server listening.
process.on('disconnect', () => {
  void (running?.stop() ?? Promise.resolve()).finally(() => process.exit(0));
});
