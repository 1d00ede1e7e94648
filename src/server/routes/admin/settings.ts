import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { recordAudit } from '../../repositories/audit.js';
import { getSettings, putSettings } from '../../repositories/settings.js';
import { Settings, SettingsResponse } from './schemas/admin.js';

export const settingsRoutes: FastifyPluginAsync = async (instance) => {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['admin'];

  app.get(
    '/settings',
    { schema: { summary: 'Read the settings', tags, response: { 200: SettingsResponse } } },
    async () => getSettings(app.database.db),
  );

  app.put(
    '/settings',
    { schema: { summary: 'Replace the settings', tags, body: Settings, response: { 200: SettingsResponse } } },
    async (request) => {
      return app.database.db.transaction().execute(async (trx) => {
        const previous = await getSettings(trx);
        const saved = await putSettings(trx, request.body);
        await recordAudit(trx, {
          actorAgentId: request.agent.id,
          action: 'settings.update',
          subjectType: 'settings',
          subjectId: 'global',
          detail: { previous, saved },
        });
        return saved;
      });
    },
  );
};
