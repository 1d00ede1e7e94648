import { describe, expect, it } from 'vitest';
import {
  allowedSeparators,
  decodePlusAddress,
  encodePlusAddress,
  splitPlusAddress,
  validateSeparator,
} from '../../src/core/plus-address.js';

describe('splitPlusAddress', () => {
  it.each([
    ['pl.support@contoso.example', '+', 'pl.support@contoso.example', null],
    ['PL.Support+10040-C@Contoso.Example', '+', 'pl.support@contoso.example', '10040-C'],
    ['a+b+c@x.example', '+', 'a@x.example', 'b+c'],
    ['a+@x.example', '+', 'a@x.example', ''],
    ['+a@x.example', '+', '+a@x.example', null],
    ['uk-support-101203-T@x.example', '-', 'uk@x.example', 'support-101203-T'],
    ['a=b@x.example', '=', 'a@x.example', 'b'],
    ['"a+b"@x.example', '+', 'a@x.example', 'b'],
    ['"a b+c"@x.example', '+', '"a b+c"@x.example', null],
    ['a+b@x.example', '.', 'a+b@x.example', null],
    ['not an address', '+', 'not an address', null],
  ])('splits %j at %j', (address, separator, base, tag) => {
    expect(splitPlusAddress(address, separator)).toEqual({ base, tag });
  });

  it('uses + by default', () => {
    expect(splitPlusAddress('a+T1@x.example')).toEqual({ base: 'a@x.example', tag: 'T1' });
  });
});

describe('encodePlusAddress', () => {
  it.each([
    ['pl.support@contoso.example', '10040-C', '+', 'pl.support+10040-C@contoso.example'],
    ['PL.Support@Contoso.Example', '10040-C', '+', 'PL.Support+10040-C@contoso.example'],
    ['Wsparcie.PL@contoso.example', '10040-C-A1', '+', 'Wsparcie.PL+10040-C-A1@contoso.example'],
    ['ops@Bücher.example', '101203-T', '+', 'ops+101203-T@xn--bcher-kva.example'],
    ['ops@x.example', '101203-T', '_', 'ops_101203-T@x.example'],
    ['ops@x.example', '101203-T', '=', 'ops=101203-T@x.example'],
    ['ops@x.example', '101203-T', '-', 'ops-101203-T@x.example'],
  ])('tags %j with %j', (address, tag, separator, expected) => {
    expect(encodePlusAddress(address, tag, separator)).toEqual({ ok: true, value: expected });
  });

  it('keeps an address that already has the same tag', () => {
    expect(encodePlusAddress('PL.Support+10040-c@contoso.example', '10040-C')).toEqual({
      ok: true,
      value: 'PL.Support+10040-c@contoso.example',
    });
  });

  it('rejects an address with another tag', () => {
    const result = encodePlusAddress('pl.support+101203-T@contoso.example', '10040-C');

    expect(result.ok ? null : result.error.code).toBe('WORKLINK_ALREADY_TAGGED');
  });

  it('allows a local part of exactly 64 octets', () => {
    const local = 'a'.repeat(56);

    expect(encodePlusAddress(local + '@x.example', '10040-C')).toEqual({
      ok: true,
      value: local + '+10040-C@x.example',
    });
  });

  it('rejects a local part that would exceed 64 octets', () => {
    const result = encodePlusAddress('a'.repeat(57) + '@x.example', '10040-C');

    expect(result.ok ? null : result.error.code).toBe('WORKLINK_LOCAL_PART_TOO_LONG');
    expect(result.ok ? null : result.error.value).toBe('a'.repeat(57) + '@x.example');
  });

  it('counts octets, not characters', () => {
    const result = encodePlusAddress('ł'.repeat(29) + '@x.example', '10040-C');

    expect(result.ok ? null : result.error.code).toBe('WORKLINK_LOCAL_PART_TOO_LONG');
  });

  it.each([
    ['a@x.example', '10040-C', '.', 'WORKLINK_SEPARATOR_INVALID'],
    ['a@x.example', '10040-C', '++', 'WORKLINK_SEPARATOR_INVALID'],
    ['a@x.example', '10040-C', '', 'WORKLINK_SEPARATOR_INVALID'],
    ['a@x.example', '10040-C', '@', 'WORKLINK_SEPARATOR_INVALID'],
    ['a@x.example', '', '+', 'WORKLINK_TAG_INVALID'],
    ['a@x.example', 'two words', '+', 'WORKLINK_TAG_INVALID'],
    ['a@x.example', 'x@y', '+', 'WORKLINK_TAG_INVALID'],
    ['"john doe"@x.example', '10040-C', '+', 'WORKLINK_LOCAL_PART_QUOTED'],
    ['+a@x.example', '10040-C', '+', 'WORKLINK_SEPARATOR_IN_LOCAL_PART'],
    ['a@', '10040-C', '+', 'WORKLINK_DOMAIN_INVALID'],
    ['Jane <a@x.example>', '10040-C', '+', 'WORKLINK_ADDRESS_NOT_SINGLE'],
  ])('rejects %j tagged %j with separator %j', (address, tag, separator, code) => {
    const result = encodePlusAddress(address, tag, separator);

    expect(result.ok ? null : result.error.code).toBe(code);
  });
});

describe('decodePlusAddress', () => {
  it.each([
    ['pl.support+10040-c@Contoso.Example', 'pl.support@contoso.example', '10040-C'],
    ['pl.support+10040-C-a1@contoso.example', 'pl.support@contoso.example', '10040-C-A1'],
    ['UK.Support+101203-T@contoso.example', 'uk.support@contoso.example', '101203-T'],
    ['pl.support+newsletter@contoso.example', 'pl.support@contoso.example', null],
    ['pl.support+101203-T-A1@contoso.example', 'pl.support@contoso.example', null],
    ['pl.support@contoso.example', 'pl.support@contoso.example', null],
  ])('decodes %j', (address, mailbox, reference) => {
    expect(decodePlusAddress(address)).toEqual({ ok: true, value: { mailbox, reference } });
  });

  it('rejects an invalid separator and an invalid address', () => {
    const separator = decodePlusAddress('a+10040-C@x.example', '#');
    const address = decodePlusAddress('a+10040-C@');

    expect(separator.ok ? null : separator.error.code).toBe('WORKLINK_SEPARATOR_INVALID');
    expect(address.ok ? null : address.error.code).toBe('WORKLINK_DOMAIN_INVALID');
  });
});

describe('validateSeparator', () => {
  it('accepts each allowed separator', () => {
    for (const separator of allowedSeparators) {
      expect(validateSeparator(separator)).toEqual({ ok: true, value: separator });
    }
  });

  it('names the value and the allowed set', () => {
    const result = validateSeparator('.');

    expect(result.ok ? '' : result.error.message).toBe(
      'Separator "." is not allowed: use one of + - _ = ("+" for Exchange Online).',
    );
  });
});
