import { sql } from 'kysely';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@fastify/type-provider-typebox';
import { WorklinkError } from '../../errors.js';

const HealthResponse = Type.Object({ status: Type.Literal('ok'), database: Type.String() });
const StoppingResponse = Type.Object({ code: Type.Literal('WORKLINK_UNAVAILABLE'), message: Type.String() });

/**
 * `GET /healthz`: returns 200 when a database query succeeds, 503 otherwise. It also returns 503 from
 * the moment the process starts to stop, so that a load balancer sends no new work to an instance
 * that is still finishing its SMTP transactions.
 */
export const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness and database check',
        tags: ['health'],
        response: { 200: HealthResponse, 503: StoppingResponse },
      },
    },
    async (request, reply) => {
      if (app.lifecycle.stopping) {
        // Sent here instead of thrown, because the error handler logs every 5xx as an error and a stop is planned.
        return reply.status(503).send({
          code: 'WORKLINK_UNAVAILABLE',
          message:
            'This Worklink instance is shutting down: send requests to another instance, or wait until it has restarted.',
        });
      }
      try {
        await sql`select 1`.execute(app.database.db);
      } catch (error) {
        request.log.error({ err: error }, 'health check: database query failed');
        throw new WorklinkError(
          'WORKLINK_UNAVAILABLE',
          {
            en: 'The database query failed: check that the database named by WORKLINK_DATABASE_URL is running.',
            pl: 'Zapytanie do bazy danych nie powiodło się: sprawdź, czy działa baza danych wskazana w WORKLINK_DATABASE_URL.',
          },
          { cause: error },
        );
      }
      return { status: 'ok' as const, database: app.database.dialect };
    },
  );
};
