/** Messages between the bench runner and a forked bench server process. */
import type { Dialect } from '../src/server/db/database.js';
import type { StoreFill } from './store-fill.js';

/** The agent whose token the bench uses; a member of Team A in the demo seed. */
export const benchAgent = 'uk.agent@contoso.example';

export type ServerSpec =
  | {
      kind: 'worklink';
      /** Database URL; absent means a new SQLite file in the server's data directory. */
      databaseUrl?: string;
      fill: StoreFill;
      /** Built add-in to serve at `/` and to the host simulator; absent means an empty folder. */
      addinDir?: string;
      /** HTTPS with a self-signed certificate for localhost, as the add-in's `https://localhost:3000` needs; default off. */
      tls?: boolean;
      /** Work item titles whose references `ServerInfo.references` returns. */
      lookupTitles?: string[];
    }
  | { kind: 'bare-smtp' };

export interface ServerInfo {
  /** `http://127.0.0.1:PORT` (`https://` with `tls`), or null for the bare SMTP server. */
  httpOrigin: string | null;
  smtpPort: number;
  /** Dev access token of the bench agent, or null for the bare SMTP server. */
  token: string | null;
  /** Seconds the bulk fill took. */
  fillSeconds: number;
  dialect: Dialect | null;
  /** Reference of each work item named in `lookupTitles`, by title. */
  references: Record<string, string>;
}

export interface StoreCounts {
  /** Stored messages, or for the bare server the messages it received and discarded. */
  messages: number;
  workItems: number;
  sendPlans: number;
  /** User and system CPU time of the server process so far, in microseconds. */
  cpuMicros: number;
}

export type ParentMessage = { type: 'start'; spec: ServerSpec } | { type: 'counts' } | { type: 'stop' };

export type ChildMessage =
  | { type: 'ready'; info: ServerInfo }
  | { type: 'counts'; counts: StoreCounts }
  | { type: 'stopped' }
  | { type: 'error'; message: string };
