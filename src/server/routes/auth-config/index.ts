import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@fastify/type-provider-typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

const AuthConfig = Type.Object({
  mode: Type.Union([Type.Literal('dev'), Type.Literal('entra')]),
  clientId: Type.Optional(Type.String()),
  tenantId: Type.Optional(Type.String()),
  scopes: Type.Optional(Type.Array(Type.String())),
});

/**
 * Returns the delegated scope that the add-in requests for the API. An audience that is
 * already an application ID URI (`api://...`) is used as it is; a bare client id gets the
 * `api://` prefix that Entra gives an exposed API by default.
 * NOTE: `access_as_user` is the scope name Microsoft's add-in SSO guides use; a tenant that
 * exposes another name needs this changed.
 */
export function apiScope(audience: string): string {
  const base = audience.startsWith('api://') ? audience : `api://${audience}`;
  return `${base.replace(/\/$/, '')}/access_as_user`;
}

/**
 * `GET /api/v1/auth-config`: how the task pane signs in, asked before it has a token. Under
 * dev authentication it returns `{"mode": "dev"}` and the pane shows the dev sign-in; under
 * Entra it returns the client id, tenant and scopes for MSAL. None of it is secret.
 */
export const authConfigRoutes: FastifyPluginAsync = async (instance) => {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/',
    {
      schema: {
        summary: 'Sign-in settings for the add-in',
        tags: ['auth'],
        response: { 200: AuthConfig },
      },
    },
    async () => {
      const config = app.config;
      if (config.auth === 'dev') return { mode: 'dev' as const };
      return {
        mode: 'entra' as const,
        clientId: config.entraClientId,
        tenantId: config.entraTenantId,
        scopes: [apiScope(config.entraAudience ?? config.entraClientId ?? '')],
      };
    },
  );
};
