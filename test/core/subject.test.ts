import { describe, expect, it } from 'vitest';
import { normalizeSubject, subjectPrefixes } from '../../src/core/subject.js';

describe('normalizeSubject', () => {
  it.each([
    ['RE: Invoice', 'Invoice'],
    ['Re: RE: re: Invoice', 'Invoice'],
    ['FW: Fwd: Invoice', 'Invoice'],
    ['RE[2]: RE(3): Invoice', 'Invoice'],
    ['RE:Invoice', 'Invoice'],
    ['RE：Invoice', 'Invoice'],
    ['RE : TR : Facture n° 12', 'Facture n° 12'],
    ['ODP: PD: Faktura korygująca – zażółć gęślą jaźń', 'Faktura korygująca – zażółć gęślą jaźń'],
    ['Odp: Odp: Zamówienie nr 2024/11/0457', 'Zamówienie nr 2024/11/0457'],
    ['AW: WG: Rechnung für März', 'Rechnung für März'],
    ['Aw: Wtr: Lieferung', 'Lieferung'],
    ['RV: RE: Factura', 'Factura'],
    ['R: I: Rif: Fattura', 'Fattura'],
    ['Antw: Doorst: Factuur', 'Factuur'],
    ['SV: VS: VB: VL: FS: Faktura', 'Faktura'],
    ['RES: ENC: Fatura', 'Fatura'],
    ['REF: ENC: Dossier', 'Dossier'],
    ['回复：转发：会议', '会议'],
    [
      'Re: RE: Invoice 2024/11/0457 - payment status (UK and PL entities)',
      'Invoice 2024/11/0457 - payment status (UK and PL entities)',
    ],
    ['  RE:   Invoice \t  for\r\n  March  ', 'Invoice for March'],
    ['RE:', ''],
    ['', ''],
  ])('normalizes %j', (subject, expected) => {
    expect(normalizeSubject(subject)).toBe(expected);
  });

  it.each([
    ['AW: AW: WG: Ihre Bestellung 4711 – Lieferverzug', 'Ihre Bestellung 4711 – Lieferverzug'],
    ['WG: AW: Rückfrage zur Gutschrift über 1.250,00 €', 'Rückfrage zur Gutschrift über 1.250,00 €'],
    ['Aw: Re: Änderung der Lieferadresse [#10040-C]', 'Änderung der Lieferadresse [#10040-C]'],
    ['Odp: PD: Re: Faktura VAT nr FV/2024/11/0457 [#10040-C]', 'Faktura VAT nr FV/2024/11/0457 [#10040-C]'],
    ['ODP: ODP: Reklamacja – uszkodzona przesyłka (101203-T)', 'Reklamacja – uszkodzona przesyłka (101203-T)'],
    ['PD: Wezwanie do zapłaty', 'Wezwanie do zapłaty'],
  ])('normalizes real-world %j', (subject, expected) => {
    expect(normalizeSubject(subject)).toBe(expected);
  });

  it.each([
    'Rework: x',
    'Research: x',
    'Invoice RE: x',
    'Response: x',
    'Svar på faktura',
    'Ireland: x',
    'Automatic reply: Invoice',
  ])('keeps %j', (subject) => {
    expect(normalizeSubject(subject)).toBe(subject);
  });

  it('strips every listed prefix in any case', () => {
    for (const prefix of subjectPrefixes) {
      expect(normalizeSubject(prefix + ': x')).toBe('x');
      expect(normalizeSubject(prefix.toLowerCase() + ': x')).toBe('x');
    }
  });
});
