import { Type } from '@fastify/type-provider-typebox';
import { patternDescriptions } from '../../pattern-descriptions.js';

const strict = { additionalProperties: false } as const;

// The same four characters that core's plus-address module accepts as a subaddress separator.
const Separator = Type.Union([Type.Literal('+'), Type.Literal('-'), Type.Literal('_'), Type.Literal('=')]);
// A pattern's `description` is the wording of its validation error ("must be <description>"), and
// `patternDescriptions` contains its Polish text.
const Domain = Type.String({
  minLength: 1,
  maxLength: 253,
  pattern: '^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$',
  description: patternDescriptions.domain.en,
});
const Email = Type.String({ minLength: 3, maxLength: 320 });

/**
 * Returns the schema of a name, label or option shown to people. The handlers trim it, so it
 * must have a character that trimming keeps: `\S` matches exactly those of `String.prototype.trim`.
 */
function NonBlank(maxLength: number) {
  return Type.String({
    maxLength,
    pattern: '\\S',
    description: patternDescriptions.nonBlank.en,
  });
}

export const Settings = Type.Object(
  {
    plusAddressing: Type.Object(
      { mode: Type.Union([Type.Literal('off'), Type.Literal('mixed'), Type.Literal('only')]), separator: Separator },
      strict,
    ),
    internalDomains: Type.Array(Domain, { maxItems: 100 }),
    failurePolicy: Type.Union([Type.Literal('allow'), Type.Literal('prompt')]),
  },
  strict,
);

/** Settings as stored; the separator is read back as any string so that older values still serialise. */
export const SettingsResponse = Type.Object({
  plusAddressing: Type.Object({
    mode: Type.Union([Type.Literal('off'), Type.Literal('mixed'), Type.Literal('only')]),
    separator: Type.String(),
  }),
  internalDomains: Type.Array(Type.String()),
  failurePolicy: Type.Union([Type.Literal('allow'), Type.Literal('prompt')]),
});

export const TeamRequest = Type.Object({ name: NonBlank(100) }, strict);
export const Team = Type.Object({ id: Type.Integer(), name: Type.String(), createdAt: Type.String() });

export const TeamParams = Type.Object({ id: Type.Integer({ minimum: 1 }) }, strict);
export const MailboxParams = Type.Object({ id: Type.Integer({ minimum: 1 }) }, strict);
export const AgentParams = Type.Object({ id: Type.Integer({ minimum: 1 }) }, strict);

export const FormFieldSchema = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: '^[A-Za-z][A-Za-z0-9_]*$',
      description: patternDescriptions.formFieldName.en,
    }),
    label: Type.Object({ en: NonBlank(100), pl: NonBlank(100) }, strict),
    type: Type.Union([Type.Literal('text'), Type.Literal('date'), Type.Literal('choice')]),
    required: Type.Boolean(),
    options: Type.Optional(Type.Array(NonBlank(100), { maxItems: 100 })),
  },
  strict,
);
export const FormRequest = Type.Object({ fields: Type.Array(FormFieldSchema, { maxItems: 50 }) }, strict);

const DefaultType = Type.Union([Type.Literal('ticket'), Type.Literal('case')]);

export const MailboxRequest = Type.Object(
  {
    address: Email,
    aliases: Type.Optional(Type.Array(Email, { maxItems: 50 })),
    teamId: Type.Integer({ minimum: 1 }),
    defaultType: DefaultType,
    displayName: Type.Optional(NonBlank(200)),
  },
  strict,
);
/** A merge patch of a mailbox: fields left out keep their value. */
export const MailboxUpdateRequest = Type.Object(
  {
    displayName: Type.Optional(
      Type.Union([NonBlank(200), Type.Null()], { description: 'The name shown to agents; null removes it.' }),
    ),
    defaultType: Type.Optional(DefaultType),
    teamId: Type.Optional(Type.Integer({ minimum: 1 })),
    aliases: Type.Optional(Type.Array(Email, { maxItems: 50, description: 'Replaces all aliases of the mailbox.' })),
  },
  strict,
);
export const Mailbox = Type.Object({
  id: Type.Integer(),
  address: Type.String(),
  /** Always empty for a disconnected mailbox. */
  aliases: Type.Array(Type.String()),
  /** Null only for a disconnected mailbox whose team was deleted. */
  teamId: Type.Union([Type.Integer(), Type.Null()]),
  teamName: Type.Union([Type.String(), Type.Null()]),
  defaultType: Type.String(),
  displayName: Type.Union([Type.String(), Type.Null()]),
  disconnectedAt: Type.Union([Type.String(), Type.Null()], {
    description: 'When an admin disconnected the mailbox; null while it is connected.',
  }),
});
export const MailboxListQuery = Type.Object(
  {
    includeDisconnected: Type.Optional(
      Type.Boolean({ default: false, description: 'Also list disconnected mailboxes, which keep their history.' }),
    ),
  },
  strict,
);

export const AgentRequest = Type.Object(
  {
    email: Email,
    displayName: NonBlank(200),
    teamIds: Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 100 }),
    admin: Type.Optional(Type.Boolean({ default: false })),
  },
  strict,
);
/** A merge patch of an agent: fields left out keep their value. */
export const AgentUpdateRequest = Type.Object(
  {
    displayName: Type.Optional(NonBlank(200)),
    admin: Type.Optional(Type.Boolean()),
    teamIds: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 100, description: 'Replaces all team memberships.' }),
    ),
  },
  strict,
);
export const Agent = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  displayName: Type.String(),
  admin: Type.Boolean(),
  teamIds: Type.Array(Type.Integer()),
  removedAt: Type.Union([Type.String(), Type.Null()], {
    description: 'When an admin removed the agent; null while the agent has access.',
  }),
});
export const AgentListQuery = Type.Object(
  {
    includeRemoved: Type.Optional(
      Type.Boolean({ default: false, description: 'Also list removed agents, whom audit records still name.' }),
    ),
  },
  strict,
);

export const UnroutedMessage = Type.Object({
  /** Stored message id, which also names a message without a Message-ID in the route and dismiss requests. */
  id: Type.Integer(),
  messageId: Type.Union([Type.String(), Type.Null()]),
  subject: Type.String(),
  from: Type.Union([Type.String(), Type.Null()]),
  reason: Type.String(),
  receivedAt: Type.String(),
});
