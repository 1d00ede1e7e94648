import type { FastifyPluginAsync } from 'fastify';
import { agentRoutes } from './agents.js';
import { mailboxRoutes } from './mailboxes.js';
import { settingsRoutes } from './settings.js';
import { teamRoutes } from './teams.js';
import { adminViewRoutes } from './unrouted.js';

/** `/api/v1/admin/*`: every route needs a token of an admin (401 without one, 403 for other agents). */
export const adminRoutes: FastifyPluginAsync = async (app) => {
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, security: [{ bearer: [] }] };
  });
  app.addHook('preHandler', app.authenticate);
  app.addHook('preHandler', app.requireAdmin);

  await app.register(settingsRoutes);
  await app.register(teamRoutes);
  await app.register(mailboxRoutes);
  await app.register(agentRoutes);
  await app.register(adminViewRoutes);
};
