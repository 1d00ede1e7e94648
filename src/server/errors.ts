/**
 * Error catalog of the Worklink server. Codes are stable: clients and tools
 * match on them, so a code is never renamed or reused for another meaning.
 * Every code is documented in `docs/errors.md`, and a test checks that.
 * Other parts of the server add their codes here and to that document.
 */
export const errorCatalog = {
  WORKLINK_CONFIG_INVALID: {
    status: 500,
    description: 'A `WORKLINK_*` variable is missing or invalid; the server does not start.',
  },
  WORKLINK_DEV_AUTH_NOT_LOOPBACK: {
    status: 500,
    description: 'Dev authentication is configured on a host other than loopback; the server does not start.',
  },
  WORKLINK_INTERNAL: {
    status: 500,
    description: 'An unexpected server error. The body stays generic and the log keeps the detail.',
  },
  WORKLINK_UNAVAILABLE: {
    status: 503,
    description:
      'The database or a listener is not ready, or the instance is shutting down, so it cannot serve the request now.',
  },
  WORKLINK_MALFORMED_JSON: {
    status: 400,
    description: 'The request body is not valid JSON, or it is empty while the content type is JSON.',
  },
  WORKLINK_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    description: 'The request body has a content type other than `application/json`.',
  },
  WORKLINK_BODY_TOO_LARGE: {
    status: 413,
    description: 'The request body is larger than the server accepts.',
  },
  WORKLINK_UNKNOWN_FIELD: {
    status: 400,
    description: 'The request contains a field that the endpoint does not define; `details` names it.',
  },
  WORKLINK_VALIDATION_FAILED: {
    status: 400,
    description: 'A field of the request has a wrong type, format or value; `details` lists each problem.',
  },
  WORKLINK_ROUTE_NOT_FOUND: {
    status: 404,
    description: 'No endpoint exists for this method and path.',
  },
  WORKLINK_FORBIDDEN: {
    status: 403,
    description:
      "The server rejects the path for a reason other than the caller's rights, such as a folder of the add-in files.",
  },
  WORKLINK_AUTH_MISSING: {
    status: 401,
    description: 'The request has no `Authorization: Bearer` access token.',
  },
  WORKLINK_AUTH_INVALID: {
    status: 401,
    description:
      'The access token failed verification: bad signature, wrong issuer, audience or tenant, missing scope, or expired.',
  },
  WORKLINK_AUTH_KEYS_UNAVAILABLE: {
    status: 503,
    description: 'The JSON Web Key Set of the Entra tenant could not be fetched, so tokens cannot be verified.',
  },
  WORKLINK_AGENT_NOT_REGISTERED: {
    status: 403,
    description: 'The token is valid but its user is not a Worklink agent; an admin must add the agent.',
  },
  WORKLINK_ADMIN_REQUIRED: {
    status: 403,
    description: 'The endpoint is for admins only.',
  },
  WORKLINK_NOT_TEAM_MEMBER: {
    status: 403,
    description: 'The caller is not a member of the team the request acts on.',
  },
  WORKLINK_DEV_TOKEN_REJECTED: {
    status: 403,
    description: 'A dev token was requested for an address that is neither an agent nor in `WORKLINK_ADMIN_EMAILS`.',
  },
  WORKLINK_RATE_LIMITED: {
    status: 429,
    description: 'The caller sent more requests than `WORKLINK_RATE_LIMIT_MAX` in the rate-limit window.',
  },
  WORKLINK_WORK_ITEM_NOT_FOUND: {
    status: 404,
    description: 'No work item with this reference exists, or the caller may not see it.',
  },
  WORKLINK_TEAM_NOT_FOUND: {
    status: 404,
    description: 'No team with this id exists.',
  },
  WORKLINK_TEAM_NAME_TAKEN: {
    status: 409,
    description: 'Another team already has this name.',
  },
  WORKLINK_MAILBOX_ADDRESS_TAKEN: {
    status: 409,
    description: 'The address or alias already belongs to a connected mailbox, as its address or one of its aliases.',
  },
  WORKLINK_AGENT_EMAIL_TAKEN: {
    status: 409,
    description: 'Another agent already has this email address.',
  },
  WORKLINK_MAILBOX_NOT_FOUND: {
    status: 404,
    description:
      'No connected mailbox has this id: it does not exist, or it was disconnected. `POST /api/v1/admin/mailboxes` connects a disconnected address again.',
  },
  WORKLINK_TEAM_NOT_EMPTY: {
    status: 409,
    description:
      'The team still has connected mailboxes, work items or agents, so it cannot be deleted; `details` gives the counts when they are known.',
  },
  WORKLINK_AGENT_NOT_FOUND: {
    status: 404,
    description:
      'No agent with access has this id: it does not exist, or it was removed. `POST /api/v1/admin/agents` adds a removed agent again.',
  },
  WORKLINK_AGENT_REMOVED: {
    status: 403,
    description: 'An admin removed the agent of this token or dev sign-in; an admin must add the agent again.',
  },
  WORKLINK_LAST_ADMIN: {
    status: 409,
    description: 'The change would demote or remove the last admin, which would leave nobody to manage Worklink.',
  },
  WORKLINK_CONFIGURED_ADMIN: {
    status: 409,
    description:
      'The agent is listed in `WORKLINK_ADMIN_EMAILS`, which makes it an admin at every start, so the API cannot demote or remove it.',
  },
  WORKLINK_INVALID_ADDRESS: {
    status: 400,
    description: 'An email address is not of the form `local@domain`.',
  },
  WORKLINK_INVALID_REFERENCE: {
    status: 400,
    description: 'A work item reference does not match `NNNNNN-T`, `NNNNN-C` or `NNNNN-C-A<n>`.',
  },
  WORKLINK_FORM_INVALID: {
    status: 400,
    description: 'A team form definition is invalid, e.g. a `choice` field without options or a repeated field name.',
  },
  WORKLINK_FIELDS_INVALID: {
    status: 400,
    description: "Work item field values do not match the team's creation form; `details` lists each problem.",
  },
  WORKLINK_PARENT_NOT_CASE: {
    status: 400,
    description: 'An action was requested under a work item that is not a case.',
  },
  WORKLINK_TOO_MANY_RECIPIENTS: {
    status: 413,
    description: 'A send plan request lists more than 500 recipients.',
  },
  WORKLINK_INVALID_RECIPIENT: {
    status: 400,
    description:
      'Send plan recipients have an invalid address and match no connected mailbox by display name; `details` lists each with its index, field and address error code.',
  },
  WORKLINK_SEND_PLAN_NOT_FOUND: {
    status: 404,
    description: 'No send plan with this id exists for the caller; a plan of another agent gets the same response.',
  },
  WORKLINK_PLAN_CHOICE_INVALID: {
    status: 400,
    description:
      'A commit choice names a mailbox that is not a decision of the plan, repeats a mailbox or lacks the reference of a `share`, or a decision has no choice; `details` names the mailbox.',
  },
  WORKLINK_SHARE_NOT_LINKED: {
    status: 400,
    description:
      "A `share` choice names a work item that is not linked to the plan's current work item or belongs to another team than the mailbox.",
  },
  WORKLINK_CURRENT_ITEM_CONFLICT: {
    status: 409,
    description: 'A commit names a current work item other than the one its plan found; request a new plan instead.',
  },
  WORKLINK_UNROUTED_NOT_FOUND: {
    status: 404,
    description: 'No message with this id or Message-ID is in the unrouted list.',
  },
  WORKLINK_UNROUTED_NOT_OPEN: {
    status: 409,
    description: 'The unrouted message was already routed or dismissed, by hand or by a later delivery.',
  },
  WORKLINK_GRAPH_TOKEN_FAILED: {
    status: 502,
    description: 'The Graph mailbox sync got no app-only access token from Entra ID for its app registration.',
  },
  WORKLINK_GRAPH_REQUEST_FAILED: {
    status: 502,
    description:
      'Microsoft Graph answered a mailbox sync request with an error, or with a body that is not a delta page.',
  },
  WORKLINK_GRAPH_LINK_REJECTED: {
    status: 502,
    description:
      'A Graph paging or delta link points outside `WORKLINK_GRAPH_BASE_URL`, so the sync does not follow it.',
  },
  WORKLINK_GRAPH_LEASE_LOST: {
    status: 409,
    description:
      "Another server instance took a mailbox's sync lease after it expired; the mailbox is retried next cycle.",
  },
  WORKLINK_DEV_SIMULATOR_UNAVAILABLE: {
    status: 503,
    description:
      'The Outlook host simulator cannot serve a page or script: the add-in is not built, or esbuild is missing.',
  },
  WORKLINK_DEV_RELAY_FAILED: {
    status: 502,
    description: "The simulator could not deliver a sent message to the server's SMTP listener.",
  },
  WORKLINK_DEV_RELAY_SENDER_MISMATCH: {
    status: 403,
    description: 'The simulator was asked to send a message as someone other than the signed-in agent.',
  },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof errorCatalog;

/**
 * An expected failure with a stable code. The server turns it into the body
 * `{ code, message, details? }` with the catalog's status, except that 5xx
 * bodies are replaced by a generic message.
 */
export class WorklinkError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details?: unknown[];

  constructor(code: ErrorCode, message: string, options: { details?: unknown[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WorklinkError';
    this.code = code;
    this.statusCode = errorCatalog[code].status;
    if (options.details !== undefined) {
      this.details = options.details;
    }
  }
}

export function isWorklinkError(error: unknown): error is WorklinkError {
  return error instanceof WorklinkError;
}
