import punycode from 'punycode/punycode.js';
import { fail, ok, quote } from './result.js';
import type { Result } from './result.js';

// RFC 1035: at most 63 octets a label and 253 for the whole name in text form.
const maxLabelLength = 63;
const maxDomainLength = 253;

const asciiLabel = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const ipv4Literal = /^\[(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\]$/;
const ipv6Literal = /^\[ipv6:[0-9a-f:.]+\]$/;
const nonAscii = /[\u0080-\uffff]/;

/**
 * Normalizes the domain of an address to lower-case ASCII, converting an IDN such as
 * `ü.example` to `xn--tda.example`. A domain needs at least two labels, except `localhost`:
 * Exchange Online only hosts dotted domains, and a single label is more often a typo.
 * Domain literals are accepted for IPv4 (`[192.0.2.1]`) and IPv6 (`[IPv6:2001:db8::1]`).
 */
export function normalizeDomain(domain: string, address: string): Result<string> {
  const lower = domain.toLowerCase();

  if (lower.charAt(0) === '[') {
    return normalizeDomainLiteral(lower, address);
  }

  if (lower === '') {
    return invalid(address, 'has no domain: write it as local@domain');
  }

  if (lower.charAt(lower.length - 1) === '.') {
    return invalid(address, 'ends its domain with a dot: remove the trailing dot');
  }

  let ascii = lower;
  if (nonAscii.test(lower)) {
    try {
      // NFC first, so that a decomposed "u" plus combining diaeresis gives the same
      // ASCII form as the precomposed "ü". Runtimes without Unicode data may lack it.
      ascii = punycode.toASCII(typeof lower.normalize === 'function' ? lower.normalize('NFC') : lower);
    } catch {
      return invalid(address, 'has a domain that cannot be converted to ASCII (IDN): check its spelling');
    }
  }

  if (ascii.length > maxDomainLength) {
    return invalid(address, `has a domain longer than ${maxDomainLength} characters: shorten it`);
  }

  const labels = ascii.split('.');
  if (labels.length < 2 && ascii !== 'localhost') {
    return invalid(address, 'has a domain without a dot: write the full domain, such as contoso.example');
  }

  for (const label of labels) {
    if (label.length === 0) {
      return invalid(address, 'has an empty label (two dots) in its domain: remove the extra dot');
    }
    if (label.length > maxLabelLength) {
      return invalid(address, `has a domain label longer than ${maxLabelLength} characters: check the domain`);
    }
    if (!asciiLabel.test(label)) {
      return invalid(
        address,
        'has a domain label with characters other than letters, digits and inner hyphens: check the domain',
      );
    }
  }

  return ok(ascii);
}

function normalizeDomainLiteral(literal: string, address: string): Result<string> {
  const ipv4 = ipv4Literal.exec(literal);

  if (ipv4 !== null) {
    for (let i = 1; i <= 4; i++) {
      if (Number(ipv4[i]) > 255) {
        return invalid(address, 'has an IPv4 domain literal with a part above 255: check the address');
      }
    }
    return ok(literal);
  }

  if (ipv6Literal.test(literal)) {
    return ok('[IPv6:' + literal.slice(6));
  }

  return invalid(address, 'has a domain literal that is neither [IPv4] nor [IPv6:...]: write a host name instead');
}

function invalid(address: string, problem: string): Result<string> {
  return fail('WORKLINK_DOMAIN_INVALID', `Address ${quote(address)} ${problem}.`, address);
}
