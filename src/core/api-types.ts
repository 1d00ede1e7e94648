/**
 * Types of the HTTP API shared by the add-in and the server. The field names
 * named in the HTTP contract (`/api/v1/...`) are fixed: outside tools rely on them.
 */

export type WorkItemType = 'ticket' | 'case' | 'action';

/** Status model of a work item; `waiting` means waiting for information from the requester. */
export type WorkItemStatus = 'todo' | 'in_progress' | 'waiting' | 'done';

export type PlusAddressingMode = 'off' | 'mixed' | 'only';

/** What the handler does when the backend cannot respond in time. */
export type FailurePolicy = 'allow' | 'prompt';

export type RecipientField = 'to' | 'cc' | 'bcc';

/** Office.js `EmailAddressDetails.recipientType`. */
export type OfficeRecipientType = 'user' | 'distributionList' | 'externalUser' | 'other';

export type RecipientClass = 'external' | 'internal' | 'own-mailbox' | 'connected-mailbox';

export type PlanAction = 'share' | 'create' | 'plain';

export interface ApiError {
  code: string;
  message: string;
  /** Per-item details, such as one entry per invalid recipient. */
  details?: unknown[];
}

export interface Settings {
  plusAddressing: { mode: PlusAddressingMode; separator: string };
  internalDomains: string[];
  failurePolicy: FailurePolicy;
}

/** Graph lookup by which the add-in found the connected mailbox behind a recipient the directory does not list. */
export type ResolvedVia = 'proxy-address' | 'group-member';

export interface Recipient {
  field: RecipientField;
  emailAddress: string;
  displayName: string;
  recipientType?: OfficeRecipientType;
  /**
   * Primary address of the connected mailbox that Microsoft Graph found behind this recipient:
   * the mailbox itself under another alias (`proxy-address`), or a member of this distribution
   * list (`group-member`). Only the add-in's send plan request sets it.
   */
  resolvedAddress?: string;
  resolvedVia?: ResolvedVia;
}

export interface SendPlanRequest {
  currentReference?: string;
  conversationId?: string;
  subject: string;
  recipients: Recipient[];
}

export interface FormField {
  name: string;
  label: { en: string; pl: string };
  type: 'text' | 'date' | 'choice';
  required: boolean;
  /** Allowed values of a `choice` field. */
  options?: string[];
}

export interface LinkedItemSummary {
  reference: string;
  type: WorkItemType;
  teamId: number;
  title?: string;
  status: WorkItemStatus;
  view: 'full' | 'header';
}

/** A decision the agent makes for one connected mailbox of another team. */
export interface PlanDecision {
  /** Primary address of the connected mailbox. */
  mailbox: string;
  teamId: number;
  teamName: string;
  linkedItems: LinkedItemSummary[];
  form: FormField[];
  defaultChoice: { action: PlanAction; reference?: string };
}

export interface ClassifiedRecipient extends Recipient {
  class: RecipientClass;
  /** Primary address of the connected mailbox this recipient belongs to. */
  mailbox?: string;
  teamId?: number;
  /** Reference already carried by a plus-addressed recipient. */
  reference?: string;
}

export interface SendPlanResponse {
  id: string;
  currentReference: string | null;
  recipients: ClassifiedRecipient[];
  decisionNeeded: boolean;
  decisions: PlanDecision[];
  /**
   * True when connected mailboxes of another team are present but no current
   * work item was found: the agent picks one of their team's work items, or
   * none, and sends it as `CommitRequest.currentReference`. The server always sets it.
   */
  needsCurrentItem?: boolean;
}

export interface PlanChoice {
  mailbox: string;
  action: PlanAction;
  reference?: string;
  fields?: Record<string, string>;
}

export interface CommitRequest {
  choices: PlanChoice[];
  /** Work item picked by the agent when the plan could not find one. */
  currentReference?: string;
}

/** Body of `PATCH /api/v1/work-items/{reference}`. */
export interface WorkItemStatusUpdate {
  status: WorkItemStatus;
}

/** The work item's status after `PATCH /api/v1/work-items/{reference}`, and when it changed. */
export interface WorkItemStatusResponse {
  reference: string;
  status: WorkItemStatus;
  updatedAt: string;
}

export interface CommitNotice {
  code: string;
  emailAddress: string;
  message: string;
}

export interface CommitResponse {
  recipients: Recipient[];
  headers: Record<string, string>;
  notices: CommitNotice[];
  createdReferences: string[];
}

export interface DirectoryMailbox {
  address: string;
  aliases: string[];
  teamId: number;
  teamName: string;
  /** Display name, for matching a recipient whose address Outlook did not resolve. */
  displayName?: string;
}

/** Everything the handler needs for its fast path; served with an ETag. */
export interface Directory {
  mailboxes: DirectoryMailbox[];
  settings: Settings;
}

/**
 * `GET /api/v1/auth-config`: how the task pane signs in, read before it has a token.
 * Under Entra it carries what MSAL needs, none of it secret.
 */
export type AuthConfigResponse =
  { mode: 'dev' } | { mode: 'entra'; clientId: string; tenantId: string; scopes: string[] };

/**
 * Query of `GET /api/v1/work-items`, which lists the work items the caller may see.
 * `messageId` (an Internet Message-ID) or `conversationId` (Outlook) narrows the list to that
 * message or conversation, and `team` narrows it to one team.
 */
export interface WorkItemListQuery {
  team?: number;
  messageId?: string;
  conversationId?: string;
}

/** One work item of `GET /api/v1/work-items`; the header view has no title. */
export interface WorkItemSummary extends LinkedItemSummary {
  createdAt: string;
}

/** A work item named by reference, with its team and the view the caller gets. */
export interface WorkItemRef {
  reference: string;
  teamId: number;
  view: 'full' | 'header';
}

export interface MessageAddress {
  address: string;
  name?: string | null;
}

export interface MessageAttachment {
  id: number;
  filename: string | null;
  contentType: string;
  /** Size in bytes. */
  size: number;
}

/** A message of a work item. Bodies and attachments are only in the full view. */
export interface WorkItemMessage {
  messageId: string | null;
  from: string | null;
  fromName: string | null;
  to: MessageAddress[];
  cc: MessageAddress[];
  date: string | null;
  subject: string;
  receivedAt: string;
  textBody?: string | null;
  htmlBody?: string | null;
  attachments?: MessageAttachment[];
}

/** Response of `GET /api/v1/work-items/{reference}`. Title and fields are only in the full view. */
export interface WorkItemDetail extends WorkItemSummary {
  requester: string | null;
  fields?: Record<string, string>;
  parentReference?: string | null;
  messages: WorkItemMessage[];
  links: WorkItemRef[];
}

/** Body of `POST /api/v1/conversations`. */
export interface ConversationReport {
  conversationId: string;
  internetMessageId?: string;
  /** Records the conversation for this work item, which must belong to one of the caller's teams. */
  reference?: string;
}

/** Response of `POST /api/v1/conversations`: the work items of the conversation that the caller may see. */
export interface ConversationResponse {
  conversationId: string;
  workItems: WorkItemRef[];
}
