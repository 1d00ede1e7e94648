/**
 * The real Worklink server for browser tests: HTTPS on a free loopback port with a
 * self-signed certificate for localhost, the demo seed, the built add-in, and the SMTP
 * listener on another free loopback port. The built add-in calls `https://localhost:3000`,
 * which the browser maps to this server (see `launchChromium`).
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/server/app.js';
import type { Config } from '../../../src/server/config.js';
import type { Dialect } from '../../../src/server/db/database.js';
import { startSmtpListener } from '../../../src/server/mail/smtp-listener.js';
import type { SmtpListener } from '../../../src/server/mail/smtp-listener.js';
import { EventBus } from '../../../src/server/notifications/bus.js';
import { seedDemo } from '../../../src/server/seed/demo.js';
import { loadTlsFiles } from '../../../src/server/tls/certificate.js';
import { testConfig } from '../../support/app.js';
import { createTestDatabase } from '../../support/databases.js';
import type { TestDatabase } from '../../support/databases.js';

/** The origin compiled into the add-in bundles by default. */
export const ADDIN_ORIGIN = 'https://localhost:3000';

export interface E2eServer {
  app: FastifyInstance;
  database: TestDatabase;
  config: Readonly<Config>;
  events: EventBus;
  /** `127.0.0.1:PORT` of the HTTPS listener, for the browser's host map. */
  address: string;
  /** The listener's self-signed certificate for localhost, to trust in HTTPS clients. */
  certificate: Buffer;
  smtpPort: number;
  close(): Promise<void>;
}

/** Returns a port that was free a moment ago; the SMTP listener binds it right after. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startE2eServer(dialect: Dialect, addinDir: string): Promise<E2eServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'worklink-e2e-'));
  const database = await createTestDatabase(dialect);
  await seedDemo(database.db);

  // The relay route delivers to `config.smtpPort`, so the listener needs a known port.
  const smtpPort = await freePort();
  const base = testConfig(dataDir, {
    databaseUrl: database.url,
    seed: 'demo',
    smtpPort,
    tls: 'on',
    addinDir,
    publicOrigin: ADDIN_ORIGIN,
  });
  const tls = await loadTlsFiles(base);
  const config = Object.freeze({ ...base, tlsCert: tls.certPath, tlsKey: tls.keyPath });

  const events = new EventBus();
  const app = await buildApp({ config, database, events }, { https: { key: tls.key, cert: tls.cert } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const listening = app.server.address();
  const port = typeof listening === 'object' && listening ? listening.port : 0;

  let smtp: SmtpListener;
  try {
    smtp = await startSmtpListener({ config, database, log: app.log, events });
  } catch (error) {
    await app.close();
    await database.destroy();
    throw error;
  }

  return {
    app,
    database,
    config,
    events,
    address: `127.0.0.1:${port}`,
    certificate: tls.cert,
    smtpPort: smtp.port,
    async close() {
      await smtp.close();
      await app.close();
      await database.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
