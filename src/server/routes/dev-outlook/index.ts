import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@fastify/type-provider-typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { WorklinkError } from '../../errors.js';
import { maskAddress } from '../../repositories/addresses.js';
import { listAgents } from '../../repositories/agents.js';
import { framedPages, readFramedPage, readManifestSendMode } from './addin-pages.js';
import type { FramedPage } from './addin-pages.js';
import { createBundleCache, isSimulatorBundle } from './bundles.js';
import { simulatorPage } from './page.js';
import { relayToListener } from './relay.js';
import { readSampleRequest, sampleEnvelope } from './sample-request.js';

const shimUrl = '/dev/outlook/office-shim.js';

const address = Type.String({ minLength: 3, maxLength: 320, pattern: '^[^\\s@<>]+@[^\\s@<>]+$' });

const RelayBody = Type.Object(
  {
    raw: Type.String({ minLength: 1, maxLength: 1024 * 1024 }),
    envelope: Type.Object(
      { from: address, to: Type.Array(address, { minItems: 1, maxItems: 100 }) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/**
 * Tells whether the `Host` header `host` names the host and port of `origin`. The schemes are not
 * compared, because a proxy in front of the server may end TLS.
 */
function hasHost(host: string, origin: URL): boolean {
  try {
    return new URL(`${origin.protocol}//${host}`).host === origin.host;
  } catch {
    return false;
  }
}

/**
 * Registers the Outlook host simulator at `/dev/outlook`: a page that provides the part of Office.js
 * that Worklink uses, runs the built add-in bundles unchanged in frames, and delivers what the
 * simulated agent sends to this server's SMTP listener. The page redirects to `config.publicOrigin` when it
 * is opened under another host. Registered only under `WORKLINK_AUTH=dev`, which the config restricts
 * to loopback hosts.
 */
export const devOutlookRoutes: FastifyPluginAsync = async (instance) => {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  if (app.config.auth !== 'dev') {
    return;
  }
  const bundle = createBundleCache();
  const hide = { hide: true };

  app.get('/', { schema: hide }, async (request, reply) => {
    // The built launch-event script calls the API at the public origin, and the page's CSP lets it connect only
    // to the page's own origin. Opened under another host name (127.0.0.1 for localhost), the send handler's
    // requests would be blocked and mail would go out unlinked, so the page moves to the public origin.
    const publicOrigin = new URL(app.config.publicOrigin);
    if (!hasHost(request.host, publicOrigin)) {
      return reply.redirect(`${publicOrigin.origin}${request.url}`);
    }
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(simulatorPage);
  });

  app.get<{ Params: { file: string } }>('/:file', { schema: hide }, async (request, reply) => {
    const { file } = request.params;
    if (isSimulatorBundle(file)) {
      const script = await bundle(file);
      return reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-store').send(script);
    }
    if ((framedPages as readonly string[]).includes(file)) {
      const html = await readFramedPage(app.config.addinDir, file as FramedPage, shimUrl);
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
    }
    throw new WorklinkError('WORKLINK_ROUTE_NOT_FOUND', {
      en: `The simulator has no file "${file}": open /dev/outlook to start it.`,
      pl: `Symulator nie ma pliku "${file}": otwórz /dev/outlook, aby uruchomić symulator.`,
    });
  });

  app.get('/api/setup', { schema: hide }, async () => {
    const agents = await listAgents(app.database.db);
    return {
      sendMode: await readManifestSendMode(app.config.addinDir),
      agents: agents.map((agent) => ({ email: agent.email, displayName: agent.displayName })),
    };
  });

  app.get('/api/me', { schema: hide, preHandler: app.authenticate }, async (request) => {
    const { email, displayName, teamIds, isAdmin } = request.agent;
    return { email, displayName, teamIds, isAdmin };
  });

  // Delivers the sample external request to Team A's mailbox, so the inbox has a message to reply to.
  app.post('/api/sample-request', { schema: hide, preHandler: app.authenticate }, async (request) => {
    const result = await relayToListener(app.config, { raw: await readSampleRequest(), envelope: sampleEnvelope });
    request.log.info({ accepted: result.accepted.length }, 'simulator sample request delivered');
    return result;
  });

  app.post('/api/relay', { schema: { ...hide, body: RelayBody }, preHandler: app.authenticate }, async (request) => {
    const { envelope } = request.body;
    // Exchange lets a mailbox user send as themselves only; the simulator keeps that rule.
    if (envelope.from.toLowerCase() !== request.agent.email.toLowerCase()) {
      throw new WorklinkError('WORKLINK_DEV_RELAY_SENDER_MISMATCH', {
        en: `The envelope sender "${envelope.from}" is not the signed-in agent ${request.agent.email}: send as the agent you signed in as.`,
        pl: `Nadawca koperty "${envelope.from}" nie jest zalogowanym agentem ${request.agent.email}: wyślij wiadomość jako zalogowany agent.`,
      });
    }
    const result = await relayToListener(app.config, request.body);
    request.log.info(
      { from: maskAddress(envelope.from), accepted: result.accepted.length, rejected: result.rejected.length },
      'simulator message relayed',
    );
    return result;
  });
};
