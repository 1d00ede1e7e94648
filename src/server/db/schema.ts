import type { Generated } from 'kysely';

/*
 * Row types of the Worklink database. The same columns serve SQLite and
 * PostgreSQL, so booleans are integers (0 or 1), timestamps are ISO 8601 text
 * in UTC and structured values are JSON text.
 */

export interface TeamTable {
  id: Generated<number>;
  name: string;
  created_at: string;
}

export interface MailboxTable {
  id: Generated<number>;
  /** Primary SMTP address, lower-case. */
  address: string;
  display_name: string | null;
  /** The owning team; null only for a disconnected mailbox whose team was deleted. */
  team_id: number | null;
  default_type: 'ticket' | 'case';
  created_at: string;
  /** When an admin disconnected the mailbox; null while it is connected. */
  disconnected_at: string | null;
}

export interface MailboxAliasTable {
  /** Alias address, lower-case; unique across all mailboxes. Only connected mailboxes have aliases. */
  address: string;
  mailbox_id: number;
}

export interface AgentTable {
  id: Generated<number>;
  /** Lower-case. */
  email: string;
  display_name: string;
  is_admin: number;
  created_at: string;
  /** When an admin removed the agent; null while the agent has access. */
  removed_at: string | null;
}

export interface AgentTeamTable {
  agent_id: number;
  team_id: number;
}

export interface WorkItemTable {
  id: Generated<number>;
  /** Upper-case reference such as `101203-T`, `10040-C` or `10040-C-A1`. */
  reference: string;
  type: 'ticket' | 'case' | 'action';
  team_id: number;
  title: string;
  status: 'todo' | 'in_progress' | 'waiting' | 'done';
  /** Requester's address, lower-case; never a connected mailbox. */
  requester: string | null;
  /** The case an action belongs to. */
  parent_id: number | null;
  /** Number of actions created under a case, for the `-A<n>` suffix. */
  action_count: number;
  /** Values of the team's creation form, JSON object. */
  fields: string;
  created_at: string;
  updated_at: string;
}

/** Next number per reference series (`ticket`, `case`). */
export interface ReferenceCounterTable {
  series: string;
  next_value: number;
}

/** A symmetric link, stored once with `item_low_id < item_high_id`. */
export interface WorkItemLinkTable {
  item_low_id: number;
  item_high_id: number;
  /** Send plan or inbound message that created the link, for the audit trail. */
  origin: string;
  created_at: string;
}

/** Mapping of an Outlook or Graph `conversationId` to the work items it belongs to. */
export interface ConversationTable {
  conversation_id: string;
  work_item_id: number;
  /** Source that first recorded the conversation for the work item: `graph`, `pane` or `plan`. */
  source: string;
  created_at: string;
  /** When the conversation was last reported, committed in a plan or synced for this work item. */
  last_seen_at: string;
}

/** Work items of a conversation that one agent opened in the pane or answered, and when. */
export interface ConversationViewTable {
  conversation_id: string;
  agent_id: number;
  work_item_id: number;
  seen_at: string;
}

/** Raw MIME, stored once per content hash. */
export interface MimeBlobTable {
  /** SHA-256 of the raw message, hex. */
  content_hash: string;
  size: number;
  content: Buffer;
  created_at: string;
}

export interface MessageTable {
  id: Generated<number>;
  content_hash: string;
  /** Message-ID without angle brackets; null when the message had none. */
  message_id: string | null;
  in_reply_to: string | null;
  /** Message-IDs of the References header, JSON array. */
  references: string;
  /** First Message-ID of References, or the message's own: the thread root. */
  thread_root: string | null;
  conversation_id: string | null;
  subject: string;
  from_address: string | null;
  from_name: string | null;
  /** Address lists as JSON arrays of `{ address, name }`. */
  to_list: string;
  cc_list: string;
  sent_at: string | null;
  text_body: string | null;
  /** HTML after sanitising; never the raw HTML. */
  html_body: string | null;
  /** Selected parsed headers, JSON object. */
  headers: string;
  is_automatic: number;
  received_at: string;
}

export interface MessageRouteTable {
  message_id: number;
  work_item_id: number;
  mailbox_id: number | null;
  /** The inbound rule that chose the work item: `plus`, `plan`, `thread`, `subject`, `new`, `manual`. */
  rule: string;
  created_at: string;
}

export interface AttachmentTable {
  id: Generated<number>;
  message_id: number;
  filename: string | null;
  content_type: string;
  size: number;
  content_hash: string;
}

export interface UnroutedMessageTable {
  message_id: number;
  reason: string;
  /** `open`, `routed` or `dismissed`. */
  state: string;
  created_at: string;
}

export interface SendPlanTable {
  /** UUID. */
  id: string;
  agent_id: number;
  current_work_item_id: number | null;
  conversation_id: string | null;
  subject: string;
  /** The request and the computed plan, JSON. */
  request: string;
  plan: string;
  /** `pending` or `committed`. */
  state: string;
  /** The commit response, JSON; repeated commits return it unchanged. */
  commit_result: string | null;
  created_at: string;
  committed_at: string | null;
}

export interface TeamFormFieldTable {
  id: Generated<number>;
  team_id: number;
  name: string;
  label_en: string;
  label_pl: string;
  type: 'text' | 'date' | 'choice';
  required: number;
  /** Allowed values of a `choice` field, JSON array. */
  options: string;
  position: number;
}

export interface SettingTable {
  key: string;
  /** JSON value. */
  value: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  actor_agent_id: number | null;
  action: string;
  subject_type: string;
  subject_id: string;
  /** JSON object. */
  detail: string;
  created_at: string;
}

/** Graph delta state and lease per connected mailbox. */
export interface MailboxSyncTable {
  mailbox_id: number;
  delta_link: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
  updated_at: string;
}

export interface Database {
  teams: TeamTable;
  mailboxes: MailboxTable;
  mailbox_aliases: MailboxAliasTable;
  agents: AgentTable;
  agent_teams: AgentTeamTable;
  work_items: WorkItemTable;
  reference_counters: ReferenceCounterTable;
  work_item_links: WorkItemLinkTable;
  conversations: ConversationTable;
  conversation_views: ConversationViewTable;
  mime_blobs: MimeBlobTable;
  messages: MessageTable;
  message_routes: MessageRouteTable;
  attachments: AttachmentTable;
  unrouted_messages: UnroutedMessageTable;
  send_plans: SendPlanTable;
  team_form_fields: TeamFormFieldTable;
  settings: SettingTable;
  audit_log: AuditLogTable;
  mailbox_sync: MailboxSyncTable;
}
