import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@fastify/type-provider-typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { WorklinkError } from '../../errors.js';
import { normalizeAddress } from '../../repositories/addresses.js';
import { recordAudit } from '../../repositories/audit.js';
import { createMailbox, loadMailboxes } from '../../repositories/mailboxes.js';
import { getSettings } from '../../repositories/settings.js';
import { requireTeam } from '../../repositories/teams.js';
import { Mailbox, MailboxRequest } from './schemas/admin.js';

export const mailboxRoutes: FastifyPluginAsync = async (instance) => {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['admin'];

  app.get(
    '/mailboxes',
    { schema: { summary: 'List connected mailboxes', tags, response: { 200: Type.Array(Mailbox) } } },
    async () => loadMailboxes(app.database.db),
  );

  app.post(
    '/mailboxes',
    {
      schema: {
        summary: 'Connect a team mailbox with its aliases',
        description: 'Addresses and aliases are unique across all mailboxes; a conflict returns 409.',
        tags,
        body: MailboxRequest,
        response: { 201: Mailbox },
      },
    },
    async (request, reply) => {
      const address = normalizeAddress(request.body.address, 'address');
      const aliases = (request.body.aliases ?? []).map((alias, index) => normalizeAddress(alias, `aliases[${index}]`));

      const mailbox = await app.database.db.transaction().execute(async (trx) => {
        await requireTeam(trx, request.body.teamId);

        // A separator inside a mailbox address would make its plus addresses ambiguous.
        const { separator } = (await getSettings(trx)).plusAddressing;
        for (const [field, value] of [
          ['address', address],
          ...aliases.map((alias, index) => [`aliases[${index}]`, alias]),
        ]) {
          if (value!.slice(0, value!.lastIndexOf('@')).includes(separator)) {
            throw new WorklinkError(
              'WORKLINK_INVALID_ADDRESS',
              `${field} "${value}" contains the plus-addressing separator "${separator}": connect the address without a tag.`,
            );
          }
        }

        const created = await createMailbox(trx, {
          address,
          aliases,
          teamId: request.body.teamId,
          defaultType: request.body.defaultType,
          ...(request.body.displayName === undefined ? {} : { displayName: request.body.displayName.trim() }),
        });
        await recordAudit(trx, {
          actorAgentId: request.agent.id,
          action: 'mailbox.create',
          subjectType: 'mailbox',
          subjectId: created.id,
          detail: { address, aliases, teamId: created.teamId, defaultType: created.defaultType },
        });
        return created;
      });
      return reply.status(201).send(mailbox);
    },
  );
};
