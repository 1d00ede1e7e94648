/**
 * Access tokens of one runtime, kept in memory and in storage so that a send does not acquire a
 * token that an earlier send, or the task pane, already has. The API token stays a bare string
 * under `worklink.accessToken`, because the backend client and the task pane read it there.
 */
import type { Clock } from '../../shared/backend-client.js';
import type { KeyValueStorage } from '../../shared/storage.js';
import { STORAGE_KEYS } from '../../shared/storage.js';
import { tokenExpiryMs } from './token-expiry.js';

/** `api` for the Worklink API, `graph` for Microsoft Graph. */
export type TokenKind = 'api' | 'graph';

/** Storage key of the Graph token with its expiry, as JSON `{token, expiresAt}`. */
export const GRAPH_TOKEN_KEY = 'worklink.graphToken';

/** A token is not used within this many milliseconds of its expiry, so that it cannot expire in flight. */
export const TOKEN_EXPIRY_MARGIN_MS = 5 * 60 * 1000;

/** Lifetime assumed for a token whose expiry cannot be read; it is then kept in memory only. */
export const UNKNOWN_EXPIRY_LIFETIME_MS = 10 * 60 * 1000;

interface CachedToken {
  token: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export interface TokenCache {
  /** Returns a token of `kind` that is valid for at least the margin, or `null`. */
  get(kind: TokenKind): Promise<string | null>;
  /** Stores a token; `expiresAt` (ms since the epoch) is read from the JWT when not given. */
  put(kind: TokenKind, token: string, expiresAt?: number | null): Promise<void>;
  /** Drops a token that the server rejected. */
  forget(kind: TokenKind): Promise<void>;
}

function parseStoredGraphToken(raw: string | null): CachedToken | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<CachedToken> | null;
    if (!value || typeof value.token !== 'string' || typeof value.expiresAt !== 'number') return null;
    return { token: value.token, expiresAt: value.expiresAt };
  } catch {
    return null;
  }
}

export function createTokenCache(options: { storage: KeyValueStorage; clock: Clock }): TokenCache {
  const { storage, clock } = options;
  const memory: { [kind: string]: CachedToken | undefined } = {};

  function fresh(entry: CachedToken | null | undefined): entry is CachedToken {
    return !!entry && entry.expiresAt - TOKEN_EXPIRY_MARGIN_MS > clock.now();
  }

  async function readStored(kind: TokenKind): Promise<CachedToken | null> {
    if (kind === 'graph') return parseStoredGraphToken(await storage.getItem(GRAPH_TOKEN_KEY));
    const token = await storage.getItem(STORAGE_KEYS.accessToken);
    if (!token) return null;
    const expiresAt = tokenExpiryMs(token);
    return expiresAt === null ? null : { token, expiresAt };
  }

  return {
    async get(kind) {
      const remembered = memory[kind];
      if (fresh(remembered)) return remembered.token;

      const stored = await readStored(kind);
      if (!fresh(stored)) return null;
      memory[kind] = stored;
      return stored.token;
    },

    async put(kind, token, expiresAt) {
      const fromToken = tokenExpiryMs(token);
      const known = typeof expiresAt === 'number' ? expiresAt : fromToken;
      memory[kind] = { token, expiresAt: known === null ? clock.now() + UNKNOWN_EXPIRY_LIFETIME_MS : known };

      if (kind === 'api') {
        await storage.setItem(STORAGE_KEYS.accessToken, token);
      } else if (known !== null) {
        await storage.setItem(GRAPH_TOKEN_KEY, JSON.stringify({ token, expiresAt: known }));
      }
    },

    async forget(kind) {
      memory[kind] = undefined;
      await storage.removeItem(kind === 'api' ? STORAGE_KEYS.accessToken : GRAPH_TOKEN_KEY);
    },
  };
}
