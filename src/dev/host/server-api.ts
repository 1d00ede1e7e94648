/**
 * Requests the simulator page makes for itself, standing in for Exchange: the agent's sign-in,
 * the messages of their teams' mailboxes, and delivery of sent mail. They are not the add-in's
 * requests, so the page does not count them. All paths are on the page's own origin.
 */
import type { MessageAddress, WorkItemDetail, WorkItemSummary } from '../../core/api-types.js';

export interface SimulatorSetup {
  sendMode: 'PromptUser' | 'SoftBlock' | 'Block';
  agents: { email: string; displayName: string }[];
}

export interface Agent {
  email: string;
  displayName: string;
  teamIds: number[];
  isAdmin: boolean;
}

export interface MailboxMessage {
  messageId: string;
  from: string;
  fromName: string | null;
  to: MessageAddress[];
  cc: MessageAddress[];
  date: string;
  subject: string;
  textBody: string;
  /** References of the work items of the agent's teams that hold this message. */
  workItems: string[];
}

/** Work items read to fill the message list; the newest come first. */
const MAX_WORK_ITEMS = 40;

async function request<T>(method: string, path: string, token: string | null, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
  if (!response.ok) {
    const error = parsed as { code?: string; message?: string } | undefined;
    throw new Error(`${method} ${path} returned ${response.status}: ${error?.code ?? ''} ${error?.message ?? text}`);
  }
  return parsed as T;
}

export function loadSetup(): Promise<SimulatorSetup> {
  return request('GET', '/dev/outlook/api/setup', null);
}

export async function signIn(email: string): Promise<{ token: string; agent: Agent }> {
  const { accessToken } = await request<{ accessToken: string }>('POST', '/api/v1/dev/tokens', null, { email });
  const agent = await request<Agent>('GET', '/dev/outlook/api/me', accessToken);
  return { token: accessToken, agent };
}

/** Reads the messages of the work items that the agent's teams own, newest first, each once. */
export async function loadMailbox(token: string, agent: Agent): Promise<MailboxMessage[]> {
  const items = await request<WorkItemSummary[]>('GET', '/api/v1/work-items', token);
  const own = items
    .filter((item) => item.view === 'full' && agent.teamIds.includes(item.teamId))
    .slice(0, MAX_WORK_ITEMS);
  const details = await Promise.all(
    own.map((item) =>
      request<WorkItemDetail>('GET', `/api/v1/work-items/${encodeURIComponent(item.reference)}`, token),
    ),
  );

  const byId = new Map<string, MailboxMessage>();
  for (const detail of details) {
    for (const message of detail.messages) {
      if (!message.messageId) continue;
      const known = byId.get(message.messageId);
      if (known) {
        if (!known.workItems.includes(detail.reference)) known.workItems.push(detail.reference);
        continue;
      }
      byId.set(message.messageId, {
        messageId: message.messageId,
        from: message.from ?? '',
        fromName: message.fromName,
        to: message.to,
        cc: message.cc,
        date: message.date ?? message.receivedAt,
        subject: message.subject,
        textBody: message.textBody ?? '',
        workItems: [detail.reference],
      });
    }
  }
  return [...byId.values()].sort((left, right) => Date.parse(right.date) - Date.parse(left.date));
}

export interface RelayResult {
  accepted: string[];
  rejected: string[];
  response: string;
}

/** Delivers the sample external request to Team A's mailbox. */
export function deliverSampleRequest(token: string): Promise<RelayResult> {
  return request('POST', '/dev/outlook/api/sample-request', token);
}

export function relayMessage(
  token: string,
  raw: string,
  envelope: { from: string; to: string[] },
): Promise<RelayResult> {
  return request('POST', '/dev/outlook/api/relay', token, { raw, envelope });
}
