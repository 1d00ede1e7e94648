import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { commitSendPlan } from '../../send-plans/commit-plan.js';
import { createSendPlan } from '../../send-plans/create-plan.js';
import { loadPlanOf } from '../../send-plans/plan-record.js';
import {
  CommitRequestSchema,
  CommitResponseSchema,
  PlanParams,
  SendPlanRequestSchema,
  SendPlanResponseSchema,
} from './schemas/send-plans.js';

/**
 * `POST /api/v1/send-plans`, `GET /api/v1/send-plans/{id}` and
 * `POST /api/v1/send-plans/{id}/commit`: what the Outlook send handler and the
 * linking panel call at send time.
 */
export const sendPlanRoutes: FastifyPluginAsync = async (instance) => {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['send plans'];
  const security = [{ bearer: [] }];
  app.addHook('preHandler', app.authenticate);

  app.post(
    '/',
    {
      schema: {
        summary: 'Classify the recipients of an outgoing message and list the decisions to make',
        description:
          'Stores the plan for the calling agent. Errors: 413 WORKLINK_TOO_MANY_RECIPIENTS, 400 WORKLINK_INVALID_RECIPIENT (one `details` entry per recipient), 400 WORKLINK_INVALID_REFERENCE and 404 WORKLINK_WORK_ITEM_NOT_FOUND for `currentReference`.',
        tags,
        security,
        body: SendPlanRequestSchema,
        response: { 201: SendPlanResponseSchema },
      },
    },
    async (request, reply) => {
      const plan = await createSendPlan(app.database.db, request.agent, request.body);
      request.log.info(
        {
          planId: plan.id,
          recipients: plan.recipients.length,
          decisions: plan.decisions.length,
          decisionNeeded: plan.decisionNeeded,
        },
        'send plan created',
      );
      return reply.status(201).send({ ...plan, needsCurrentItem: plan.needsCurrentItem ?? false });
    },
  );

  app.get(
    '/:id',
    {
      schema: {
        summary: 'Read a send plan as it was created',
        description:
          'The linking panel reads the plan that the send handler named in the Smart Alerts `contextData`. Only the agent who created the plan may read it; anyone else gets 404 WORKLINK_SEND_PLAN_NOT_FOUND.',
        tags,
        security,
        params: PlanParams,
        response: { 200: SendPlanResponseSchema },
      },
    },
    async (request) => {
      const row = await loadPlanOf(app.database.db, request.params.id, request.agent.id);
      const plan = row.plan.response;
      return { ...plan, needsCurrentItem: plan.needsCurrentItem ?? false };
    },
  );

  app.post(
    '/:id/commit',
    {
      schema: {
        summary: 'Commit a send plan: create and link work items, and return the rewritten recipients',
        description:
          'Idempotent: the first commit acts, every later or concurrent one returns the same answer. Only the agent who created the plan may commit it; anyone else gets 404 WORKLINK_SEND_PLAN_NOT_FOUND.',
        tags,
        security,
        params: PlanParams,
        body: CommitRequestSchema,
        response: { 200: CommitResponseSchema },
      },
    },
    async (request) => {
      const answer = await commitSendPlan(app.database.db, request.agent, request.params.id, request.body, app.events);
      request.log.info(
        { planId: request.params.id, created: answer.createdReferences.length, notices: answer.notices.length },
        'send plan committed',
      );
      return answer;
    },
  );
};
