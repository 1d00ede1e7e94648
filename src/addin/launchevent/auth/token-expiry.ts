/**
 * Reads the expiry of a JWT access token without verifying it: the handler only needs to know
 * when to acquire a new one, and the server verifies every token it receives. The JavaScript-only
 * runtime of classic Outlook on Windows may lack `atob`, so base64url is decoded here.
 */

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Decodes base64url (padding optional) to a Latin-1 string, or returns `null` on a bad character. */
function decodeBase64Url(text: string): string | null {
  const input = text.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  let bits = 0;
  let bitCount = 0;
  let output = '';
  for (let i = 0; i < input.length; i++) {
    const value = BASE64URL.indexOf(input.charAt(i));
    if (value < 0) return null;
    bits = (bits << 6) | value;
    bitCount += 6;
    if (bitCount >= 8) {
      bitCount -= 8;
      output += String.fromCharCode((bits >> bitCount) & 0xff);
    }
  }
  return output;
}

/** Decodes UTF-8 bytes held in a Latin-1 string, as `decodeURIComponent` does for percent escapes. */
function utf8ToString(latin1: string): string | null {
  let escaped = '';
  for (let i = 0; i < latin1.length; i++) {
    escaped += `%${`0${latin1.charCodeAt(i).toString(16)}`.slice(-2)}`;
  }
  try {
    return decodeURIComponent(escaped);
  } catch {
    return null;
  }
}

/**
 * Returns the `exp` claim of a JWT in milliseconds since the epoch, or `null` when the token
 * is not a JWT with a numeric `exp` (an opaque or encrypted token, for instance).
 */
export function tokenExpiryMs(token: string): number | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const bytes = decodeBase64Url(parts[1] as string);
  const json = bytes === null ? null : utf8ToString(bytes);
  if (json === null) return null;
  try {
    const payload = JSON.parse(json) as { exp?: unknown } | null;
    return payload && typeof payload.exp === 'number' && isFinite(payload.exp) ? payload.exp * 1000 : null;
  } catch {
    return null;
  }
}
