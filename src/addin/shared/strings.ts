/**
 * User-visible strings of the add-in in English and Polish, read through `t`. The Polish
 * catalogue is typed by the English keys, so a missing translation fails to compile. The task
 * pane uses the same module.
 */

import type { Language } from '../../core/language.js';

export type { Language };

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
  /** Task pane: shared states and errors. `{field}` is a localised field name such as Cc. */
  'pane.loading': 'Loading…',
  'pane.noItem': 'Open or write an email to use Worklink.',
  'error.retry': 'Try again',
  'error.signIn': 'Your Worklink sign-in is missing or has expired. Sign in again.',
  'error.unreachable': 'Worklink could not reach its server. Check your connection and try again.',
  'error.timeout': "Worklink's server took too long to answer. Try again.",
  'error.server':
    "Worklink's server could not complete the request. Try again; if this repeats, tell your administrator.",
  'error.invalidResponse':
    "Worklink's server sent an unexpected answer. Try again; if this repeats, tell your administrator.",
  'error.fieldsInvalid': "Worklink's server did not accept the form values. Check the fields and try again.",
  'error.office': 'Outlook did not complete the request. Try again.',
  'error.rewrite':
    'Outlook did not keep the Worklink addresses in the {field} field. Check the recipients and try again.',
  'error.recipientsChanged': 'The recipients changed after Worklink checked them. Try again to check them anew.',
  'error.sendFailed': 'Outlook could not send the email from here. Press Send in the message window.',
  /** Task pane sign-in with Microsoft Entra ID. */
  'signIn.microsoft': 'Sign in with Microsoft',
  'signIn.microsoftHint': 'Worklink asks once for your consent to act on your work items.',
  'signIn.microsoftFailed': 'Sign-in did not complete. Try again; if this repeats, tell your administrator.',
  'signIn.devHint': 'Local demo server: sign in with the address of a demo agent, such as uk.agent@contoso.example.',
  /** Linking panel in compose mode; `{team}` is a team name, `{mailbox}` its address. */
  'linking.heading': 'Link this email',
  'linking.loadingPlan': 'Checking the recipients…',
  'linking.intro':
    'This email goes to connected mailboxes of other teams. For each team, choose how Worklink links it.',
  'linking.currentItem':
    "Worklink files this email under your work item {reference}. If it belongs to another work item of this conversation, put that item's reference in the subject.",
  'linking.nothingToDecide':
    'No mailbox of another team is among the recipients, so there is nothing to link. Send the email as usual.',
  'linking.alreadyDecided':
    'The recipients already carry the references of linked work items. Send the email as usual.',
  'linking.teamLegend': '{team} ({mailbox})',
  'linking.actionLabel': 'What should Worklink do for {team}?',
  'linking.action.share': 'Share with a linked work item',
  'linking.action.create': 'Create a linked work item',
  'linking.action.plain': 'Send as normal email',
  'linking.linkedItemsLabel': 'Linked work items of {team}',
  'linking.referenceRequired': 'Choose a work item to share the email with.',
  'linking.formHeading': 'New work item for {team}',
  'linking.choose': 'Choose…',
  'linking.dateHint': 'As YYYY-MM-DD, for example 2026-12-31.',
  'linking.datePlaceholder': 'YYYY-MM-DD',
  'linking.currentLabel': "Your team's work item for this email",
  'linking.currentHint': 'Worklink found none. Choose it, or choose none.',
  'linking.currentNone': 'None',
  'linking.confirmAndSend': 'Link and send',
  'linking.sendOnly': 'Send',
  'linking.confirm': 'Link recipients',
  'linking.validationSummary': 'Some choices need attention. Check the marked fields.',
  'linking.choicesSaved':
    'Worklink has saved these choices, so they can no longer change. Try again to apply them to the recipients.',
  'linking.step.commit': 'Saving your choices…',
  'linking.step.rewrite': 'Updating the recipients…',
  'linking.step.record': 'Recording the decision…',
  'linking.step.send': 'Sending…',
  'linking.sent': 'Done. The email was sent with the linked recipients.',
  'linking.pressSend': 'Done. The recipients are linked. Press Send in the message window.',
  'linking.created': 'Created: {references}.',
  'field.required': 'Fill in this field.',
  'field.date': 'Enter a date as YYYY-MM-DD, for example 2026-12-31.',
  'field.noSuchDate': 'This date does not exist: check the month and the day.',
  'field.choice': 'Choose one of the listed values.',
  /** Read mode: the work items of the selected message. */
  'read.heading': 'Work items of this email',
  'read.loading': 'Looking up work items…',
  'read.none': 'This email belongs to no work item that you can see.',
  'read.status': 'Status',
  'read.statusFailed': 'The status was not changed: {message}',
  'read.requester': 'Requester',
  'read.requesterNone': 'Not recorded',
  'read.team': 'Team',
  'read.links': 'Linked work items',
  'read.noLinks': 'No linked work items.',
  'read.messages': 'Messages',
  'read.noMessages': 'No messages yet.',
  'read.from': 'From',
  'read.date': 'Date',
  'read.subject': 'Subject',
  'read.to': 'To: {names}',
  'read.cc': 'Cc: {names}',
  'read.noSubject': '(no subject)',
  'read.live': 'Live updates on',
  'read.liveLost': 'Live updates interrupted; reconnecting…',
  'read.teamFallback': 'Team {id}',
  'view.header': 'Header view',
  'view.headerHint': 'Another team owns this work item: you see its reference, status and message headers only.',
  'status.todo': 'To do',
  'status.in_progress': 'In progress',
  'status.waiting': 'Waiting for requester',
  'status.done': 'Done',
  'type.ticket': 'Ticket',
  'type.case': 'Case',
  'type.action': 'Action',
};

export type StringKey = keyof typeof en;

const pl: Record<StringKey, string> = {
  'sendAlert.decisionNeeded':
    'Worklink: ta wiadomość trafia do zespołów: {teams}. Wybierz zgłoszenia, z którymi ją powiązać, albo utwórz nowe. ' +
    'Kliknij „Powiąż zgłoszenia”, aby zdecydować, lub „Wyślij mimo to”, aby wysłać ją jako zwykłą wiadomość.',
  'sendAlert.decisionNeededMarkdown':
    '**Worklink**: ta wiadomość trafia do zespołów: {teams}.\n\nWybierz zgłoszenia, z którymi ją powiązać, albo utwórz nowe. ' +
    'Kliknij **Powiąż zgłoszenia**, aby zdecydować, lub **Wyślij mimo to**, aby wysłać ją jako zwykłą wiadomość.',
  'sendAlert.decisionButton': 'Powiąż zgłoszenia',
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
  'pane.loading': 'Wczytywanie…',
  'pane.noItem': 'Otwórz lub napisz wiadomość, aby użyć Worklink.',
  'error.retry': 'Spróbuj ponownie',
  'error.signIn': 'Brak logowania do Worklink albo logowanie wygasło. Zaloguj się ponownie.',
  'error.unreachable': 'Worklink nie może połączyć się ze swoim serwerem. Sprawdź połączenie i spróbuj ponownie.',
  'error.timeout': 'Serwer Worklink odpowiadał zbyt długo. Spróbuj ponownie.',
  'error.server':
    'Serwer Worklink nie mógł wykonać żądania. Spróbuj ponownie; jeśli błąd się powtórzy, zgłoś go administratorowi.',
  'error.invalidResponse':
    'Serwer Worklink zwrócił nieoczekiwaną odpowiedź. Spróbuj ponownie; jeśli błąd się powtórzy, zgłoś go administratorowi.',
  'error.fieldsInvalid': 'Serwer Worklink nie przyjął wartości formularza. Sprawdź pola i spróbuj ponownie.',
  'error.office': 'Outlook nie wykonał żądania. Spróbuj ponownie.',
  'error.rewrite': 'Outlook nie zachował adresów Worklink w polu {field}. Sprawdź odbiorców i spróbuj ponownie.',
  'error.recipientsChanged':
    'Odbiorcy zmienili się po sprawdzeniu przez Worklink. Spróbuj ponownie, aby sprawdzić ich od nowa.',
  'error.sendFailed': 'Outlook nie mógł wysłać wiadomości stąd. Kliknij Wyślij w oknie wiadomości.',
  'signIn.microsoft': 'Zaloguj się kontem Microsoft',
  'signIn.microsoftHint': 'Worklink jednorazowo prosi o zgodę na działania na Twoich zgłoszeniach.',
  'signIn.microsoftFailed':
    'Logowanie nie zostało ukończone. Spróbuj ponownie; jeśli błąd się powtórzy, zgłoś go administratorowi.',
  'signIn.devHint':
    'Lokalny serwer demonstracyjny: zaloguj się adresem agenta demonstracyjnego, na przykład uk.agent@contoso.example.',
  'linking.heading': 'Powiąż tę wiadomość',
  'linking.loadingPlan': 'Sprawdzanie odbiorców…',
  'linking.intro':
    'Ta wiadomość trafia do połączonych skrzynek innych zespołów. Dla każdego zespołu wybierz, jak Worklink ma ją powiązać.',
  'linking.currentItem':
    'Worklink przypisze tę wiadomość do zgłoszenia Twojego zespołu {reference}. Jeśli należy ona do innego zgłoszenia z tej konwersacji, wpisz numer tamtego zgłoszenia w temacie.',
  'linking.nothingToDecide':
    'Wśród odbiorców nie ma skrzynki innego zespołu, więc nie ma czego wiązać. Wyślij wiadomość jak zwykle.',
  'linking.alreadyDecided': 'Odbiorcy mają już numery powiązanych zgłoszeń. Wyślij wiadomość jak zwykle.',
  'linking.teamLegend': '{team} ({mailbox})',
  'linking.actionLabel': 'Co Worklink ma zrobić dla zespołu {team}?',
  'linking.action.share': 'Udostępnij powiązanemu zgłoszeniu',
  'linking.action.create': 'Utwórz powiązane zgłoszenie',
  'linking.action.plain': 'Wyślij jako zwykłą wiadomość',
  'linking.linkedItemsLabel': 'Powiązane zgłoszenia zespołu {team}',
  'linking.referenceRequired': 'Wybierz zgłoszenie, któremu udostępnić wiadomość.',
  'linking.formHeading': 'Nowe zgłoszenie dla zespołu {team}',
  'linking.choose': 'Wybierz…',
  'linking.dateHint': 'W formacie RRRR-MM-DD, na przykład 2026-12-31.',
  'linking.datePlaceholder': 'RRRR-MM-DD',
  'linking.currentLabel': 'Zgłoszenie Twojego zespołu dla tej wiadomości',
  'linking.currentHint': 'Worklink go nie znalazł. Wybierz je albo wybierz „Brak”.',
  'linking.currentNone': 'Brak',
  'linking.confirmAndSend': 'Powiąż i wyślij',
  'linking.sendOnly': 'Wyślij',
  'linking.confirm': 'Powiąż odbiorców',
  'linking.validationSummary': 'Niektóre wybory wymagają uwagi. Sprawdź zaznaczone pola.',
  'linking.choicesSaved':
    'Worklink zapisał te wybory, więc nie można ich już zmienić. Spróbuj ponownie, aby zastosować je do adresatów.',
  'linking.step.commit': 'Zapisywanie wyborów…',
  'linking.step.rewrite': 'Aktualizowanie odbiorców…',
  'linking.step.record': 'Zapisywanie decyzji…',
  'linking.step.send': 'Wysyłanie…',
  'linking.sent': 'Gotowe. Wiadomość wysłano z powiązanymi odbiorcami.',
  'linking.pressSend': 'Gotowe. Odbiorcy są powiązani. Kliknij Wyślij w oknie wiadomości.',
  'linking.created': 'Utworzono: {references}.',
  'field.required': 'Wypełnij to pole.',
  'field.date': 'Wpisz datę w formacie RRRR-MM-DD, na przykład 2026-12-31.',
  'field.noSuchDate': 'Taka data nie istnieje: sprawdź miesiąc i dzień.',
  'field.choice': 'Wybierz jedną z podanych wartości.',
  'read.heading': 'Zgłoszenia tej wiadomości',
  'read.loading': 'Wyszukiwanie zgłoszeń…',
  'read.none': 'Ta wiadomość nie należy do żadnego zgłoszenia, które możesz zobaczyć.',
  'read.status': 'Stan',
  'read.statusFailed': 'Nie zmieniono stanu: {message}',
  'read.requester': 'Zgłaszający',
  'read.requesterNone': 'Nie zapisano',
  'read.team': 'Zespół',
  'read.links': 'Powiązane zgłoszenia',
  'read.noLinks': 'Brak powiązanych zgłoszeń.',
  'read.messages': 'Wiadomości',
  'read.noMessages': 'Jeszcze brak wiadomości.',
  'read.from': 'Od',
  'read.date': 'Data',
  'read.subject': 'Temat',
  'read.to': 'Do: {names}',
  'read.cc': 'DW: {names}',
  'read.noSubject': '(bez tematu)',
  'read.live': 'Aktualizacje na żywo włączone',
  'read.liveLost': 'Aktualizacje na żywo przerwane; ponowne łączenie…',
  'read.teamFallback': 'Zespół {id}',
  'view.header': 'Widok nagłówków',
  'view.headerHint': 'To zgłoszenie należy do innego zespołu: widzisz tylko jego numer, stan i nagłówki wiadomości.',
  'status.todo': 'Do zrobienia',
  'status.in_progress': 'W toku',
  'status.waiting': 'Czeka na zgłaszającego',
  'status.done': 'Zakończone',
  'type.ticket': 'Zgłoszenie serwisowe',
  'type.case': 'Sprawa',
  'type.action': 'Działanie',
};

const catalogues: Record<Language, Record<StringKey, string>> = { en, pl };

/** Every key of the catalogues. */
export const STRING_KEYS = Object.keys(en) as StringKey[];

/** Returns the keys that the catalogue of `language` defines, so a test can compare the catalogues. */
export function catalogueKeys(language: Language): string[] {
  return Object.keys(catalogues[language]);
}

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
