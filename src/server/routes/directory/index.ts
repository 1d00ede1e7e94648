import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@fastify/type-provider-typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { directoryEtag, ifNoneMatchMatches, loadDirectory } from '../../send-plans/directory.js';
import { DirectoryHeaders, DirectorySchema } from './schemas/directory.js';

/**
 * `GET /api/v1/directory`: the connected mailboxes, their aliases and the
 * settings that the send handler caches for its fast path. It returns `304`
 * when `If-None-Match` carries the current ETag, so a refresh costs no body.
 */
export const directoryRoutes: FastifyPluginAsync = async (instance) => {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('preHandler', app.authenticate);

  app.get(
    '/',
    {
      schema: {
        summary: 'Directory of connected mailboxes and settings for the add-in cache',
        description: 'The strong ETag is computed from the content; send it back in `If-None-Match` to get 304.',
        tags: ['directory'],
        security: [{ bearer: [] }],
        headers: DirectoryHeaders,
        response: { 200: DirectorySchema, 304: Type.Null({ description: 'The cached directory is current.' }) },
      },
    },
    async (request, reply) => {
      const directory = await loadDirectory(app.database.db);
      const etag = directoryEtag(directory);

      // `no-cache` lets the add-in keep the copy but makes it revalidate with the ETag.
      reply.header('etag', etag).header('cache-control', 'private, no-cache');
      if (ifNoneMatchMatches(request.headers['if-none-match'], etag)) {
        return reply.status(304).send(null);
      }
      return directory;
    },
  );
};
