import { Type } from '@fastify/type-provider-typebox';

const strict = { additionalProperties: false } as const;

const Field = Type.Union([Type.Literal('to'), Type.Literal('cc'), Type.Literal('bcc')]);
const RecipientType = Type.Union([
  Type.Literal('user'),
  Type.Literal('distributionList'),
  Type.Literal('externalUser'),
  Type.Literal('other'),
]);
const RecipientClass = Type.Union([
  Type.Literal('external'),
  Type.Literal('internal'),
  Type.Literal('own-mailbox'),
  Type.Literal('connected-mailbox'),
]);
const Action = Type.Union([Type.Literal('share'), Type.Literal('create'), Type.Literal('plain')]);
const WorkItemType = Type.Union([Type.Literal('ticket'), Type.Literal('case'), Type.Literal('action')]);
const Status = Type.Union([
  Type.Literal('todo'),
  Type.Literal('in_progress'),
  Type.Literal('waiting'),
  Type.Literal('done'),
]);
const Reference = Type.String({ maxLength: 64, description: 'Work item reference such as 101203-T or 10040-C.' });

// The address is checked by the server, not the schema, so that every invalid
// recipient is listed in one WORKLINK_INVALID_RECIPIENT error.
const RecipientRequest = Type.Object(
  {
    field: Field,
    emailAddress: Type.String({ maxLength: 2000 }),
    displayName: Type.String({ maxLength: 1000 }),
    recipientType: Type.Optional(RecipientType),
    resolvedAddress: Type.Optional(
      Type.String({
        maxLength: 2000,
        description: 'Primary address of the connected mailbox that Microsoft Graph found behind this recipient.',
      }),
    ),
    resolvedVia: Type.Optional(
      Type.Union([Type.Literal('proxy-address'), Type.Literal('group-member')], {
        description: '`proxy-address`: an alias of that mailbox; `group-member`: a list that contains it.',
      }),
    ),
  },
  strict,
);

export const SendPlanRequestSchema = Type.Object(
  {
    currentReference: Type.Optional(Reference),
    conversationId: Type.Optional(Type.String({ maxLength: 1000 })),
    subject: Type.String({ maxLength: 10000 }),
    recipients: Type.Array(RecipientRequest, {
      description: 'To, Cc and Bcc in Outlook order. More than 500 recipients get 413 WORKLINK_TOO_MANY_RECIPIENTS.',
    }),
  },
  strict,
);

const ClassifiedRecipient = Type.Object({
  field: Field,
  emailAddress: Type.String(),
  displayName: Type.String(),
  recipientType: Type.Optional(RecipientType),
  class: RecipientClass,
  mailbox: Type.Optional(Type.String({ description: 'Primary address of the connected mailbox.' })),
  teamId: Type.Optional(Type.Integer()),
  reference: Type.Optional(Type.String({ description: 'Reference the recipient already carries as its plus tag.' })),
});

const LinkedItem = Type.Object({
  reference: Type.String(),
  type: WorkItemType,
  teamId: Type.Integer(),
  title: Type.Optional(Type.String({ description: 'Only in the full view.' })),
  status: Status,
  view: Type.Union([Type.Literal('full'), Type.Literal('header')]),
});

const FormField = Type.Object({
  name: Type.String(),
  label: Type.Object({ en: Type.String(), pl: Type.String() }),
  type: Type.Union([Type.Literal('text'), Type.Literal('date'), Type.Literal('choice')]),
  required: Type.Boolean(),
  options: Type.Optional(Type.Array(Type.String())),
});

const Decision = Type.Object({
  mailbox: Type.String(),
  teamId: Type.Integer(),
  teamName: Type.String(),
  linkedItems: Type.Array(LinkedItem),
  form: Type.Array(FormField),
  defaultChoice: Type.Object({ action: Action, reference: Type.Optional(Type.String()) }),
});

export const SendPlanResponseSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  currentReference: Type.Union([Type.String(), Type.Null()]),
  recipients: Type.Array(ClassifiedRecipient),
  decisionNeeded: Type.Boolean(),
  decisions: Type.Array(Decision),
  needsCurrentItem: Type.Boolean({
    description: 'True when the agent must pick a current work item (or none) before committing.',
  }),
});

export const PlanParams = Type.Object({ id: Type.String({ maxLength: 100 }) }, strict);

const Choice = Type.Object(
  {
    mailbox: Type.String({ maxLength: 400, description: 'Primary address of the decision, or the alias used.' }),
    action: Action,
    reference: Type.Optional(Reference),
    fields: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 4000 }))),
  },
  strict,
);

export const CommitRequestSchema = Type.Object(
  {
    choices: Type.Array(Choice, { maxItems: 500 }),
    currentReference: Type.Optional(Reference),
  },
  strict,
);

export const CommitResponseSchema = Type.Object({
  recipients: Type.Array(Type.Object({ field: Field, emailAddress: Type.String(), displayName: Type.String() })),
  headers: Type.Record(Type.String(), Type.String()),
  notices: Type.Array(Type.Object({ code: Type.String(), emailAddress: Type.String(), message: Type.String() })),
  createdReferences: Type.Array(Type.String()),
});
