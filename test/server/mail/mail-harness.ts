import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import { pino } from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import type { Dialect } from '../../../src/server/db/database.js';
import { loadConfig } from '../../../src/server/config.js';
import type { Config } from '../../../src/server/config.js';
import { EventBus } from '../../../src/server/notifications/bus.js';
import type { WorklinkEvents } from '../../../src/server/notifications/bus.js';
import { createTeam } from '../../../src/server/repositories/teams.js';
import { createMailbox } from '../../../src/server/repositories/mailboxes.js';
import { createAgent } from '../../../src/server/repositories/agents.js';
import { putSettings } from '../../../src/server/repositories/settings.js';
import { startSmtpListener } from '../../../src/server/mail/smtp-listener.js';
import type { SmtpListener } from '../../../src/server/mail/smtp-listener.js';
import { createTestDatabase } from '../../support/databases.js';
import type { TestDatabase } from '../../support/databases.js';

const fixtureDirectory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/mail');

/** Reads a fixture of `test/fixtures/mail`, filling `{{NAME}}` placeholders from `values`. */
export function readFixture(name: string, values: Record<string, string> = {}): Buffer {
  let text = fs.readFileSync(path.join(fixtureDirectory, name), 'utf8');
  for (const [key, value] of Object.entries(values)) {
    text = text.split(`{{${key}}}`).join(value);
  }
  return Buffer.from(text, 'utf8');
}

export interface MailHarness {
  database: TestDatabase;
  config: Readonly<Config>;
  listener: SmtpListener;
  teamA: number;
  teamB: number;
  agentId: number;
  /** Every event published on the bus, in order. */
  events: { name: keyof WorklinkEvents; payload: unknown }[];
  bus: EventBus;
  /** Delivers raw bytes over SMTP with an explicit envelope; resolves with the server's reply. */
  deliver(
    raw: Buffer | string,
    envelope: { from?: string; to: string[] },
    options?: DeliveryOptions,
  ): Promise<DeliveryResult>;
  close(): Promise<void>;
}

export interface DeliveryOptions {
  /** Upgrades the connection with STARTTLS and fails when the server does not offer it. */
  requireTls?: boolean;
}

export interface DeliveryResult {
  accepted: string[];
  rejected: string[];
  response: string;
}

/** An SMTP failure as nodemailer reports it. */
export interface SmtpFailure extends Error {
  responseCode?: number;
  response?: string;
}

const silentLog = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;

/**
 * Builds the directory of the fixtures on a fresh database (Team A with
 * `uk.support@`, Team B with `pl.support@` and alias `wsparcie.pl@`, the
 * agents, internal domain `contoso.example`, mode `mixed`) and starts the
 * SMTP listener on 127.0.0.1 at a free port.
 */
export async function startMailHarness(
  dialect: Dialect,
  overrides: Partial<Record<string, string>> = {},
  options: { log?: FastifyBaseLogger } = {},
): Promise<MailHarness> {
  const database = await createTestDatabase(dialect);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'worklink-mail-'));
  const config = loadConfig({
    WORKLINK_HOST: '127.0.0.1',
    WORKLINK_DATA_DIR: dataDir,
    WORKLINK_SEED: 'none',
    WORKLINK_TLS: 'off',
    ...overrides,
  });

  const teamA = await createTeam(database.db, 'Team A (UK)');
  const teamB = await createTeam(database.db, 'Team B (PL)');
  await createMailbox(database.db, {
    address: 'uk.support@contoso.example',
    aliases: [],
    teamId: teamA.id,
    defaultType: 'ticket',
  });
  await createMailbox(database.db, {
    address: 'pl.support@contoso.example',
    aliases: ['wsparcie.pl@contoso.example'],
    teamId: teamB.id,
    defaultType: 'case',
  });
  const agent = await createAgent(database.db, {
    email: 'uk.agent@contoso.example',
    displayName: 'UK Agent',
    teamIds: [teamA.id],
    isAdmin: false,
  });
  await createAgent(database.db, {
    email: 'pl.agent@contoso.example',
    displayName: 'PL Agent',
    teamIds: [teamB.id],
    isAdmin: false,
  });
  await putSettings(database.db, {
    plusAddressing: { mode: 'mixed', separator: '+' },
    internalDomains: ['contoso.example'],
    failurePolicy: 'allow',
  });

  const bus = new EventBus();
  const events: MailHarness['events'] = [];
  for (const name of ['message', 'link', 'work-item', 'work-item-status'] as const) {
    bus.on(name, (payload) => events.push({ name, payload }));
  }

  const listener = await startSmtpListener({
    config,
    database,
    log: options.log ?? silentLog,
    events: bus,
    listenPort: 0,
  });

  const deliver = async (
    raw: Buffer | string,
    envelope: { from?: string; to: string[] },
    options: DeliveryOptions = {},
  ): Promise<DeliveryResult> => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: listener.port,
      secure: false,
      ignoreTLS: options.requireTls !== true,
      requireTLS: options.requireTls === true,
      // The test certificate is self-signed; the check here is that the channel is encrypted at all.
      tls: { rejectUnauthorized: false },
      name: 'client.test',
    });
    try {
      const info = await transport.sendMail({
        envelope: { from: envelope.from ?? 'sender@fabrikam.example', to: envelope.to },
        raw,
      });
      return {
        accepted: info.accepted.map(String),
        rejected: info.rejected.map(String),
        response: info.response,
      };
    } finally {
      transport.close();
    }
  };

  return {
    database,
    config,
    listener,
    teamA: teamA.id,
    teamB: teamB.id,
    agentId: agent.id,
    events,
    bus,
    deliver,
    async close() {
      await listener.close();
      await database.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
