import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@fastify/type-provider-typebox';
import type { Static, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { recordAudit } from '../../repositories/audit.js';
import { getTeamForm, putTeamForm } from '../../repositories/team-forms.js';
import { createTeam, deleteTeam, listTeams, renameTeam, requireTeam } from '../../repositories/teams.js';
import { refreshDirectory } from './refresh-directory.js';
import { FormFieldSchema, FormRequest, Team, TeamParams, TeamRequest } from './schemas/admin.js';

const FormResponse = Type.Object({ teamId: Type.Integer(), fields: Type.Array(FormFieldSchema) });

/**
 * Trims the labels and options of a form field, as team and agent names are trimmed.
 * Values are trimmed before they are compared with the options, so an option must be too.
 */
function trimTexts(field: Static<typeof FormFieldSchema>): Static<typeof FormFieldSchema> {
  return {
    ...field,
    label: { en: field.label.en.trim(), pl: field.label.pl.trim() },
    ...(field.options === undefined ? {} : { options: field.options.map((option) => option.trim()) }),
  };
}

export const teamRoutes: FastifyPluginAsync = async (instance) => {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['admin'];

  app.get('/teams', { schema: { summary: 'List teams', tags, response: { 200: Type.Array(Team) } } }, async () =>
    listTeams(app.database.db),
  );

  app.get(
    '/teams/:id',
    { schema: { summary: 'Read a team', tags, params: TeamParams, response: { 200: Team } } },
    async (request) => requireTeam(app.database.db, request.params.id),
  );

  app.post(
    '/teams',
    { schema: { summary: 'Create a team', tags, body: TeamRequest, response: { 201: Team } } },
    async (request, reply) => {
      const team = await app.database.db.transaction().execute(async (trx) => {
        const created = await createTeam(trx, request.body.name.trim());
        await recordAudit(trx, {
          actorAgentId: request.agent.id,
          action: 'team.create',
          subjectType: 'team',
          subjectId: created.id,
          detail: { name: created.name },
        });
        return created;
      });
      return reply.status(201).send(team);
    },
  );

  app.patch(
    '/teams/:id',
    {
      schema: {
        summary: 'Rename a team',
        description: 'Team names are unique; a conflict returns 409. Agents see the new name at their next refresh.',
        tags,
        params: TeamParams,
        body: TeamRequest,
        response: { 200: Team },
      },
    },
    async (request) => {
      const { before, after } = await app.database.db.transaction().execute(async (trx) => {
        const result = await renameTeam(trx, request.params.id, request.body.name.trim());
        if (result.after !== result.before) {
          await recordAudit(trx, {
            actorAgentId: request.agent.id,
            action: 'team.update',
            subjectType: 'team',
            subjectId: request.params.id,
            detail: { changes: { name: { from: result.before.name, to: result.after.name } } },
          });
        }
        return result;
      });
      if (after !== before) {
        await refreshDirectory(app, request.log);
      }
      return after;
    },
  );

  app.delete(
    '/teams/:id',
    {
      schema: {
        summary: 'Delete a team',
        description:
          'Only a team without connected mailboxes, work items and agents can be deleted; otherwise 409 names what ' +
          'is left. Its creation form is deleted with it, and its disconnected mailboxes keep their history without a team.',
        tags,
        params: TeamParams,
        response: { 204: Type.Null({ description: 'The team was deleted.' }) },
      },
    },
    async (request, reply) => {
      await app.database.db.transaction().execute(async (trx) => {
        const team = await deleteTeam(trx, request.params.id);
        await recordAudit(trx, {
          actorAgentId: request.agent.id,
          action: 'team.delete',
          subjectType: 'team',
          subjectId: team.id,
          detail: { name: team.name },
        });
      });
      await refreshDirectory(app, request.log);
      request.log.info({ teamId: request.params.id }, 'team deleted');
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/teams/:id/form',
    { schema: { summary: "Read a team's creation form", tags, params: TeamParams, response: { 200: FormResponse } } },
    async (request) => {
      await requireTeam(app.database.db, request.params.id);
      return { teamId: request.params.id, fields: await getTeamForm(app.database.db, request.params.id) };
    },
  );

  app.put(
    '/teams/:id/form',
    {
      schema: {
        summary: "Replace a team's creation form",
        description: 'The body is `{ "fields": [...] }` or the bare array of fields.',
        tags,
        params: TeamParams,
        body: Type.Union([FormRequest, Type.Array(FormFieldSchema, { maxItems: 50 })]),
        response: { 200: FormResponse },
      },
    },
    async (request) => {
      const fields = await app.database.db.transaction().execute(async (trx) => {
        await requireTeam(trx, request.params.id);
        const fields = (Array.isArray(request.body) ? request.body : request.body.fields).map(trimTexts);
        const saved = await putTeamForm(trx, request.params.id, fields);
        await recordAudit(trx, {
          actorAgentId: request.agent.id,
          action: 'team.form.update',
          subjectType: 'team',
          subjectId: request.params.id,
          detail: { fields: saved.map((field) => field.name) },
        });
        return saved;
      });
      return { teamId: request.params.id, fields };
    },
  );
};
