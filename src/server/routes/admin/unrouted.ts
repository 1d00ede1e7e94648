import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@fastify/type-provider-typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { listAudit } from '../../repositories/audit.js';
import { UnroutedMessage } from './schemas/admin.js';

const AuditEntry = Type.Object({
  id: Type.Integer(),
  actorAgentId: Type.Union([Type.Integer(), Type.Null()]),
  action: Type.String(),
  subjectType: Type.String(),
  subjectId: Type.String(),
  detail: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String(),
});

/** Read-only admin views: messages kept without a work item, and the audit log. */
export const adminViewRoutes: FastifyPluginAsync = async (instance) => {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['admin'];

  app.get(
    '/unrouted',
    {
      schema: {
        summary: 'List inbound messages that matched no work item and may not create one',
        tags,
        response: { 200: Type.Array(UnroutedMessage) },
      },
    },
    async () => {
      const rows = await app.database.db
        .selectFrom('unrouted_messages')
        .innerJoin('messages', 'messages.id', 'unrouted_messages.message_id')
        .select([
          'messages.id',
          'messages.message_id',
          'messages.subject',
          'messages.from_address',
          'unrouted_messages.reason',
          'messages.received_at',
        ])
        .where('unrouted_messages.state', '=', 'open')
        .orderBy('messages.id', 'desc')
        .limit(500)
        .execute();
      return rows.map((row) => ({
        id: row.id,
        messageId: row.message_id,
        subject: row.subject,
        from: row.from_address,
        reason: row.reason,
        receivedAt: row.received_at,
      }));
    },
  );

  app.get(
    '/audit',
    { schema: { summary: 'List the newest admin changes', tags, response: { 200: Type.Array(AuditEntry) } } },
    async () => listAudit(app.database.db, 200),
  );
};
