/**
 * HTTP client of the task pane for the Worklink API. Unlike the send handler, the pane has
 * no 4-second budget: the agent is waiting in front of a spinner, so each request gets
 * `PANE_REQUEST_TIMEOUT_MS`. Failures are `BackendError`s with the handler's codes.
 */
import type {
  AuthConfigResponse,
  CommitRequest,
  CommitResponse,
  ConversationReport,
  ConversationResponse,
  Directory,
  SendPlanRequest,
  SendPlanResponse,
  WorkItemDetail,
  WorkItemListQuery,
  WorkItemStatus,
  WorkItemStatusResponse,
  WorkItemSummary,
} from '../../../core/api-types.js';
import { BackendError } from '../../shared/backend-client.js';
import type { KeyValueStorage } from '../../shared/storage.js';
import { STORAGE_KEYS } from '../../shared/storage.js';

export type { WorkItemDetail, WorkItemSummary } from '../../../core/api-types.js';

/** Time one pane request may take, in milliseconds. */
export const PANE_REQUEST_TIMEOUT_MS = 20_000;

/** The sign-in settings the pane reads from the server, unlike the build-time `AuthConfig` of the send handler. */
export type AuthConfig = AuthConfigResponse;

export interface PaneApi {
  /** `GET /api/v1/auth-config`; needs no token. */
  getAuthConfig(): Promise<AuthConfig>;
  createSendPlan(request: SendPlanRequest): Promise<SendPlanResponse>;
  /** `GET /api/v1/send-plans/{id}`: the plan that Smart Alerts named in `contextData`. */
  getSendPlan(planId: string): Promise<SendPlanResponse>;
  commitSendPlan(planId: string, request: CommitRequest): Promise<CommitResponse>;
  listWorkItems(query: WorkItemListQuery): Promise<WorkItemSummary[]>;
  getWorkItem(reference: string): Promise<WorkItemDetail>;
  /** `PATCH /api/v1/work-items/{reference}`: sets the status of a work item of the agent's team. */
  setWorkItemStatus(reference: string, status: WorkItemStatus): Promise<WorkItemStatusResponse>;
  reportConversation(report: ConversationReport): Promise<ConversationResponse>;
  /** `GET /api/v1/directory`: the connected mailboxes with their teams, and the settings. */
  getDirectory(): Promise<Directory>;
  /** URL of `GET /api/v1/events` with the token as `access_token`, because `EventSource` cannot send headers. */
  eventsUrl(): Promise<string | null>;
}

export interface PaneApiOptions {
  apiOrigin: string;
  storage: KeyValueStorage;
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function apiErrorOf(body: unknown): { code: string; message: string } | undefined {
  if (isObject(body) && typeof body.code === 'string' && typeof body.message === 'string') {
    return { code: body.code, message: body.message };
  }
  return undefined;
}

export function createPaneApi(options: PaneApiOptions): PaneApi {
  const origin = options.apiOrigin.replace(/\/$/, '');
  const timeoutMs = options.timeoutMs ?? PANE_REQUEST_TIMEOUT_MS;
  const doFetch: typeof fetch = options.fetchImpl ?? ((input, init) => fetch(input, init));

  async function request<T>(
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    body: unknown,
    check: (value: unknown) => value is T,
    authenticated = true,
  ): Promise<T> {
    const requestLine = `${method} ${path}`;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (authenticated) {
      const token = await options.storage.getItem(STORAGE_KEYS.accessToken);
      if (!token) {
        throw new BackendError('WORKLINK_NOT_SIGNED_IN', `${requestLine} was not sent: no access token is stored.`);
      }
      headers.Authorization = `Bearer ${token}`;
    }
    if (body !== undefined) headers['Content-Type'] = 'application/json';

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let response: Response;
    try {
      response = await doFetch(`${origin}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
      });
    } catch (error) {
      if (controller.signal.aborted) {
        throw new BackendError('WORKLINK_BACKEND_TIMEOUT', `${requestLine} timed out after ${timeoutMs} ms.`);
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new BackendError('WORKLINK_BACKEND_UNREACHABLE', `${requestLine} failed before a response: ${reason}`);
    } finally {
      clearTimeout(timer);
    }

    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new BackendError(
        'WORKLINK_BACKEND_INVALID_RESPONSE',
        `${requestLine} returned a body that is not JSON.`,
        response.status,
      );
    }

    const apiError = apiErrorOf(parsed);
    if (response.status === 401 || response.status === 403) {
      throw new BackendError(
        'WORKLINK_BACKEND_UNAUTHORIZED',
        `${requestLine} was rejected with status ${response.status}; sign in again.`,
        response.status,
        apiError?.code,
      );
    }
    if (!response.ok) {
      const detail = apiError ? ` (${apiError.code}: ${apiError.message})` : '';
      throw new BackendError(
        'WORKLINK_BACKEND_ERROR',
        `${requestLine} failed with status ${response.status}${detail}.`,
        response.status,
        apiError?.code,
      );
    }
    if (!check(parsed)) {
      throw new BackendError(
        'WORKLINK_BACKEND_INVALID_RESPONSE',
        `${requestLine} returned a body of an unexpected shape; check that the server and add-in versions match.`,
        response.status,
      );
    }
    return parsed;
  }

  const isArray = (value: unknown): value is never[] => Array.isArray(value);
  const isAuthConfig = (value: unknown): value is AuthConfig =>
    isObject(value) && (value.mode === 'dev' || (value.mode === 'entra' && typeof value.clientId === 'string'));
  const isPlan = (value: unknown): value is SendPlanResponse =>
    isObject(value) &&
    typeof value.id === 'string' &&
    Array.isArray(value.decisions) &&
    Array.isArray(value.recipients);
  const isCommit = (value: unknown): value is CommitResponse => isObject(value) && Array.isArray(value.recipients);
  const isDetail = (value: unknown): value is WorkItemDetail =>
    isObject(value) && typeof value.reference === 'string' && Array.isArray(value.messages);
  const isConversation = (value: unknown): value is ConversationResponse =>
    isObject(value) && Array.isArray(value.workItems);
  const isStatusResponse = (value: unknown): value is WorkItemStatusResponse =>
    isObject(value) && typeof value.reference === 'string' && typeof value.status === 'string';
  const isDirectory = (value: unknown): value is Directory =>
    isObject(value) && Array.isArray(value.mailboxes) && isObject(value.settings);

  return {
    getAuthConfig: () => request('GET', '/api/v1/auth-config', undefined, isAuthConfig, false),
    createSendPlan: (planRequest) => request('POST', '/api/v1/send-plans', planRequest, isPlan),
    getSendPlan: (planId) => request('GET', `/api/v1/send-plans/${encodeURIComponent(planId)}`, undefined, isPlan),
    commitSendPlan: (planId, commitRequest) =>
      request('POST', `/api/v1/send-plans/${encodeURIComponent(planId)}/commit`, commitRequest, isCommit),
    listWorkItems: (query) => {
      const parameters = new URLSearchParams();
      if (query.team !== undefined) parameters.set('team', String(query.team));
      if (query.messageId !== undefined) parameters.set('messageId', query.messageId);
      if (query.conversationId !== undefined) parameters.set('conversationId', query.conversationId);
      const search = parameters.toString();
      return request('GET', `/api/v1/work-items${search === '' ? '' : `?${search}`}`, undefined, isArray);
    },
    getWorkItem: (reference) =>
      request('GET', `/api/v1/work-items/${encodeURIComponent(reference)}`, undefined, isDetail),
    setWorkItemStatus: (reference, status) =>
      request('PATCH', `/api/v1/work-items/${encodeURIComponent(reference)}`, { status }, isStatusResponse),
    reportConversation: (report) => request('POST', '/api/v1/conversations', report, isConversation),
    getDirectory: () => request('GET', '/api/v1/directory', undefined, isDirectory),
    eventsUrl: async () => {
      const token = await options.storage.getItem(STORAGE_KEYS.accessToken);
      if (!token) return null;
      return `${origin}/api/v1/events?access_token=${encodeURIComponent(token)}`;
    },
  };
}
