import { maxAddressOctets, maxLocalPartOctets } from '../core/addr-spec.js';
import type { CoreErrorCode } from '../core/error-codes.js';
import type { LocalizedText } from '../core/language.js';
import { allowedSeparators } from '../core/plus-address.js';
import { quote } from '../core/result.js';
import type { CoreError } from '../core/result.js';

/*
 * Polish wording that several server modules share: counts with their Polish plural forms, and
 * the Polish text of the errors that core functions return with an English message only.
 */

/** The forms of a Polish noun after a count: 1, 2–4 (not 12–14), and every other count. */
export interface PolishPluralForms {
  one: string;
  few: string;
  many: string;
}

/** Writes `count` with the Polish form it takes: 1 zgłoszenie, 2 zgłoszenia, 5 zgłoszeń, 22 zgłoszenia. */
export function polishCount(count: number, forms: PolishPluralForms): string {
  const lastDigit = count % 10;
  const lastTwoDigits = count % 100;
  let form = forms.many;
  if (count === 1) {
    form = forms.one;
  } else if (lastDigit >= 2 && lastDigit <= 4 && (lastTwoDigits < 12 || lastTwoDigits > 14)) {
    form = forms.few;
  }
  return `${count} ${form}`;
}

function octets(count: number): string {
  return polishCount(count, { one: 'oktet', few: 'oktety', many: 'oktetów' });
}

/**
 * Polish text of each core error code, built from the value that failed. A core function returns
 * one English message per failure. Where English has several messages for one code, the Polish
 * text names every cause that the code covers, with the same fix.
 */
const polishCoreErrors: Record<CoreErrorCode, (value: string) => string> = {
  WORKLINK_ADDRESS_EMPTY: () => 'Adres jest pusty albo nie jest tekstem: wpisz go w postaci nazwa@domena.',
  WORKLINK_ADDRESS_SYNTAX: (value) =>
    `Lista adresów ${quote(value)} ma nieprawidłową składnię (niezamknięty cudzysłów, komentarz, nawias lub grupa): popraw ją.`,
  WORKLINK_ADDRESS_CONTROL_CHARACTER: (value) =>
    `Adres ${quote(value)} zawiera znak końca wiersza albo inny znak sterujący: usuń go.`,
  WORKLINK_ADDRESS_MISSING_AT: (value) =>
    `Adres ${quote(value)} nie zawiera znaku "@": wpisz go w postaci nazwa@domena.`,
  WORKLINK_ADDRESS_NOT_SINGLE: (value) =>
    `${quote(value)} nie jest pojedynczym adresem: podaj tylko adres w postaci nazwa@domena, bez nazwy wyświetlanej, nawiasów i przecinków.`,
  WORKLINK_ADDRESS_TOO_LONG: (value) =>
    `Adres ${quote(value)} ma więcej niż ${octets(maxAddressOctets)} albo miałby ich więcej po dodaniu tagu: użyj krótszego adresu albo wyślij go bez tagu.`,
  WORKLINK_LOCAL_PART_INVALID: (value) =>
    `Adres ${quote(value)} ma nieprawidłową część przed "@": jest ona pusta, zaczyna się lub kończy kropką, ma dwie kropki obok siebie albo zawiera spację poza cudzysłowem. Popraw tę część adresu.`,
  WORKLINK_LOCAL_PART_TOO_LONG: (value) =>
    `Część adresu ${quote(value)} przed "@" ma więcej niż ${octets(maxLocalPartOctets)} albo miałaby ich więcej po dodaniu tagu: użyj krótszej nazwy skrzynki albo wyślij adres bez tagu.`,
  WORKLINK_LOCAL_PART_QUOTED: (value) =>
    `Adres ${quote(value)} ma część przed "@" w cudzysłowie, do której nie można dodać tagu: wyślij go bez zmian.`,
  WORKLINK_DOMAIN_INVALID: (value) =>
    `Adres ${quote(value)} nie ma domeny albo jego domena nie jest prawidłową nazwą hosta: popraw część adresu po "@".`,
  WORKLINK_SEPARATOR_INVALID: (value) =>
    `Separator ${quote(value)} jest niedozwolony: użyj jednego ze znaków ${allowedSeparators.join(' ')} ("+" dla Exchange Online).`,
  WORKLINK_SEPARATOR_IN_LOCAL_PART: (value) =>
    `Adres ${quote(value)} zawiera separator adresowania z plusem, więc dodanego tagu nie dałoby się odczytać: wyślij go bez zmian.`,
  WORKLINK_TAG_INVALID: (value) =>
    `Tagu ${quote(value)} nie można dodać do adresu: użyj tylko znaków dozwolonych w części adresu przed "@", jak w 10040-C.`,
  WORKLINK_ALREADY_TAGGED: (value) =>
    `Adres ${quote(value)} ma już inny tag, więc drugi tag nie zostanie dodany: zostaw adres bez zmian albo najpierw usuń jego tag.`,
  WORKLINK_REFERENCE_INVALID: (value) =>
    `${quote(value)} nie jest numerem zgłoszenia: wpisz go w postaci 101203-T (zgłoszenie serwisowe), 10040-C (sprawa) albo 10040-C-A1 (działanie).`,
};

function isCoreErrorCode(code: string): code is CoreErrorCode {
  return Object.hasOwn(polishCoreErrors, code);
}

/** The message of a core error in English, as the core function wrote it, and in Polish. */
export function coreErrorText(error: CoreError): LocalizedText {
  const pl = isCoreErrorCode(error.code)
    ? polishCoreErrors[error.code](error.value)
    : `Wartość ${quote(error.value)} jest nieprawidłowa (${error.code}).`;
  return { en: error.message, pl };
}
