import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { DatabaseHandle } from '../db/database.js';
import type { EventBus, WorklinkEventName, WorklinkEvents } from './bus.js';

/** PostgreSQL channel that every instance notifies and listens on. */
export const fanoutChannel = 'worklink_events';

/** PostgreSQL rejects NOTIFY payloads of 8000 bytes or more; this leaves room below that limit. */
const maxPayloadBytes = 7_900;

// A record rather than a list, so that an event added to `WorklinkEvents` fails to compile until it is listed here.
const forwardedEvents: Record<WorklinkEventName, true> = {
  message: true,
  link: true,
  'work-item': true,
  'work-item-status': true,
  'agent-access': true,
};
const eventNames = Object.keys(forwardedEvents) as WorklinkEventName[];

/** Payload of one NOTIFY: the sender's instance id, the event name and the event's ids and references. */
interface FanoutEnvelope {
  instance: string;
  name: WorklinkEventName;
  payload: WorklinkEvents[WorklinkEventName];
}

export interface PgFanoutOptions {
  bus: EventBus;
  /** The PostgreSQL database; NOTIFY goes through its pool. */
  database: DatabaseHandle;
  /** Connection string for the dedicated LISTEN connection, normally `WORKLINK_DATABASE_URL`. */
  connectionString: string;
  log: FastifyBaseLogger;
  /** Defaults to a random UUID. */
  instanceId?: string;
  /** Backoff of reconnect attempts after the LISTEN connection drops, in milliseconds. */
  reconnectDelayMs?: { initial: number; max: number };
}

export interface PgFanout {
  instanceId: string;
  /** Stops listening and forwarding; the bus keeps working for this instance alone. */
  close(): Promise<void>;
}

function isEnvelope(value: unknown): value is FanoutEnvelope {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const candidate = value as Partial<FanoutEnvelope>;
  return (
    typeof candidate.instance === 'string' &&
    eventNames.includes(candidate.name as WorklinkEventName) &&
    typeof candidate.payload === 'object' &&
    candidate.payload !== null
  );
}

/**
 * Bridges the event bus of every instance on one PostgreSQL database: each
 * local event is sent with `pg_notify`, and each notification from another
 * instance is emitted on the local bus. An instance ignores its own
 * notifications because its listeners already had the event. The LISTEN
 * connection reconnects with capped exponential backoff when it drops.
 * Resolves once the first LISTEN succeeded, and rejects when it failed.
 */
export async function startPgFanout(options: PgFanoutOptions): Promise<PgFanout> {
  if (options.database.dialect !== 'postgres') {
    throw new Error(
      'startPgFanout needs a PostgreSQL database: call it only when WORKLINK_DATABASE_URL is postgres://.',
    );
  }
  const { bus, log } = options;
  const instanceId = options.instanceId ?? randomUUID();
  const delays = options.reconnectDelayMs ?? { initial: 250, max: 30_000 };
  let client: pg.Client | undefined;
  let closing = false;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let failedAttempts = 0;
  // True while a remote event is emitted locally, so the forwarding listener does not send it back out.
  let relaying = false;

  const receive = (message: pg.Notification): void => {
    if (message.channel !== fanoutChannel || message.payload === undefined) {
      return;
    }
    let envelope: unknown;
    try {
      envelope = JSON.parse(message.payload);
    } catch {
      envelope = undefined;
    }
    if (!isEnvelope(envelope)) {
      log.warn(
        { channel: message.channel, bytes: message.payload.length },
        'event fan-out ignored a malformed notification',
      );
      return;
    }
    if (envelope.instance === instanceId) {
      return;
    }
    relaying = true;
    try {
      bus.emit(envelope.name, envelope.payload);
    } finally {
      relaying = false;
    }
  };

  // NOTE: notifications sent while this connection is down are not delivered to this instance later,
  // so its server-sent-event clients miss them until they reload.
  const scheduleReconnect = (): void => {
    if (closing || reconnectTimer !== undefined) {
      return;
    }
    const base = Math.min(delays.initial * 2 ** failedAttempts, delays.max);
    const delayMs = base + Math.floor(Math.random() * (base / 4));
    failedAttempts += 1;
    log.warn({ attempt: failedAttempts, delayMs }, 'event fan-out connection lost, reconnecting');
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      connect().then(
        () => {
          log.info({ attempts: failedAttempts }, 'event fan-out reconnected');
          failedAttempts = 0;
        },
        (error: unknown) => {
          log.warn({ err: error }, 'event fan-out reconnect failed');
          scheduleReconnect();
        },
      );
    }, delayMs);
  };

  const connect = async (): Promise<void> => {
    const next = new pg.Client({
      connectionString: options.connectionString,
      // Names the connection in pg_stat_activity; PostgreSQL truncates it at 63 bytes.
      application_name: `worklink-fanout-${instanceId}`.slice(0, 63),
    });
    next.on('notification', receive);
    const lost = (error?: Error): void => {
      if (client !== next) {
        return;
      }
      client = undefined;
      if (error !== undefined && !closing) {
        log.warn({ err: error }, 'event fan-out connection failed');
      }
      next.removeAllListeners('notification');
      void next.end().catch(() => undefined);
      scheduleReconnect();
    };
    // Until the connection is ready, `client` is not `next`, so `lost` ignores its errors and connect() rejects.
    next.on('error', (error) => lost(error));
    next.on('end', () => lost());
    try {
      await next.connect();
      await next.query(`LISTEN ${fanoutChannel}`);
    } catch (error) {
      next.removeAllListeners();
      next.on('error', () => undefined);
      await next.end().catch(() => undefined);
      throw error;
    }
    if (closing) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
  };

  const forward = <Name extends WorklinkEventName>(name: Name, payload: WorklinkEvents[Name]): void => {
    if (relaying) {
      return;
    }
    const text = JSON.stringify({ instance: instanceId, name, payload } satisfies FanoutEnvelope);
    const bytes = Buffer.byteLength(text);
    if (bytes > maxPayloadBytes) {
      log.warn({ event: name, bytes }, 'event too large for the fan-out, other instances miss it');
      return;
    }
    sql`select pg_notify(${fanoutChannel}, ${text})`.execute(options.database.db).catch((error: unknown) => {
      log.warn({ err: error, event: name }, 'event fan-out notify failed, other instances miss this event');
    });
  };

  await connect();
  const unsubscribers = eventNames.map((name) => bus.on(name, (payload) => forward(name, payload)));
  log.info({ instanceId, channel: fanoutChannel }, 'event fan-out listening');

  return {
    instanceId,
    async close() {
      closing = true;
      clearTimeout(reconnectTimer);
      for (const unsubscribe of unsubscribers) {
        unsubscribe();
      }
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
