import fp from 'fastify-plugin';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { WorklinkError } from '../errors.js';
import { polishCount } from '../localized-text.js';

/**
 * Security headers, CORS for the add-in's origin, and the rate-limit store
 * that `app.authenticate` applies per agent.
 */
export const securityPlugin = fp(
  async (app) => {
    await app.register(helmet, {
      // Outlook shows the add-in pages inside its own frames, on origins that
      // X-Frame-Options cannot list, so framing is limited by CSP instead.
      frameguard: false,
      crossOriginEmbedderPolicy: false,
      crossOriginResourcePolicy: { policy: 'cross-origin' },
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          // Office.js is only supported when loaded from Microsoft's CDN.
          scriptSrc: ["'self'", 'https://appsforoffice.microsoft.com'],
          // Fluent UI v9 injects its styles at run time.
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'https:'],
          connectSrc: ["'self'", 'https://graph.microsoft.com', 'https://login.microsoftonline.com'],
          frameSrc: ["'self'", 'https://appsforoffice.microsoft.com', 'https://login.microsoftonline.com'],
          // NOTE: the Outlook host origins below are not checked against every client.
          frameAncestors: [
            "'self'",
            'https://outlook.office.com',
            'https://outlook.office365.com',
            'https://outlook.live.com',
            'https://*.officeapps.live.com',
            'https://*.office.com',
          ],
        },
      },
    });

    await app.register(cors, {
      origin: app.config.publicOrigin,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'If-None-Match'],
      exposedHeaders: ['ETag'],
      maxAge: 600,
      // An OPTIONS request without the preflight headers gets 204 rather than a plain-text 400, which has no error code.
      strictPreflight: false,
    });

    await app.register(rateLimit, {
      // Off by default; `app.authenticate` applies the limit per agent.
      // NOTE: the store is in memory, so several instances behind one load balancer each count separately.
      global: false,
      max: app.config.rateLimitMax,
      timeWindow: app.config.rateLimitWindowMs,
      errorResponseBuilder: (_request, context) => {
        const window = Math.round(app.config.rateLimitWindowMs / 1000);
        // `after` is English, such as "1 minute", so Polish counts the seconds that the Retry-After header gives.
        const wait = polishCount(Math.ceil(context.ttl / 1000), { one: 'sekundę', few: 'sekundy', many: 'sekund' });
        return new WorklinkError('WORKLINK_RATE_LIMITED', {
          en: `Too many requests: at most ${context.max} per ${window} s. Retry after ${context.after}.`,
          pl: `Za dużo żądań: najwyżej ${context.max} na ${window} s. Spróbuj ponownie za ${wait}.`,
        });
      },
    });
  },
  { name: 'worklink-security' },
);
