import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@fastify/type-provider-typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { dismissUnroutedMessage, routeUnroutedMessage } from '../../mail/unrouted-messages.js';

const strict = { additionalProperties: false } as const;

const UnroutedParams = Type.Object(
  {
    id: Type.String({
      minLength: 1,
      maxLength: 1000,
      description:
        'The message id (`messages.id`, digits) or its Message-ID, URL-encoded, with or without angle brackets.',
    }),
  },
  strict,
);

const RouteRequest = Type.Object(
  { reference: Type.String({ minLength: 1, maxLength: 40, description: 'Reference of the work item, e.g. 10040-C.' }) },
  strict,
);

const UnroutedActionResponse = Type.Object({
  id: Type.Integer(),
  messageId: Type.Union([Type.String(), Type.Null()]),
  state: Type.Union([Type.Literal('routed'), Type.Literal('dismissed')]),
  reference: Type.Optional(Type.String()),
});

/**
 * `/api/v1/admin/unrouted/{id}/route` and `/dismiss`: admins attach a message
 * that no rule could place to a work item, or close it. The list itself,
 * `GET /api/v1/admin/unrouted`, is served by the admin plugin.
 */
export const unroutedRoutes: FastifyPluginAsync = async (instance) => {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['admin'];
  const security = [{ bearer: [] }];
  app.addHook('preHandler', app.authenticate);
  app.addHook('preHandler', app.requireAdmin);

  app.post(
    '/:id/route',
    {
      schema: {
        summary: 'Attach an unrouted message to a work item',
        description:
          'The message is attached with rule `manual` and leaves the unrouted list; the owning team is notified.',
        tags,
        security,
        params: UnroutedParams,
        body: RouteRequest,
        response: { 200: UnroutedActionResponse },
      },
    },
    async (request) => {
      const result = await routeUnroutedMessage(
        app.database.db,
        { key: request.params.id, reference: request.body.reference, actorAgentId: request.agent.id },
        app.events,
      );
      request.log.info({ messageRowId: result.messageRowId, reference: result.reference }, 'unrouted message routed');
      return { id: result.messageRowId, messageId: result.messageId, state: result.state, reference: result.reference };
    },
  );

  app.post(
    '/:id/dismiss',
    {
      schema: {
        summary: 'Dismiss an unrouted message',
        description: 'The message stays stored but leaves the unrouted list.',
        tags,
        security,
        params: UnroutedParams,
        response: { 200: UnroutedActionResponse },
      },
    },
    async (request) => {
      const result = await dismissUnroutedMessage(app.database.db, {
        key: request.params.id,
        actorAgentId: request.agent.id,
      });
      request.log.info({ messageRowId: result.messageRowId }, 'unrouted message dismissed');
      return { id: result.messageRowId, messageId: result.messageId, state: result.state };
    },
  );
};
