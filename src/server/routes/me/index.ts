import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@fastify/type-provider-typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

const Me = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  displayName: Type.String(),
  isAdmin: Type.Boolean(),
  teamIds: Type.Array(Type.Integer()),
});

/**
 * `GET /api/v1/me`: the agent that the access token belongs to. The task pane can show who
 * is signed in, and `npm run bench` uses it as the baseline authenticated route because it
 * does only the authentication work that every API route does.
 */
export const meRoutes: FastifyPluginAsync = async (instance) => {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('preHandler', app.authenticate);

  app.get(
    '/',
    {
      schema: {
        summary: 'The signed-in agent',
        tags: ['auth'],
        security: [{ bearer: [] }],
        response: { 200: Me },
      },
    },
    async (request) => {
      const { id, email, displayName, isAdmin, teamIds } = request.agent;
      return { id, email, displayName, isAdmin, teamIds };
    },
  );
};
