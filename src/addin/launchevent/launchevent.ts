/**
 * Entry of the launch-event runtime (`dist/addin/launchevent.js`): wires the send handler to
 * the host's globals. Classic Outlook on Windows runs this file in a JavaScript-only runtime
 * where `Office.onReady` does not run, so nothing here waits for it.
 */
import { createNestablePublicClientApplication } from '@azure/msal-browser';
import type { FetchLike } from '../shared/backend-client.js';
import type { AuthConfig } from '../shared/auth-config.js';
import { parseAuthConfig, readBuildAuthSettings } from '../shared/auth-config.js';
import { createStorage } from '../shared/storage.js';
import { resolveLanguage } from '../shared/strings.js';
import type { ComposeItem } from '../shared/office-async.js';
import type { AuthHost } from './auth/token-provider.js';
import { createTokenProvider } from './auth/token-provider.js';
import { createTokenCache } from './auth/token-cache.js';
import { createLookupCache } from './graph/lookup-cache.js';
import type { RecipientResolver } from './graph/recipient-resolver.js';
import { createRecipientResolver } from './graph/recipient-resolver.js';
import { describeError } from './completion.js';
import type { SendEvent } from './send-handler.js';
import { createSendHandler } from './send-handler.js';

// The host's `fetch` is looked up on each request rather than captured at load time.
const hostFetch: FetchLike = (url, init) => fetch(url, init);

const storage = createStorage();
const clock = { now: () => Date.now() };

/** The Office calls for sign-in; `OfficeRuntime.auth` exists in the JavaScript-only runtime too. */
const authHost: AuthHost = {
  supportsNestedAppAuth: () => Office.context.requirements.isSetSupported('NestedAppAuth', '1.1'),
  getOfficeAccessToken: (options) => {
    if (typeof OfficeRuntime === 'undefined' || !OfficeRuntime.auth) {
      return Promise.reject(new Error('OfficeRuntime.auth is missing in this runtime'));
    }
    return OfficeRuntime.auth.getAccessToken(options);
  },
};

/**
 * Reads the sign-in settings compiled in. An invalid one is logged and read as dev
 * authentication, because throwing here would leave the handler unregistered and block sending.
 */
function loadAuthConfig(): AuthConfig {
  try {
    return parseAuthConfig(readBuildAuthSettings());
  } catch (error) {
    console.error('worklink: invalid sign-in settings; using the stored token only', describeError(error));
    return { mode: 'dev' };
  }
}

const authConfig = loadAuthConfig();
const tokens = createTokenProvider({
  config: authConfig,
  cache: createTokenCache({ storage, clock }),
  storage,
  host: authHost,
  createNestableClient: createNestablePublicClientApplication,
  log: console,
});

// Graph needs a delegated Entra token, which dev authentication does not have.
const recipientResolver: RecipientResolver | undefined =
  authConfig.mode === 'entra'
    ? createRecipientResolver({
        fetch: (url, init) => fetch(url, init),
        tokens,
        cache: createLookupCache({ storage, clock }),
        clock,
        log: console,
      })
    : undefined;

const handleSend = createSendHandler({
  getItem: () => Office.context.mailbox.item as unknown as ComposeItem,
  storage,
  fetch: hostFetch,
  apiOrigin: __WORKLINK_API_ORIGIN__,
  clock,
  language: () => resolveLanguage(Office.context.displayLanguage),
  markdownSupported: () => Office.context.requirements.isSetSupported('Mailbox', '1.15'),
  tokens,
  recipientResolver,
});

/**
 * Handles `OnMessageSend`: allows the send, rewrites connected-mailbox recipients to plus
 * addresses and then allows it, or stops it with a Smart Alert that opens the task pane.
 * It calls `event.completed` exactly once on every path and never calls `saveAsync`.
 */
function onMessageSendHandler(event: SendEvent): void {
  void handleSend(event);
}

// Without this registration Outlook cannot run the handler and the agent cannot send.
Office.actions.associate('onMessageSendHandler', onMessageSendHandler);
