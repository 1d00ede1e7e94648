import { describe, expect, it, vi } from 'vitest';
import { STORAGE_KEYS, createMemoryStorage } from '../../src/addin/shared/storage.js';
import { SignInError, signInWithEntra } from '../../src/addin/taskpane/auth/sign-in.js';
import type { SignInHost } from '../../src/addin/taskpane/auth/sign-in.js';

const settings = {
  clientId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
  tenantId: '11111111-2222-3333-4444-555555555555',
  scopes: ['api://aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/access_as_user'],
};

describe('signInWithEntra without Nested App Authentication', () => {
  it('stores the Office SSO token where the handler reads it', async () => {
    const getOfficeAccessToken = vi.fn(() => Promise.resolve('sso-token'));
    const host: SignInHost = { supportsNestedAppAuth: () => false, getOfficeAccessToken };
    const storage = createMemoryStorage();

    await signInWithEntra(settings, host, storage, false);

    expect(await storage.getItem(STORAGE_KEYS.accessToken)).toBe('sso-token');
    expect(getOfficeAccessToken).toHaveBeenCalledWith({ allowSignInPrompt: false, allowConsentPrompt: false });
  });

  it('allows prompts only when interactive', async () => {
    const getOfficeAccessToken = vi.fn(() => Promise.resolve('sso-token'));

    await signInWithEntra(
      settings,
      { supportsNestedAppAuth: () => false, getOfficeAccessToken },
      createMemoryStorage(),
      true,
    );

    expect(getOfficeAccessToken).toHaveBeenCalledWith({ allowSignInPrompt: true, allowConsentPrompt: true });
  });

  it('asks for interaction when silent SSO fails', async () => {
    const host: SignInHost = {
      supportsNestedAppAuth: () => false,
      getOfficeAccessToken: () => Promise.reject(new Error('13001')),
    };
    const storage = createMemoryStorage();

    const failure = signInWithEntra(settings, host, storage, false);

    await expect(failure).rejects.toBeInstanceOf(SignInError);
    await expect(failure).rejects.toMatchObject({ code: 'WORKLINK_SIGN_IN_INTERACTION_REQUIRED' });
    expect(await storage.getItem(STORAGE_KEYS.accessToken)).toBeNull();
  });

  it('fails on a host with neither method', async () => {
    const failure = signInWithEntra(settings, { supportsNestedAppAuth: () => false }, createMemoryStorage(), true);

    await expect(failure).rejects.toMatchObject({ code: 'WORKLINK_SIGN_IN_FAILED' });
  });
});
