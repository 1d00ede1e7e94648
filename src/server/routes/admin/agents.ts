import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@fastify/type-provider-typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { normalizeAddress } from '../../repositories/addresses.js';
import { createAgent, listAgents } from '../../repositories/agents.js';
import type { AgentRecord } from '../../repositories/agents.js';
import { recordAudit } from '../../repositories/audit.js';
import { requireTeam } from '../../repositories/teams.js';
import { Agent, AgentRequest } from './schemas/admin.js';

function toResponse(agent: AgentRecord) {
  return {
    id: agent.id,
    email: agent.email,
    displayName: agent.displayName,
    admin: agent.isAdmin,
    teamIds: agent.teamIds,
  };
}

export const agentRoutes: FastifyPluginAsync = async (instance) => {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['admin'];

  app.get('/agents', { schema: { summary: 'List agents', tags, response: { 200: Type.Array(Agent) } } }, async () =>
    (await listAgents(app.database.db)).map(toResponse),
  );

  app.post(
    '/agents',
    { schema: { summary: 'Add an agent to teams', tags, body: AgentRequest, response: { 201: Agent } } },
    async (request, reply) => {
      const email = normalizeAddress(request.body.email, 'email');
      const agent = await app.database.db.transaction().execute(async (trx) => {
        for (const teamId of request.body.teamIds) {
          await requireTeam(trx, teamId);
        }
        const created = await createAgent(trx, {
          email,
          displayName: request.body.displayName.trim(),
          isAdmin: request.body.admin ?? false,
          teamIds: request.body.teamIds,
        });
        await recordAudit(trx, {
          actorAgentId: request.agent.id,
          action: 'agent.create',
          subjectType: 'agent',
          subjectId: created.id,
          detail: { email, teamIds: created.teamIds, admin: created.isAdmin },
        });
        return created;
      });
      return reply.status(201).send(toResponse(agent));
    },
  );
};
