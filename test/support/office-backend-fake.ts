/**
 * A fake Worklink API behind a `fetch` function, for handler tests. It records every request,
 * classifies recipients against its directory as the server does, and returns the first
 * result for a repeated commit of one plan, creating nothing twice. It opens no socket.
 */
import type {
  ClassifiedRecipient,
  CommitRequest,
  CommitResponse,
  Directory,
  DirectoryMailbox,
  PlanDecision,
  Recipient,
  SendPlanRequest,
  SendPlanResponse,
} from '../../src/core/api-types.js';
import type { FetchInit, FetchLike, FetchResponseLike } from '../../src/addin/shared/backend-client.js';

export interface RecordedRequest {
  method: string;
  url: string;
  /** Path without the origin, such as `/api/v1/send-plans`. */
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

/** `up` returns responses, `down` rejects as for an unreachable host, `hang` never settles unless aborted. */
export type BackendMode = 'up' | 'down' | 'hang';

export interface FakeBackendOptions {
  origin?: string;
  directory: Directory;
  etag?: string;
  /** Bearer token the fake accepts. */
  token?: string;
  /** Team of the agent who sends; its mailboxes are `own-mailbox`. */
  ownTeamId: number;
  /** Work item the compose item belongs to, as the server would find it. */
  currentReference?: string | null;
  /**
   * Work items already linked to the current one, by team id. Exactly one makes it the default
   * choice with no decision needed, so tests reach the commit path without the pane. The real
   * server asks for a decision for every untagged mailbox of another team.
   */
  linkedReferences?: Record<number, string[]>;
  mode?: BackendMode;
  /**
   * Changes the commit response before it is returned, to simulate a server bug. It receives a
   * copy, and the fake stores the changed response for later commits of the plan.
   */
  tamperCommit?: (response: CommitResponse) => CommitResponse;
}

export interface FakeBackend {
  fetch: FetchLike;
  requests: RecordedRequest[];
  /** References created by commits, in order. */
  createdReferences: string[];
  setMode(mode: BackendMode): void;
}

export const FAKE_ORIGIN = 'https://worklink.test';

function splitAddress(address: string): { local: string; tag: string | null; domain: string } {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const plus = local.indexOf('+');
  return {
    local: plus > 0 ? local.slice(0, plus) : local,
    tag: plus > 0 ? local.slice(plus + 1) : null,
    domain: address.slice(at + 1).toLowerCase(),
  };
}

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): FetchResponseLike {
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  return {
    status,
    ok: status >= 200 && status < 300,
    headers: { get: (name: string) => lower[name.toLowerCase()] ?? null },
    text: async () => (body === undefined ? '' : JSON.stringify(body)),
  };
}

export function createFakeBackend(options: FakeBackendOptions): FakeBackend {
  const origin = options.origin ?? FAKE_ORIGIN;
  const token = options.token ?? 'dev-token-uk-agent';
  const etag = options.etag ?? '"directory-v1"';
  let mode: BackendMode = options.mode ?? 'up';
  const requests: RecordedRequest[] = [];
  const createdReferences: string[] = [];
  const plans = new Map<string, { plan: SendPlanResponse; committed?: CommitResponse }>();

  function findMailbox(address: string): DirectoryMailbox | undefined {
    const { local, domain } = splitAddress(address);
    const base = `${local}@${domain}`.toLowerCase();
    return options.directory.mailboxes.find(
      (mailbox) =>
        mailbox.address.toLowerCase() === base || mailbox.aliases.some((alias) => alias.toLowerCase() === base),
    );
  }

  function classify(recipient: Recipient): ClassifiedRecipient {
    const mailbox = findMailbox(recipient.emailAddress);
    if (mailbox) {
      const { tag } = splitAddress(recipient.emailAddress);
      const classified: ClassifiedRecipient = {
        ...recipient,
        class: mailbox.teamId === options.ownTeamId ? 'own-mailbox' : 'connected-mailbox',
        mailbox: mailbox.address,
        teamId: mailbox.teamId,
      };
      if (tag) classified.reference = tag.toUpperCase();
      return classified;
    }
    const { domain } = splitAddress(recipient.emailAddress);
    const internal = options.directory.settings.internalDomains.includes(domain);
    return { ...recipient, class: internal ? 'internal' : 'external' };
  }

  function createPlan(request: SendPlanRequest): SendPlanResponse {
    const recipients = request.recipients.map(classify);
    const decisions: PlanDecision[] = [];
    for (const recipient of recipients) {
      if (recipient.class !== 'connected-mailbox' || recipient.reference) continue;
      if (decisions.some((decision) => decision.mailbox === recipient.mailbox)) continue;
      const mailbox = findMailbox(recipient.emailAddress) as DirectoryMailbox;
      const linked = options.linkedReferences?.[mailbox.teamId] ?? [];
      decisions.push({
        mailbox: mailbox.address,
        teamId: mailbox.teamId,
        teamName: mailbox.teamName,
        linkedItems: linked.map((reference) => ({
          reference,
          type: 'case',
          teamId: mailbox.teamId,
          status: 'todo',
          view: 'header',
        })),
        form: [],
        defaultChoice: linked.length === 1 ? { action: 'share', reference: linked[0] } : { action: 'create' },
      });
    }
    const plan: SendPlanResponse = {
      id: `plan-${plans.size + 1}`,
      currentReference: request.currentReference ?? options.currentReference ?? null,
      recipients,
      decisionNeeded: decisions.some((decision) => decision.linkedItems.length !== 1),
      decisions,
    };
    plans.set(plan.id, { plan });
    return plan;
  }

  function commit(planId: string, request: CommitRequest): CommitResponse | undefined {
    const stored = plans.get(planId);
    if (!stored) return undefined;
    if (stored.committed) return stored.committed;

    const created: string[] = [];
    const referenceByMailbox = new Map<string, string | null>();
    for (const choice of request.choices) {
      if (choice.action === 'create') {
        const reference = `${20001 + createdReferences.length}-T`;
        createdReferences.push(reference);
        created.push(reference);
        referenceByMailbox.set(choice.mailbox, reference);
      } else if (choice.action === 'share') {
        referenceByMailbox.set(choice.mailbox, choice.reference ?? null);
      } else {
        referenceByMailbox.set(choice.mailbox, null);
      }
    }

    const current = request.currentReference ?? stored.plan.currentReference;
    const recipients: Recipient[] = stored.plan.recipients.map((recipient) => {
      const unchanged: Recipient = {
        field: recipient.field,
        emailAddress: recipient.emailAddress,
        displayName: recipient.displayName,
      };
      if (recipient.reference || !recipient.mailbox) return unchanged;
      const reference =
        recipient.class === 'own-mailbox' ? current : (referenceByMailbox.get(recipient.mailbox) ?? null);
      if (!reference) return unchanged;
      const { local, domain } = splitAddress(recipient.mailbox);
      return { ...unchanged, emailAddress: `${local}+${reference}@${domain}` };
    });

    let response: CommitResponse = {
      recipients,
      headers: { 'X-Worklink-Plan': planId },
      notices: [],
      createdReferences: created,
    };
    if (options.tamperCommit) response = options.tamperCommit(structuredClone(response));
    stored.committed = response;
    return response;
  }

  function route(request: RecordedRequest): FetchResponseLike {
    if (request.headers.authorization !== `Bearer ${token}`) {
      return jsonResponse(401, { code: 'WORKLINK_UNAUTHORIZED', message: 'The access token is missing or invalid.' });
    }
    if (request.method === 'GET' && request.path === '/api/v1/directory') {
      if (request.headers['if-none-match'] === etag) return jsonResponse(304, undefined, { ETag: etag });
      return jsonResponse(200, options.directory, { ETag: etag });
    }
    if (request.method === 'POST' && request.path === '/api/v1/send-plans') {
      return jsonResponse(201, createPlan(request.body as SendPlanRequest));
    }
    const commitPath = /^\/api\/v1\/send-plans\/([^/]+)\/commit$/.exec(request.path);
    if (request.method === 'POST' && commitPath) {
      const planId = decodeURIComponent(commitPath[1] as string);
      const response = commit(planId, request.body as CommitRequest);
      if (!response)
        return jsonResponse(404, { code: 'WORKLINK_PLAN_NOT_FOUND', message: `Plan ${planId} not found.` });
      return jsonResponse(200, response);
    }
    return jsonResponse(404, { code: 'WORKLINK_NOT_FOUND', message: `No route ${request.method} ${request.path}.` });
  }

  const fetch: FetchLike = (url: string, init: FetchInit) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(init.headers)) headers[name.toLowerCase()] = value;
    const request: RecordedRequest = {
      method: init.method,
      url,
      path: url.startsWith(origin) ? url.slice(origin.length) : url,
      headers,
      body: init.body === undefined ? undefined : JSON.parse(init.body),
    };
    requests.push(request);

    if (!url.startsWith(`${origin}/`)) {
      return Promise.reject(new TypeError(`fetch to ${url} is outside the fake origin ${origin}`));
    }
    if (mode === 'down') return Promise.reject(new TypeError('fetch failed: connect ECONNREFUSED'));
    if (mode === 'hang') {
      return new Promise((_resolve, reject) => {
        init.signal?.addEventListener('abort', () =>
          reject(new DOMException('The operation was aborted.', 'AbortError')),
        );
      });
    }
    return Promise.resolve(route(request));
  };

  return {
    fetch,
    requests,
    createdReferences,
    setMode: (next) => {
      mode = next;
    },
  };
}

/** Returns the directory of the demo tenant: Team A (UK) and Team B (PL) at contoso.example. */
export function demoDirectory(overrides: Partial<Directory['settings']> = {}): Directory {
  return {
    mailboxes: [
      { address: 'uk.support@contoso.example', aliases: [], teamId: 1, teamName: 'Team A (UK)' },
      {
        address: 'pl.support@contoso.example',
        aliases: ['wsparcie.pl@contoso.example'],
        teamId: 2,
        teamName: 'Team B (PL)',
      },
    ],
    settings: {
      plusAddressing: { mode: 'mixed', separator: '+' },
      internalDomains: ['contoso.example'],
      failurePolicy: 'allow',
      ...overrides,
    },
  };
}
