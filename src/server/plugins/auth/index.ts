import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { WorklinkError } from '../../errors.js';
import { agentRemovedError, findAgentByEmail, findRemovalTime } from '../../repositories/agents.js';
import { maskAddress } from '../../repositories/addresses.js';
import { DevTokens, loadDevSecret } from './dev-tokens.js';
import { EntraTokens } from './entra-tokens.js';
import type { TokenVerifier } from './token-verifier.js';

/** The caller of an authenticated request. */
export interface AuthenticatedAgent {
  id: number;
  email: string;
  displayName: string;
  isAdmin: boolean;
  teamIds: number[];
}

type PreHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler: 401 without a valid token, 403 for an unknown or removed agent, 429 over the rate limit; sets `request.agent`. */
    authenticate: PreHandler;
    /** preHandler after `authenticate`: 403 unless the agent is an admin. */
    requireAdmin: PreHandler;
    /** Issues dev tokens; only present under `WORKLINK_AUTH=dev`. */
    devTokens: DevTokens | null;
  }
  interface FastifyRequest {
    /** Set by `app.authenticate`; do not read it on routes without that preHandler. */
    agent: AuthenticatedAgent;
  }
}

function createVerifier(config: Config): { verifier: TokenVerifier; devTokens: DevTokens | null } {
  if (config.auth === 'dev') {
    const devTokens = new DevTokens(loadDevSecret(config.dataDir));
    return { verifier: devTokens, devTokens };
  }
  if (config.entraTenantId === undefined || config.entraAudience === undefined || config.entraJwksUrl === undefined) {
    throw new WorklinkError('WORKLINK_CONFIG_INVALID', {
      en: 'WORKLINK_AUTH=entra needs WORKLINK_ENTRA_TENANT_ID and WORKLINK_ENTRA_CLIENT_ID.',
      pl: 'WORKLINK_AUTH=entra wymaga zmiennych WORKLINK_ENTRA_TENANT_ID i WORKLINK_ENTRA_CLIENT_ID.',
    });
  }
  const verifier = new EntraTokens({
    tenantId: config.entraTenantId,
    audience: config.entraAudience,
    jwksUrl: config.entraJwksUrl,
  });
  return { verifier, devTokens: null };
}

function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match === null || match[1] === undefined) {
    throw new WorklinkError('WORKLINK_AUTH_MISSING', {
      en: 'The request has no access token: send the header "Authorization: Bearer <token>".',
      pl: 'Żądanie nie ma tokenu dostępu: wyślij nagłówek "Authorization: Bearer <token>".',
    });
  }
  return match[1];
}

/**
 * Bearer-token authentication, dev or Entra per `config.auth`, followed by a
 * per-agent rate limit. Requires `app.config`, `app.database` and
 * `@fastify/rate-limit` to be registered first.
 */
export const authPlugin = fp(
  async (app) => {
    const { verifier, devTokens } = createVerifier(app.config);
    const limitPerAgent = app.rateLimit({
      max: app.config.rateLimitMax,
      timeWindow: app.config.rateLimitWindowMs,
      keyGenerator: (request) => `agent:${request.agent.id}`,
    });

    app.decorate('devTokens', devTokens);
    app.decorateRequest('agent', null as unknown as AuthenticatedAgent);

    app.decorate('authenticate', async (request: FastifyRequest, reply: FastifyReply) => {
      const identity = await verifier.verify(bearerToken(request));
      const agent = await findAgentByEmail(app.database.db, identity.email);
      if (agent === undefined) {
        const removedAt = await findRemovalTime(app.database.db, identity.email);
        if (removedAt !== undefined) {
          request.log.info({ user: maskAddress(identity.email) }, 'token of a removed agent');
          throw agentRemovedError(identity.email, removedAt);
        }
        request.log.info({ user: maskAddress(identity.email) }, 'token of an unregistered user');
        throw new WorklinkError('WORKLINK_AGENT_NOT_REGISTERED', {
          en: `${identity.email} is not a Worklink agent: ask an admin to add the agent with POST /api/v1/admin/agents.`,
          pl: `${identity.email} nie jest agentem Worklink: poproś administratora o dodanie agenta przez POST /api/v1/admin/agents.`,
        });
      }
      request.agent = agent;
      await limitPerAgent.call(app, request, reply);
    });

    app.decorate('requireAdmin', async (request: FastifyRequest) => {
      if (!request.agent?.isAdmin) {
        throw new WorklinkError('WORKLINK_ADMIN_REQUIRED', {
          en: 'This endpoint is for admins only: sign in as an admin.',
          pl: 'Ten punkt końcowy jest dostępny tylko dla administratorów: zaloguj się jako administrator.',
        });
      }
    });
  },
  { name: 'worklink-auth', dependencies: ['@fastify/rate-limit'] },
);
