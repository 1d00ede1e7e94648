import { describe, expect, it } from 'vitest';
import { findReferencesInSubject, formatReference, parseReference } from '../../src/core/reference.js';

describe('parseReference', () => {
  it.each([
    ['101203-T', { number: 101203, kind: 'ticket', text: '101203-T' }],
    ['101203-t', { number: 101203, kind: 'ticket', text: '101203-T' }],
    ['10040-C', { number: 10040, kind: 'case', text: '10040-C' }],
    [' 10040-c-a1 ', { number: 10040, kind: 'action', action: 1, text: '10040-C-A1' }],
    ['1-T', { number: 1, kind: 'ticket', text: '1-T' }],
    ['9999999999-C-A999999', { number: 9999999999, kind: 'action', action: 999999, text: '9999999999-C-A999999' }],
  ])('parses %j', (input, expected) => {
    expect(parseReference(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    '',
    'T',
    '-T',
    '0-T',
    '0101203-T',
    '12345678901-T',
    '101203-X',
    '101203-TX',
    '101203-T-A1',
    '10040-C-A0',
    '10040-C-A1234567',
    '10040-C-B1',
    '#10040-C',
    '10040 C',
    '１００４０-C',
  ])('rejects %j', (input) => {
    const result = parseReference(input);

    expect(result.ok ? null : result.error.code).toBe('WORKLINK_REFERENCE_INVALID');
  });
});

describe('formatReference', () => {
  it.each([
    [{ number: 101203, kind: 'ticket' as const }, '101203-T'],
    [{ number: 10040, kind: 'case' as const }, '10040-C'],
    [{ number: 10040, kind: 'action' as const, action: 3 }, '10040-C-A3'],
    [{ number: 10040, kind: 'case' as const, action: 3 }, '10040-C'],
  ])('formats %j', (parts, expected) => {
    expect(formatReference(parts)).toEqual({ ok: true, value: expected });
  });

  it.each([
    { number: 0, kind: 'ticket' as const },
    { number: 1.5, kind: 'case' as const },
    { number: 10000000000, kind: 'case' as const },
    { number: 10040, kind: 'action' as const },
    { number: 10040, kind: 'action' as const, action: 0 },
    { number: Number.NaN, kind: 'ticket' as const },
  ])('rejects %j', (parts) => {
    const result = formatReference(parts);

    expect(result.ok ? null : result.error.code).toBe('WORKLINK_REFERENCE_INVALID');
  });

  it('rejects an unknown kind', () => {
    const parts = JSON.parse('{"number": 5, "kind": "project"}') as Parameters<typeof formatReference>[0];

    expect(formatReference(parts).ok).toBe(false);
  });

  it('round-trips with parseReference', () => {
    const parsed = parseReference('10040-c-a12');

    const formatted = parsed.ok ? formatReference(parsed.value) : null;

    expect(parsed.ok).toBe(true);
    expect(formatted).toEqual({ ok: true, value: '10040-C-A12' });
  });
});

describe('findReferencesInSubject', () => {
  it.each([
    ['[10040-C]Invoice', ['10040-C']],
    ['Invoice[#101203-t]', ['101203-T']],
    ['Invoice #101203-T', ['101203-T']],
    ['Paid (10040-C).', ['10040-C']],
    ['10040-C: invoice', ['10040-C']],
    ['RE: [10040-C-A1] call back', ['10040-C-A1']],
    ['10040-C-A1', ['10040-C-A1']],
    ['101203-T and 10040-C, then 101203-t again', ['101203-T', '10040-C']],
    ['101203-T-urgent', ['101203-T']],
    ['„10040-C” w sprawie faktury', ['10040-C']],
    ['Zgłoszenie【101203-T】', ['101203-T']],
    ['Ticket：101203-T', ['101203-T']],
    ['9101203-T', ['9101203-T']],
    ['101203-TX', []],
    ['A10040-C', []],
    ['ą10040-C', []],
    ['x10040-C-A1', []],
    ['10040-C-A1X', []],
    ['10040-C_draft', []],
    ['0101203-T', []],
    ['12345678901-T', []],
    ['101203-T-A1', []],
    ['Invoice 2024/11/0457 - payment status', []],
    ['Shipment 88-1204 held at customs', []],
    ['Odp: PD: Faktura VAT nr FV/2024/11/0457 [#10040-C]', ['10040-C']],
    ['AW: Änderung der Lieferadresse (Vorgang 101203-T)', ['101203-T']],
    ['Reklamacja 101203-T, zob. też 10040-C-A2', ['101203-T', '10040-C-A2']],
    ['', []],
  ])('finds in %j', (subject, expected) => {
    expect(findReferencesInSubject(subject)).toEqual(expected);
  });
});
