import { describe, expect, it } from 'vitest';
import type { Language } from '../../src/addin/shared/strings.js';
import {
  SMART_ALERT_LABEL_KEYS,
  SMART_ALERT_LABEL_MAX_LENGTH,
  SMART_ALERT_MESSAGE_KEYS,
  SMART_ALERT_MESSAGE_MAX_LENGTH,
  STRING_KEYS,
  resolveLanguage,
  t,
} from '../../src/addin/shared/strings.js';
import {
  decisionAlert,
  escapeMarkdown,
  failureCompletion,
  formatTeamList,
  planInvalidAlert,
  rewriteFailedAlert,
  signInAlert,
} from '../../src/addin/launchevent/smart-alerts.js';

const languages: Language[] = ['en', 'pl'];

/** Team names as large tenants write them: long, with brackets, dashes and Polish letters. */
const longTeamNames = [
  'Obsługa Klienta Biznesowego – Rozliczenia Międzynarodowe (Polska, Kraków)',
  'Customer Operations EMEA – Billing Disputes & Chargebacks (United Kingdom)',
  'Zespół Wsparcia Technicznego Drugiej Linii – Integracje Partnerskie (PL)',
  'Finance Shared Services – Accounts Receivable and Credit Control (Ireland)',
  'Team B (PL)',
];

function placeholders(text: string): string[] {
  return (text.match(/\{[a-zA-Z]+\}/g) ?? []).sort();
}

describe('strings catalogues', () => {
  it('have the same placeholders in both languages', () => {
    for (const key of STRING_KEYS) {
      expect(placeholders(t(key, 'pl')), key).toEqual(placeholders(t(key, 'en')));
    }
  });

  it('have no empty string', () => {
    for (const language of languages) {
      for (const key of STRING_KEYS) expect(t(key, language).trim(), `${language} ${key}`).not.toBe('');
    }
  });

  it('fill placeholders and keep unknown ones', () => {
    expect(t('teams.and', 'en', { list: 'A, B', last: 'C' })).toBe('A, B and C');
    expect(t('teams.and', 'pl', { list: 'A' })).toBe('A i {last}');
  });
});

describe('strings language', () => {
  it('resolves Polish display languages', () => {
    expect(resolveLanguage('pl-PL')).toBe('pl');
    expect(resolveLanguage('PL')).toBe('pl');
  });

  it('falls back to English', () => {
    expect(resolveLanguage('en-GB')).toBe('en');
    expect(resolveLanguage('de-DE')).toBe('en');
    expect(resolveLanguage('')).toBe('en');
    expect(resolveLanguage(undefined)).toBe('en');
  });
});

describe('strings Smart Alert limits', () => {
  for (const language of languages) {
    it(`fit every message untruncated in ${language}`, () => {
      for (let count = 1; count <= longTeamNames.length; count++) {
        const names = longTeamNames.slice(0, count);
        const params = {
          teams: formatTeamList(names, language, (name) => `**${escapeMarkdown(name)}**`),
          field: t('field.bcc', language),
        };
        for (const key of SMART_ALERT_MESSAGE_KEYS) {
          const text = t(key, language, params);
          expect(text.length, `${key} with ${count} teams`).toBeLessThanOrEqual(SMART_ALERT_MESSAGE_MAX_LENGTH);
        }
      }
    });

    it(`fit every button label in ${language}`, () => {
      for (const key of SMART_ALERT_LABEL_KEYS) {
        expect(t(key, language).length, key).toBeLessThanOrEqual(SMART_ALERT_LABEL_MAX_LENGTH);
      }
    });

    it(`fit every completion in ${language}`, () => {
      const completions = [
        decisionAlert(longTeamNames, 'plan-7f3c2a9e-41d8-4b6e-9a57-0c2f1e8d6b31', language, true),
        decisionAlert(longTeamNames.slice(0, 1), 'plan-1', language, false),
        signInAlert(language),
        failureCompletion('prompt', language),
        failureCompletion('prompt', language, 'sendAlert.checkFailed'),
        rewriteFailedAlert('to', language),
        rewriteFailedAlert('cc', language),
        rewriteFailedAlert('bcc', language),
        planInvalidAlert(language),
      ];
      for (const options of completions) {
        expect(options.allowEvent).toBe(false);
        expect((options.errorMessage ?? '').length).toBeGreaterThan(0);
        expect((options.errorMessage ?? '').length).toBeLessThanOrEqual(SMART_ALERT_MESSAGE_MAX_LENGTH);
        expect((options.errorMessageMarkdown ?? '').length).toBeLessThanOrEqual(SMART_ALERT_MESSAGE_MAX_LENGTH);
        expect((options.cancelLabel ?? '').length).toBeLessThanOrEqual(SMART_ALERT_LABEL_MAX_LENGTH);
      }
    });
  }

  it('cuts a message that would pass the limit', () => {
    const names = ['x'.repeat(400), 'y'.repeat(400), 'z'.repeat(400)];

    const options = decisionAlert(names, 'plan-1', 'en', true);

    expect(options.errorMessage?.length).toBeLessThanOrEqual(SMART_ALERT_MESSAGE_MAX_LENGTH);
    expect(options.errorMessageMarkdown?.length).toBeLessThanOrEqual(SMART_ALERT_MESSAGE_MAX_LENGTH);
  });
});

describe('strings team list', () => {
  const plain = (name: string) => name;

  it('joins up to three names', () => {
    expect(formatTeamList(['A'], 'en', plain)).toBe('A');
    expect(formatTeamList(['A', 'B'], 'en', plain)).toBe('A and B');
    expect(formatTeamList(['A', 'B', 'C'], 'pl', plain)).toBe('A, B i C');
  });

  it('counts the rest past three', () => {
    expect(formatTeamList(['A', 'B', 'C', 'D', 'E'], 'en', plain)).toBe('A, B, C and 2 more');
  });

  it('names each team once', () => {
    expect(formatTeamList(['A', 'A', 'B'], 'en', plain)).toBe('A and B');
  });

  it('escapes Markdown in team names', () => {
    expect(escapeMarkdown('Team B (PL) *urgent*')).toBe('Team B \\(PL\\) \\*urgent\\*');
  });
});
