/**
 * User-visible strings of the add-in in English and Polish, read through `t`. The Polish
 * catalogue is typed by the English keys, so a missing translation fails to compile. The task
 * pane uses the same module.
 */

export type Language = 'en' | 'pl';

/** Maximum length of a Smart Alerts `errorMessage` and `errorMessageMarkdown` (Mailbox 1.12 and 1.15). */
export const SMART_ALERT_MESSAGE_MAX_LENGTH = 500;

/** Maximum length of a Smart Alerts `cancelLabel` (Mailbox 1.14). */
export const SMART_ALERT_LABEL_MAX_LENGTH = 20;

const en = {
  /** Smart Alert when the agent must choose work items for other teams; `{teams}` lists them. */
  'sendAlert.decisionNeeded':
    'Worklink: this email goes to {teams}. Choose which work items to share it with, or create a new one. ' +
    'Select "Link work items" to decide, or Send Anyway to send it as plain email.',
  'sendAlert.decisionNeededMarkdown':
    '**Worklink**: this email goes to {teams}.\n\nChoose which work items to share it with, or create a new one. ' +
    'Select **Link work items** to decide, or **Send Anyway** to send it as plain email.',
  'sendAlert.decisionButton': 'Link work items',
  'sendAlert.signInNeeded':
    'Worklink needs you to sign in before it can link this email to work items. ' +
    'Select "Sign in" to open Worklink, then press Send again.',
  'sendAlert.signInButton': 'Sign in',
  'sendAlert.backendUnavailable':
    'Worklink could not reach its server, so the recipients were not linked to work items. ' +
    'Select Send Anyway to send the email unchanged, or try again in a moment.',
  'sendAlert.checkFailed':
    'Worklink could not check the recipients of this email, so they were not linked to work items. ' +
    'Select Send Anyway to send the email unchanged, or try again in a moment.',
  'sendAlert.rewriteFailed':
    'Outlook did not accept the Worklink addresses in the {field} field, so the email was not sent. ' +
    'Check the recipients and press Send again.',
  'sendAlert.planInvalid':
    'Worklink received recipients from its server that do not match this email, so the email was not sent. ' +
    'Press Send again; if this repeats, tell your Worklink administrator.',
  /** Ending of a shortened team list, e.g. "Team B (PL), Team C and 3 more". */
  'teams.andMore': '{list} and {count} more',
  'teams.and': '{list} and {last}',
  'field.to': 'To',
  'field.cc': 'Cc',
  'field.bcc': 'Bcc',
  /** Task pane header. */
  'pane.title': 'Worklink',
  'pane.subtitle': "Link this email to your team's work items and to the teams it goes to.",
  /** Task pane dev sign-in form; `{email}` is the address the agent signed in with. */
  'signIn.heading': 'Sign in',
  'signIn.emailLabel': 'Work email address',
  'signIn.submit': 'Sign in',
  'signIn.submitting': 'Signing in…',
  'signIn.success': 'Signed in as {email}. You can send email to connected team mailboxes now.',
  'signIn.emailInvalid': 'Enter a work email address, such as name@contoso.example.',
  'signIn.unreachable': 'Worklink could not reach its server. Check your connection and try again.',
  'signIn.rejected': 'Worklink does not know this address. Check it, or ask your Worklink administrator to add you.',
  'signIn.invalidResponse':
    "Worklink's server sent an unexpected answer. Try again; if this repeats, tell your administrator.",
  'signIn.storageFailed': 'Worklink could not save your sign-in in Outlook. Try again, or restart Outlook.',
};

export type StringKey = keyof typeof en;

const pl: Record<StringKey, string> = {
  'sendAlert.decisionNeeded':
    'Worklink: ta wiadomość trafia do: {teams}. Wybierz zgłoszenia, z którymi ją powiązać, albo utwórz nowe. ' +
    'Wybierz „Połącz zgłoszenia”, aby zdecydować, lub „Wyślij mimo to”, aby wysłać ją jako zwykłą wiadomość.',
  'sendAlert.decisionNeededMarkdown':
    '**Worklink**: ta wiadomość trafia do: {teams}.\n\nWybierz zgłoszenia, z którymi ją powiązać, albo utwórz nowe. ' +
    'Wybierz **Połącz zgłoszenia**, aby zdecydować, lub **Wyślij mimo to**, aby wysłać ją jako zwykłą wiadomość.',
  'sendAlert.decisionButton': 'Połącz zgłoszenia',
  'sendAlert.signInNeeded':
    'Zaloguj się do Worklink, aby powiązać tę wiadomość ze zgłoszeniami. ' +
    'Wybierz „Zaloguj się”, aby otworzyć Worklink, a potem ponownie kliknij Wyślij.',
  'sendAlert.signInButton': 'Zaloguj się',
  'sendAlert.backendUnavailable':
    'Worklink nie może połączyć się ze swoim serwerem, więc odbiorcy nie zostali powiązani ze zgłoszeniami. ' +
    'Wybierz „Wyślij mimo to”, aby wysłać wiadomość bez zmian, lub spróbuj ponownie za chwilę.',
  'sendAlert.checkFailed':
    'Worklink nie mógł sprawdzić odbiorców tej wiadomości, więc nie zostali powiązani ze zgłoszeniami. ' +
    'Wybierz „Wyślij mimo to”, aby wysłać wiadomość bez zmian, lub spróbuj ponownie za chwilę.',
  'sendAlert.rewriteFailed':
    'Outlook nie przyjął adresów Worklink w polu {field}, więc wiadomość nie została wysłana. ' +
    'Sprawdź odbiorców i ponownie kliknij Wyślij.',
  'sendAlert.planInvalid':
    'Serwer Worklink zwrócił odbiorców, którzy nie pasują do tej wiadomości, więc nie została wysłana. ' +
    'Kliknij Wyślij ponownie; jeśli błąd się powtórzy, zgłoś go administratorowi Worklink.',
  'teams.andMore': '{list} i {count} innych',
  'teams.and': '{list} i {last}',
  'field.to': 'Do',
  'field.cc': 'DW',
  'field.bcc': 'UDW',
  'pane.title': 'Worklink',
  'pane.subtitle': 'Powiąż tę wiadomość ze zgłoszeniami swojego zespołu i zespołów, do których trafia.',
  'signIn.heading': 'Logowanie',
  'signIn.emailLabel': 'Służbowy adres e-mail',
  'signIn.submit': 'Zaloguj się',
  'signIn.submitting': 'Logowanie…',
  'signIn.success': 'Zalogowano jako {email}. Możesz już wysyłać wiadomości do połączonych skrzynek zespołów.',
  'signIn.emailInvalid': 'Wpisz służbowy adres e-mail, na przykład imie@contoso.example.',
  'signIn.unreachable': 'Worklink nie może połączyć się ze swoim serwerem. Sprawdź połączenie i spróbuj ponownie.',
  'signIn.rejected': 'Worklink nie zna tego adresu. Sprawdź go albo poproś administratora Worklink o dodanie Cię.',
  'signIn.invalidResponse':
    'Serwer Worklink zwrócił nieoczekiwaną odpowiedź. Spróbuj ponownie; jeśli błąd się powtórzy, zgłoś go administratorowi.',
  'signIn.storageFailed':
    'Worklink nie może zapisać logowania w Outlooku. Spróbuj ponownie albo uruchom Outlooka ponownie.',
};

const catalogues: Record<Language, Record<StringKey, string>> = { en, pl };

/** Every key of the catalogues. */
export const STRING_KEYS = Object.keys(en) as StringKey[];

/** Keys of strings shown as a Smart Alerts `errorMessage` or `errorMessageMarkdown`. */
export const SMART_ALERT_MESSAGE_KEYS: readonly StringKey[] = [
  'sendAlert.decisionNeeded',
  'sendAlert.decisionNeededMarkdown',
  'sendAlert.signInNeeded',
  'sendAlert.backendUnavailable',
  'sendAlert.checkFailed',
  'sendAlert.rewriteFailed',
  'sendAlert.planInvalid',
];

/** Keys of strings shown as a Smart Alerts `cancelLabel`. */
export const SMART_ALERT_LABEL_KEYS: readonly StringKey[] = ['sendAlert.decisionButton', 'sendAlert.signInButton'];

/** Maps an Office display language such as `pl-PL` or `en-GB` to a catalogue; anything not Polish is English. */
export function resolveLanguage(displayLanguage: string | null | undefined): Language {
  if (typeof displayLanguage === 'string' && displayLanguage.toLowerCase().indexOf('pl') === 0) return 'pl';
  return 'en';
}

/**
 * Returns the string `key` in `language` with each `{name}` replaced by `params[name]`.
 * A placeholder without a parameter stays as it is, so a missing value shows up in review
 * rather than as an empty gap in front of the agent.
 */
export function t(key: StringKey, language: Language, params: Record<string, string | number> = {}): string {
  const template = catalogues[language][key];
  return template.replace(/\{([a-zA-Z]+)\}/g, (placeholder: string, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : placeholder,
  );
}
