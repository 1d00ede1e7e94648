/**
 * Inbound mail throughput over real SMTP: Worklink's listener storing and routing each
 * message, against a bare smtp-server that discards it, with the same pooled client, the
 * same message and 8 parallel connections. Also on a store that already holds many
 * messages, and on PostgreSQL.
 */
import nodemailer from 'nodemailer';
import { createBenchPostgres } from './postgres-database.js';
import { startServer } from './server-control.js';
import type { ServerHandle } from './server-control.js';
import type { ServerSpec } from './server-protocol.js';
import type { BenchSizes } from './sizes.js';

/** Parallel SMTP connections of the client. */
export const ingestConnections = 8;

export interface IngestRun {
  label: string;
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  /** Messages the server stored (or, for the bare server, received) during the measured part. */
  stored: number;
  fillSeconds: number;
}

/**
 * The benchmark message: a new request from an external sender to Team A's mailbox, about
 * 1.6 KB of multipart/alternative MIME. Only the Message-ID and the subject number change
 * between sends, because the store keeps each distinct byte sequence once.
 */
export function benchMessage(sequence: number, runId: string): string {
  const boundary = '=_bench_alt_5e2a';
  const paragraph =
    'we ordered 40 units under order 4471 and the delivery note lists 36. Could you check the ' +
    'shipment and tell us whether the rest follows or will be credited on the invoice?';
  return [
    'From: Fabrikam Orders <orders@fabrikam.example>',
    'To: UK Support <uk.support@contoso.example>',
    `Subject: Order 4471 delivery question ${sequence}`,
    'Date: Mon, 02 Dec 2024 09:13:58 +0000',
    `Message-ID: <bench-${runId}-${sequence}@mail.fabrikam.example>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset="utf-8"',
    'Content-Transfer-Encoding: 7bit',
    '',
    'Hello,',
    '',
    paragraph,
    '',
    'Kind regards,',
    'Fabrikam Orders',
    '',
    `--${boundary}`,
    'Content-Type: text/html; charset="utf-8"',
    'Content-Transfer-Encoding: 7bit',
    '',
    `<html><body><p>Hello,</p><p>${paragraph}</p><p>Kind regards,<br>Fabrikam Orders</p></body></html>`,
    '',
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

/**
 * Delivers `count` messages through one pooled transport with `ingestConnections`
 * connections, keeping that many sends in flight. Throws when a message is rejected or the
 * run exceeds `timeoutSeconds`.
 */
async function deliver(
  port: number,
  count: number,
  firstSequence: number,
  runId: string,
  timeoutSeconds: number,
): Promise<number> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: ingestConnections,
    maxMessages: Infinity,
  });
  const deadline = performance.now() + timeoutSeconds * 1000;
  let next = 0;
  const started = performance.now();
  try {
    const sender = async (): Promise<void> => {
      while (next < count) {
        if (performance.now() > deadline) {
          throw new Error(`Ingestion of ${count} messages did not finish within ${timeoutSeconds} s.`);
        }
        const sequence = firstSequence + next;
        next += 1;
        const info = await transport.sendMail({
          envelope: { from: 'orders@fabrikam.example', to: ['uk.support@contoso.example'] },
          raw: benchMessage(sequence, runId),
        });
        if (info.rejected.length > 0) {
          throw new Error(`Message ${sequence} was rejected: ${info.response}`);
        }
      }
    };
    await Promise.all(Array.from({ length: ingestConnections }, () => sender()));
    return (performance.now() - started) / 1000;
  } finally {
    transport.close();
  }
}

/** Runs one server of `spec`, warms it up, measures one ingestion run and stops it. */
export async function measureIngest(
  label: string,
  spec: ServerSpec,
  sizes: BenchSizes,
  log: (line: string) => void,
): Promise<IngestRun> {
  const server: ServerHandle = await startServer(spec);
  try {
    const runId = `${label.replace(/[^a-z0-9]+/gi, '-')}-${process.pid}`;
    if (sizes.ingestWarmupMessages > 0) {
      await deliver(server.info.smtpPort, sizes.ingestWarmupMessages, 0, runId, sizes.ingestTimeoutSeconds);
    }
    const before = await server.counts();
    const seconds = await deliver(
      server.info.smtpPort,
      sizes.ingestMessages,
      sizes.ingestWarmupMessages,
      runId,
      sizes.ingestTimeoutSeconds,
    );
    const after = await server.counts();
    const stored = after.messages - before.messages;
    if (stored !== sizes.ingestMessages) {
      throw new Error(`${label}: ${sizes.ingestMessages} messages were accepted but ${stored} were stored.`);
    }
    const run: IngestRun = {
      label,
      messages: sizes.ingestMessages,
      seconds,
      messagesPerSecond: sizes.ingestMessages / seconds,
      stored,
      fillSeconds: server.info.fillSeconds,
    };
    log(`ingest: ${label} ${run.messagesPerSecond.toFixed(0)} messages/s`);
    return run;
  } finally {
    await server.stop();
  }
}

export interface IngestFigures {
  bare: IngestRun;
  sqliteEmpty: IngestRun;
  sqliteFilled: IngestRun;
  postgresEmpty: IngestRun | { unavailable: string };
  /** Worklink on an empty SQLite store over the bare server. */
  throughputRatio: number;
  /** Worklink on the filled store over the empty one. */
  growthRatio: number;
  /** PostgreSQL over SQLite, both empty; null when PostgreSQL was unavailable. */
  postgresOverSqlite: number | null;
}

export async function benchIngest(sizes: BenchSizes, log: (line: string) => void): Promise<IngestFigures> {
  const none = { workItems: 0, mailboxes: 0, storedMessages: 0 };
  const bare = await measureIngest('bare smtp-server (discards)', { kind: 'bare-smtp' }, sizes, log);
  const sqliteEmpty = await measureIngest('Worklink, empty SQLite store', { kind: 'worklink', fill: none }, sizes, log);

  // Ten stored messages per work item, as in long threads of a busy mailbox.
  const filledWorkItems = Math.max(1, Math.floor(sizes.storedMessages / 10));
  log(`ingest: filling a SQLite store with ${sizes.storedMessages} messages on ${filledWorkItems} work items`);
  const sqliteFilled = await measureIngest(
    `Worklink, SQLite store with ${sizes.storedMessages} messages`,
    { kind: 'worklink', fill: { workItems: filledWorkItems, mailboxes: 0, storedMessages: sizes.storedMessages } },
    sizes,
    log,
  );

  let postgresEmpty: IngestRun | { unavailable: string };
  const postgres = await createBenchPostgres();
  if ('unavailable' in postgres) {
    log(`ingest: PostgreSQL not measured: ${postgres.unavailable}`);
    postgresEmpty = postgres;
  } else {
    try {
      postgresEmpty = await measureIngest(
        'Worklink, empty PostgreSQL store',
        { kind: 'worklink', databaseUrl: postgres.url, fill: none },
        sizes,
        log,
      );
    } finally {
      await postgres.drop();
    }
  }

  return {
    bare,
    sqliteEmpty,
    sqliteFilled,
    postgresEmpty,
    throughputRatio: sqliteEmpty.messagesPerSecond / bare.messagesPerSecond,
    growthRatio: sqliteFilled.messagesPerSecond / sqliteEmpty.messagesPerSecond,
    postgresOverSqlite:
      'unavailable' in postgresEmpty ? null : postgresEmpty.messagesPerSecond / sqliteEmpty.messagesPerSecond,
  };
}
