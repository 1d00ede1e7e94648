import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';

/**
 * A fake of the parts of Microsoft Graph and Entra ID that the mailbox sync
 * uses, on 127.0.0.1 at free ports. Graph serves message delta pages with
 * `nextLink` and `deltaLink`, `$value` MIME and injected errors such as 429
 * and 503. The authority serves OpenID metadata and a client credentials
 * token endpoint over HTTPS, because msal-node accepts only https authorities.
 */

export const fakeTenantId = '11111111-2222-4333-8444-555555555555';
export const fakeClientId = '66666666-7777-4888-8999-aaaaaaaaaaaa';
export const fakeClientSecret = 'fake-secret-value';

interface StoredMessage {
  id: string;
  conversationId: string;
  internetMessageId: string;
  mime: Buffer;
}

/** One change in a mailbox's inbox, in the order Graph would report it. */
interface InboxChange {
  sequence: number;
  message: StoredMessage;
  removed: boolean;
}

export interface InjectedFault {
  /** Which requests it applies to. */
  kind: 'delta' | 'mime' | 'token';
  status: number;
  retryAfter?: string;
  /** How many matching requests fail with this status; 1 by default. */
  times?: number;
  /** Only requests whose URL contains this text. */
  urlContains?: string;
}

export interface RecordedRequest {
  method: string;
  url: string;
  kind: 'delta' | 'mime' | 'token' | 'metadata' | 'other';
  at: number;
}

export interface FakeGraph {
  /** Graph root with version, for `WORKLINK_GRAPH_BASE_URL`. */
  baseUrl: string;
  /** HTTPS authority origin, for `WORKLINK_GRAPH_AUTHORITY_URL`. */
  authorityUrl: string;
  /** PEM of the authority's self-signed certificate, for `NODE_EXTRA_CA_CERTS` of a server process. */
  authorityCertificate: string;
  /** msal-node network client that trusts the authority's certificate and rejects non-loopback hosts. */
  networkClient: INetworkModule;
  requests: RecordedRequest[];
  /** Tokens issued by the token endpoint. */
  issuedTokens: string[];
  /** Messages per delta page. */
  pageSize: number;
  /** Wait before each delta response, so that concurrent workers overlap. */
  deltaDelayMs: number;
  /** Puts a message into a mailbox's inbox; returns its Graph id. */
  addMessage(mailbox: string, mime: Buffer, conversationId?: string): string;
  /** Records the removal of a message from the inbox. */
  removeMessage(mailbox: string, id: string): void;
  /** Fails the next matching requests with the fault's status. */
  injectFault(fault: InjectedFault): void;
  /** Forgets the delta state, so every saved link gets 410 Gone. */
  expireDeltaState(): void;
  /** Number of `$value` downloads per message id. */
  mimeFetches(id: string): number;
  close(): Promise<void>;
}

let messageCounter = 0;

function sendJson(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function listen(server: http.Server | https.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === '127.0.0.1' || host === '[::1]' || host === 'localhost';
}

/** Creates an msal-node network client over node:https that trusts `ca` and rejects every non-loopback host. */
function createLoopbackNetworkClient(ca: string): INetworkModule {
  const send = <T>(
    method: 'GET' | 'POST',
    url: string,
    options?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> => {
    if (!isLoopbackUrl(url)) {
      return Promise.reject(new Error(`test network client rejected a request to ${new URL(url).host}`));
    }
    return new Promise((resolve, reject) => {
      const request = https.request(url, { method, headers: options?.headers ?? {}, ca }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (typeof value === 'string') {
              headers[name] = value;
            }
          }
          try {
            resolve({ status: response.statusCode ?? 0, headers, body: JSON.parse(text) as T });
          } catch (error) {
            reject(error as Error);
          }
        });
      });
      request.on('error', reject);
      if (options?.body !== undefined) {
        request.write(options.body);
      }
      request.end();
    });
  };
  return {
    sendGetRequestAsync: (url, options) => send('GET', url, options),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
  };
}

export async function startFakeGraph(): Promise<FakeGraph> {
  const inboxes = new Map<string, InboxChange[]>();
  const byId = new Map<string, StoredMessage>();
  const faults: InjectedFault[] = [];
  const fetchCounts = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  const issuedTokens: string[] = [];
  let sequence = 0;
  // Delta and skip tokens carry this epoch; bumping it makes every earlier token stale.
  let epoch = 1;

  const pem = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });

  const fake = {} as FakeGraph;
  const takeFault = (kind: InjectedFault['kind'], url: string): InjectedFault | undefined => {
    const index = faults.findIndex((fault) => fault.kind === kind && url.includes(fault.urlContains ?? ''));
    if (index < 0) {
      return undefined;
    }
    const fault = faults[index]!;
    const left = (fault.times ?? 1) - 1;
    if (left <= 0) {
      faults.splice(index, 1);
    } else {
      fault.times = left;
    }
    return fault;
  };
  const answerFault = (response: http.ServerResponse, fault: InjectedFault): void => {
    const headers: Record<string, string> = fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter };
    sendJson(
      response,
      fault.status,
      { error: { code: `Fake${fault.status}`, message: 'injected by the test' } },
      headers,
    );
  };

  const authorityHandler = async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', fake.authorityUrl);
    if (url.pathname.endsWith('/.well-known/openid-configuration')) {
      requests.push({ method: request.method ?? '', url: url.toString(), kind: 'metadata', at: Date.now() });
      const tenantRoot = `${fake.authorityUrl}/${fakeTenantId}`;
      sendJson(response, 200, {
        issuer: `${tenantRoot}/v2.0`,
        authorization_endpoint: `${tenantRoot}/oauth2/v2.0/authorize`,
        token_endpoint: `${tenantRoot}/oauth2/v2.0/token`,
        end_session_endpoint: `${tenantRoot}/oauth2/v2.0/logout`,
        jwks_uri: `${tenantRoot}/discovery/v2.0/keys`,
        response_modes_supported: ['query'],
      });
      return;
    }
    if (url.pathname === `/${fakeTenantId}/oauth2/v2.0/token` && request.method === 'POST') {
      requests.push({ method: 'POST', url: url.toString(), kind: 'token', at: Date.now() });
      const form = new URLSearchParams(await readBody(request));
      const fault = takeFault('token', url.toString());
      if (fault !== undefined) {
        answerFault(response, fault);
        return;
      }
      const valid =
        form.get('grant_type') === 'client_credentials' &&
        form.get('client_id') === fakeClientId &&
        form.get('client_secret') === fakeClientSecret &&
        form.get('scope')?.split(' ').includes('https://graph.microsoft.com/.default') === true;
      if (!valid) {
        sendJson(response, 401, {
          error: 'invalid_client',
          error_description: 'fake authority: wrong client or scope',
        });
        return;
      }
      const token = `fake-token-${issuedTokens.length + 1}`;
      issuedTokens.push(token);
      sendJson(response, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token });
      return;
    }
    requests.push({ method: request.method ?? '', url: url.toString(), kind: 'other', at: Date.now() });
    sendJson(response, 404, { error: 'not_found' });
  };

  const deltaPage = (mailbox: string, url: URL): unknown => {
    const changes = inboxes.get(mailbox) ?? [];
    const skip = url.searchParams.get('$skiptoken');
    const delta = url.searchParams.get('$deltatoken');
    let after = 0;
    let offset = 0;
    let roundEnd = sequence;
    if (skip !== null) {
      const [tokenEpoch, since, start, end] = skip.split('.').map(Number);
      if (tokenEpoch !== epoch) {
        return null;
      }
      [after, offset, roundEnd] = [since!, start!, end!];
    } else if (delta !== null) {
      const [tokenEpoch, since] = delta.split('.').map(Number);
      if (tokenEpoch !== epoch) {
        return null;
      }
      after = since!;
    }

    // A first round reports the inbox as it is; later rounds report each change since the token.
    const visible =
      after === 0 && delta === null
        ? changes.filter((change) => change.sequence <= roundEnd && !change.removed && !isRemovedLater(changes, change))
        : changes.filter((change) => change.sequence > after && change.sequence <= roundEnd);
    const slice = visible.slice(offset, offset + fake.pageSize);
    const root = `${fake.baseUrl}/users/${encodeURIComponent(mailbox)}/mailFolders/inbox/messages/delta`;
    const value = slice.map((change) =>
      change.removed
        ? { id: change.message.id, '@removed': { reason: 'deleted' } }
        : {
            id: change.message.id,
            conversationId: change.message.conversationId,
            internetMessageId: change.message.internetMessageId,
          },
    );
    if (offset + fake.pageSize < visible.length) {
      return {
        value,
        '@odata.nextLink': `${root}?$skiptoken=${epoch}.${after}.${offset + fake.pageSize}.${roundEnd}`,
      };
    }
    return { value, '@odata.deltaLink': `${root}?$deltatoken=${epoch}.${roundEnd}` };
  };

  const graphHandler = async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', fake.baseUrl);
    const deltaMatch = /^\/v1\.0\/users\/([^/]+)\/mailFolders\/inbox\/messages\/delta$/.exec(url.pathname);
    const mimeMatch = /^\/v1\.0\/users\/([^/]+)\/messages\/([^/]+)\/\$value$/.exec(url.pathname);
    let kind: RecordedRequest['kind'] = 'other';
    if (deltaMatch !== null) {
      kind = 'delta';
    } else if (mimeMatch !== null) {
      kind = 'mime';
    }
    requests.push({ method: request.method ?? '', url: url.toString(), kind, at: Date.now() });

    const authorization = request.headers.authorization ?? '';
    if (!issuedTokens.some((token) => authorization === `Bearer ${token}`)) {
      sendJson(response, 401, { error: { code: 'InvalidAuthenticationToken', message: 'no valid token' } });
      return;
    }
    if (kind === 'other') {
      sendJson(response, 404, { error: { code: 'ResourceNotFound', message: 'fake graph has no such resource' } });
      return;
    }
    const fault = takeFault(kind, url.toString());
    if (fault !== undefined) {
      answerFault(response, fault);
      return;
    }

    if (deltaMatch !== null) {
      if (fake.deltaDelayMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, fake.deltaDelayMs));
      }
      const page = deltaPage(decodeURIComponent(deltaMatch[1]!).toLowerCase(), url);
      if (page === null) {
        sendJson(response, 410, { error: { code: 'SyncStateNotFound', message: 'the sync state expired' } });
        return;
      }
      sendJson(response, 200, page);
      return;
    }

    const id = decodeURIComponent(mimeMatch![2]!);
    const message = byId.get(id);
    if (message === undefined) {
      sendJson(response, 404, { error: { code: 'ErrorItemNotFound', message: 'no such message' } });
      return;
    }
    fetchCounts.set(id, (fetchCounts.get(id) ?? 0) + 1);
    response.writeHead(200, { 'content-type': 'message/rfc822' });
    response.end(message.mime);
  };

  const wrap =
    (handler: (request: http.IncomingMessage, response: http.ServerResponse) => Promise<void>) =>
    (request: http.IncomingMessage, response: http.ServerResponse) => {
      handler(request, response).catch((error: unknown) => {
        sendJson(response, 500, { error: { code: 'FakeFailure', message: String(error) } });
      });
    };
  const graphServer = http.createServer(wrap(graphHandler));
  const authorityServer = https.createServer({ key: pem.private, cert: pem.cert }, wrap(authorityHandler));
  const graphPort = await listen(graphServer);
  const authorityPort = await listen(authorityServer);

  Object.assign(fake, {
    baseUrl: `http://127.0.0.1:${graphPort}/v1.0`,
    authorityUrl: `https://127.0.0.1:${authorityPort}`,
    authorityCertificate: pem.cert,
    networkClient: createLoopbackNetworkClient(pem.cert),
    requests,
    issuedTokens,
    pageSize: 2,
    deltaDelayMs: 0,
    addMessage(mailbox: string, mime: Buffer, conversationId?: string) {
      messageCounter += 1;
      const id = `AAMk-fake-${messageCounter}`;
      const header = /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(mime.toString('utf8'));
      const message: StoredMessage = {
        id,
        conversationId: conversationId ?? `AAQk-conversation-${messageCounter}`,
        internetMessageId: header?.[1] ?? `<${id}@fake.example>`,
        mime,
      };
      byId.set(id, message);
      sequence += 1;
      const key = mailbox.toLowerCase();
      inboxes.set(key, [...(inboxes.get(key) ?? []), { sequence, message, removed: false }]);
      return id;
    },
    removeMessage(mailbox: string, id: string) {
      const key = mailbox.toLowerCase();
      const message = byId.get(id);
      if (message === undefined) {
        throw new Error(`fake graph has no message ${id}`);
      }
      sequence += 1;
      inboxes.set(key, [...(inboxes.get(key) ?? []), { sequence, message, removed: true }]);
    },
    injectFault(fault: InjectedFault) {
      faults.push({ ...fault });
    },
    expireDeltaState() {
      epoch += 1;
    },
    mimeFetches(id: string) {
      return fetchCounts.get(id) ?? 0;
    },
    async close() {
      graphServer.closeAllConnections();
      authorityServer.closeAllConnections();
      await Promise.all([
        new Promise((resolve) => graphServer.close(resolve)),
        new Promise((resolve) => authorityServer.close(resolve)),
      ]);
    },
  } satisfies FakeGraph);
  return fake;
}

function isRemovedLater(changes: InboxChange[], change: InboxChange): boolean {
  return changes.some(
    (other) => other.removed && other.message.id === change.message.id && other.sequence > change.sequence,
  );
}
