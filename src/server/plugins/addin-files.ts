import fs from 'node:fs';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

/** Script of the launch-event runtime, relative to the add-in's origin. */
export const launchEventScript = 'launchevent.js';

/**
 * Serves the built add-in (`config.addinDir`) at `/`, and the well-known
 * file that lets classic Outlook on Windows run the launch-event script with
 * SSO and CORS. The folder is optional: without it only the well-known file is served.
 * `/` itself redirects to where a person starts: the Outlook simulator under dev
 * authentication, the API documentation otherwise.
 */
export const addinFilesPlugin: FastifyPluginAsync = async (app) => {
  const startPage = app.config.auth === 'dev' ? '/dev/outlook' : '/docs';
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect(startPage));

  app.get('/.well-known/microsoft-officeaddins-allowed.json', { schema: { hide: true } }, async () => ({
    allowed: [`${app.config.publicOrigin}/${launchEventScript}`],
  }));

  if (!fs.existsSync(app.config.addinDir)) {
    app.log.warn({ addinDir: app.config.addinDir }, 'add-in folder not found; run npm run build to serve the add-in');
    return;
  }
  await app.register(fastifyStatic, { root: app.config.addinDir, prefix: '/', index: false });
};
