/**
 * Sends Microsoft Graph GET requests as JSON `$batch` requests through
 * `@microsoft/microsoft-graph-client`. Only `Client`, `BatchRequestContent` and `ResponseType`
 * are imported, from their own modules, to keep the launch-event bundle within its budget.
 * Graph takes at most 20 requests per batch, so more requests go out as several batches,
 * at most 3 at a time.
 */
import { Client } from '@microsoft/microsoft-graph-client/lib/es/src/Client.js';
import { ResponseType } from '@microsoft/microsoft-graph-client/lib/es/src/ResponseType.js';
import { BatchRequestContent } from '@microsoft/microsoft-graph-client/lib/es/src/content/BatchRequestContent.js';
import type { Context } from '@microsoft/microsoft-graph-client/lib/es/src/IContext.js';

/** Maximum requests in one Graph `$batch`, documented by Microsoft Graph. */
export const MAX_BATCH_REQUESTS = 20;

/** Batches in flight at once when one round needs more than one. */
export const MAX_BATCHES_IN_FLIGHT = 3;

/** The `fetch` that reaches Graph: the host's, or a fake in tests. */
export type GraphFetch = (url: string, init: RequestInit) => Promise<Response>;

export interface GraphGet {
  /** Unique within one call of `sendBatches`. */
  id: string;
  /** Path and query relative to the version, such as `/users?$filter=...`. */
  url: string;
}

/** One response of a batch; `body` is the parsed JSON of a 2xx response. */
export interface GraphBatchResponse {
  status: number;
  body: unknown;
}

export interface GraphBatchOptions {
  fetch: GraphFetch;
  token: string;
  /** Milliseconds all batches of this call may take together. */
  timeoutMs: number;
}

export class GraphLookupError extends Error {
  declare readonly code: 'WORKLINK_GRAPH_LOOKUP_FAILED';
  /** HTTP status of the failed `POST /$batch`, when Graph sent one. */
  declare readonly status: number | undefined;

  constructor(message: string, status?: number) {
    super(`WORKLINK_GRAPH_LOOKUP_FAILED: ${message}`);
    this.name = 'GraphLookupError';
    this.code = 'WORKLINK_GRAPH_LOOKUP_FAILED';
    this.status = status;
  }
}

/**
 * Creates the Graph client's last middleware, which sends the request with the given `fetch`
 * and bearer token, so the client needs no authentication provider and tests need no network.
 */
function fetchMiddleware(fetchGraph: GraphFetch, token: string, signal: AbortSignal | undefined) {
  return {
    async execute(context: Context): Promise<void> {
      const options = context.options || {};
      const headers: Record<string, string> = {};
      const given = (options.headers || {}) as Record<string, string>;
      for (const name of Object.keys(given)) headers[name] = given[name] as string;
      headers.Authorization = `Bearer ${token}`;

      const init: RequestInit = { method: options.method || 'GET', headers };
      if (options.body !== undefined) init.body = options.body;
      if (signal) init.signal = signal;
      context.response = await fetchGraph(String(context.request), init);
    },
  };
}

/**
 * Builds a `Request`-like object for `BatchRequestContent`, which reads only `url`, `method`
 * and `headers.forEach` of a GET. The JavaScript-only runtime may have no `Request` class.
 */
function batchStep(url: string): Request {
  const headers = { forEach: (_callback: (value: string, key: string) => void) => undefined };
  return { url, method: 'GET', headers } as unknown as Request;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function sendOneBatch(
  client: Client,
  requests: readonly GraphGet[],
  into: { [id: string]: GraphBatchResponse },
): Promise<void> {
  const content = new BatchRequestContent(
    requests.map((request) => ({ id: request.id, request: batchStep(request.url) })),
  );
  const body = (await client
    .api('/$batch')
    .responseType(ResponseType.JSON)
    .post(await content.getContent())) as unknown;

  if (!isObject(body) || !Array.isArray(body.responses)) {
    throw new GraphLookupError('POST /$batch returned no `responses` array.');
  }
  for (const response of body.responses) {
    if (!isObject(response) || typeof response.id !== 'string' || typeof response.status !== 'number') continue;
    into[response.id] = { status: response.status, body: response.body };
  }
}

/**
 * Sends `requests` in batches of at most 20, at most 3 batches in flight, and returns the
 * responses by request id. A request without a response in the batch result is missing from the result.
 * Rejects with `GraphLookupError` when a batch fails as a whole or time runs out.
 */
export function sendBatches(
  requests: readonly GraphGet[],
  options: GraphBatchOptions,
): Promise<{ [id: string]: GraphBatchResponse }> {
  const results: { [id: string]: GraphBatchResponse } = {};
  if (requests.length === 0) return Promise.resolve(results);
  if (options.timeoutMs <= 0) {
    return Promise.reject(new GraphLookupError('no time is left for Graph in this send.'));
  }

  const controller = typeof AbortController === 'function' ? new AbortController() : undefined;
  const client = Client.initWithMiddleware({
    middleware: fetchMiddleware(options.fetch, options.token, controller ? controller.signal : undefined),
  });
  const chunks: GraphGet[][] = [];
  for (let i = 0; i < requests.length; i += MAX_BATCH_REQUESTS) chunks.push(requests.slice(i, i + MAX_BATCH_REQUESTS));

  let next = 0;
  async function worker(): Promise<void> {
    while (next < chunks.length) {
      const chunk = chunks[next] as GraphGet[];
      next += 1;
      await sendOneBatch(client, chunk, results);
    }
  }
  const workers: Promise<void>[] = [];
  for (let i = 0; i < Math.min(MAX_BATCHES_IN_FLIGHT, chunks.length); i++) workers.push(worker());
  const all = Promise.all(workers).then(
    () => results,
    (error: unknown) => {
      throw toLookupError(error);
    },
  );

  // Without setTimeout (the JavaScript-only runtime) nothing can end the wait, and the batches run unbounded.
  if (typeof setTimeout !== 'function') return all;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      if (controller) controller.abort();
      reject(new GraphLookupError(`the lookup timed out after ${options.timeoutMs} ms.`));
    }, options.timeoutMs);
    all.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Wraps the Graph client's `GraphError` (which has `statusCode`) and any other failure. */
function toLookupError(error: unknown): GraphLookupError {
  if (error instanceof GraphLookupError) return error;
  if (isObject(error) && typeof error.statusCode === 'number' && error.statusCode > 0) {
    const detail = String(error.code || error.message || '');
    return new GraphLookupError(`POST /$batch failed with status ${error.statusCode}: ${detail}`, error.statusCode);
  }
  return new GraphLookupError(`POST /$batch failed: ${error instanceof Error ? error.message : String(error)}`);
}
