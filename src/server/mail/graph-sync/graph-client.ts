import type { FastifyBaseLogger } from 'fastify';
import type { LocalizedText } from '../../../core/language.js';
import { WorklinkError } from '../../errors.js';
import { computeRetryDelay, parseRetryAfter, sleep as defaultSleep } from './retry-delay.js';
import type { RetryPolicy } from './retry-delay.js';
import type { GraphTokenProvider } from './token-provider.js';

/** One entry of a message delta page, with the properties that `$select` requests. */
export interface DeltaMessage {
  id: string;
  conversationId?: string;
  internetMessageId?: string;
  /** Present when the message left the folder since the last round. */
  '@removed'?: { reason?: string };
}

export interface DeltaPage {
  value: DeltaMessage[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

export interface GraphClientOptions {
  /** Graph root including the version, such as `https://graph.microsoft.com/v1.0`. */
  baseUrl: string;
  tokens: GraphTokenProvider;
  retry: RetryPolicy;
  /** Logger that already names the mailbox (masked). */
  log: FastifyBaseLogger;
  /** Aborts requests and waits when the sync stops. */
  signal: AbortSignal;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** A request that the sync sends to Graph, as messages and logs name it. */
type GraphOperation = 'delta page' | 'MIME content';

/** Polish names of the operations, in the genitive that follows "żądanie". */
const polishOperations: Record<GraphOperation, string> = {
  'delta page': 'strony delta',
  'MIME content': 'treści MIME',
};

/** A Graph response other than success, after any retries. */
export class GraphResponseError extends WorklinkError {
  readonly status: number;

  // The message names the operation, not the URL, because the URL contains the mailbox address.
  constructor(status: number, operation: GraphOperation, graphCode: string | undefined) {
    const code = graphCode === undefined ? '' : ` (${graphCode})`;
    const fix = fixFor(status);
    super('WORKLINK_GRAPH_REQUEST_FAILED', {
      en: `Graph returned HTTP ${status}${code} for the ${operation} request. ` + fix.en,
      pl: `Graph odpowiedział kodem HTTP ${status}${code} na żądanie ${polishOperations[operation]}. ` + fix.pl,
    });
    this.status = status;
  }
}

function fixFor(status: number): LocalizedText {
  if (status === 401 || status === 403) {
    return {
      en: 'Grant the app registration the Mail.Read application permission with admin consent.',
      pl: 'Nadaj rejestracji aplikacji uprawnienie aplikacji Mail.Read ze zgodą administratora.',
    };
  }
  if (status === 404) {
    return {
      en: 'Check that the connected mailbox exists in Exchange Online under this address.',
      pl: 'Sprawdź, czy połączona skrzynka istnieje w Exchange Online pod tym adresem.',
    };
  }
  return {
    en: 'The sync retries the mailbox on the next cycle.',
    pl: 'Synchronizacja ponowi próbę dla tej skrzynki w następnym cyklu.',
  };
}

/**
 * Minimal Microsoft Graph client for mailbox sync: bearer token per request,
 * and a retry of 429 and 503 responses that waits out `Retry-After`.
 */
export class GraphClient {
  private readonly baseUrl: URL;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(private readonly options: GraphClientOptions) {
    this.baseUrl = new URL(options.baseUrl.replace(/\/+$/, '') + '/');
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Builds the URL of the first delta round of a mailbox's inbox. */
  initialDeltaUrl(address: string): string {
    const path = `users/${encodeURIComponent(address)}/mailFolders/inbox/messages/delta`;
    const url = new URL(path, this.baseUrl);
    url.search = '?$select=id,conversationId,internetMessageId';
    return url.toString();
  }

  /**
   * Fetches one delta page. `link` is an initial URL, `@odata.nextLink` or
   * `@odata.deltaLink`. Throws `WORKLINK_GRAPH_LINK_REJECTED` for a link
   * outside the configured Graph root, since the bearer token must not go elsewhere.
   */
  async getDeltaPage(link: string): Promise<DeltaPage> {
    const url = this.checkLink(link);
    const response = await this.send(url, 'application/json', 'delta page');
    let body: Partial<DeltaPage> | null = null;
    try {
      body = (await response.json()) as Partial<DeltaPage> | null;
    } catch {
      // Handled below with the same error as a body of the wrong shape.
    }
    if (body === null || typeof body !== 'object' || !Array.isArray(body.value)) {
      throw new WorklinkError('WORKLINK_GRAPH_REQUEST_FAILED', {
        en: 'Graph returned a delta page that is not JSON with a "value" array: check WORKLINK_GRAPH_BASE_URL.',
        pl: 'Graph zwrócił stronę delta, która nie jest JSON-em z tablicą "value": sprawdź WORKLINK_GRAPH_BASE_URL.',
      });
    }
    return body as DeltaPage;
  }

  /**
   * Fetches a message's MIME content (`/messages/{id}/$value`).
   * NOTE: the whole message is read into memory, and WORKLINK_SMTP_MAX_MESSAGE_BYTES does not apply to this path.
   */
  async getMime(address: string, messageId: string): Promise<Buffer> {
    const path = `users/${encodeURIComponent(address)}/messages/${encodeURIComponent(messageId)}/$value`;
    const response = await this.send(new URL(path, this.baseUrl), 'message/rfc822, */*', 'MIME content');
    return Buffer.from(await response.arrayBuffer());
  }

  private checkLink(link: string): URL {
    let url: URL;
    try {
      url = new URL(link);
    } catch {
      url = new URL('invalid:');
    }
    if (url.origin !== this.baseUrl.origin || !url.pathname.startsWith(this.baseUrl.pathname)) {
      const invalid = url.origin === 'null';
      throw new WorklinkError('WORKLINK_GRAPH_LINK_REJECTED', {
        en:
          `Graph returned a link to ${invalid ? 'an invalid URL' : url.origin} outside ${this.baseUrl.toString()}. ` +
          'Set WORKLINK_GRAPH_BASE_URL to the Graph root that the links point to.',
        pl:
          `Graph zwrócił link do ${invalid ? 'nieprawidłowego adresu URL' : url.origin} spoza ${this.baseUrl.toString()}. ` +
          'Ustaw w WORKLINK_GRAPH_BASE_URL adres główny Graph, na który wskazują linki.',
      });
    }
    return url;
  }

  private async send(url: URL, accept: string, operation: GraphOperation): Promise<Response> {
    const { retry, log, signal } = this.options;
    for (let attempt = 1; ; attempt += 1) {
      const token = await this.options.tokens.getAccessToken();
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${token}`, accept },
        signal,
      });
      if (response.ok) {
        return response;
      }

      const throttled = response.status === 429 || response.status === 503;
      if (throttled && attempt < retry.maxAttempts) {
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
        const delayMs = computeRetryDelay(retryAfterMs, attempt, retry);
        await response.body?.cancel();
        log.warn(
          { status: response.status, operation, attempt, retryAfterMs, delayMs },
          'graph request throttled, retrying',
        );
        await this.sleep(delayMs, signal);
        continue;
      }

      const graphCode = await readGraphErrorCode(response);
      throw new GraphResponseError(response.status, operation, graphCode);
    }
  }
}

/** Reads `error.code` of a Graph error body, which names the cause (such as `ErrorItemNotFound`). */
async function readGraphErrorCode(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.json()) as { error?: { code?: unknown } };
    return typeof body.error?.code === 'string' ? body.error.code.slice(0, 100) : undefined;
  } catch {
    return undefined;
  }
}
