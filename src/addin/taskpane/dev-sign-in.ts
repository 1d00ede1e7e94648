/**
 * Developer sign-in: exchanges an agent's email for an access token at `POST /api/v1/dev/tokens`,
 * which the server offers only when dev authentication is on. Production sign-in replaces it.
 */
import type { ApiError } from '../../core/api-types.js';

export type DevSignInErrorCode =
  | 'WORKLINK_SIGN_IN_EMAIL_INVALID'
  | 'WORKLINK_SIGN_IN_UNREACHABLE'
  | 'WORKLINK_SIGN_IN_REJECTED'
  | 'WORKLINK_SIGN_IN_INVALID_RESPONSE';

/** A failed dev sign-in; `code` picks the message the pane shows, `message` keeps the detail for the console. */
export class DevSignInError extends Error {
  readonly code: DevSignInErrorCode;
  /** `code` of the server's error body, when it sent one. */
  readonly apiCode: string | undefined;

  constructor(code: DevSignInErrorCode, message: string, apiCode?: string) {
    super(`${code}: ${message}`);
    this.name = 'DevSignInError';
    this.code = code;
    this.apiCode = apiCode;
  }
}

/** Loose shape check; the server validates the address properly. */
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Returns the trimmed address, or throws `WORKLINK_SIGN_IN_EMAIL_INVALID`. */
export function normaliseEmail(input: string): string {
  const email = input.trim();
  if (!EMAIL_PATTERN.test(email)) {
    throw new DevSignInError(
      'WORKLINK_SIGN_IN_EMAIL_INVALID',
      `"${input}" is not an email address; enter the address of a Worklink agent, such as uk.agent@contoso.example.`,
    );
  }
  return email;
}

function isApiError(value: unknown): value is ApiError {
  return typeof value === 'object' && value !== null && typeof (value as ApiError).code === 'string';
}

/**
 * Requests a dev access token for `email` from the server at `origin`. Throws a `DevSignInError`
 * when the address is malformed, the server cannot be reached, or it rejects the request.
 */
export async function requestDevToken(email: string, origin: string, fetchImpl: typeof fetch = fetch): Promise<string> {
  const address = normaliseEmail(email);
  const url = `${origin}/api/v1/dev/tokens`;

  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ email: address }),
    });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new DevSignInError(
      'WORKLINK_SIGN_IN_UNREACHABLE',
      `POST ${url} failed (${detail}); check that the Worklink server runs at ${origin}.`,
    );
  }

  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }

  if (!response.ok) {
    const apiCode = isApiError(body) ? body.code : undefined;
    const apiMessage = isApiError(body) ? body.message : 'no error body';
    throw new DevSignInError(
      'WORKLINK_SIGN_IN_REJECTED',
      `POST ${url} returned ${response.status} (${apiCode ?? 'no code'}: ${apiMessage}).`,
      apiCode,
    );
  }

  const token = (body as { accessToken?: unknown } | undefined)?.accessToken;
  if (typeof token !== 'string' || token === '') {
    throw new DevSignInError(
      'WORKLINK_SIGN_IN_INVALID_RESPONSE',
      `POST ${url} returned ${response.status} without an accessToken string; check that the server and add-in versions match.`,
    );
  }
  return token;
}
