import type { FastifyPluginAsync } from 'fastify';
import { adminRoutes } from './admin/index.js';
import { authConfigRoutes } from './auth-config/index.js';
import { conversationRoutes } from './conversations/index.js';
import { devRoutes } from './dev/index.js';
import { devOutlookRoutes } from './dev-outlook/index.js';
import { directoryRoutes } from './directory/index.js';
import { eventRoutes } from './events/index.js';
import { healthRoutes } from './health/index.js';
import { meRoutes } from './me/index.js';
import { sendPlanRoutes } from './send-plans/index.js';
import { unroutedRoutes } from './unrouted/index.js';
import { workItemRoutes } from './work-items/index.js';

/**
 * Route plugins in registration order, each under its prefix. To add a
 * resource, add one line here and a plugin under `routes/<resource>/`.
 */
export const routePlugins: Array<{ plugin: FastifyPluginAsync; prefix: string }> = [
  { plugin: healthRoutes, prefix: '' },
  { plugin: devRoutes, prefix: '/api/v1/dev' },
  { plugin: sendPlanRoutes, prefix: '/api/v1/send-plans' },
  { plugin: directoryRoutes, prefix: '/api/v1/directory' },
  { plugin: adminRoutes, prefix: '/api/v1/admin' },
  { plugin: unroutedRoutes, prefix: '/api/v1/admin/unrouted' },
  { plugin: workItemRoutes, prefix: '/api/v1/work-items' },
  { plugin: conversationRoutes, prefix: '/api/v1/conversations' },
  { plugin: devOutlookRoutes, prefix: '/dev/outlook' },
  { plugin: eventRoutes, prefix: '/api/v1/events' },
  { plugin: authConfigRoutes, prefix: '/api/v1/auth-config' },
  { plugin: meRoutes, prefix: '/api/v1/me' },
];
