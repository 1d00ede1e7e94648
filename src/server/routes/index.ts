import type { FastifyPluginAsync } from 'fastify';
import { devRoutes } from './dev/index.js';
import { healthRoutes } from './health/index.js';
import { unroutedRoutes } from './unrouted/index.js';

/**
 * Route plugins in registration order, each under its prefix. To add a
 * resource, add one line here and a plugin under `routes/<resource>/`.
 */
export const routePlugins: Array<{ plugin: FastifyPluginAsync; prefix: string }> = [
  { plugin: healthRoutes, prefix: '' },
  { plugin: devRoutes, prefix: '/api/v1/dev' },
  { plugin: unroutedRoutes, prefix: '/api/v1/admin/unrouted' },
];
