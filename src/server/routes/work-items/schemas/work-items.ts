import { Type } from '@fastify/type-provider-typebox';
import { patternDescriptions } from '../../pattern-descriptions.js';

const strict = { additionalProperties: false } as const;

const WorkItemTypeSchema = Type.Union([Type.Literal('ticket'), Type.Literal('case'), Type.Literal('action')]);
const StatusSchema = Type.Union([
  Type.Literal('todo'),
  Type.Literal('in_progress'),
  Type.Literal('waiting'),
  Type.Literal('done'),
]);
const View = Type.Union([Type.Literal('full'), Type.Literal('header')]);

export const CreateWorkItemRequest = Type.Object(
  {
    teamId: Type.Integer({ minimum: 1 }),
    type: Type.Union([Type.Literal('ticket'), Type.Literal('case')]),
    // The handler trims the title, so it must have a character that trimming keeps.
    title: Type.String({
      maxLength: 300,
      pattern: '\\S',
      description: patternDescriptions.nonBlank.en,
    }),
    requester: Type.Optional(Type.Union([Type.String({ maxLength: 320 }), Type.Null()])),
    fields: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 1000 }))),
  },
  strict,
);
export const CreateWorkItemResponse = Type.Object({
  reference: Type.String(),
  teamId: Type.Integer(),
  type: Type.String(),
});

export const ListQuery = Type.Object(
  {
    team: Type.Optional(Type.Integer({ minimum: 1 })),
    messageId: Type.Optional(Type.String({ minLength: 1, maxLength: 998 })),
    conversationId: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
  },
  strict,
);

/** One work item in a list; the title is left out of the header view. */
export const WorkItemSummary = Type.Object({
  reference: Type.String(),
  type: WorkItemTypeSchema,
  teamId: Type.Integer(),
  title: Type.Optional(Type.String()),
  status: StatusSchema,
  view: View,
  createdAt: Type.String(),
});

export const ReferenceParams = Type.Object({ reference: Type.String({ minLength: 1, maxLength: 40 }) }, strict);

const Address = Type.Object({ address: Type.String(), name: Type.Optional(Type.Union([Type.String(), Type.Null()])) });

const Message = Type.Object({
  messageId: Type.Union([Type.String(), Type.Null()]),
  from: Type.Union([Type.String(), Type.Null()]),
  fromName: Type.Union([Type.String(), Type.Null()]),
  to: Type.Array(Address),
  cc: Type.Array(Address),
  date: Type.Union([Type.String(), Type.Null()]),
  subject: Type.String(),
  receivedAt: Type.String(),
  textBody: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  htmlBody: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  attachments: Type.Optional(
    Type.Array(
      Type.Object({
        id: Type.Integer(),
        filename: Type.Union([Type.String(), Type.Null()]),
        contentType: Type.String(),
        size: Type.Integer(),
      }),
    ),
  ),
});

/** A work item with its messages and links; bodies, attachments, title and fields only in the full view. */
export const WorkItemDetail = Type.Object({
  reference: Type.String(),
  type: WorkItemTypeSchema,
  teamId: Type.Integer(),
  title: Type.Optional(Type.String()),
  status: StatusSchema,
  view: View,
  requester: Type.Union([Type.String(), Type.Null()]),
  fields: Type.Optional(Type.Record(Type.String(), Type.String())),
  parentReference: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  createdAt: Type.String(),
  messages: Type.Array(Message),
  links: Type.Array(Type.Object({ reference: Type.String(), teamId: Type.Integer(), view: View })),
});

export const UpdateWorkItemRequest = Type.Object({ status: StatusSchema }, strict);

/** The work item's status after a change, and when it changed. */
export const UpdateWorkItemResponse = Type.Object({
  reference: Type.String(),
  status: StatusSchema,
  updatedAt: Type.String(),
});
