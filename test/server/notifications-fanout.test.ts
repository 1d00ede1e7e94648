import pg from 'pg';
import { pino } from 'pino';
import { sql } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/server/notifications/bus.js';
import type { WorklinkEventName, WorklinkEvents } from '../../src/server/notifications/bus.js';
import { fanoutChannel, startPgFanout } from '../../src/server/notifications/pg-fanout.js';
import type { PgFanout } from '../../src/server/notifications/pg-fanout.js';
import { availableDialects, createTestDatabase } from '../support/databases.js';
import type { TestDatabase } from '../support/databases.js';

interface LogLine {
  msg: string;
  [key: string]: unknown;
}

interface Instance {
  bus: EventBus;
  fanout: PgFanout;
  received: { name: WorklinkEventName; payload: unknown }[];
}

const messageEvent: WorklinkEvents['message'] = {
  workItemId: 7,
  reference: '100001-T',
  teamId: 1,
  messageId: 42,
  hasAttachments: false,
};

const waitFor = async (condition: () => boolean, timeoutMs = 5_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('condition not met in time');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

const hasPostgres = (await availableDialects()).includes('postgres');

describe.runIf(hasPostgres)('event fan-out on postgres', () => {
  let database: TestDatabase;
  let lines: LogLine[];
  let log: FastifyBaseLogger;
  const instances: Instance[] = [];

  const startInstance = async (instanceId: string): Promise<Instance> => {
    const bus = new EventBus();
    const received: Instance['received'] = [];
    for (const name of ['message', 'link', 'work-item', 'work-item-status'] as const) {
      bus.on(name, (payload) => received.push({ name, payload }));
    }
    const fanout = await startPgFanout({
      bus,
      database,
      connectionString: database.url,
      log,
      instanceId,
      reconnectDelayMs: { initial: 50, max: 500 },
    });
    const instance = { bus, fanout, received };
    instances.push(instance);
    return instance;
  };

  beforeEach(async () => {
    database = await createTestDatabase('postgres');
    lines = [];
    log = pino(
      { level: 'debug' },
      { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
    ) as unknown as FastifyBaseLogger;
  });

  afterEach(async () => {
    await Promise.all(instances.splice(0).map((instance) => instance.fanout.close()));
    await database.destroy();
  });

  it('delivers an event once to each instance', async () => {
    const a = await startInstance('instance-a');
    const b = await startInstance('instance-b');

    a.bus.emit('message', messageEvent);
    await waitFor(() => b.received.length > 0);
    await settle();

    expect(a.received).toEqual([{ name: 'message', payload: messageEvent }]);
    expect(b.received).toEqual([{ name: 'message', payload: messageEvent }]);
  });

  it('carries every event type both ways', async () => {
    const a = await startInstance('instance-a');
    const b = await startInstance('instance-b');
    const link: WorklinkEvents['link'] = { lowId: 1, highId: 2, origin: 'plan:abc' };
    const created: WorklinkEvents['work-item'] = {
      workItemId: 3,
      reference: '10040-C',
      teamId: 2,
      type: 'case',
      origin: 'message:9',
    };

    a.bus.emit('link', link);
    b.bus.emit('work-item', created);
    await waitFor(() => a.received.length === 2 && b.received.length === 2);
    await settle();

    expect(a.received).toEqual([
      { name: 'link', payload: link },
      { name: 'work-item', payload: created },
    ]);
    expect(b.received).toEqual(expect.arrayContaining([{ name: 'link', payload: link }]));
    expect(b.received).toHaveLength(2);
  });

  it('carries a status change with its linked teams', async () => {
    const a = await startInstance('instance-a');
    const b = await startInstance('instance-b');
    const change: WorklinkEvents['work-item-status'] = {
      workItemId: 7,
      reference: '100001-T',
      teamId: 1,
      status: 'todo',
      previousStatus: 'waiting',
      linkedTeamIds: [2, 3],
      origin: 'message:12',
    };

    a.bus.emit('work-item-status', change);
    await waitFor(() => b.received.length > 0);
    await settle();

    expect(b.received).toEqual([{ name: 'work-item-status', payload: change }]);
    expect(a.received).toHaveLength(1);
  });

  it('ignores a malformed notification', async () => {
    const a = await startInstance('instance-a');

    await sql`select pg_notify(${fanoutChannel}, ${'not json'})`.execute(database.db);
    await sql`select pg_notify(${fanoutChannel}, ${JSON.stringify({ instance: 'x', name: 'drop-table', payload: {} })})`.execute(
      database.db,
    );
    await waitFor(
      () => lines.filter((line) => line.msg === 'event fan-out ignored a malformed notification').length === 2,
    );

    expect(a.received).toEqual([]);
  });

  it('skips an event too large for NOTIFY', async () => {
    const a = await startInstance('instance-a');
    const b = await startInstance('instance-b');

    a.bus.emit('link', { lowId: 1, highId: 2, origin: 'x'.repeat(9_000) });
    await settle();

    expect(a.received).toHaveLength(1);
    expect(b.received).toEqual([]);
    expect(lines.some((line) => line.msg === 'event too large for the fan-out, other instances miss it')).toBe(true);
  });

  it('reconnects after the connection drops', async () => {
    const a = await startInstance('instance-a');
    const b = await startInstance('instance-b');
    const databaseName = new URL(database.url).pathname.slice(1);

    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const terminated = await admin.query(
        "select pg_terminate_backend(pid) as done from pg_stat_activity where datname = $1 and application_name = 'worklink-fanout-instance-b'",
        [databaseName],
      );
      expect(terminated.rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    await waitFor(() => lines.some((line) => line.msg === 'event fan-out reconnected'));

    a.bus.emit('message', messageEvent);
    await waitFor(() => b.received.length > 0);
    await settle();

    expect(b.received).toEqual([{ name: 'message', payload: messageEvent }]);
    expect(lines.some((line) => line.msg === 'event fan-out connection lost, reconnecting')).toBe(true);
  });

  it('stops relaying after close', async () => {
    const a = await startInstance('instance-a');
    const b = await startInstance('instance-b');
    await b.fanout.close();

    a.bus.emit('message', messageEvent);
    await settle();

    expect(b.received).toEqual([]);
    expect(a.received).toHaveLength(1);
  });
});

describe('event fan-out on sqlite', () => {
  it('rejects a SQLite database', async () => {
    const database = await createTestDatabase('sqlite');
    try {
      await expect(
        startPgFanout({
          bus: new EventBus(),
          database,
          connectionString: database.url,
          log: pino({ level: 'silent' }) as unknown as FastifyBaseLogger,
        }),
      ).rejects.toThrow(/needs a PostgreSQL database/);
    } finally {
      await database.destroy();
    }
  });
});
