import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAddrSpec } from '../../src/core/addr-spec.js';
import type { Recipient } from '../../src/core/api-types.js';
import {
  domainOf,
  normalizeAddress,
  parseAddress,
  parseAddressList,
  sameAddress,
  utf8Length,
} from '../../src/core/address.js';
import {
  decodePlusAddress,
  encodePlusAddress,
  splitPlusAddress,
  validateSeparator,
} from '../../src/core/plus-address.js';
import { findReferencesInSubject, formatReference, parseReference } from '../../src/core/reference.js';
import { rewriteRecipients, sameRecipients } from '../../src/core/rewrite.js';
import { normalizeSubject, subjectPrefixes } from '../../src/core/subject.js';

const runs = { numRuns: 500 };

// Any UTF-16 code unit, lone surrogates and control characters included.
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));
const anyString = fc.string({ unit: anyCodeUnit, maxLength: 80 });

// Characters that drive the address parser into its branches.
const addressish = fc.string({
  unit: fc.constantFrom(...'ab.Z0+-_"\\<>@,;:()[] \t\r\nüł'.split('')),
  maxLength: 40,
});

const localAtom = fc.string({
  unit: fc.constantFrom(...'abcXYZ019!#$%&*/=?^_`{|}~-ąü'.split('')),
  minLength: 1,
  maxLength: 30,
});
const localPart = fc.array(localAtom, { minLength: 1, maxLength: 3 }).map((atoms) => atoms.join('.'));
// Local parts around the 64-octet limit, with two-octet letters to test octet counting.
const nearLimitLocalPart = fc
  .string({ unit: fc.constantFrom('a', 'b', 'ł', '-'), minLength: 28, maxLength: 64 })
  .map((text) => 'x' + text + 'y');
const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
const domain = fc.array(label, { minLength: 1, maxLength: 3 }).map((labels) => labels.join('.') + '.example');

const reference = fc
  .record({
    number: fc.integer({ min: 1, max: 9999999999 }),
    kind: fc.constantFrom('ticket' as const, 'case' as const, 'action' as const),
    action: fc.integer({ min: 1, max: 999999 }),
    lowerCase: fc.boolean(),
  })
  .map((parts) => {
    const formatted = formatReference(parts);
    const text = formatted.ok ? formatted.value : '';
    return parts.lowerCase ? text.toLowerCase() : text;
  });

function localOf(address: string): string {
  return address.slice(0, address.lastIndexOf('@'));
}

describe('core properties', () => {
  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(anyString, addressish), fc.oneof(anyString, addressish), (a, b) => {
        parseAddressList(a);
        parseAddress(a);
        normalizeAddress(a);
        sameAddress(a, b);
        domainOf(a);
        utf8Length(a);
        splitPlusAddress(a, b);
        encodePlusAddress(a, b, '+');
        encodePlusAddress(a, '10040-C', b);
        decodePlusAddress(a, b);
        validateSeparator(b);
        parseReference(a);
        findReferencesInSubject(a);
        normalizeSubject(a);
        const recipients: Recipient[] = [{ field: 'to', emailAddress: a, displayName: b }];
        rewriteRecipients(recipients, [{ mailbox: a, aliases: [b], reference: b }], b);
        sameRecipients(recipients, [{ emailAddress: b, displayName: a }]);
      }),
      runs,
    );
  });

  it('never throws on values of the wrong type', () => {
    const values: unknown[] = [undefined, null, 42, {}, [], Object.create(null), Symbol('x'), () => 1];

    for (const value of values) {
      const text = value as string;
      expect(() => {
        parseAddressList(text);
        normalizeAddress(text);
        sameAddress(text, text);
        domainOf(text);
        splitPlusAddress(text, text);
        encodePlusAddress(text, text, text);
        decodePlusAddress(text, text);
        validateSeparator(text);
        parseReference(text);
        formatReference(value as Parameters<typeof formatReference>[0]);
        findReferencesInSubject(text);
        normalizeSubject(text);
        rewriteRecipients(value as Recipient[], value as [], text);
        rewriteRecipients([value as Recipient], [value as never], '+');
        sameRecipients(value as Recipient[], value as []);
      }).not.toThrow();
    }
  });

  it('decodes an encoded address to its mailbox and reference', () => {
    fc.assert(
      fc.property(
        fc.oneof(localPart, nearLimitLocalPart),
        domain,
        reference,
        fc.constantFrom('+', '-', '_', '='),
        (local, host, ref, separator) => {
          fc.pre(local.indexOf(separator) < 0);
          const address = local + '@' + host;

          const encoded = encodePlusAddress(address, ref, separator);
          if (!encoded.ok) {
            expect(encoded.error.code).toMatch(/^WORKLINK_(LOCAL_PART|ADDRESS)_TOO_LONG$/);
            expect(utf8Length(local + separator + ref) > 64 || utf8Length(address) + 1 + ref.length > 254).toBe(true);
            return;
          }

          const decoded = decodePlusAddress(encoded.value, separator);
          const mailbox = normalizeAddress(address);
          expect(decoded).toEqual({
            ok: true,
            value: { mailbox: mailbox.ok && mailbox.value, reference: ref.toUpperCase() },
          });
          expect(encodePlusAddress(encoded.value, ref, separator)).toEqual(encoded);
        },
      ),
      runs,
    );
  });

  it('parses a plain address as the tokenizer does', () => {
    // Surrounding spaces send the same address through the tokenizer instead of the fast path.
    const plainish = fc.string({ unit: fc.constantFrom(...'aZ09.-_+!/=@ü'.split('')), maxLength: 80 });
    const asciiLocal = fc.stringMatching(/^[a-z0-9!#$%&*/=?^_`{|}~+-]{1,40}(?:\.[a-z0-9_-]{1,30}){0,2}$/);
    fc.assert(
      fc.property(
        fc.oneof(
          plainish,
          fc.tuple(asciiLocal, domain).map(([local, host]) => `${local}@${host}`),
          fc.tuple(nearLimitLocalPart, domain).map(([local, host]) => `${local}@${host}`),
          fc.tuple(asciiLocal, label).map(([local, host]) => `${local}@${host}`),
        ),
        (input) => {
          const direct = parseAddrSpec(input);
          const tokenized = parseAddrSpec(` ${input} `);
          // Some errors quote the input as given, spaces included, so only their codes must match.
          if (direct.ok || tokenized.ok) {
            expect(direct).toEqual(tokenized);
          } else {
            expect(direct.error.code).toBe(tokenized.error.code);
          }
        },
      ),
      runs,
    );
  });

  it('produces no local part above 64 octets', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          addressish,
          localPart.map((local) => local + '@x.example'),
          nearLimitLocalPart.map((local) => local + '@x.example'),
        ),
        reference,
        (input, ref) => {
          const normalized = normalizeAddress(input);
          if (normalized.ok) {
            expect(utf8Length(localOf(normalized.value))).toBeLessThanOrEqual(64);
          }

          const encoded = encodePlusAddress(input, ref);
          if (encoded.ok) {
            expect(utf8Length(localOf(encoded.value))).toBeLessThanOrEqual(64);
          }

          const rewritten = rewriteRecipients(
            [{ field: 'cc', emailAddress: input, displayName: 'n' }],
            [{ mailbox: input, aliases: [], reference: ref }],
            '+',
          );
          const output = rewritten.recipients[0]?.emailAddress ?? '';
          if (output !== input) {
            expect(utf8Length(localOf(output))).toBeLessThanOrEqual(64);
          }
        },
      ),
      runs,
    );
  });

  it('keeps recipients, fields and names through a rewrite', () => {
    const recipient = fc.record({
      field: fc.constantFrom('to' as const, 'cc' as const, 'bcc' as const),
      emailAddress: fc.oneof(
        fc.constantFrom('pl.support@contoso.example', 'Wsparcie.PL@contoso.example', 'pl.support+x@contoso.example'),
        localPart.map((local) => local + '@contoso.example'),
        addressish,
      ),
      displayName: anyString,
    });

    fc.assert(
      fc.property(fc.array(recipient, { maxLength: 6 }), reference, (recipients, ref) => {
        const targets = [
          { mailbox: 'pl.support@contoso.example', aliases: ['wsparcie.pl@contoso.example'], reference: ref },
        ];

        const first = rewriteRecipients(recipients, targets, '+');
        const second = rewriteRecipients(first.recipients, targets, '+');

        expect(first.recipients).toHaveLength(recipients.length);
        first.recipients.forEach((rewritten, i) => {
          expect(rewritten.field).toBe(recipients[i]?.field);
          expect(rewritten.displayName).toBe(recipients[i]?.displayName);
          expect(splitPlusAddress(rewritten.emailAddress).base).toBe(
            splitPlusAddress(recipients[i]?.emailAddress ?? '').base,
          );
        });
        expect(second.recipients).toEqual(first.recipients);
        expect(sameRecipients(first.recipients, first.recipients)).toBe(true);
      }),
      runs,
    );
  });

  it('normalizes subjects idempotently', () => {
    const prefix = fc
      .tuple(
        fc.constantFrom(...subjectPrefixes),
        fc.constantFrom('', '[2]', '(3)', ' '),
        fc.constantFrom(':', '：', ' :'),
        fc.constantFrom('', ' ', '  '),
      )
      .map((parts) => parts.join(''));
    const subject = fc
      .tuple(fc.array(prefix, { maxLength: 4 }), fc.oneof(anyString, fc.constantFrom('Rework: x', 'Faktura', '')))
      .map(([prefixes, rest]) => prefixes.join('') + rest);

    fc.assert(
      fc.property(fc.oneof(subject, anyString), (text) => {
        const once = normalizeSubject(text);

        expect(normalizeSubject(once)).toBe(once);
        expect(once).toBe(once.trim());
        expect(once).not.toMatch(/\s\s/);
      }),
      runs,
    );
  });

  it('never finds a reference inside a longer number or word', () => {
    const subjectCharacters = fc.string({
      unit: fc.constantFrom(...'0123456789-TCAtcax_#[]():. ą'.split('')),
      maxLength: 40,
    });

    fc.assert(
      fc.property(subjectCharacters, (subject) => {
        const upper = subject.toUpperCase();

        for (const found of findReferencesInSubject(subject)) {
          let standsAlone = false;
          for (let at = upper.indexOf(found); at >= 0; at = upper.indexOf(found, at + 1)) {
            const before = upper.charAt(at - 1);
            const after = upper.charAt(at + found.length);
            if (!/[A-Z0-9_\-ĄÀ-ſ]/i.test(before) && !/[A-Z0-9_ĄÀ-ſ]/i.test(after)) {
              standsAlone = true;
            }
          }
          expect(standsAlone, `${found} in ${JSON.stringify(subject)}`).toBe(true);
        }
      }),
      runs,
    );
  });

  it('finds a reference between separators but not glued to a word', () => {
    fc.assert(
      fc.property(
        reference,
        fc.constantFrom(' ', '[', '(', '#', ':', '"', '„'),
        fc.constantFrom(' ', ']', ')', '.', ':', ',', '"', '”'),
        fc.constantFrom('a', 'Z', '7', '_', 'ą'),
        (ref, open, close, glue) => {
          const canonical = ref.toUpperCase();

          expect(findReferencesInSubject('x' + open + ref + close + 'y')).toEqual([canonical]);
          expect(findReferencesInSubject(glue + ref)).not.toContain(canonical);
          expect(findReferencesInSubject(ref + glue)).not.toContain(canonical);
        },
      ),
      runs,
    );
  });
});
