/** The server's HTTP API as the e2e checks read it, through `inject` with dev tokens. */
import type { WorkItemDetail, WorkItemSummary } from '../../../src/core/api-types.js';
import type { E2eServer } from './e2e-server.js';

export class WorklinkApi {
  private tokens = new Map<string, string>();

  constructor(private readonly server: E2eServer) {}

  async token(email: string): Promise<string> {
    let token = this.tokens.get(email);
    if (token === undefined) {
      const response = await this.server.app.inject({ method: 'POST', url: '/api/v1/dev/tokens', payload: { email } });
      if (response.statusCode !== 200)
        throw new Error(`dev token for ${email}: ${response.statusCode} ${response.body}`);
      token = (response.json() as { accessToken: string }).accessToken;
      this.tokens.set(email, token);
    }
    return token;
  }

  async request<T>(email: string, method: 'GET' | 'PUT' | 'POST', url: string, payload?: object): Promise<T> {
    const response = await this.server.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${await this.token(email)}` },
      ...(payload === undefined ? {} : { payload }),
    });
    if (response.statusCode >= 300)
      throw new Error(`${method} ${url} as ${email}: ${response.statusCode} ${response.body}`);
    return response.json() as T;
  }

  workItems(email: string): Promise<WorkItemSummary[]> {
    return this.request(email, 'GET', '/api/v1/work-items');
  }

  workItem(email: string, reference: string): Promise<WorkItemDetail> {
    return this.request(email, 'GET', `/api/v1/work-items/${encodeURIComponent(reference)}`);
  }

  async teamIds(): Promise<{ teamA: number; teamB: number }> {
    const directory = await this.request<{ mailboxes: { address: string; teamId: number }[] }>(
      'uk.agent@contoso.example',
      'GET',
      '/api/v1/directory',
    );
    const teamOf = (address: string): number => {
      const mailbox = directory.mailboxes.find((entry) => entry.address === address);
      if (!mailbox) throw new Error(`the directory has no mailbox ${address}`);
      return mailbox.teamId;
    };
    return { teamA: teamOf('uk.support@contoso.example'), teamB: teamOf('pl.support@contoso.example') };
  }
}

/** Counts the messages of a work item with this Message-ID, angle brackets or not. */
export function countMessage(item: WorkItemDetail, messageId: string): number {
  const bare = messageId.replace(/^<|>$/g, '');
  return item.messages.filter((message) => (message.messageId ?? '').replace(/^<|>$/g, '') === bare).length;
}
