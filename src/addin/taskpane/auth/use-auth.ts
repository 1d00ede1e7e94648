/**
 * Decides how the pane signs in: `GET /api/v1/auth-config` returns dev or Entra. Under dev the
 * stored token is used until a request is rejected. Under Entra a silent MSAL or Office SSO
 * attempt runs first, and the sign-in button appears only when that attempt fails.
 */
import { useCallback, useEffect, useState } from 'react';
import type { KeyValueStorage } from '../../shared/storage.js';
import { STORAGE_KEYS } from '../../shared/storage.js';
import type { AuthConfig, PaneApi } from '../api/pane-api.js';
import { signInWithEntra } from './sign-in.js';
import type { SignInHost } from './sign-in.js';

export type AuthState =
  | { kind: 'checking' }
  | { kind: 'config-error'; error: unknown }
  | { kind: 'signed-out'; config: AuthConfig }
  | { kind: 'signed-in'; config: AuthConfig };

export function useAuth(api: PaneApi, storage: KeyValueStorage, signInHost: SignInHost) {
  const [state, setState] = useState<AuthState>({ kind: 'checking' });

  const check = useCallback(async () => {
    setState({ kind: 'checking' });
    let config: AuthConfig;
    try {
      config = await api.getAuthConfig();
    } catch (error) {
      console.error('[worklink] reading the sign-in settings failed', error);
      setState({ kind: 'config-error', error });
      return;
    }

    if (config.mode === 'dev') {
      const token = await storage.getItem(STORAGE_KEYS.accessToken).catch(() => null);
      setState(token ? { kind: 'signed-in', config } : { kind: 'signed-out', config });
      return;
    }
    try {
      await signInWithEntra(config, signInHost, storage, false);
      setState({ kind: 'signed-in', config });
    } catch (error) {
      console.info('[worklink] silent sign-in did not succeed; showing the sign-in button', error);
      setState({ kind: 'signed-out', config });
    }
  }, [api, storage, signInHost]);

  useEffect(() => {
    void check();
  }, [check]);

  const signedIn = useCallback(() => {
    setState((previous) => ('config' in previous ? { kind: 'signed-in', config: previous.config } : previous));
  }, []);

  /** Forgets the rejected token and shows the sign-in again. */
  const signInAgain = useCallback(() => {
    void storage.removeItem(STORAGE_KEYS.accessToken).catch(() => undefined);
    setState((previous) => ('config' in previous ? { kind: 'signed-out', config: previous.config } : previous));
  }, [storage]);

  return { state, retry: check, signedIn, signInAgain };
}
