/**
 * HTTP client for the Worklink API as the add-in uses it. It works in the JavaScript-only
 * runtime of classic Outlook on Windows, which needs absolute URLs. Where `AbortController` is
 * missing, a timeout race ends the wait, and the request itself is left to finish.
 */
import type {
  ApiError,
  CommitRequest,
  CommitResponse,
  Directory,
  SendPlanRequest,
  SendPlanResponse,
} from '../../core/api-types.js';
import type { KeyValueStorage } from './storage.js';
import { STORAGE_KEYS } from './storage.js';

/** Time the send handler gives the backend in all, in milliseconds; Outlook shows its "taking longer" notice at 5 s. */
export const BACKEND_BUDGET_MS = 4000;

/** The part of `fetch` that the client uses, so that tests and hosts can pass a minimal one. */
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponseLike>;

export interface FetchInit {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export interface FetchResponseLike {
  status: number;
  ok: boolean;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** Time left for backend requests; every request of one send shares one budget. */
export interface RequestBudget {
  remainingMs(): number;
}

export type BackendErrorCode =
  | 'WORKLINK_NOT_SIGNED_IN'
  | 'WORKLINK_BACKEND_UNAUTHORIZED'
  | 'WORKLINK_BACKEND_UNREACHABLE'
  | 'WORKLINK_BACKEND_TIMEOUT'
  | 'WORKLINK_BACKEND_ERROR'
  | 'WORKLINK_BACKEND_INVALID_RESPONSE'
  | 'WORKLINK_API_ORIGIN_INVALID';

/** A request to the Worklink API that failed. The caller picks its policy by `code`. */
export class BackendError extends Error {
  declare readonly code: BackendErrorCode;
  /** HTTP status, when the server sent a response. */
  declare readonly status: number | undefined;
  /** `code` of the server's error body, when it sent one. */
  declare readonly apiCode: string | undefined;

  constructor(code: BackendErrorCode, message: string, status?: number, apiCode?: string) {
    super(`${code}: ${message}`);
    this.name = 'BackendError';
    this.code = code;
    this.status = status;
    this.apiCode = apiCode;
  }
}

export type DirectoryResult =
  { status: 'modified'; directory: Directory; etag: string | null } | { status: 'not-modified' };

export interface BackendClient {
  /** Sends `GET /api/v1/directory`, with `If-None-Match` when `etag` is given. */
  getDirectory(etag: string | null, budget: RequestBudget): Promise<DirectoryResult>;
  /** Sends `POST /api/v1/send-plans`. */
  createSendPlan(request: SendPlanRequest, budget: RequestBudget): Promise<SendPlanResponse>;
  /** Sends `POST /api/v1/send-plans/{id}/commit`. The server returns the same result for a repeated commit. */
  commitSendPlan(planId: string, request: CommitRequest, budget: RequestBudget): Promise<CommitResponse>;
}

export interface BackendClientOptions {
  fetch: FetchLike;
  /** Absolute origin such as `https://localhost:3000`, without a trailing slash. */
  apiOrigin: string;
  /** Storage that contains the bearer token under `worklink.accessToken`. */
  storage: KeyValueStorage;
}

/** Starts a budget of `totalMs` milliseconds now. */
export function createRequestBudget(clock: Clock, totalMs: number): RequestBudget {
  const deadline = clock.now() + totalMs;
  return { remainingMs: () => deadline - clock.now() };
}

/**
 * Runs `work` and rejects with `WORKLINK_BACKEND_TIMEOUT` once `timeoutMs` have passed,
 * aborting the request where `AbortController` exists. Without `setTimeout` the work runs
 * unbounded, because nothing else can end it.
 */
function raceTimeout<T>(
  work: (signal: AbortSignal | undefined) => Promise<T>,
  timeoutMs: number,
  requestLine: string,
): Promise<T> {
  if (timeoutMs <= 0) {
    return Promise.reject(
      new BackendError('WORKLINK_BACKEND_TIMEOUT', `${requestLine} was not sent: the time budget is used up.`),
    );
  }

  const controller = typeof AbortController === 'function' ? new AbortController() : undefined;

  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;

    if (typeof setTimeout === 'function') {
      timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        if (controller) controller.abort();
        reject(new BackendError('WORKLINK_BACKEND_TIMEOUT', `${requestLine} timed out after ${timeoutMs} ms.`));
      }, timeoutMs);
    }

    function finish(): boolean {
      if (settled) return false;
      settled = true;
      if (timer !== undefined && typeof clearTimeout === 'function') clearTimeout(timer);
      return true;
    }

    work(controller ? controller.signal : undefined).then(
      (value) => {
        if (finish()) resolve(value);
      },
      (error: unknown) => {
        if (finish()) reject(error);
      },
    );
  });
}

function parseJson(text: string, requestLine: string, status: number): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new BackendError(
      'WORKLINK_BACKEND_INVALID_RESPONSE',
      `${requestLine} returned a body that is not JSON.`,
      status,
    );
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDirectory(value: unknown): value is Directory {
  if (!isObject(value) || !Array.isArray(value.mailboxes) || !isObject(value.settings)) return false;
  const settings = value.settings;
  return isObject(settings.plusAddressing) && Array.isArray(settings.internalDomains);
}

function isSendPlanResponse(value: unknown): value is SendPlanResponse {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    value.id !== '' &&
    Array.isArray(value.recipients) &&
    typeof value.decisionNeeded === 'boolean' &&
    Array.isArray(value.decisions)
  );
}

function isCommitResponse(value: unknown): value is CommitResponse {
  return isObject(value) && Array.isArray(value.recipients) && (value.headers === undefined || isObject(value.headers));
}

/** Reads the server's `{code, message}` error body, if it sent one. */
function readApiError(body: unknown): ApiError | undefined {
  if (isObject(body) && typeof body.code === 'string' && typeof body.message === 'string') {
    return { code: body.code, message: body.message };
  }
  return undefined;
}

export function createBackendClient(options: BackendClientOptions): BackendClient {
  const origin = options.apiOrigin;
  if (typeof origin !== 'string' || !/^https?:\/\/[^/?#]+$/.test(origin)) {
    throw new BackendError(
      'WORKLINK_API_ORIGIN_INVALID',
      `API origin "${String(origin)}" is not an absolute http(s) origin without a path; ` +
        'build the add-in with WORKLINK_PUBLIC_ORIGIN set to an origin such as https://worklink.contoso.example.',
    );
  }

  async function request(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    extraHeaders: Record<string, string>,
    budget: RequestBudget,
  ): Promise<{ status: number; body: unknown; etag: string | null }> {
    const requestLine = `${method} ${path}`;
    const token = await options.storage.getItem(STORAGE_KEYS.accessToken);
    if (!token) {
      throw new BackendError(
        'WORKLINK_NOT_SIGNED_IN',
        `${requestLine} was not sent: no access token is stored; sign in from the task pane.`,
      );
    }

    const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${token}` };
    for (const name of Object.keys(extraHeaders)) headers[name] = extraHeaders[name] as string;
    const init: FetchInit = { method, headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }

    return raceTimeout(
      async (signal) => {
        if (signal) init.signal = signal;

        let response: FetchResponseLike;
        try {
          response = await options.fetch(origin + path, init);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new BackendError('WORKLINK_BACKEND_UNREACHABLE', `${requestLine} failed before a response: ${reason}`);
        }

        if (response.status === 304) return { status: 304, body: undefined, etag: response.headers.get('ETag') };

        const text = await response.text();
        const parsed = text === '' ? undefined : parseJson(text, requestLine, response.status);

        if (response.status === 401 || response.status === 403) {
          const apiError = readApiError(parsed);
          throw new BackendError(
            'WORKLINK_BACKEND_UNAUTHORIZED',
            `${requestLine} was rejected with status ${response.status}; sign in again from the task pane.`,
            response.status,
            apiError && apiError.code,
          );
        }
        if (!response.ok) {
          const apiError = readApiError(parsed);
          const detail = apiError ? ` (${apiError.code}: ${apiError.message})` : '';
          throw new BackendError(
            'WORKLINK_BACKEND_ERROR',
            `${requestLine} failed with status ${response.status}${detail}.`,
            response.status,
            apiError && apiError.code,
          );
        }
        return { status: response.status, body: parsed, etag: response.headers.get('ETag') };
      },
      budget.remainingMs(),
      requestLine,
    );
  }

  return {
    async getDirectory(etag, budget) {
      const headers: Record<string, string> = etag ? { 'If-None-Match': etag } : {};
      const result = await request('GET', '/api/v1/directory', undefined, headers, budget);
      if (result.status === 304) return { status: 'not-modified' };
      if (!isDirectory(result.body)) {
        throw new BackendError(
          'WORKLINK_BACKEND_INVALID_RESPONSE',
          'GET /api/v1/directory returned no valid directory.',
          result.status,
        );
      }
      return { status: 'modified', directory: result.body, etag: result.etag };
    },

    async createSendPlan(planRequest, budget) {
      const result = await request('POST', '/api/v1/send-plans', planRequest, {}, budget);
      if (!isSendPlanResponse(result.body)) {
        throw new BackendError(
          'WORKLINK_BACKEND_INVALID_RESPONSE',
          'POST /api/v1/send-plans returned no valid send plan.',
          result.status,
        );
      }
      return result.body;
    },

    async commitSendPlan(planId, commitRequest, budget) {
      const path = `/api/v1/send-plans/${encodeURIComponent(planId)}/commit`;
      const result = await request('POST', path, commitRequest, {}, budget);
      if (!isCommitResponse(result.body)) {
        throw new BackendError(
          'WORKLINK_BACKEND_INVALID_RESPONSE',
          `POST ${path} returned no valid commit result.`,
          result.status,
        );
      }
      return result.body;
    },
  };
}
