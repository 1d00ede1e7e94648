import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

/** OpenAPI document built from the route schemas, with Swagger UI at `/docs`. */
export const apiDocsPlugin = fp(
  async (app) => {
    await app.register(swagger, {
      // A plugin's root route is registered as `/prefix/`, and Fastify serves it without the slash too. The
      // document lists the form without the slash, which clients and the guides use.
      transform: ({ schema, url }) => ({ schema, url: url.length > 1 ? url.replace(/\/$/, '') : url }),
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Worklink API',
          version: '1',
          description:
            'Errors are `{ "code": "WORKLINK_...", "message": "...", "details"?: [...] }`; the codes are listed in docs/errors.md.',
        },
        components: {
          securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        },
      },
    });
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      // The security plugin's policy covers these pages. Swagger UI's own static policy would forbid the inline
      // styles that the UI sets.
      staticCSP: false,
    });
  },
  { name: 'worklink-api-docs' },
);
