import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@fastify/type-provider-typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { normalizeAddress } from '../../repositories/addresses.js';
import { removeAgent, requireActiveAgent, updateAgent } from '../../repositories/agent-changes.js';
import { createAgent, listAgents } from '../../repositories/agents.js';
import type { AgentRecord } from '../../repositories/agents.js';
import { changedFields, recordAudit } from '../../repositories/audit.js';
import type { Executor } from '../../repositories/executor.js';
import { requireTeam } from '../../repositories/teams.js';
import { Agent, AgentListQuery, AgentParams, AgentRequest, AgentUpdateRequest } from './schemas/admin.js';

function toResponse(agent: AgentRecord) {
  return {
    id: agent.id,
    email: agent.email,
    displayName: agent.displayName,
    admin: agent.isAdmin,
    teamIds: agent.teamIds,
    removedAt: agent.removedAt,
  };
}

async function requireTeams(db: Executor, teamIds: readonly number[]): Promise<void> {
  for (const teamId of teamIds) {
    await requireTeam(db, teamId);
  }
}

export const agentRoutes: FastifyPluginAsync = async (instance) => {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['admin'];

  app.get(
    '/agents',
    {
      schema: {
        summary: 'List agents',
        description: 'With `includeRemoved=true`, removed agents are listed too, with `removedAt`.',
        tags,
        querystring: AgentListQuery,
        response: { 200: Type.Array(Agent) },
      },
    },
    async (request) =>
      (await listAgents(app.database.db, { includeRemoved: request.query.includeRemoved ?? false })).map(toResponse),
  );

  app.post(
    '/agents',
    {
      schema: {
        summary: 'Add an agent to teams',
        description: 'The email of a removed agent gives that agent access again, on the same agent id.',
        tags,
        body: AgentRequest,
        response: { 201: Agent },
      },
    },
    async (request, reply) => {
      const email = normalizeAddress(request.body.email, 'email');
      const agent = await app.database.db.transaction().execute(async (trx) => {
        await requireTeams(trx, request.body.teamIds);
        const created = await createAgent(trx, {
          email,
          displayName: request.body.displayName.trim(),
          isAdmin: request.body.admin ?? false,
          teamIds: request.body.teamIds,
        });
        await recordAudit(trx, {
          actorAgentId: request.agent.id,
          action: created.restored ? 'agent.restore' : 'agent.create',
          subjectType: 'agent',
          subjectId: created.id,
          detail: { email, teamIds: created.teamIds, admin: created.isAdmin },
        });
        return created;
      });
      return reply.status(201).send(toResponse(agent));
    },
  );

  app.patch(
    '/agents/:id',
    {
      schema: {
        summary: "Change an agent's display name, admin flag or teams",
        description:
          'Fields left out keep their value; `teamIds` replaces all memberships. Demoting the last admin, or an ' +
          'address in `WORKLINK_ADMIN_EMAILS`, returns 409. A removed agent returns 404.',
        tags,
        params: AgentParams,
        body: AgentUpdateRequest,
        response: { 200: Agent },
      },
    },
    async (request) => {
      const { id } = request.params;
      const body = request.body;
      const { before, after } = await app.database.db.transaction().execute(async (trx) => {
        await requireActiveAgent(trx, id);
        await requireTeams(trx, body.teamIds ?? []);
        const result = await updateAgent(
          trx,
          id,
          {
            ...(body.displayName === undefined ? {} : { displayName: body.displayName.trim() }),
            ...(body.admin === undefined ? {} : { isAdmin: body.admin }),
            ...(body.teamIds === undefined ? {} : { teamIds: body.teamIds }),
          },
          app.config.adminEmails,
        );
        if (result.after !== result.before) {
          await recordAudit(trx, {
            actorAgentId: request.agent.id,
            action: 'agent.update',
            subjectType: 'agent',
            subjectId: id,
            detail: {
              email: result.before.email,
              changes: changedFields(result.before, result.after, ['displayName', 'isAdmin', 'teamIds']),
            },
          });
        }
        return result;
      });
      if (after.teamIds.join() !== before.teamIds.join()) {
        app.events.emit('agent-access', { agentId: id });
      }
      return toResponse(after);
    },
  );

  app.delete(
    '/agents/:id',
    {
      schema: {
        summary: "Remove an agent's access",
        description:
          "Every new request with the agent's tokens is rejected with 403, its team memberships end, and its open " +
          'event streams close. ' +
          'Audit records, send plans and work items that name the agent stay. Removing the last admin, or an ' +
          'address in `WORKLINK_ADMIN_EMAILS`, returns 409. `POST /api/v1/admin/agents` with the same email gives ' +
          'the agent access again.',
        tags,
        params: AgentParams,
        response: { 200: Agent },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { before, removedAt } = await app.database.db.transaction().execute(async (trx) => {
        const result = await removeAgent(trx, id, app.config.adminEmails);
        await recordAudit(trx, {
          actorAgentId: request.agent.id,
          action: 'agent.remove',
          subjectType: 'agent',
          subjectId: id,
          detail: { email: result.before.email, teamIds: result.before.teamIds, admin: result.before.isAdmin },
        });
        return result;
      });
      app.events.emit('agent-access', { agentId: id });
      request.log.info({ agentId: id }, 'agent removed');
      return toResponse({ ...before, isAdmin: false, teamIds: [], removedAt });
    },
  );
};
