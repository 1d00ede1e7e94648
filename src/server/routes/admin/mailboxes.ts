import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@fastify/type-provider-typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { WorklinkError } from '../../errors.js';
import { normalizeAddress } from '../../repositories/addresses.js';
import { changedFields, recordAudit } from '../../repositories/audit.js';
import type { Executor } from '../../repositories/executor.js';
import {
  disconnectMailbox,
  listMailboxRecords,
  requireConnectedMailbox,
  updateMailbox,
} from '../../repositories/mailbox-changes.js';
import { createMailbox } from '../../repositories/mailboxes.js';
import { getSettings } from '../../repositories/settings.js';
import { requireTeam } from '../../repositories/teams.js';
import { refreshDirectory } from './refresh-directory.js';
import { Mailbox, MailboxListQuery, MailboxParams, MailboxRequest, MailboxUpdateRequest } from './schemas/admin.js';

/**
 * Throws `WORKLINK_INVALID_ADDRESS` naming the first field whose local part
 * contains the plus-addressing separator: a separator inside a mailbox address
 * would make its plus addresses ambiguous. `fields` pairs field names with
 * normalised addresses.
 */
async function assertWithoutSeparator(db: Executor, fields: ReadonlyArray<readonly [string, string]>): Promise<void> {
  const { separator } = (await getSettings(db)).plusAddressing;
  for (const [field, value] of fields) {
    if (value.slice(0, value.lastIndexOf('@')).includes(separator)) {
      throw new WorklinkError('WORKLINK_INVALID_ADDRESS', {
        en: `${field} "${value}" contains the plus-addressing separator "${separator}": connect the address without a tag.`,
        pl: `Adres w polu ${field} ("${value}") zawiera separator adresowania z plusem "${separator}": połącz adres bez tagu.`,
      });
    }
  }
}

function normalizeAliases(aliases: readonly string[]): Array<readonly [string, string]> {
  return aliases.map((alias, index) => [`aliases[${index}]`, normalizeAddress(alias, `aliases[${index}]`)] as const);
}

export const mailboxRoutes: FastifyPluginAsync = async (instance) => {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['admin'];

  app.get(
    '/mailboxes',
    {
      schema: {
        summary: 'List connected mailboxes',
        description: 'With `includeDisconnected=true`, disconnected mailboxes are listed too, with `disconnectedAt`.',
        tags,
        querystring: MailboxListQuery,
        response: { 200: Type.Array(Mailbox) },
      },
    },
    async (request) =>
      listMailboxRecords(app.database.db, { includeDisconnected: request.query.includeDisconnected ?? false }),
  );

  app.post(
    '/mailboxes',
    {
      schema: {
        summary: 'Connect a team mailbox with its aliases',
        description:
          'Addresses and aliases are unique across all connected mailboxes; a conflict returns 409. ' +
          'The address of a disconnected mailbox is connected again on the same mailbox id, which keeps its history.',
        tags,
        body: MailboxRequest,
        response: { 201: Mailbox },
      },
    },
    async (request, reply) => {
      const address = normalizeAddress(request.body.address, 'address');
      const aliases = normalizeAliases(request.body.aliases ?? []);

      const mailbox = await app.database.db.transaction().execute(async (trx) => {
        await requireTeam(trx, request.body.teamId);
        await assertWithoutSeparator(trx, [['address', address], ...aliases]);

        const created = await createMailbox(trx, {
          address,
          aliases: aliases.map(([, alias]) => alias),
          teamId: request.body.teamId,
          defaultType: request.body.defaultType,
          ...(request.body.displayName === undefined ? {} : { displayName: request.body.displayName.trim() }),
        });
        await recordAudit(trx, {
          actorAgentId: request.agent.id,
          action: created.reconnected ? 'mailbox.reconnect' : 'mailbox.create',
          subjectType: 'mailbox',
          subjectId: created.id,
          detail: { address, aliases: created.aliases, teamId: created.teamId, defaultType: created.defaultType },
        });
        return created;
      });
      await refreshDirectory(app, request.log);
      return reply.status(201).send({ ...mailbox, disconnectedAt: null });
    },
  );

  app.patch(
    '/mailboxes/:id',
    {
      schema: {
        summary: "Change a mailbox's display name, default type, team or aliases",
        description:
          'Fields left out keep their value; `aliases` replaces the whole list, under the same rules as when connecting. ' +
          'Work items that the mailbox created before stay with their team. A disconnected mailbox returns 404.',
        tags,
        params: MailboxParams,
        body: MailboxUpdateRequest,
        response: { 200: Mailbox },
      },
    },
    async (request) => {
      const { id } = request.params;
      const body = request.body;
      const aliases = body.aliases === undefined ? undefined : normalizeAliases(body.aliases);

      const { before, after } = await app.database.db.transaction().execute(async (trx) => {
        await requireConnectedMailbox(trx, id);
        if (body.teamId !== undefined) {
          await requireTeam(trx, body.teamId);
        }
        if (aliases !== undefined) {
          await assertWithoutSeparator(trx, aliases);
        }

        const result = await updateMailbox(trx, id, {
          ...(body.displayName === undefined ? {} : { displayName: body.displayName?.trim() ?? null }),
          ...(body.defaultType === undefined ? {} : { defaultType: body.defaultType }),
          ...(body.teamId === undefined ? {} : { teamId: body.teamId }),
          ...(aliases === undefined ? {} : { aliases: aliases.map(([, alias]) => alias) }),
        });
        if (result.after !== result.before) {
          await recordAudit(trx, {
            actorAgentId: request.agent.id,
            action: 'mailbox.update',
            subjectType: 'mailbox',
            subjectId: id,
            detail: {
              address: result.before.address,
              changes: changedFields(result.before, result.after, ['displayName', 'defaultType', 'teamId', 'aliases']),
            },
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
    '/mailboxes/:id',
    {
      schema: {
        summary: 'Disconnect a mailbox',
        description:
          'The address and its aliases leave the directory, and the SMTP listener rejects mail for them. ' +
          'Work items, messages and their routes stay readable. The mailbox keeps its id and history, and ' +
          '`POST /api/v1/admin/mailboxes` with the same address connects it again. Its aliases are released, so ' +
          'other mailboxes may take them.',
        tags,
        params: MailboxParams,
        response: { 200: Mailbox },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { before, disconnectedAt } = await app.database.db.transaction().execute(async (trx) => {
        const result = await disconnectMailbox(trx, id);
        await recordAudit(trx, {
          actorAgentId: request.agent.id,
          action: 'mailbox.disconnect',
          subjectType: 'mailbox',
          subjectId: id,
          detail: { address: result.before.address, aliases: result.before.aliases, teamId: result.before.teamId },
        });
        return result;
      });
      await refreshDirectory(app, request.log);
      request.log.info({ mailboxId: id }, 'mailbox disconnected');
      return { ...before, aliases: [], disconnectedAt };
    },
  );
};
