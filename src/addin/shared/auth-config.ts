/**
 * Sign-in settings of the add-in, fixed at build time. Webpack's DefinePlugin compiles in
 * `__WORKLINK_AUTH_MODE__` from `WORKLINK_AUTH` (`dev` unless set), and for `entra` also the
 * client id, tenant and API audience from the `WORKLINK_ENTRA_*` variables that the server reads.
 * The send handler needs this before it has any token, so it cannot ask the server. A build
 * without these globals, such as a unit test, reads as `dev`.
 */

/** Delegated Microsoft Graph scopes for recipient lookups: `proxyAddresses` needs User.Read.All. */
export const GRAPH_SCOPES: readonly string[] = ['User.Read.All', 'GroupMember.Read.All'];

export type AuthConfig =
  | { mode: 'dev' }
  | {
      mode: 'entra';
      clientId: string;
      tenantId: string;
      /** `https://login.microsoftonline.com/{tenantId}`. */
      authority: string;
      /** Scope of the Worklink API, such as `api://{clientId}/access_as_user`. */
      apiScopes: string[];
      graphScopes: string[];
    };

/** Values as the build compiled them in; each may be empty. */
export interface RawAuthSettings {
  mode?: string;
  clientId?: string;
  tenantId?: string;
  audience?: string;
}

export class AuthConfigError extends Error {
  declare readonly code: 'WORKLINK_AUTH_CONFIG_INVALID';

  constructor(message: string) {
    super(`WORKLINK_AUTH_CONFIG_INVALID: ${message}`);
    this.name = 'AuthConfigError';
    this.code = 'WORKLINK_AUTH_CONFIG_INVALID';
  }
}

/** Entra client and tenant ids are GUIDs; a tenant may also be given by its domain name. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TENANT_DOMAIN = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i;

/**
 * Returns the delegated scope of the Worklink API. An audience that is already an application
 * ID URI (`api://...`) is used as it is, and a bare client id gets the `api://` prefix that
 * Entra gives an exposed API by default. The server's `GET /api/v1/auth-config` uses the same rule.
 */
export function apiScopeFor(audience: string): string {
  const base = audience.indexOf('api://') === 0 ? audience : `api://${audience}`;
  return `${base.replace(/\/$/, '')}/access_as_user`;
}

/** Validates raw settings; throws `AuthConfigError` naming the bad value and the variable that sets it. */
export function parseAuthConfig(raw: RawAuthSettings): AuthConfig {
  const mode = (raw.mode || 'dev').trim();
  if (mode === 'dev') return { mode: 'dev' };
  if (mode !== 'entra') {
    throw new AuthConfigError(`WORKLINK_AUTH "${mode}" is neither dev nor entra; rebuild the add-in with one of them.`);
  }

  const clientId = (raw.clientId || '').trim();
  if (!GUID.test(clientId)) {
    throw new AuthConfigError(
      `WORKLINK_ENTRA_CLIENT_ID "${clientId}" is not a GUID; rebuild with the add-in's application (client) id.`,
    );
  }
  const tenantId = (raw.tenantId || '').trim();
  if (!GUID.test(tenantId) && !TENANT_DOMAIN.test(tenantId)) {
    throw new AuthConfigError(
      `WORKLINK_ENTRA_TENANT_ID "${tenantId}" is neither a GUID nor a domain; rebuild with the directory (tenant) id.`,
    );
  }
  const audience = (raw.audience || '').trim() || clientId;

  return {
    mode: 'entra',
    clientId,
    tenantId,
    authority: `https://login.microsoftonline.com/${tenantId}`,
    apiScopes: [apiScopeFor(audience)],
    graphScopes: GRAPH_SCOPES.slice(),
  };
}

/** Reads the settings that webpack compiled in; outside a webpack build every global is missing. */
export function readBuildAuthSettings(): RawAuthSettings {
  return {
    mode: typeof __WORKLINK_AUTH_MODE__ === 'string' ? __WORKLINK_AUTH_MODE__ : undefined,
    clientId: typeof __WORKLINK_ENTRA_CLIENT_ID__ === 'string' ? __WORKLINK_ENTRA_CLIENT_ID__ : undefined,
    tenantId: typeof __WORKLINK_ENTRA_TENANT_ID__ === 'string' ? __WORKLINK_ENTRA_TENANT_ID__ : undefined,
    audience: typeof __WORKLINK_ENTRA_AUDIENCE__ === 'string' ? __WORKLINK_ENTRA_AUDIENCE__ : undefined,
  };
}
