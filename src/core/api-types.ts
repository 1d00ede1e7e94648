/**
 * Types of the HTTP API shared by the add-in and the server. The field names
 * named in the HTTP contract (`/api/v1/...`) are fixed: outside tools rely on them.
 */

export type WorkItemType = 'ticket' | 'case' | 'action';

/** Status model of a work item; `waiting` means waiting for information from the requester. */
export type WorkItemStatus = 'todo' | 'in_progress' | 'waiting' | 'done';

export type PlusAddressingMode = 'off' | 'mixed' | 'only';

/** What the handler does when the backend cannot answer in time. */
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
