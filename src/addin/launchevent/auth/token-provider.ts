/**
 * Access tokens for the send handler, acquired silently only, because an event handler cannot
 * prompt. Under dev authentication the token is the one the task pane's dev sign-in stored.
 * Under Entra ID the order is: the cached token, MSAL Nested App Authentication where the host
 * supports NestedAppAuth 1.1 and the runtime can run MSAL, then `OfficeRuntime.auth.getAccessToken`
 * with every prompt disabled. `null` means the agent must sign in from the task pane.
 */
import type { AuthConfig } from '../../shared/auth-config.js';
import type { KeyValueStorage } from '../../shared/storage.js';
import { STORAGE_KEYS } from '../../shared/storage.js';
import type { Logger } from '../completion.js';
import { describeError } from '../completion.js';
import type { CreateNestableClient, NestedAppAuth } from './nested-app-auth.js';
import { createNestedAppAuth, runtimeSupportsMsal } from './nested-app-auth.js';
import type { TokenCache, TokenKind } from './token-cache.js';

/** The Office calls this module needs, passed in so that tests can replace them. */
export interface AuthHost {
  /** `Office.context.requirements.isSetSupported('NestedAppAuth', '1.1')`. */
  supportsNestedAppAuth(): boolean;
  /** `OfficeRuntime.auth.getAccessToken`, when the host has it. */
  getOfficeAccessToken?: (options: OfficeRuntime.AuthOptions) => Promise<string>;
}

export interface TokenProviderOptions {
  config: AuthConfig;
  cache: TokenCache;
  /** Storage that contains the dev token under `worklink.accessToken`. */
  storage: KeyValueStorage;
  host: AuthHost;
  /** `createNestablePublicClientApplication`; without it NAA is never tried. */
  createNestableClient?: CreateNestableClient;
  /** Tells whether MSAL can run here; `runtimeSupportsMsal` unless a test replaces it. */
  msalUsable?: () => boolean;
  log: Logger;
}

export interface TokenProvider {
  /** Returns a token for the Worklink API, or `null` when none can be had silently. Never rejects. */
  apiToken(): Promise<string | null>;
  /**
   * Returns a delegated Microsoft Graph token, or `null`. Only NAA can give one: the Office SSO
   * fallback returns a token for the add-in's own API, which Graph does not accept.
   */
  graphToken(): Promise<string | null>;
  /**
   * Forgets a token that a server rejected, so the next call acquires a new one. Under dev
   * authentication it does nothing: the task pane owns the dev token.
   */
  forget(kind: TokenKind): Promise<void>;
}

export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  const { config, cache, host, log } = options;
  const msalUsable = options.msalUsable || runtimeSupportsMsal;
  const pending: { [kind: string]: Promise<string | null> | undefined } = {};
  let nested: NestedAppAuth | null = null;

  function nestedAppAuth(): NestedAppAuth | null {
    if (config.mode !== 'entra' || !options.createNestableClient) return null;
    try {
      if (!host.supportsNestedAppAuth() || !msalUsable()) return null;
    } catch (error) {
      log.warn('worklink: could not check for NestedAppAuth 1.1; not using it', describeError(error));
      return null;
    }
    if (!nested) {
      nested = createNestedAppAuth({
        createNestableClient: options.createNestableClient,
        clientId: config.clientId,
        authority: config.authority,
        log,
      });
    }
    return nested.usable() ? nested : null;
  }

  async function viaOfficeSso(): Promise<string | null> {
    if (!host.getOfficeAccessToken) return null;
    try {
      const token = await host.getOfficeAccessToken({ allowSignInPrompt: false, allowConsentPrompt: false });
      return typeof token === 'string' && token !== '' ? token : null;
    } catch (error) {
      log.info('worklink: OfficeRuntime.auth.getAccessToken gave no token silently', describeError(error));
      return null;
    }
  }

  async function acquire(kind: TokenKind): Promise<string | null> {
    // A dev token is opaque to the add-in and has no Graph counterpart.
    if (config.mode !== 'entra') return kind === 'api' ? options.storage.getItem(STORAGE_KEYS.accessToken) : null;
    const cached = await cache.get(kind);
    if (cached) return cached;

    const scopes = kind === 'api' ? config.apiScopes : config.graphScopes;
    const naa = nestedAppAuth();
    const acquired = naa ? await naa.acquireSilent(scopes) : null;
    if (acquired) {
      await cache.put(kind, acquired.token, acquired.expiresAt);
      return acquired.token;
    }
    if (kind === 'graph') return null;

    const token = await viaOfficeSso();
    if (token) await cache.put(kind, token);
    return token;
  }

  /** Shares one acquisition among concurrent callers, such as a send event that fired twice. */
  function once(kind: TokenKind): Promise<string | null> {
    let running = pending[kind];
    if (!running) {
      running = acquire(kind).then(
        (token) => {
          pending[kind] = undefined;
          return token;
        },
        (error: unknown) => {
          pending[kind] = undefined;
          log.warn(`worklink: getting the ${kind} token failed`, describeError(error));
          return null;
        },
      );
      pending[kind] = running;
    }
    return running;
  }

  return {
    apiToken: () => once('api'),
    graphToken: () => once('graph'),
    forget: (kind) => {
      if (config.mode !== 'entra') return Promise.resolve();
      return cache.forget(kind).catch((error: unknown) => {
        log.warn(`worklink: could not remove the rejected ${kind} token from storage`, describeError(error));
      });
    },
  };
}
