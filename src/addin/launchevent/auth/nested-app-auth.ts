/**
 * Silent token acquisition with MSAL Nested App Authentication (requirement set NestedAppAuth
 * 1.1). MSAL is passed in as `createNestableClient`, which is `createNestablePublicClientApplication`
 * of `@azure/msal-browser` in the bundle and a fake in tests. Only `acquireTokenSilent` is
 * called: an event handler cannot show a prompt, so consent happens in the task pane.
 */
import type { AuthenticationResult, Configuration, IPublicClientApplication } from '@azure/msal-browser';
import type { Logger } from '../completion.js';
import { describeError } from '../completion.js';

/** The part of MSAL's public client application that the handler uses. */
export type NestableClient = Pick<
  IPublicClientApplication,
  'getActiveAccount' | 'getAllAccounts' | 'acquireTokenSilent'
>;

export type CreateNestableClient = (configuration: Configuration) => Promise<NestableClient>;

export interface NestedAppAuthOptions {
  createNestableClient: CreateNestableClient;
  clientId: string;
  authority: string;
  log: Logger;
}

export interface AcquiredToken {
  token: string;
  /** Milliseconds since the epoch, or `null` when MSAL returned no `expiresOn`. */
  expiresAt: number | null;
}

/**
 * Error codes after which NAA will not work in this runtime: MSAL's, as reported for event
 * handlers, and the stub's for a host without the NAA bridge (`msal-standard-stub.ts`).
 * Other failures may be intermittent, so NAA is tried again on the next send.
 */
const PERMANENT_FAILURES = [
  'storage_not_supported',
  'crypto_nonexistent',
  'untrusted_origin',
  'WORKLINK_MSAL_STANDARD_UNAVAILABLE',
];

/** Tells whether the runtime has what MSAL needs; the JavaScript-only runtime has no `window`. */
export function runtimeSupportsMsal(): boolean {
  return (
    typeof window !== 'undefined' &&
    typeof crypto !== 'undefined' &&
    !!crypto &&
    typeof crypto.getRandomValues === 'function'
  );
}

function errorCodeOf(error: unknown): string {
  if (error && typeof error === 'object' && typeof (error as { errorCode?: unknown }).errorCode === 'string') {
    return (error as { errorCode: string }).errorCode;
  }
  return '';
}

function isPermanentFailure(error: unknown): boolean {
  const code = errorCodeOf(error);
  const text = `${code} ${describeError(error)}`;
  return PERMANENT_FAILURES.some((known) => text.indexOf(known) >= 0);
}

export interface NestedAppAuth {
  /** Acquires a token silently; resolves to `null` when NAA cannot give one now. Never rejects. */
  acquireSilent(scopes: string[]): Promise<AcquiredToken | null>;
  /** False once a permanent failure was seen, so callers go straight to the fallback. */
  usable(): boolean;
}

export function createNestedAppAuth(options: NestedAppAuthOptions): NestedAppAuth {
  const { log } = options;
  let client: Promise<NestableClient> | null = null;
  let disabled = false;

  function disable(error: unknown, step: string): void {
    if (isPermanentFailure(error)) {
      disabled = true;
      log.warn(`worklink: ${step} failed; using the Office SSO fallback from now on`, describeError(error));
    } else {
      log.warn(`worklink: ${step} failed; trying the Office SSO fallback for this send`, describeError(error));
    }
  }

  return {
    usable: () => !disabled,

    async acquireSilent(scopes) {
      if (disabled) return null;

      if (!client) {
        client = options.createNestableClient({
          auth: { clientId: options.clientId, authority: options.authority },
        });
      }
      let pca: NestableClient;
      try {
        pca = await client;
      } catch (error) {
        // A failed start is not cached, so an intermittent failure is retried on the next send.
        client = null;
        disable(error, 'createNestablePublicClientApplication');
        return null;
      }

      try {
        const account = pca.getActiveAccount() || pca.getAllAccounts()[0];
        const result: AuthenticationResult = await pca.acquireTokenSilent(account ? { scopes, account } : { scopes });
        if (!result || typeof result.accessToken !== 'string' || result.accessToken === '') return null;
        const expiresOn = result.expiresOn instanceof Date ? result.expiresOn.getTime() : null;
        return { token: result.accessToken, expiresAt: expiresOn };
      } catch (error) {
        disable(error, `acquireTokenSilent for ${scopes.join(' ')}`);
        return null;
      }
    },
  };
}
