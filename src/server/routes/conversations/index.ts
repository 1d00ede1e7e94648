import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@fastify/type-provider-typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { WorklinkError } from '../../errors.js';
import { workItemView, workItemViews } from '../../permissions.js';
import {
  bareMessageId,
  recordConversation,
  recordConversationView,
  workItemIdsByConversation,
  workItemIdsByMessageId,
} from '../../repositories/messages.js';
import { findWorkItemByReference, findWorkItemsByIds, normalizeReference } from '../../repositories/work-items.js';

const ConversationReport = Type.Object(
  {
    conversationId: Type.String({ minLength: 1, maxLength: 1000 }),
    internetMessageId: Type.Optional(Type.String({ minLength: 1, maxLength: 998 })),
    reference: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  },
  { additionalProperties: false },
);

const ConversationResponse = Type.Object({
  conversationId: Type.String(),
  workItems: Type.Array(
    Type.Object({
      reference: Type.String(),
      teamId: Type.Integer(),
      view: Type.Union([Type.Literal('full'), Type.Literal('header')]),
    }),
  ),
});

/**
 * `POST /api/v1/conversations`: the read-mode pane reports the Outlook
 * `conversationId` of an opened message, because compose items cannot read
 * the Message-ID they reply to. The server then finds the work item of a
 * reply by its conversation.
 */
export const conversationRoutes: FastifyPluginAsync = async (instance) => {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('preHandler', app.authenticate);

  app.post(
    '/',
    {
      schema: {
        summary: 'Report which work item an Outlook conversation belongs to',
        description:
          'With `reference`, the conversation is recorded for that work item, which must be one of your teams. Without it, the work items of the message with `internetMessageId` are used. Returns the work items of the conversation that you may see.',
        tags: ['conversations'],
        security: [{ bearer: [] }],
        body: ConversationReport,
        response: { 200: ConversationResponse },
      },
    },
    async (request) => {
      const db = app.database.db;
      const { conversationId, internetMessageId } = request.body;

      let targets: number[] = [];
      if (request.body.reference !== undefined) {
        const reference = normalizeReference(request.body.reference);
        if (reference === undefined) {
          throw new WorklinkError('WORKLINK_INVALID_REFERENCE', {
            en: `"${request.body.reference}" is not a work item reference: use the form 101203-T, 10040-C or 10040-C-A1.`,
            pl: `"${request.body.reference}" nie jest numerem zgłoszenia: wpisz go w postaci 101203-T, 10040-C albo 10040-C-A1.`,
          });
        }
        const item = await findWorkItemByReference(db, reference);
        // Only the owning team may attach conversations; others learn nothing about the item.
        if (item === undefined || (await workItemView(db, request.agent, item.id)) !== 'full') {
          throw new WorklinkError('WORKLINK_WORK_ITEM_NOT_FOUND', {
            en: `Work item ${reference} does not exist or does not belong to one of your teams: check the reference.`,
            pl: `Zgłoszenie ${reference} nie istnieje albo nie należy do żadnego z Twoich zespołów: sprawdź numer.`,
          });
        }
        targets = [item.id];
      } else if (internetMessageId !== undefined) {
        targets = await workItemIdsByMessageId(db, internetMessageId);
        // Store the conversation on the message too, so later lookups find it without this report.
        await db
          .updateTable('messages')
          .set({ conversation_id: conversationId })
          .where('message_id', '=', bareMessageId(internetMessageId))
          .where('conversation_id', 'is', null)
          .execute();
      }

      // Opening a message marks its conversation as seen now, so a reply the agent writes next goes to its item.
      await recordConversation(db, conversationId, targets, 'pane');
      await recordConversationView(db, conversationId, request.agent.id, targets);
      request.log.info({ agentId: request.agent.id, workItems: targets.length }, 'conversation reported');

      const ids = await workItemIdsByConversation(db, conversationId);
      const views = await workItemViews(db, request.agent, ids);
      const records = await findWorkItemsByIds(db, [...views.keys()]);
      const workItems = [];
      for (const id of [...views.keys()].sort((a, b) => a - b)) {
        const item = records.get(id);
        if (item !== undefined) {
          workItems.push({ reference: item.reference, teamId: item.teamId, view: views.get(id)! });
        }
      }
      return { conversationId, workItems };
    },
  );
};
