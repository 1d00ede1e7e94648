import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@fastify/type-provider-typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { WorklinkError } from '../../errors.js';
import { maskAddress, normalizeAddress } from '../../repositories/addresses.js';
import { agentRemovedError, findAgentByEmail, findRemovalTime } from '../../repositories/agents.js';

const TokenRequest = Type.Object(
  { email: Type.String({ minLength: 3, maxLength: 320 }) },
  { additionalProperties: false },
);
const TokenResponse = Type.Object({ accessToken: Type.String() });

/**
 * `POST /api/v1/dev/tokens`: a token for a known agent or an admin address,
 * without a password. Registered only under `WORKLINK_AUTH=dev`, which the
 * config restricts to loopback hosts.
 */
export const devRoutes: FastifyPluginAsync = async (instance) => {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const devTokens = app.devTokens;
  if (app.config.auth !== 'dev' || devTokens === null) {
    return;
  }

  app.post(
    '/tokens',
    {
      schema: {
        summary: 'Issue a dev access token (dev authentication only)',
        tags: ['dev'],
        body: TokenRequest,
        response: { 200: TokenResponse },
      },
    },
    async (request) => {
      const email = normalizeAddress(request.body.email, 'email');
      const known =
        app.config.adminEmails.includes(email) || (await findAgentByEmail(app.database.db, email)) !== undefined;
      if (!known) {
        const removedAt = await findRemovalTime(app.database.db, email);
        if (removedAt !== undefined) {
          throw agentRemovedError(email, removedAt);
        }
        throw new WorklinkError('WORKLINK_DEV_TOKEN_REJECTED', {
          en: `"${request.body.email}" is neither an agent nor in WORKLINK_ADMIN_EMAILS: add the agent first, or use an admin address.`,
          pl: `Adres "${request.body.email}" nie należy do agenta i nie ma go w WORKLINK_ADMIN_EMAILS: najpierw dodaj agenta albo użyj adresu administratora.`,
        });
      }
      request.log.info({ user: maskAddress(email) }, 'dev token issued');
      return { accessToken: await devTokens.issue(email) };
    },
  );
};
