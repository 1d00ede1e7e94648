import type { Language, LocalizedText } from '../core/language.js';

/**
 * Error catalog of the Worklink server. Codes are stable: clients and tools
 * match on them, so a code is never renamed or reused for another meaning.
 * Every code is documented in `docs/errors.md`, and a test checks that.
 * Other parts of the server add their codes here and to that document.
 */
export const errorCatalog = {
  WORKLINK_CONFIG_INVALID: {
    status: 500,
    description: {
      en: 'A `WORKLINK_*` variable is missing or invalid; the server does not start.',
      pl: 'Brakuje zmiennej `WORKLINK_*` albo ma ona nieprawidłową wartość. Serwer się nie uruchamia.',
    },
  },
  WORKLINK_DEV_AUTH_NOT_LOOPBACK: {
    status: 500,
    description: {
      en: 'Dev authentication is configured on a host other than loopback; the server does not start.',
      pl: 'Uwierzytelnianie deweloperskie jest skonfigurowane na hoście innym niż pętla zwrotna. Serwer się nie uruchamia.',
    },
  },
  WORKLINK_INTERNAL: {
    status: 500,
    description: {
      en: 'An unexpected server error. The body stays generic and the log keeps the detail.',
      pl: 'Nieoczekiwany błąd serwera. Treść odpowiedzi pozostaje ogólna, a szczegóły zapisuje dziennik.',
    },
  },
  WORKLINK_UNAVAILABLE: {
    status: 503,
    description: {
      en: 'The database or a listener is not ready, or the instance is shutting down, so it cannot serve the request now.',
      pl: 'Baza danych lub nasłuch nie są gotowe albo instancja się zatrzymuje, więc serwer nie może teraz obsłużyć żądania.',
    },
  },
  WORKLINK_MALFORMED_JSON: {
    status: 400,
    description: {
      en: 'The request body is not valid JSON, or it is empty while the content type is JSON.',
      pl: 'Treść żądania nie jest poprawnym JSON-em albo jest pusta, choć typ zawartości to JSON.',
    },
  },
  WORKLINK_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    description: {
      en: 'The request body has a content type other than `application/json`.',
      pl: 'Treść żądania ma typ zawartości inny niż `application/json`.',
    },
  },
  WORKLINK_BODY_TOO_LARGE: {
    status: 413,
    description: {
      en: 'The request body is larger than the server accepts.',
      pl: 'Treść żądania jest większa, niż serwer przyjmuje.',
    },
  },
  WORKLINK_UNKNOWN_FIELD: {
    status: 400,
    description: {
      en: 'The request contains a field that the endpoint does not define; `details` names it.',
      pl: 'Żądanie zawiera pole, którego punkt końcowy nie definiuje. `details` podaje to pole.',
    },
  },
  WORKLINK_VALIDATION_FAILED: {
    status: 400,
    description: {
      en: 'A field of the request has a wrong type, format or value; `details` lists each problem.',
      pl: 'Pole żądania ma nieprawidłowy typ, format lub wartość. `details` wymienia każdy problem.',
    },
  },
  WORKLINK_ROUTE_NOT_FOUND: {
    status: 404,
    description: {
      en: 'No endpoint exists for this method and path.',
      pl: 'Nie ma punktu końcowego dla tej metody i ścieżki.',
    },
  },
  WORKLINK_METHOD_NOT_ALLOWED: {
    status: 405,
    description: {
      en: 'The endpoint exists, but not for this method; the `Allow` header lists the methods it takes.',
      pl: 'Punkt końcowy istnieje, ale nie obsługuje tej metody; nagłówek `Allow` podaje metody, które obsługuje.',
    },
  },
  WORKLINK_FORBIDDEN: {
    status: 403,
    description: {
      en: "The server rejects the path for a reason other than the caller's rights, such as a folder of the add-in files.",
      pl: 'Serwer odrzuca ścieżkę z powodu innego niż uprawnienia autora żądania, na przykład gdy wskazuje ona katalog plików dodatku.',
    },
  },
  WORKLINK_AUTH_MISSING: {
    status: 401,
    description: {
      en: 'The request has no `Authorization: Bearer` access token.',
      pl: 'Żądanie nie ma tokenu dostępu `Authorization: Bearer`.',
    },
  },
  WORKLINK_AUTH_INVALID: {
    status: 401,
    description: {
      en: 'The access token failed verification: bad signature, wrong issuer, audience or tenant, missing scope, or expired.',
      pl: 'Token dostępu nie przeszedł weryfikacji: ma zły podpis, niewłaściwego wystawcę, odbiorcę tokenu (audience) lub dzierżawę, nie ma wymaganego zakresu albo wygasł.',
    },
  },
  WORKLINK_AUTH_KEYS_UNAVAILABLE: {
    status: 503,
    description: {
      en: 'The JSON Web Key Set of the Entra tenant could not be fetched, so tokens cannot be verified.',
      pl: 'Nie udało się pobrać zestawu kluczy (JSON Web Key Set) dzierżawy Entra, więc nie można weryfikować tokenów.',
    },
  },
  WORKLINK_AGENT_NOT_REGISTERED: {
    status: 403,
    description: {
      en: 'The token is valid but its user is not a Worklink agent; an admin must add the agent.',
      pl: 'Token jest prawidłowy, ale jego użytkownik nie jest agentem Worklink. Administrator musi dodać tego agenta.',
    },
  },
  WORKLINK_ADMIN_REQUIRED: {
    status: 403,
    description: {
      en: 'The endpoint is for admins only.',
      pl: 'Ten punkt końcowy jest dostępny tylko dla administratorów.',
    },
  },
  WORKLINK_NOT_TEAM_MEMBER: {
    status: 403,
    description: {
      en: 'The caller is not a member of the team the request acts on.',
      pl: 'Autor żądania nie należy do zespołu, którego dotyczy żądanie.',
    },
  },
  WORKLINK_DEV_TOKEN_REJECTED: {
    status: 403,
    description: {
      en: 'A dev token was requested for an address that is neither an agent nor in `WORKLINK_ADMIN_EMAILS`.',
      pl: 'Zażądano tokenu deweloperskiego dla adresu, który nie należy do agenta i nie ma go w `WORKLINK_ADMIN_EMAILS`.',
    },
  },
  WORKLINK_RATE_LIMITED: {
    status: 429,
    description: {
      en: 'The caller sent more requests than `WORKLINK_RATE_LIMIT_MAX` in the rate-limit window.',
      pl: 'Autor żądań wysłał w oknie limitu więcej żądań niż `WORKLINK_RATE_LIMIT_MAX`.',
    },
  },
  WORKLINK_WORK_ITEM_NOT_FOUND: {
    status: 404,
    description: {
      en: 'No work item with this reference exists, or the caller may not see it.',
      pl: 'Nie ma zgłoszenia o tym numerze albo autor żądania nie może go zobaczyć.',
    },
  },
  WORKLINK_TEAM_NOT_FOUND: {
    status: 404,
    description: {
      en: 'No team with this id exists.',
      pl: 'Nie ma zespołu o tym identyfikatorze.',
    },
  },
  WORKLINK_TEAM_NAME_TAKEN: {
    status: 409,
    description: {
      en: 'Another team already has this name, in the same or another letter case.',
      pl: 'Inny zespół ma już tę nazwę, pisaną tak samo lub inną wielkością liter.',
    },
  },
  WORKLINK_MAILBOX_ADDRESS_TAKEN: {
    status: 409,
    description: {
      en: 'The address or alias already belongs to a connected mailbox, as its address or one of its aliases.',
      pl: 'Adres lub alias należy już do połączonej skrzynki jako jej adres albo jeden z jej aliasów.',
    },
  },
  WORKLINK_AGENT_EMAIL_TAKEN: {
    status: 409,
    description: {
      en: 'Another agent already has this email address.',
      pl: 'Inny agent ma już ten adres e-mail.',
    },
  },
  WORKLINK_MAILBOX_NOT_FOUND: {
    status: 404,
    description: {
      en: 'No connected mailbox has this id: it does not exist, or it was disconnected. `POST /api/v1/admin/mailboxes` connects a disconnected address again.',
      pl: 'Żadna połączona skrzynka nie ma tego identyfikatora: skrzynka nie istnieje albo została odłączona. `POST /api/v1/admin/mailboxes` ponownie łączy odłączony adres.',
    },
  },
  WORKLINK_TEAM_NOT_EMPTY: {
    status: 409,
    description: {
      en: 'The team still has connected mailboxes, work items or agents, so it cannot be deleted; `details` gives the counts when they are known.',
      pl: 'Zespół ma jeszcze połączone skrzynki, zgłoszenia lub agentów, więc nie można go usunąć. `details` podaje ich liczby, jeśli są znane.',
    },
  },
  WORKLINK_AGENT_NOT_FOUND: {
    status: 404,
    description: {
      en: 'No agent with access has this id: it does not exist, or it was removed. `POST /api/v1/admin/agents` adds a removed agent again.',
      pl: 'Żaden agent z dostępem nie ma tego identyfikatora: agent nie istnieje albo został usunięty. `POST /api/v1/admin/agents` ponownie dodaje usuniętego agenta.',
    },
  },
  WORKLINK_AGENT_REMOVED: {
    status: 403,
    description: {
      en: 'An admin removed the agent of this token or dev sign-in; an admin must add the agent again.',
      pl: 'Administrator usunął agenta, do którego należy ten token lub logowanie deweloperskie. Administrator musi ponownie dodać tego agenta.',
    },
  },
  WORKLINK_LAST_ADMIN: {
    status: 409,
    description: {
      en: 'The change would demote or remove the last admin, which would leave nobody to manage Worklink.',
      pl: 'Zmiana odebrałaby uprawnienia ostatniemu administratorowi albo by go usunęła, a wtedy nikt nie mógłby zarządzać Worklink.',
    },
  },
  WORKLINK_CONFIGURED_ADMIN: {
    status: 409,
    description: {
      en: 'The agent is listed in `WORKLINK_ADMIN_EMAILS`, which makes it an admin at every start, so the API cannot demote or remove it.',
      pl: 'Agent jest wymieniony w `WORKLINK_ADMIN_EMAILS`, więc przy każdym uruchomieniu staje się administratorem. Dlatego API nie może odebrać mu uprawnień ani go usunąć.',
    },
  },
  WORKLINK_INVALID_ADDRESS: {
    status: 400,
    description: {
      en: 'An email address is not of the form `local@domain`, contains the plus-addressing separator where a plain address is needed, or names a connected mailbox as a requester.',
      pl: 'Adres e-mail nie ma postaci `local@domain`, zawiera separator adresowania z plusem tam, gdzie potrzebny jest zwykły adres, albo wskazuje połączoną skrzynkę jako zgłaszającego.',
    },
  },
  WORKLINK_INVALID_REFERENCE: {
    status: 400,
    description: {
      en: 'A work item reference does not match `NNNNNN-T`, `NNNNN-C` or `NNNNN-C-A<n>`.',
      pl: 'Numer zgłoszenia nie ma postaci `NNNNNN-T`, `NNNNN-C` ani `NNNNN-C-A<n>`.',
    },
  },
  WORKLINK_FORM_INVALID: {
    status: 400,
    description: {
      en: 'A team form definition is invalid, e.g. a `choice` field without options or a repeated field name.',
      pl: 'Definicja formularza zespołu jest nieprawidłowa, na przykład pole `choice` nie ma opcji albo nazwa pola się powtarza.',
    },
  },
  WORKLINK_FIELDS_INVALID: {
    status: 400,
    description: {
      en: "Work item field values do not match the team's creation form; `details` lists each problem.",
      pl: 'Wartości pól zgłoszenia nie pasują do formularza tworzenia zgłoszeń zespołu. `details` wymienia każdy problem.',
    },
  },
  WORKLINK_PARENT_NOT_CASE: {
    status: 400,
    description: {
      en: 'A work item of type `action` was requested under a parent that is not a `case`.',
      pl: 'Zgłoszenie typu `action` (działanie) ma zostać utworzone pod zgłoszeniem nadrzędnym, które nie jest typu `case` (sprawa).',
    },
  },
  WORKLINK_TOO_MANY_RECIPIENTS: {
    status: 413,
    description: {
      en: 'A send plan request lists more than 500 recipients.',
      pl: 'Żądanie planu wysyłki zawiera więcej niż 500 adresatów.',
    },
  },
  WORKLINK_INVALID_RECIPIENT: {
    status: 400,
    description: {
      en: 'Send plan recipients have an invalid address and match no connected mailbox by display name; `details` lists each with its index, field and address error code.',
      pl: 'Adresaci planu wysyłki mają nieprawidłowy adres, a ich nazwa wyświetlana nie pasuje do żadnej połączonej skrzynki. `details` wymienia każdego z nich z indeksem, polem i kodem błędu adresu.',
    },
  },
  WORKLINK_SEND_PLAN_NOT_FOUND: {
    status: 404,
    description: {
      en: 'No send plan with this id exists for the caller; a plan of another agent gets the same response.',
      pl: 'Autor żądania nie ma planu wysyłki o tym identyfikatorze. Plan innego agenta daje tę samą odpowiedź.',
    },
  },
  WORKLINK_PLAN_CHOICE_INVALID: {
    status: 400,
    description: {
      en: 'A commit choice names a mailbox that is not a decision of the plan, repeats a mailbox or lacks the reference of a `share`, or a decision has no choice; `details` names the mailbox.',
      pl: 'Wybór w zatwierdzeniu wskazuje skrzynkę, której nie dotyczy żadna decyzja planu, powtarza skrzynkę albo przy `share` nie podaje numeru zgłoszenia. Błąd występuje też wtedy, gdy dla którejś decyzji brakuje wyboru. `details` podaje skrzynkę.',
    },
  },
  WORKLINK_SHARE_NOT_LINKED: {
    status: 400,
    description: {
      en: "A `share` choice names a work item that is not linked to the plan's current work item or belongs to another team than the mailbox.",
      pl: 'Wybór `share` wskazuje zgłoszenie, które nie jest powiązane z bieżącym zgłoszeniem planu albo należy do innego zespołu niż skrzynka.',
    },
  },
  WORKLINK_CURRENT_ITEM_CONFLICT: {
    status: 409,
    description: {
      en: 'A commit names a current work item other than the one its plan found; request a new plan instead.',
      pl: 'Zatwierdzenie wskazuje inne bieżące zgłoszenie niż to, które znalazł jego plan. Zamiast tego poproś o nowy plan.',
    },
  },
  WORKLINK_UNROUTED_NOT_FOUND: {
    status: 404,
    description: {
      en: 'No message with this id or Message-ID is in the unrouted list.',
      pl: 'Na liście poczty bez dopasowania nie ma wiadomości o tym identyfikatorze ani o tym Message-ID.',
    },
  },
  WORKLINK_UNROUTED_NOT_OPEN: {
    status: 409,
    description: {
      en: 'The unrouted message was already routed or dismissed, by hand or by a later delivery.',
      pl: 'Wiadomość bez dopasowania została już przypisana do zgłoszenia lub odrzucona, ręcznie albo przy późniejszym doręczeniu.',
    },
  },
  WORKLINK_GRAPH_TOKEN_FAILED: {
    status: 502,
    description: {
      en: 'The Graph mailbox sync got no app-only access token from Entra ID for its app registration.',
      pl: 'Synchronizacja skrzynek przez Graph nie uzyskała z Entra ID tokenu dostępu aplikacji (app-only) dla swojej rejestracji aplikacji.',
    },
  },
  WORKLINK_GRAPH_REQUEST_FAILED: {
    status: 502,
    description: {
      en: 'Microsoft Graph answered a mailbox sync request with an error, or with a body that is not a delta page.',
      pl: 'Microsoft Graph odpowiedział na żądanie synchronizacji skrzynki błędem albo treścią, która nie jest stroną zapytania delta.',
    },
  },
  WORKLINK_GRAPH_LINK_REJECTED: {
    status: 502,
    description: {
      en: 'A Graph paging or delta link points outside `WORKLINK_GRAPH_BASE_URL`, so the sync does not follow it.',
      pl: 'Link stronicowania lub link delta z Graph wskazuje adres spoza `WORKLINK_GRAPH_BASE_URL`, więc synchronizacja z niego nie korzysta.',
    },
  },
  WORKLINK_GRAPH_LEASE_LOST: {
    status: 409,
    description: {
      en: "Another server instance took a mailbox's sync lease after it expired; the mailbox is retried next cycle.",
      pl: 'Inna instancja serwera przejęła dzierżawę synchronizacji skrzynki po jej wygaśnięciu. Synchronizacja tej skrzynki zostanie ponowiona w następnym cyklu.',
    },
  },
  WORKLINK_DEV_SIMULATOR_UNAVAILABLE: {
    status: 503,
    description: {
      en: 'The Outlook host simulator cannot serve a page or script: the add-in is not built, or esbuild is missing.',
      pl: 'Symulator hosta Outlooka nie może udostępnić strony ani skryptu: dodatek nie jest zbudowany albo brakuje esbuild.',
    },
  },
  WORKLINK_DEV_RELAY_FAILED: {
    status: 502,
    description: {
      en: "The simulator could not deliver a sent message to the server's SMTP listener.",
      pl: 'Symulator nie mógł dostarczyć wysłanej wiadomości do nasłuchu SMTP serwera.',
    },
  },
  WORKLINK_DEV_RELAY_SENDER_MISMATCH: {
    status: 403,
    description: {
      en: 'The simulator was asked to send a message as someone other than the signed-in agent.',
      pl: 'Symulator miał wysłać wiadomość jako ktoś inny niż zalogowany agent.',
    },
  },
} as const satisfies Record<string, { status: number; description: LocalizedText }>;

export type ErrorCode = keyof typeof errorCatalog;

/** `details` of an error whose entries contain text, once per language. */
export type LocalizedDetails = Readonly<Record<Language, unknown[]>>;

/**
 * An expected failure with a stable code. The server turns it into the body
 * `{ code, message, details? }` with the catalog's status, in the language that the
 * request's `Accept-Language` prefers, except that 5xx bodies are replaced by a generic
 * message. `message` is the English text, which logs and stack traces show.
 */
export class WorklinkError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly text: LocalizedText;
  /** The English details; `detailsIn` gives them in another language. */
  readonly details?: unknown[];
  private readonly localizedDetails?: LocalizedDetails;

  constructor(
    code: ErrorCode,
    text: LocalizedText,
    options: { details?: unknown[] | LocalizedDetails; cause?: unknown } = {},
  ) {
    super(text.en, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WorklinkError';
    this.code = code;
    this.statusCode = errorCatalog[code].status;
    this.text = text;
    const { details } = options;
    if (Array.isArray(details)) {
      this.details = details;
    } else if (details !== undefined) {
      this.details = details.en;
      this.localizedDetails = details;
    }
  }

  /** `details` in `language`; entries without text are the same in every language. */
  detailsIn(language: Language): unknown[] | undefined {
    return this.localizedDetails?.[language] ?? this.details;
  }
}

export function isWorklinkError(error: unknown): error is WorklinkError {
  return error instanceof WorklinkError;
}
