import { WorklinkError } from '../errors.js';

// Deliberately loose: Worklink compares addresses, it does not deliver mail, so
// it only needs one `@` with something on both sides and no separators or spaces.
const addressPattern = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;

/**
 * Returns `address` trimmed and lower-case; throws `WORKLINK_INVALID_ADDRESS`
 * naming `field` when it is not of the form `local@domain`.
 */
export function normalizeAddress(address: string, field: string): string {
  const normalized = address.trim().toLowerCase();
  if (!addressPattern.test(normalized)) {
    throw new WorklinkError(
      'WORKLINK_INVALID_ADDRESS',
      `${field} "${address}" is not an email address: use the form local@domain.`,
    );
  }
  return normalized;
}

/** Removes the `+tag` (RFC 5233 subaddress) from the local part, using `separator`. */
export function stripSubaddress(address: string, separator = '+'): string {
  const at = address.lastIndexOf('@');
  if (at < 0) {
    return address;
  }
  const local = address.slice(0, at);
  const cut = separator === '' ? -1 : local.indexOf(separator);
  return cut < 0 ? address : `${local.slice(0, cut)}${address.slice(at)}`;
}

/** Masks the local part for logs at info level: `uk.agent@contoso.example` becomes `u***@contoso.example`. */
export function maskAddress(address: string | null | undefined): string {
  if (address === null || address === undefined) {
    return '';
  }
  const at = address.lastIndexOf('@');
  if (at <= 0) {
    return '***';
  }
  return `${address[0]}***${address.slice(at)}`;
}
