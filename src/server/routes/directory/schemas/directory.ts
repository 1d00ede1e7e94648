import { Type } from '@fastify/type-provider-typebox';

export const DirectorySchema = Type.Object({
  mailboxes: Type.Array(
    Type.Object({
      address: Type.String({ description: 'Primary address, lower-case.' }),
      aliases: Type.Array(Type.String()),
      teamId: Type.Integer(),
      teamName: Type.String(),
      displayName: Type.Optional(Type.String()),
    }),
  ),
  settings: Type.Object({
    plusAddressing: Type.Object({
      mode: Type.Union([Type.Literal('off'), Type.Literal('mixed'), Type.Literal('only')]),
      separator: Type.String(),
    }),
    internalDomains: Type.Array(Type.String()),
    failurePolicy: Type.Union([Type.Literal('allow'), Type.Literal('prompt')]),
  }),
});

export const DirectoryHeaders = Type.Object({
  'if-none-match': Type.Optional(Type.String({ maxLength: 2000 })),
});
