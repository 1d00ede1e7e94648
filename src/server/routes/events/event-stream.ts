import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EventBus, WorklinkEvents } from '../../notifications/bus.js';
import type { Executor } from '../../repositories/executor.js';
import { findWorkItemById } from '../../repositories/work-items.js';

/** One open server-sent-events response. */
export interface EventStream {
  /** Ends the response and unsubscribes; calling it again does nothing. */
  close(): void;
}

export interface EventStreamOptions {
  request: FastifyRequest;
  reply: FastifyReply;
  bus: EventBus;
  database: Executor;
  heartbeatMs: number;
  /** Called once, after the stream has ended for any reason. */
  onClose(): void;
}

/** Data of the `link` event: both work items, so a client of either team can refresh its view. */
interface LinkEventData {
  workItems: Array<{ reference: string; teamId: number }>;
  origin: string;
}

/**
 * Takes over the response and writes the agent's events to it as `text/event-stream`.
 * Events of teams the agent is not a member of are not sent, except `link` and
 * `work-item-status`, which also reach the teams that see the work item in the header view.
 * The team list is read when the stream opens. When an admin removes the agent or changes its
 * teams, the stream ends, and the client's reconnection reads the current access.
 */
export function createEventStream(options: EventStreamOptions): EventStream {
  const { request, reply, bus } = options;
  const teamIds = new Set(request.agent.teamIds);
  const raw = reply.raw;
  let nextId = 1;
  let closed = false;

  reply.hijack();
  // Headers set by earlier hooks (CORS, security headers) are kept: hijack skips onSend.
  const inherited: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) inherited[name] = value;
  }
  raw.writeHead(200, {
    ...inherited,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    // Reverse proxies such as nginx buffer responses unless told otherwise.
    'x-accel-buffering': 'no',
  });
  // `retry` sets the reconnection delay of EventSource, in milliseconds.
  raw.write(': worklink events\nretry: 5000\n\n');

  function send(event: string, data: unknown): void {
    if (closed) return;
    raw.write(`id: ${nextId}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    nextId += 1;
  }

  function onMessage(payload: WorklinkEvents['message']): void {
    if (!teamIds.has(payload.teamId)) return;
    send('message', { reference: payload.reference, teamId: payload.teamId, hasAttachments: payload.hasAttachments });
  }

  function onWorkItem(payload: WorklinkEvents['work-item']): void {
    if (!teamIds.has(payload.teamId)) return;
    send('work-item', {
      reference: payload.reference,
      teamId: payload.teamId,
      type: payload.type,
      origin: payload.origin,
    });
  }

  // The header view shows the status, so agents of teams that own a linked work item get the change too.
  function onWorkItemStatus(payload: WorklinkEvents['work-item-status']): void {
    if (!teamIds.has(payload.teamId) && !payload.linkedTeamIds.some((teamId) => teamIds.has(teamId))) return;
    send('work-item-status', {
      reference: payload.reference,
      teamId: payload.teamId,
      status: payload.status,
      previousStatus: payload.previousStatus,
      origin: payload.origin,
    });
  }

  async function onLink(payload: WorklinkEvents['link']): Promise<void> {
    const [low, high] = await Promise.all([
      findWorkItemById(options.database, payload.lowId),
      findWorkItemById(options.database, payload.highId),
    ]);
    if (low === undefined || high === undefined) return;
    if (!teamIds.has(low.teamId) && !teamIds.has(high.teamId)) return;

    const data: LinkEventData = {
      workItems: [low, high].map((item) => ({ reference: item.reference, teamId: item.teamId })),
      origin: payload.origin,
    };
    send('link', data);
  }

  const unsubscribe = [
    bus.on('agent-access', (payload) => {
      if (payload.agentId === request.agent.id) close();
    }),
    bus.on('message', onMessage),
    bus.on('work-item', onWorkItem),
    bus.on('work-item-status', onWorkItemStatus),
    bus.on('link', (payload) => {
      onLink(payload).catch((error: unknown) => {
        request.log.error({ err: error, lowId: payload.lowId, highId: payload.highId }, 'link event lookup failed');
      });
    }),
  ];

  const heartbeat = setInterval(() => {
    if (!closed) raw.write(': heartbeat\n\n');
  }, options.heartbeatMs);

  function close(): void {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    for (const stop of unsubscribe) stop();
    if (!raw.writableEnded) raw.end();
    request.log.info({ agentId: request.agent.id }, 'event stream closed');
    options.onClose();
  }

  // `close` fires when the client disconnects and after the response ends.
  raw.on('close', close);
  raw.on('error', close);

  return { close };
}
