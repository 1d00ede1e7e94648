import { describe, expect, it } from 'vitest';
import { parseAddrSpec } from '../../src/core/addr-spec.js';
import { coreErrorCodes } from '../../src/core/error-codes.js';
import { parseReference } from '../../src/core/reference.js';
import { WorklinkError } from '../../src/server/errors.js';
import { coreErrorText, polishCount } from '../../src/server/localized-text.js';
import { createClientAllowList } from '../../src/server/mail/client-allow-list.js';
import { GraphResponseError } from '../../src/server/mail/graph-sync/graph-client.js';
import { validateFormValues } from '../../src/server/repositories/team-forms.js';
import { validateFormEntries } from '../../src/server/send-plans/form-fields.js';
import type { FormField } from '../../src/core/api-types.js';

const workItems = { one: 'zgłoszenie', few: 'zgłoszenia', many: 'zgłoszeń' };

function thrownBy(run: () => unknown): WorklinkError {
  try {
    run();
  } catch (error) {
    if (error instanceof WorklinkError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a WorklinkError');
}

describe('polishCount', () => {
  it.each([
    [0, '0 zgłoszeń'],
    [1, '1 zgłoszenie'],
    [2, '2 zgłoszenia'],
    [4, '4 zgłoszenia'],
    [5, '5 zgłoszeń'],
    [11, '11 zgłoszeń'],
    [12, '12 zgłoszeń'],
    [14, '14 zgłoszeń'],
    [21, '21 zgłoszeń'],
    [22, '22 zgłoszenia'],
    [112, '112 zgłoszeń'],
    [124, '124 zgłoszenia'],
  ])('writes %i with its form', (count, expected) => {
    expect(polishCount(count, workItems)).toBe(expected);
  });
});

describe('coreErrorText', () => {
  it('keeps the English core message', () => {
    const parsed = parseAddrSpec('no-at-sign');
    if (parsed.ok) {
      throw new Error('parseAddrSpec accepted an address without @');
    }

    expect(coreErrorText(parsed.error)).toEqual({
      en: 'Address "no-at-sign" has no "@": write it as local@domain.',
      pl: 'Adres "no-at-sign" nie zawiera znaku "@": wpisz go w postaci nazwa@domena.',
    });
  });

  it('explains a reference in Polish', () => {
    const parsed = parseReference('10040-T-A1');
    if (parsed.ok) {
      throw new Error('parseReference accepted an action of a ticket');
    }

    expect(coreErrorText(parsed.error).pl).toBe(
      '"10040-T-A1" nie jest numerem zgłoszenia: wpisz go w postaci 101203-T (zgłoszenie serwisowe), 10040-C (sprawa) albo 10040-C-A1 (działanie).',
    );
  });

  it('gives each core code Polish text', () => {
    for (const code of Object.keys(coreErrorCodes)) {
      const text = coreErrorText({ code, message: 'English', value: 'x@y' });
      expect(text.pl, code).not.toContain(code);
      expect(text.pl, code).not.toBe('English');
    }
  });

  it('names an unknown code', () => {
    expect(coreErrorText({ code: 'WORKLINK_SOMETHING_NEW', message: 'English', value: 'abc' }).pl).toBe(
      'Wartość "abc" jest nieprawidłowa (WORKLINK_SOMETHING_NEW).',
    );
  });
});

describe('form value problems', () => {
  const form: FormField[] = [
    { name: 'entity', label: { en: 'Legal entity', pl: 'Podmiot' }, type: 'choice', required: true, options: ['A'] },
  ];

  it('gives details in both languages', () => {
    const error = thrownBy(() => validateFormValues(form, { entity: 'B' }));

    expect(error.details).toEqual([{ field: 'entity', problem: 'has "B", which is not one of A' }]);
    expect(error.detailsIn('en')).toEqual(error.details);
    expect(error.detailsIn('pl')).toEqual([{ field: 'entity', problem: 'ma wartość "B", a dozwolone wartości to A' }]);
    expect(error.text.pl).toBe('Pole "entity" ma wartość "B", a dozwolone wartości to A: popraw wartości formularza.');
  });

  it('aggregates both languages per mailbox', () => {
    const error = thrownBy(() =>
      validateFormEntries([
        { mailbox: 'one@contoso.example', form, values: {} },
        { mailbox: 'two@contoso.example', form, values: { entity: 'A' } },
        { mailbox: 'three@contoso.example', form, values: { entity: 'C' } },
      ]),
    );

    expect(error.code).toBe('WORKLINK_FIELDS_INVALID');
    expect(error.detailsIn('en')).toEqual([
      { mailbox: 'one@contoso.example', field: 'entity', problem: 'is required' },
      { mailbox: 'three@contoso.example', field: 'entity', problem: 'has "C", which is not one of A' },
    ]);
    expect(error.detailsIn('pl')).toEqual([
      { mailbox: 'one@contoso.example', field: 'entity', problem: 'jest wymagane' },
      { mailbox: 'three@contoso.example', field: 'entity', problem: 'ma wartość "C", a dozwolone wartości to A' },
    ]);
    expect(error.message).toBe(
      'Invalid creation form values: field "entity" for one@contoso.example is required; ' +
        'field "entity" for three@contoso.example has "C", which is not one of A. Correct them and commit again.',
    );
  });
});

describe('mail errors in Polish', () => {
  it('explains a Graph error status', () => {
    const error = new GraphResponseError(403, 'delta page', 'ErrorAccessDenied');

    expect(error.message).toBe(
      'Graph returned HTTP 403 (ErrorAccessDenied) for the delta page request. ' +
        'Grant the app registration the Mail.Read application permission with admin consent.',
    );
    expect(error.text.pl).toBe(
      'Graph odpowiedział kodem HTTP 403 (ErrorAccessDenied) na żądanie strony delta. ' +
        'Nadaj rejestracji aplikacji uprawnienie aplikacji Mail.Read ze zgodą administratora.',
    );
  });

  it('explains an invalid subnet', async () => {
    const error = await createClientAllowList(['10.0.0.0/33']).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(WorklinkError);
    expect((error as WorklinkError).text).toEqual({
      en: 'WORKLINK_SMTP_ALLOWED_HOSTS entry "10.0.0.0/33" has an invalid prefix length: write a subnet as 10.0.0.0/8.',
      pl: 'Wpis "10.0.0.0/33" w WORKLINK_SMTP_ALLOWED_HOSTS ma nieprawidłową długość prefiksu: zapisz podsieć w postaci 10.0.0.0/8.',
    });
  });
});
