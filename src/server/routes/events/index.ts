import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from '@fastify/type-provider-typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { EventBus } from '../../notifications/bus.js';
import { createEventStream } from './event-stream.js';
import type { EventStream } from './event-stream.js';

/** Interval between heartbeat comments, in milliseconds; proxies commonly drop connections idle for 30-60 s. */
export const HEARTBEAT_INTERVAL_MS = 15_000;

/** Open streams of each bus, so that shutdown can end them and tests can count them. */
const openStreams = new WeakMap<EventBus, Set<EventStream>>();

/** Returns the number of event streams open on `bus`. */
export function openStreamCount(bus: EventBus): number {
  return openStreams.get(bus)?.size ?? 0;
}

/** Replaces the value of an `access_token` query parameter with `[redacted]`. */
export function redactAccessToken(url: string): string {
  return url.replace(/([?&]access_token=)[^&#]*/gi, '$1[redacted]');
}

const EventsQuery = Type.Object(
  {
    access_token: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 8192,
        description: 'Access token for clients that cannot send headers, such as `EventSource`.',
      }),
    ),
  },
  { additionalProperties: false },
);

/**
 * Copies an `access_token` query parameter into the `Authorization` header, because the
 * browser's `EventSource` cannot send headers. A header that is present wins.
 */
async function acceptQueryToken(request: FastifyRequest<{ Querystring: { access_token?: string } }>): Promise<void> {
  const token = request.query.access_token;
  if (token !== undefined && request.headers.authorization === undefined) {
    request.headers.authorization = `Bearer ${token}`;
  }
}

/**
 * `GET /api/v1/events`: server-sent events for the authenticated agent, carrying the `message`,
 * `link`, `work-item` and `work-item-status` events of the agent's teams, and the `link` and
 * `work-item-status` events of work items linked to them. The stream sends a heartbeat comment
 * every 15 s and ends when the client disconnects or the server shuts down.
 */
export const eventRoutes: FastifyPluginAsync = async (instance) => {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const streams = new Set<EventStream>();
  openStreams.set(app.events, streams);

  // preClose runs before the listener stops; open streams would otherwise keep it waiting.
  app.addHook('preClose', async () => {
    for (const stream of [...streams]) stream.close();
  });

  app.get(
    '/',
    {
      schema: {
        summary: 'Stream notifications of your teams as server-sent events',
        description:
          'Events: `message` (a message was attached to a work item), `work-item` (a work item was created), `link` (two work items were linked) and `work-item-status` (the status of a work item changed), each with JSON data. ' +
          'You get the events of work items of your teams, and `link` and `work-item-status` also for a work item of another team that is linked to one of yours, whose header view shows its status. ' +
          '`work-item-status` data: `{"reference", "teamId", "status", "previousStatus", "origin"}`, where `origin` is `manual` for a change through `PATCH /api/v1/work-items/{reference}` and `message:{id}` when inbound message `id` moved a waiting work item back to `todo`. ' +
          'Send the token in the `Authorization` header, or as the `access_token` query parameter where the client cannot send headers (`EventSource`); the server never logs it. ' +
          'A comment line is sent every 15 seconds as a heartbeat.',
        tags: ['notifications'],
        security: [{ bearer: [] }],
        querystring: EventsQuery,
      },
      // The default request serializer logs the URL, which may carry the token.
      logSerializers: {
        req: (request: FastifyRequest) => ({
          method: request.method,
          url: redactAccessToken(request.url),
          remoteAddress: request.ip,
        }),
      },
      preHandler: [acceptQueryToken, app.authenticate],
    },
    async (request, reply) => {
      const stream = createEventStream({
        request,
        reply,
        bus: app.events,
        database: app.database.db,
        heartbeatMs: HEARTBEAT_INTERVAL_MS,
        onClose: () => streams.delete(stream),
      });
      streams.add(stream);
      request.log.info({ agentId: request.agent.id, open: streams.size }, 'event stream opened');
    },
  );
};
