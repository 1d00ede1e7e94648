/**
 * Sign-in for the Worklink API outside dev authentication. Where Outlook supports Nested App
 * Authentication (requirement set NestedAppAuth 1.1), MSAL's nestable client acquires the
 * token silently, and with a popup for consent when that fails. Elsewhere the legacy Office
 * SSO call `OfficeRuntime.auth.getAccessToken` is the fallback. MSAL is loaded with a dynamic
 * import, so the dev path and the pane's first script do not carry it.
 */
import type { KeyValueStorage } from '../../shared/storage.js';
import { STORAGE_KEYS } from '../../shared/storage.js';

export interface EntraSettings {
  clientId: string;
  tenantId: string;
  scopes: string[];
}

export type SignInErrorCode = 'WORKLINK_SIGN_IN_INTERACTION_REQUIRED' | 'WORKLINK_SIGN_IN_FAILED';

export class SignInError extends Error {
  readonly code: SignInErrorCode;

  constructor(code: SignInErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.name = 'SignInError';
    this.code = code;
  }
}

/** The Office calls this module needs, passed in so that tests can replace them. */
export interface SignInHost {
  supportsNestedAppAuth(): boolean;
  /** `OfficeRuntime.auth.getAccessToken`, when the host has it. */
  getOfficeAccessToken?: (options: OfficeRuntime.AuthOptions) => Promise<string>;
}

export function officeSignInHost(): SignInHost {
  const host: SignInHost = {
    supportsNestedAppAuth: () => {
      try {
        return Office.context.requirements.isSetSupported('NestedAppAuth', '1.1');
      } catch {
        return false;
      }
    },
  };
  if (typeof OfficeRuntime !== 'undefined' && OfficeRuntime?.auth?.getAccessToken) {
    host.getOfficeAccessToken = (options) => OfficeRuntime.auth.getAccessToken(options);
  }
  return host;
}

/**
 * Acquires a token for the API and stores it where the send handler reads it. With
 * `interactive` false only silent acquisition is tried, and a needed prompt throws
 * `WORKLINK_SIGN_IN_INTERACTION_REQUIRED`. Call it again with `interactive` true from a click,
 * because browsers block popups that no user action opened.
 */
export async function signInWithEntra(
  settings: EntraSettings,
  host: SignInHost,
  storage: KeyValueStorage,
  interactive: boolean,
): Promise<void> {
  let token: string;
  if (host.supportsNestedAppAuth()) {
    token = await acquireWithNestedAppAuth(settings, interactive);
  } else if (host.getOfficeAccessToken) {
    try {
      token = await host.getOfficeAccessToken({ allowSignInPrompt: interactive, allowConsentPrompt: interactive });
    } catch (error) {
      throw new SignInError(
        interactive ? 'WORKLINK_SIGN_IN_FAILED' : 'WORKLINK_SIGN_IN_INTERACTION_REQUIRED',
        `OfficeRuntime.auth.getAccessToken failed: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  } else {
    throw new SignInError(
      'WORKLINK_SIGN_IN_FAILED',
      'this host supports neither NestedAppAuth 1.1 nor OfficeRuntime.auth; update Outlook, or use a supported client.',
    );
  }
  await storage.setItem(STORAGE_KEYS.accessToken, token);
}

async function acquireWithNestedAppAuth(settings: EntraSettings, interactive: boolean): Promise<string> {
  const msal = await import(/* webpackChunkName: "msal" */ '@azure/msal-browser');
  const client = await msal.createNestablePublicClientApplication({
    auth: { clientId: settings.clientId, authority: `https://login.microsoftonline.com/${settings.tenantId}` },
  });
  const request = { scopes: settings.scopes };

  try {
    const account = client.getActiveAccount() ?? client.getAllAccounts()[0];
    const result = await client.acquireTokenSilent(account ? { ...request, account } : request);
    return result.accessToken;
  } catch (error) {
    if (!interactive) {
      throw new SignInError(
        'WORKLINK_SIGN_IN_INTERACTION_REQUIRED',
        'silent token acquisition failed; sign in from the button.',
        { cause: error },
      );
    }
  }

  try {
    const result = await client.acquireTokenPopup(request);
    return result.accessToken;
  } catch (error) {
    throw new SignInError(
      'WORKLINK_SIGN_IN_FAILED',
      `acquireTokenPopup failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}
