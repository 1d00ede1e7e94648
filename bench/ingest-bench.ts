/**
 * Inbound mail throughput over real SMTP: Worklink's listener storing and routing each
 * message, against a bare smtp-server that discards it, with the same pooled client, the
 * same message and 8 parallel connections. Also on a store that already contains many
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
  /** CPU time of the server process per message, in milliseconds. */
  serverCpuMsPerMessage: number;
  /** Messages per second of each round, in order, when the run adds up several. */
  roundsPerSecond?: number[];
}

/**
 * Returns the benchmark message: a new request from an external sender to Team A's mailbox, about
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

/** A server under test and the Message-ID sequence it has reached. */
export interface IngestTarget {
  label: string;
  server: ServerHandle;
  runId: string;
  nextSequence: number;
}

export async function startTarget(label: string, spec: ServerSpec, sizes: BenchSizes): Promise<IngestTarget> {
  const server = await startServer(spec);
  const target: IngestTarget = {
    label,
    server,
    runId: `${label.replace(/[^a-z0-9]+/gi, '-')}-${process.pid}`,
    nextSequence: 0,
  };
  try {
    if (sizes.ingestWarmupMessages > 0) {
      await deliver(server.info.smtpPort, sizes.ingestWarmupMessages, 0, target.runId, sizes.ingestTimeoutSeconds);
      target.nextSequence = sizes.ingestWarmupMessages;
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
  return target;
}

/** Delivers one measured run to `target` and checks that every accepted message was stored. */
export async function measureRun(
  target: IngestTarget,
  sizes: BenchSizes,
  log: (line: string) => void,
): Promise<IngestRun> {
  const { server, label } = target;
  const before = await server.counts();
  const seconds = await deliver(
    server.info.smtpPort,
    sizes.ingestMessages,
    target.nextSequence,
    target.runId,
    sizes.ingestTimeoutSeconds,
  );
  target.nextSequence += sizes.ingestMessages;
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
    serverCpuMsPerMessage: (after.cpuMicros - before.cpuMicros) / 1000 / sizes.ingestMessages,
  };
  log(
    `ingest: ${label} ${run.messagesPerSecond.toFixed(0)} messages/s, ${run.serverCpuMsPerMessage.toFixed(2)} ms CPU each`,
  );
  return run;
}

/** Adds up the runs of one server as a single run over all their messages. */
function combineRuns(runs: IngestRun[]): IngestRun {
  const first = runs[0] as IngestRun;
  const messages = runs.reduce((sum, run) => sum + run.messages, 0);
  const seconds = runs.reduce((sum, run) => sum + run.seconds, 0);
  return {
    ...first,
    messages,
    seconds,
    stored: runs.reduce((sum, run) => sum + run.stored, 0),
    messagesPerSecond: messages / seconds,
    serverCpuMsPerMessage: runs.reduce((sum, run) => sum + run.serverCpuMsPerMessage * run.messages, 0) / messages,
    roundsPerSecond: runs.map((run) => run.messagesPerSecond),
  };
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
  /** The same two ratios from server CPU time per message, which other load on the machine disturbs less. */
  cpuThroughputRatio: number;
  cpuGrowthRatio: number;
  /** PostgreSQL over SQLite, both empty; null when PostgreSQL was unavailable. */
  postgresOverSqlite: number | null;
}

/**
 * Measures the bare server, Worklink on an empty SQLite store and Worklink on a filled one in
 * alternating rounds, all three running at once but loaded one at a time, so that other load
 * on the machine affects each about equally. PostgreSQL follows in one run of its own.
 */
export async function benchIngest(sizes: BenchSizes, log: (line: string) => void): Promise<IngestFigures> {
  const none = { workItems: 0, mailboxes: 0, storedMessages: 0 };
  // Ten stored messages per work item, as in long threads of a busy mailbox.
  const filledWorkItems = Math.max(1, Math.floor(sizes.storedMessages / 10));
  const targets: IngestTarget[] = [];
  const runs = new Map<string, IngestRun[]>();
  try {
    // The filled store starts first, so that its bulk fill is further from the measured runs:
    // the first round was the slowest for every server when the fill came right before it.
    log(`ingest: filling a SQLite store with ${sizes.storedMessages} messages on ${filledWorkItems} work items`);
    const filled = await startTarget(
      `Worklink, SQLite store with ${sizes.storedMessages} messages`,
      { kind: 'worklink', fill: { workItems: filledWorkItems, mailboxes: 0, storedMessages: sizes.storedMessages } },
      sizes,
    );
    targets.push(filled);
    targets.unshift(await startTarget('Worklink, empty SQLite store', { kind: 'worklink', fill: none }, sizes));
    targets.unshift(await startTarget('bare smtp-server (discards)', { kind: 'bare-smtp' }, sizes));
    for (let round = 0; round < sizes.ingestRounds; round++) {
      for (const target of targets) {
        const list = runs.get(target.label) ?? [];
        list.push(await measureRun(target, sizes, log));
        runs.set(target.label, list);
      }
    }
  } finally {
    for (const target of targets) {
      await target.server.stop();
    }
  }
  const [bare, sqliteEmpty, sqliteFilled] = targets.map((target) => combineRuns(runs.get(target.label) ?? [])) as [
    IngestRun,
    IngestRun,
    IngestRun,
  ];

  let postgresEmpty: IngestRun | { unavailable: string };
  const postgres = await createBenchPostgres();
  if ('unavailable' in postgres) {
    log(`ingest: PostgreSQL not measured: ${postgres.unavailable}`);
    postgresEmpty = postgres;
  } else {
    try {
      const target = await startTarget(
        'Worklink, empty PostgreSQL store',
        { kind: 'worklink', databaseUrl: postgres.url, fill: none },
        sizes,
      );
      try {
        postgresEmpty = await measureRun(target, sizes, log);
      } finally {
        await target.server.stop();
      }
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
    cpuThroughputRatio: bare.serverCpuMsPerMessage / sqliteEmpty.serverCpuMsPerMessage,
    cpuGrowthRatio: sqliteEmpty.serverCpuMsPerMessage / sqliteFilled.serverCpuMsPerMessage,
    postgresOverSqlite:
      'unavailable' in postgresEmpty ? null : postgresEmpty.messagesPerSecond / sqliteEmpty.messagesPerSecond,
  };
}
