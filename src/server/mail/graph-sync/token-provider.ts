import { ConfidentialClientApplication } from '@azure/msal-node';
import type { INetworkModule } from '@azure/msal-node';
import { WorklinkError } from '../../errors.js';

/** Source of app-only access tokens for Microsoft Graph. */
export interface GraphTokenProvider {
  /** Returns a bearer token; throws `WORKLINK_GRAPH_TOKEN_FAILED` when none can be obtained. */
  getAccessToken(): Promise<string>;
}

export interface MsalTokenProviderOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Authority host without the tenant, such as `https://login.microsoftonline.com`. msal-node requires HTTPS. */
  authorityUrl: string;
  /** Replaces msal-node's fetch-based HTTP client; tests pass one that trusts the fake authority's certificate. */
  networkClient?: INetworkModule;
}

const graphScope = 'https://graph.microsoft.com/.default';

/**
 * Creates a token provider that uses the OAuth 2.0 client credentials grant
 * through msal-node. msal-node keeps tokens in memory and returns a cached
 * token until shortly before it expires, so calling it per request is cheap.
 */
export function createMsalTokenProvider(options: MsalTokenProviderOptions): GraphTokenProvider {
  const authorityBase = options.authorityUrl.replace(/\/+$/, '');
  const application = new ConfidentialClientApplication({
    auth: {
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      authority: `${authorityBase}/${options.tenantId}`,
      // A listed host is trusted as it is, so msal-node skips its instance discovery request and reads
      // only this authority's OpenID metadata. That keeps a test authority on 127.0.0.1 self-contained.
      knownAuthorities: [new URL(authorityBase).host],
    },
    system: options.networkClient === undefined ? {} : { networkClient: options.networkClient },
  });

  return {
    async getAccessToken() {
      let accessToken: string | undefined;
      try {
        const result = await application.acquireTokenByClientCredential({ scopes: [graphScope] });
        accessToken = result?.accessToken;
      } catch (error) {
        // msal-node errors carry the server's error code and description, never the client secret.
        // The msal-node message stays in English in both texts.
        const reason = (error as Error).message;
        throw new WorklinkError(
          'WORKLINK_GRAPH_TOKEN_FAILED',
          {
            en:
              `No Graph access token from ${authorityBase} for client ${options.clientId}: ${reason}. ` +
              'Check WORKLINK_GRAPH_TENANT_ID, WORKLINK_GRAPH_CLIENT_ID and WORKLINK_GRAPH_CLIENT_SECRET.',
            pl:
              `Nie uzyskano tokenu dostępu Graph z ${authorityBase} dla klienta ${options.clientId}: ${reason}. ` +
              'Sprawdź WORKLINK_GRAPH_TENANT_ID, WORKLINK_GRAPH_CLIENT_ID i WORKLINK_GRAPH_CLIENT_SECRET.',
          },
          { cause: error },
        );
      }
      if (accessToken === undefined || accessToken === '') {
        throw new WorklinkError('WORKLINK_GRAPH_TOKEN_FAILED', {
          en: `The authority ${authorityBase} returned no access token for client ${options.clientId}: check the app registration.`,
          pl: `Serwer uwierzytelniania ${authorityBase} nie zwrócił tokenu dostępu dla klienta ${options.clientId}: sprawdź rejestrację aplikacji.`,
        });
      }
      return accessToken;
    },
  };
}
