/** The simulator's own interface text, in the two display languages it offers. */
export type HostLanguage = 'en' | 'pl';

const english = {
  pageTitle: 'Outlook host simulator · Worklink',
  title: 'Outlook host simulator',
  agent: 'Outlook user',
  signIn: 'Sign in',
  displayLanguage: 'Display language',
  theme: 'Theme',
  themeLight: 'Light',
  themeDark: 'Dark',
  ignorePlusTagChanges: 'Ignore +tag-only recipient changes (web)',
  refireAfterChange: 'Fire the send event again after a change (Mac)',
  staleRecipientList: 'Stale recipient list (UI)',
  backendDown: 'Worklink server down',
  inbox: 'Inbox',
  sentItems: 'Sent items',
  refresh: 'Refresh',
  deliverSample: 'Deliver a sample request',
  newMessage: 'New message',
  reply: 'Reply',
  replyAll: 'Reply all',
  readPaneButton: 'Work items',
  composePaneButton: 'Link work items',
  send: 'Send',
  discard: 'Discard',
  to: 'To',
  cc: 'Cc',
  bcc: 'Bcc',
  subject: 'Subject',
  body: 'Message',
  from: 'From',
  date: 'Date',
  sendAnyway: 'Send Anyway',
  dontSend: "Don't Send",
  closePane: 'Close the task pane',
  noMessages: 'No messages yet.',
  signedOut: 'Choose an agent and sign in to see the mailbox.',
  selectMessage: 'Select a message to read it.',
  replyPrefix: 'RE: ',
  taskPane: 'Worklink task pane',
  takingLonger: 'Worklink is taking longer than expected…',
  handlerRequests: 'Requests made by the send handler: {count}',
  sent: 'Sent: {subject} ({messageId})',
  workItems: 'Work items: {references}',
  log: 'Event log',
  signedInAs: 'Outlook signed in as {email}',
  sampleDelivered: 'sample request delivered to {recipients}',
  nobody: 'nobody',
  none: 'none',
  sendStarted: 'send ({trigger})',
  addinUnavailable: 'the add-in is unavailable; PromptUser sends the message',
  alertOpensPane: 'Smart Alert opens {command}',
  firedAgain: 'the item changed during the send event; the Mac client fires it again',
  sendFailed: 'send failed: {error}',
  handlerAllowed: 'send handler allowed the send',
  handlerStopped: 'send handler stopped the send',
  handlerMessage: '{outcome}: {message}',
  delivered: 'delivered to {accepted}; not delivered here: {rejected}',
  handlerTimedOut: 'Worklink did not finish in time.',
  actionFailed: 'error: {error}',
  startFailed: 'the simulator could not start: {error}',
  switchChanged: 'switch "{name}": {state}',
  switchOn: 'on',
  switchOff: 'off',
  notAnAddress: 'not an address, left out: {entries}',
  launchEventPage: 'launch event page: {page}',
  launchEventOtherOrigin:
    'launchevent="{value}" is not a path on this origin; give one such as /bench/empty-launchevent.html. Running {page}.',
  launchEventNoRole:
    'launchevent="{value}" has no "launchevent" in its path, so the shim would not take the launch-event role. Running {page}.',
  associateIgnored: 'launch event: ignored Office.actions.associate("{name}")',
  associateInPane: 'task pane: Office.actions.associate("{name}") has no effect in a task pane',
  completedAgain: 'launch event: event.completed was called again; Outlook ignores it',
  handlerThrew: 'launch event: the handler threw: {error}',
  requestFailedServerDown: '{role}: {request} (failed: server down)',
} as const;

export type HostStringKey = keyof typeof english;

const polish: Record<HostStringKey, string> = {
  pageTitle: 'Symulator hosta Outlooka · Worklink',
  title: 'Symulator hosta Outlooka',
  agent: 'Użytkownik Outlooka',
  signIn: 'Zaloguj',
  displayLanguage: 'Język interfejsu',
  theme: 'Motyw',
  themeLight: 'Jasny',
  themeDark: 'Ciemny',
  ignorePlusTagChanges: 'Ignoruj zmiany adresatów różniące się tylko +tagiem (web)',
  refireAfterChange: 'Ponów zdarzenie wysyłania po zmianie (Mac)',
  staleRecipientList: 'Nieaktualna lista adresatów (UI)',
  backendDown: 'Serwer Worklink niedostępny',
  inbox: 'Skrzynka odbiorcza',
  sentItems: 'Elementy wysłane',
  refresh: 'Odśwież',
  deliverSample: 'Dostarcz przykładową prośbę',
  newMessage: 'Nowa wiadomość',
  reply: 'Odpowiedz',
  replyAll: 'Odpowiedz wszystkim',
  readPaneButton: 'Zgłoszenia',
  composePaneButton: 'Powiąż zgłoszenia',
  send: 'Wyślij',
  discard: 'Odrzuć',
  to: 'Do',
  cc: 'DW',
  bcc: 'UDW',
  subject: 'Temat',
  body: 'Treść',
  from: 'Od',
  date: 'Data',
  sendAnyway: 'Wyślij mimo to',
  dontSend: 'Nie wysyłaj',
  closePane: 'Zamknij okienko zadań',
  noMessages: 'Nie ma jeszcze wiadomości.',
  signedOut: 'Wybierz agenta i zaloguj się, aby zobaczyć skrzynkę.',
  selectMessage: 'Wybierz wiadomość, aby ją przeczytać.',
  replyPrefix: 'ODP: ',
  taskPane: 'Okienko zadań Worklink',
  takingLonger: 'Dodatek Worklink działa dłużej niż zwykle…',
  handlerRequests: 'Żądania wysłane przez procedurę obsługi wysyłania: {count}',
  sent: 'Wysłano: {subject} ({messageId})',
  workItems: 'Zgłoszenia: {references}',
  log: 'Dziennik zdarzeń',
  signedInAs: 'Outlook: zalogowano jako {email}',
  sampleDelivered: 'przykładową prośbę dostarczono do: {recipients}',
  nobody: 'nikogo',
  none: 'brak',
  sendStarted: 'wysyłanie ({trigger})',
  addinUnavailable: 'dodatek jest niedostępny; tryb PromptUser wysyła wiadomość',
  alertOpensPane: 'Monit (Smart Alert) otwiera {command}',
  firedAgain: 'element zmienił się w trakcie zdarzenia wysyłania; klient na komputery Mac wywołuje je ponownie',
  sendFailed: 'wysyłanie nie powiodło się: {error}',
  handlerAllowed: 'procedura obsługi wysyłania zezwoliła na wysłanie',
  handlerStopped: 'procedura obsługi wysyłania wstrzymała wysłanie',
  handlerMessage: '{outcome}: {message}',
  delivered: 'dostarczono do: {accepted}; tutaj nie dostarczono: {rejected}',
  handlerTimedOut: 'Dodatek Worklink nie zakończył działania w wyznaczonym czasie.',
  actionFailed: 'błąd: {error}',
  startFailed: 'nie udało się uruchomić symulatora: {error}',
  switchChanged: 'przełącznik „{name}”: {state}',
  switchOn: 'włączony',
  switchOff: 'wyłączony',
  notAnAddress: 'pominięto tekst, który nie jest adresem: {entries}',
  launchEventPage: 'strona procedury obsługi wysyłania: {page}',
  launchEventOtherOrigin:
    'launchevent="{value}" nie jest ścieżką na tym samym serwerze; podaj ścieżkę taką jak /bench/empty-launchevent.html. Uruchamiam {page}.',
  launchEventNoRole:
    'ścieżka launchevent="{value}" nie zawiera słowa „launchevent”, więc zastępnik Office.js nie przyjąłby roli procedury obsługi wysyłania. Uruchamiam {page}.',
  associateIgnored: 'procedura obsługi wysyłania: pominięto Office.actions.associate("{name}")',
  associateInPane: 'okienko zadań: Office.actions.associate("{name}") nie działa w okienku zadań',
  completedAgain: 'procedura obsługi wysyłania: event.completed wywołano ponownie; Outlook to pomija',
  handlerThrew: 'procedura obsługi wysyłania zgłosiła wyjątek: {error}',
  requestFailedServerDown: '{role}: {request} (nieudane: serwer niedostępny)',
};

/** A parameter of a host string: a value, or another host string drawn in the same language. */
export type HostParam = string | number | HostMessage;

/** A host string with its parameters, kept unformatted so that it can be drawn again in another display language. */
export interface HostMessage {
  key: HostStringKey;
  params?: Record<string, HostParam>;
}

export function hostText(key: HostStringKey, language: HostLanguage, params: Record<string, HostParam> = {}): string {
  const template: string = language === 'pl' ? polish[key] : english[key];
  return template.replace(/\{(\w+)\}/g, (match, name: string) => {
    if (!Object.prototype.hasOwnProperty.call(params, name)) return match;
    const value = params[name] as HostParam;
    return typeof value === 'object' ? hostText(value.key, language, value.params) : String(value);
  });
}

/** Every key of the catalogues, for tests that compare the two. */
export const HOST_STRING_KEYS = Object.keys(english) as HostStringKey[];

/**
 * Picks the display language for a browser locale such as `navigator.language`: Polish for
 * `pl` and its regional forms (`pl-PL`), English for any other locale.
 */
export function languageOfLocale(locale: string | undefined): HostLanguage {
  return /^pl(?:[-_]|$)/i.test(locale ?? '') ? 'pl' : 'en';
}
