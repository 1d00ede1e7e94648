import { normalizeAddress as normalizeCoreAddress } from '../../core/address.js';
import { WorklinkError } from '../errors.js';
import { coreErrorText } from '../localized-text.js';

/**
 * Normalizes `address` with the core RFC 5322 rules: trimmed, lower-case, IDN domain
 * in ASCII. Throws `WORKLINK_INVALID_ADDRESS` naming `field` and carrying the core
 * error's message, which names the value and the fix, in English and in Polish.
 */
export function normalizeAddress(address: string, field: string): string {
  const normalized = normalizeCoreAddress(address);
  if (!normalized.ok) {
    const reason = coreErrorText(normalized.error);
    throw new WorklinkError('WORKLINK_INVALID_ADDRESS', {
      en: `Field "${field}" is not a valid email address. ${reason.en}`,
      pl: `Pole "${field}" nie zawiera prawidłowego adresu e-mail. ${reason.pl}`,
    });
  }
  return normalized.value;
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
