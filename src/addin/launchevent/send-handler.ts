/**
 * The `OnMessageSend` handler: decides whether a message may be sent as it is, must first have
 * its connected-mailbox recipients rewritten to plus addresses, or must wait for the agent to
 * choose work items in the task pane.
 */
import type {
  CommitRequest,
  CommitResponse,
  Directory,
  FailurePolicy,
  PlanChoice,
  Recipient,
  SendPlanRequest,
  SendPlanResponse,
} from '../../core/api-types.js';
import type { BackendClient, Clock, FetchLike, RequestBudget } from '../shared/backend-client.js';
import { BACKEND_BUDGET_MS, BackendError, createBackendClient, createRequestBudget } from '../shared/backend-client.js';
import type { SessionPlanRecord } from '../shared/session-plan.js';
import { SESSION_PLAN_KEY, parseSessionPlan, serializeSessionPlan } from '../shared/session-plan.js';
import type { KeyValueStorage } from '../shared/storage.js';
import type { Language } from '../shared/strings.js';
import type { TokenProvider } from './auth/token-provider.js';
import { createTokenProvider } from './auth/token-provider.js';
import { createTokenCache } from './auth/token-cache.js';
import type { LookupMap, RecipientResolver } from './graph/recipient-resolver.js';
import { withResolvedAddresses } from './graph/recipient-resolver.js';
import { createDirectoryCache } from './directory-cache.js';
import type { ComposeItem, OfficeItemApi } from '../shared/office-async.js';
import { createLimiter, createOfficeItemApi } from '../shared/office-async.js';
import {
  RECIPIENT_FIELDS,
  keepsEveryRecipient,
  needsSendPlan,
  readRecipients,
  recipientsOfField,
  rewriteField,
  sameRecipientsByField,
} from '../shared/recipients.js';
import type { Logger, Outcome, SendEvent } from './completion.js';
import { createCompletion, describeError } from './completion.js';
import { choicesForPlan, pendingDecisions, resolveCreatedChoices } from './plan-choices.js';
import {
  ALLOW,
  decisionAlert,
  failureCompletion,
  planInvalidAlert,
  rewriteFailedAlert,
  signInAlert,
} from './smart-alerts.js';

export type { Logger, SendEvent } from './completion.js';

/** Internet header that names the plan of a sent message for the server's inbound router. */
export const PLAN_HEADER = 'X-Worklink-Plan';

/** Part of the backend budget that Graph recipient lookups may use, in milliseconds. */
export const GRAPH_BUDGET_MS = 1500;

/** Time kept for the plan request and its commit after Graph lookups, in milliseconds. */
const PLAN_RESERVE_MS = 2000;

export interface SendHandlerDeps {
  /** Returns the compose item of the current event (`Office.context.mailbox.item`). */
  getItem(): ComposeItem;
  storage: KeyValueStorage;
  fetch: FetchLike;
  /** Absolute origin of the Worklink API, such as `https://localhost:3000`. */
  apiOrigin: string;
  clock: Clock;
  /** Returns the language of the agent's Outlook (`Office.context.displayLanguage`, resolved). */
  language(): Language;
  /** Tells whether the host supports Mailbox 1.15, and so `errorMessageMarkdown`. */
  markdownSupported(): boolean;
  log?: Logger;
  /** Time the backend gets for one send, in milliseconds; 4000 unless a test shortens it. */
  budgetMs?: number;
  /**
   * Silent token acquisition (`auth/token-provider.ts`). Without it the handler reads the dev
   * token that the task pane stored, as under dev authentication.
   */
  tokens?: TokenProvider;
  /** Graph lookups of internal recipients that the directory does not list; skipped without it. */
  recipientResolver?: RecipientResolver;
}

/**
 * Language and failure policy of one run. The policy is set once the directory is read, so a
 * later failure completes per the admin's policy.
 */
interface RunState {
  language: Language;
  failurePolicy: FailurePolicy;
}

interface PlanRun {
  state: RunState;
  api: OfficeItemApi;
  client: BackendClient;
  budget: RequestBudget;
  directory: Directory;
}

export function createSendHandler(deps: SendHandlerDeps): (event: SendEvent) => Promise<void> {
  const log: Logger = deps.log || console;
  // One limiter for every run: a re-fired send event must not push the host past 3 calls in flight.
  const limit = createLimiter();
  const tokens: TokenProvider =
    deps.tokens ||
    createTokenProvider({
      config: { mode: 'dev' },
      cache: createTokenCache({ storage: deps.storage, clock: deps.clock }),
      storage: deps.storage,
      host: { supportsNestedAppAuth: () => false },
      log,
    });

  /**
   * Maps a backend failure to the sign-in prompt or the failure policy, and rethrows any other
   * error. A rejected Entra token is forgotten, so the next send acquires a new one.
   */
  async function backendOutcome(error: unknown, state: RunState, step: string): Promise<Outcome> {
    if (!(error instanceof BackendError)) throw error;
    if (error.code === 'WORKLINK_BACKEND_UNAUTHORIZED') await tokens.forget('api');
    if (error.code === 'WORKLINK_NOT_SIGNED_IN' || error.code === 'WORKLINK_BACKEND_UNAUTHORIZED') {
      return { options: signInAlert(state.language), reason: `${step}: ${error.message}` };
    }
    return {
      options: failureCompletion(state.failurePolicy, state.language),
      reason: `${step} failed, failure policy ${state.failurePolicy}: ${error.message}`,
    };
  }

  async function readSessionRecord(api: OfficeItemApi): Promise<SessionPlanRecord | null> {
    try {
      return parseSessionPlan(await api.getSessionValue(SESSION_PLAN_KEY));
    } catch (error) {
      // A key that was never set may be reported as a failure, and either way there is no record.
      log.info('worklink: no send plan in sessionData', describeError(error));
      return null;
    }
  }

  async function setHeaders(api: OfficeItemApi, headers: Record<string, string>): Promise<void> {
    try {
      await api.setInternetHeaders(headers);
    } catch (error) {
      // The plus addresses already route replies, and the header only helps the inbound router.
      log.warn('worklink: could not set the X-Worklink-Plan header; sending without it', describeError(error));
    }
  }

  /** Rewrites each field whose recipients changed, verifying each by reading it back. */
  async function rewriteRecipients(
    api: OfficeItemApi,
    current: readonly Recipient[],
    rewritten: readonly Recipient[],
    state: RunState,
  ): Promise<Outcome | null> {
    for (const field of RECIPIENT_FIELDS) {
      const before = recipientsOfField(current, field);
      try {
        const result = await rewriteField(api, field, before, recipientsOfField(rewritten, field));
        if (result === 'verified-after-retry') {
          log.warn(`worklink: ${field} matched only after a clear and re-set`);
        }
        if (result === 'mismatch') {
          return {
            options: rewriteFailedAlert(field, state.language),
            reason: `${field} still reads back wrong after a retry`,
          };
        }
      } catch (error) {
        // A failed write may have left the field cleared: put the agent's recipients back.
        await api.setRecipients(field, before).catch((restoreError: unknown) => {
          log.error(`worklink: could not restore ${field} after a failed rewrite`, describeError(restoreError));
        });
        return {
          options: rewriteFailedAlert(field, state.language),
          reason: `${field} rewrite failed: ${describeError(error)}`,
        };
      }
    }
    return null;
  }

  async function decide(state: RunState): Promise<Outcome> {
    const budget = createRequestBudget(deps.clock, deps.budgetMs === undefined ? BACKEND_BUDGET_MS : deps.budgetMs);
    const client = createBackendClient({ fetch: deps.fetch, apiOrigin: deps.apiOrigin, storage: deps.storage });
    const directoryCache = createDirectoryCache({ storage: deps.storage, client, clock: deps.clock });
    const api = createOfficeItemApi(deps.getItem(), limit);

    // The cached directory comes first so that a failure reading the item completes per its policy.
    let cached = await directoryCache.read();
    if (cached) state.failurePolicy = cached.directory.settings.failurePolicy === 'prompt' ? 'prompt' : 'allow';

    const [recipients, record] = await Promise.all([readRecipients(api), readSessionRecord(api)]);

    if (!cached) {
      if (!(await tokens.apiToken())) {
        return { options: signInAlert(state.language), reason: 'no access token for the directory fetch' };
      }
      try {
        cached = await directoryCache.refresh(null, budget);
      } catch (error) {
        return backendOutcome(error, state, 'directory fetch');
      }
    }
    const settings = cached.directory.settings;
    state.failurePolicy = settings.failurePolicy === 'prompt' ? 'prompt' : 'allow';

    if (settings.plusAddressing.mode === 'off') return { options: ALLOW, reason: 'plus addressing is off' };
    if (!needsSendPlan(recipients, cached.directory)) return { options: ALLOW, reason: 'no internal recipient' };

    if (record && record.recipients && sameRecipientsByField(record.recipients, recipients)) {
      // A re-fired send event, or the pane applied the plan: only the header may be missing.
      if (record.headers) await setHeaders(api, record.headers);
      return { options: ALLOW, reason: `plan ${record.planId} is already applied` };
    }

    if (!(await tokens.apiToken())) {
      return { options: signInAlert(state.language), reason: 'no access token can be had silently' };
    }

    // A stale directory is refreshed alongside the plan, which does not depend on it.
    const refreshing = directoryCache.isStale(cached)
      ? directoryCache.refresh(cached, budget).then(
          () => undefined,
          (error: unknown) =>
            log.warn('worklink: directory refresh failed; keeping the cached one', describeError(error)),
        )
      : Promise.resolve();
    const run: PlanRun = { state, api, client, budget, directory: cached.directory };
    try {
      if (record && record.planRecipients && sameRecipientsByField(record.planRecipients, recipients)) {
        // The plan was committed for exactly these recipients, but they were not rewritten.
        // Committing it again creates nothing and returns the first result.
        return await commitAndApply(run, record.planId, record.choices, record.currentReference, recipients);
      }
      return await planAndApply(run, recipients, record);
    } finally {
      await refreshing;
    }
  }

  /** Requests a send plan, then stops for a pending decision or commits and rewrites. */
  async function planAndApply(
    run: PlanRun,
    recipients: Recipient[],
    record: SessionPlanRecord | null,
  ): Promise<Outcome> {
    const { state, api, client, budget, directory } = run;

    const graphMs = Math.min(GRAPH_BUDGET_MS, budget.remainingMs() - PLAN_RESERVE_MS);
    const [subject, lookups] = await Promise.all([
      api.getSubject().catch((error: unknown) => {
        log.warn('worklink: could not read the subject; asking for a plan without it', describeError(error));
        return '';
      }),
      deps.recipientResolver && graphMs > 0
        ? deps.recipientResolver.resolve(recipients, directory, graphMs)
        : Promise.resolve<LookupMap>({}),
    ]);
    const planRequest: SendPlanRequest = {
      subject,
      recipients: withResolvedAddresses(recipients, lookups, directory),
    };
    const conversationId = api.conversationId();
    if (conversationId) planRequest.conversationId = conversationId;
    if (record && record.currentReference) planRequest.currentReference = record.currentReference;

    let plan: SendPlanResponse;
    try {
      plan = await client.createSendPlan(planRequest, budget);
    } catch (error) {
      return backendOutcome(error, state, 'send plan request');
    }

    const recorded = record ? record.choices : [];
    const pending = pendingDecisions(plan, recorded);
    if (pending.length > 0) {
      return {
        options: decisionAlert(
          pending.map((decision) => decision.teamName),
          plan.id,
          state.language,
          deps.markdownSupported(),
        ),
        reason: `plan ${plan.id} needs a decision for ${pending.length} mailbox(es)`,
      };
    }

    const rewrites = plan.recipients.some(
      (recipient) => recipient.class === 'connected-mailbox' || recipient.class === 'own-mailbox',
    );
    if (!rewrites) return { options: ALLOW, reason: `plan ${plan.id} rewrites no recipient` };

    const currentReference = record ? record.currentReference : undefined;
    return commitAndApply(run, plan.id, choicesForPlan(plan, recorded), currentReference, recipients);
  }

  /**
   * Commits the plan, records it in `sessionData`, rewrites and verifies the recipients, and
   * sets the plan header. The record is written before the rewrite, so that a send stopped by a
   * failed rewrite commits the same plan again next time.
   */
  async function commitAndApply(
    run: PlanRun,
    planId: string,
    choices: PlanChoice[],
    currentReference: string | undefined,
    recipients: Recipient[],
  ): Promise<Outcome> {
    const { state, api, client, budget } = run;

    const commitRequest: CommitRequest = { choices };
    if (currentReference) commitRequest.currentReference = currentReference;
    let commit: CommitResponse;
    try {
      commit = await client.commitSendPlan(planId, commitRequest, budget);
    } catch (error) {
      return backendOutcome(error, state, `commit of plan ${planId}`);
    }

    if (!keepsEveryRecipient(recipients, commit.recipients)) {
      return {
        options: planInvalidAlert(state.language),
        reason: `commit of plan ${planId} returned ${commit.recipients.length} recipients for ${recipients.length}`,
      };
    }

    const headers: Record<string, string> = {};
    const returnedHeaders = commit.headers || {};
    for (const name of Object.keys(returnedHeaders)) headers[name] = returnedHeaders[name] as string;
    if (!headers[PLAN_HEADER]) headers[PLAN_HEADER] = planId;

    const applied: SessionPlanRecord = {
      planId,
      choices: resolveCreatedChoices(choices, commit.createdReferences),
      planRecipients: recipients,
      recipients: commit.recipients,
      headers,
    };
    if (currentReference) applied.currentReference = currentReference;
    try {
      await api.setSessionValue(SESSION_PLAN_KEY, serializeSessionPlan(applied));
    } catch (error) {
      // Without the record, a re-fired send requests a new plan, which finds the plus addresses in place.
      log.warn('worklink: could not record the committed plan in sessionData', describeError(error));
    }

    const rewriteFailure = await rewriteRecipients(api, recipients, commit.recipients, state);
    if (rewriteFailure) return rewriteFailure;

    await setHeaders(api, headers);
    return { options: ALLOW, reason: `plan ${planId} committed and recipients verified` };
  }

  return async function onMessageSend(event: SendEvent): Promise<void> {
    const completion = createCompletion(event, log);
    const state: RunState = { language: 'en', failurePolicy: 'allow' };

    try {
      state.language = deps.language();
      completion.complete(await decide(state));
    } catch (error) {
      log.error('worklink: send check failed', describeError(error));
      completion.complete({
        options: failureCompletion(state.failurePolicy, state.language, 'sendAlert.checkFailed'),
        reason: `unexpected failure, failure policy ${state.failurePolicy}`,
      });
    }
  };
}
