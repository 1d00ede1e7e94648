import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@fastify/type-provider-typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { WorklinkError } from '../../errors.js';
import { listVisibleWorkItemIds, workItemView, workItemViews } from '../../permissions.js';
import type { ViewingAgent, WorkItemView } from '../../permissions.js';
import { recordAudit } from '../../repositories/audit.js';
import type { Executor } from '../../repositories/executor.js';
import { findMailboxByAddress, loadMailboxes } from '../../repositories/mailboxes.js';
import {
  listMessagesOfWorkItem,
  workItemIdsByConversation,
  workItemIdsByMessageId,
} from '../../repositories/messages.js';
import { normalizeAddress } from '../../repositories/addresses.js';
import { getSettings } from '../../repositories/settings.js';
import { getTeamForm, validateFormValues } from '../../repositories/team-forms.js';
import { requireTeam } from '../../repositories/teams.js';
import {
  createWorkItem,
  findWorkItemById,
  findWorkItemByReference,
  findWorkItemsByIds,
  listLinkedItems,
  listLinkedTeamIds,
  normalizeReference,
  setWorkItemStatus,
} from '../../repositories/work-items.js';
import type { WorkItemRecord } from '../../repositories/work-items.js';
import {
  CreateWorkItemRequest,
  CreateWorkItemResponse,
  ListQuery,
  ReferenceParams,
  UpdateWorkItemRequest,
  UpdateWorkItemResponse,
  WorkItemDetail,
  WorkItemSummary,
} from './schemas/work-items.js';

const listLimit = 200;

function summary(item: WorkItemRecord, view: WorkItemView) {
  return {
    reference: item.reference,
    type: item.type,
    teamId: item.teamId,
    ...(view === 'full' ? { title: item.title } : {}),
    status: item.status,
    view,
    createdAt: item.createdAt,
  };
}

/**
 * Finds the work item that `rawReference` names and the view `agent` has of it. Throws
 * `WORKLINK_INVALID_REFERENCE` for text that is no reference, and `WORKLINK_WORK_ITEM_NOT_FOUND`
 * alike for a missing work item and one the agent may not see, so that references cannot be probed.
 */
async function findVisibleWorkItem(
  db: Executor,
  agent: ViewingAgent,
  rawReference: string,
): Promise<{ item: WorkItemRecord; view: WorkItemView }> {
  const reference = normalizeReference(rawReference);
  if (reference === undefined) {
    throw new WorklinkError('WORKLINK_INVALID_REFERENCE', {
      en: `"${rawReference}" is not a work item reference: use the form 101203-T, 10040-C or 10040-C-A1.`,
      pl: `"${rawReference}" nie jest numerem zgłoszenia: wpisz go w postaci 101203-T, 10040-C albo 10040-C-A1.`,
    });
  }
  const item = await findWorkItemByReference(db, reference);
  const view = item === undefined ? null : await workItemView(db, agent, item.id);
  if (item === undefined || view === null) {
    throw new WorklinkError('WORKLINK_WORK_ITEM_NOT_FOUND', {
      en: `Work item ${reference} does not exist or is not visible to you: check the reference.`,
      pl: `Zgłoszenie ${reference} nie istnieje albo nie możesz go zobaczyć: sprawdź numer.`,
    });
  }
  return { item, view };
}

export const workItemRoutes: FastifyPluginAsync = async (instance) => {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['work items'];
  const security = [{ bearer: [] }];
  app.addHook('preHandler', app.authenticate);

  app.post(
    '/',
    {
      schema: {
        summary: 'Open a work item of one of your teams',
        description:
          "`fields`, when given, are checked against the team's creation form, required fields included. References are allocated atomically.",
        tags,
        security,
        body: CreateWorkItemRequest,
        response: { 201: CreateWorkItemResponse },
      },
    },
    async (request, reply) => {
      const { teamId, type, title } = request.body;
      const db = app.database.db;
      await requireTeam(db, teamId);
      if (!request.agent.teamIds.includes(teamId)) {
        const teams = request.agent.teamIds.join(', ');
        throw new WorklinkError('WORKLINK_NOT_TEAM_MEMBER', {
          en: `You are not a member of team ${teamId}: create the work item in one of your teams (${teams || 'none'}).`,
          pl: `Nie należysz do zespołu ${teamId}: utwórz zgłoszenie w jednym ze swoich zespołów (${teams || 'brak'}).`,
        });
      }

      let requester: string | null = null;
      if (
        request.body.requester !== undefined &&
        request.body.requester !== null &&
        request.body.requester.trim() !== ''
      ) {
        requester = normalizeAddress(request.body.requester, 'requester');
        const { separator } = (await getSettings(db)).plusAddressing;
        if (findMailboxByAddress(await loadMailboxes(db), requester, separator) !== undefined) {
          throw new WorklinkError('WORKLINK_INVALID_ADDRESS', {
            en: `requester "${requester}" is a connected mailbox, which cannot be a requester: give the external sender's address.`,
            pl: `Pole requester ("${requester}") wskazuje połączoną skrzynkę, a ta nie może być zgłaszającym: podaj adres zewnętrznego nadawcy.`,
          });
        }
      }
      const fields =
        request.body.fields === undefined ? {} : validateFormValues(await getTeamForm(db, teamId), request.body.fields);

      const created = await createWorkItem(db, { teamId, type, title: title.trim(), requester, fields });
      app.events.emit('work-item', {
        workItemId: created.id,
        reference: created.reference,
        teamId,
        type,
        origin: 'manual',
      });
      request.log.info({ reference: created.reference, teamId, agentId: request.agent.id }, 'work item created');
      return reply.status(201).send({ reference: created.reference, teamId, type });
    },
  );

  app.get(
    '/',
    {
      schema: {
        summary: 'List the work items you may see, newest first',
        description:
          'With `messageId` (an Internet Message-ID) or `conversationId` (Outlook), only the work items of that message or conversation. `team` narrows to one team.',
        tags,
        security,
        querystring: ListQuery,
        response: { 200: Type.Array(WorkItemSummary) },
      },
    },
    async (request) => {
      const db = app.database.db;
      const { team, messageId, conversationId } = request.query;
      if (team !== undefined) {
        // An empty list would not tell a mistyped team id from a team without visible work items.
        await requireTeam(db, team);
      }

      let candidates: number[] | undefined;
      if (messageId !== undefined) {
        candidates = await workItemIdsByMessageId(db, messageId);
      }
      if (conversationId !== undefined) {
        const byConversation = await workItemIdsByConversation(db, conversationId);
        candidates = candidates === undefined ? byConversation : candidates.filter((id) => byConversation.includes(id));
      }
      if (candidates === undefined) {
        candidates = await listVisibleWorkItemIds(db, request.agent, {
          ...(team === undefined ? {} : { teamId: team }),
          limit: listLimit,
        });
      }

      const views = await workItemViews(db, request.agent, candidates);
      const records = await findWorkItemsByIds(db, [...views.keys()]);
      const items: Array<ReturnType<typeof summary>> = [];
      for (const id of [...views.keys()].sort((a, b) => b - a)) {
        const item = records.get(id);
        if (item !== undefined && (team === undefined || item.teamId === team)) {
          items.push(summary(item, views.get(id)!));
        }
      }
      return items;
    },
  );

  app.get(
    '/:reference',
    {
      schema: {
        summary: 'Read a work item in the full or header view',
        description:
          'Members of the owning team get the full view. Agents whose team owns a linked work item get the header view: no title, fields, bodies or attachments. Anyone else gets 404.',
        tags,
        security,
        params: ReferenceParams,
        response: { 200: WorkItemDetail },
      },
    },
    async (request) => {
      const db = app.database.db;
      const { item, view } = await findVisibleWorkItem(db, request.agent, request.params.reference);

      const linked = await listLinkedItems(db, item.id);
      const linkViews = await workItemViews(
        db,
        request.agent,
        linked.map((other) => other.id),
      );
      const links = linked
        .filter((other) => linkViews.has(other.id))
        .map((other) => ({ reference: other.reference, teamId: other.teamId, view: linkViews.get(other.id)! }));

      const messages = (await listMessagesOfWorkItem(db, item.id)).map((message) => {
        const headers = {
          messageId: message.messageId,
          from: message.from,
          fromName: message.fromName,
          to: message.to,
          cc: message.cc,
          date: message.date,
          subject: message.subject,
          receivedAt: message.receivedAt,
        };
        if (view === 'header') {
          return headers;
        }
        return { ...headers, textBody: message.textBody, htmlBody: message.htmlBody, attachments: message.attachments };
      });

      if (view === 'header') {
        return {
          reference: item.reference,
          type: item.type,
          teamId: item.teamId,
          status: item.status,
          view,
          requester: null,
          createdAt: item.createdAt,
          messages,
          links,
        };
      }
      const parent = item.parentId === null ? undefined : await findWorkItemById(db, item.parentId);
      return {
        reference: item.reference,
        type: item.type,
        teamId: item.teamId,
        title: item.title,
        status: item.status,
        view,
        requester: item.requester,
        fields: item.fields,
        parentReference: parent?.reference ?? null,
        createdAt: item.createdAt,
        messages,
        links,
      };
    },
  );

  app.patch(
    '/:reference',
    {
      schema: {
        summary: 'Change the status of a work item of your team',
        description:
          'Members of the owning team may set `todo`, `in_progress`, `waiting` or `done` (see docs/status-model.md). The change is written to the audit log. ' +
          'A new status is published as the `work-item-status` event of `GET /api/v1/events`; setting the current status again changes nothing, and publishes and audits nothing.',
        tags,
        security,
        params: ReferenceParams,
        body: UpdateWorkItemRequest,
        response: { 200: UpdateWorkItemResponse },
      },
    },
    async (request) => {
      const db = app.database.db;
      const { item, view } = await findVisibleWorkItem(db, request.agent, request.params.reference);
      if (view !== 'full') {
        throw new WorklinkError('WORKLINK_NOT_TEAM_MEMBER', {
          en: `Work item ${item.reference} belongs to another team, so only its agents can change its status.`,
          pl: `Zgłoszenie ${item.reference} należy do innego zespołu, więc tylko agenci tego zespołu mogą zmienić jego stan.`,
        });
      }
      const { status } = request.body;
      const change = await db.transaction().execute(async (trx) => {
        const changed = await setWorkItemStatus(trx, item.id, status);
        if (changed === undefined) {
          throw new WorklinkError('WORKLINK_WORK_ITEM_NOT_FOUND', {
            en: `Work item ${item.reference} no longer exists: reload the list of work items.`,
            pl: `Zgłoszenie ${item.reference} już nie istnieje: wczytaj ponownie listę zgłoszeń.`,
          });
        }
        if (changed.previousStatus === status) {
          return { ...changed, linkedTeamIds: [] };
        }
        await recordAudit(trx, {
          actorAgentId: request.agent.id,
          action: 'work-item.status',
          subjectType: 'work_item',
          subjectId: item.reference,
          detail: { from: changed.previousStatus, to: status },
        });
        // Read in the transaction, so that the teams match the links at the moment of the change.
        const linkedTeamIds = (await listLinkedTeamIds(trx, [item.id])).get(item.id) ?? [];
        return { ...changed, linkedTeamIds };
      });

      if (change.previousStatus !== status) {
        app.events.emit('work-item-status', {
          workItemId: item.id,
          reference: item.reference,
          teamId: item.teamId,
          status,
          previousStatus: change.previousStatus,
          linkedTeamIds: change.linkedTeamIds,
          origin: 'manual',
        });
      }
      request.log.info(
        { reference: item.reference, from: change.previousStatus, to: status, agentId: request.agent.id },
        'work item status changed',
      );
      return { reference: item.reference, status, updatedAt: change.updatedAt };
    },
  );
};
