/**
 * State and steps of the linking panel: load the plan (by the id Smart Alerts passed, or a
 * new one for the item's recipients), let the agent decide, then apply and send.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { SendPlanResponse } from '../../../core/api-types.js';
import { BackendError } from '../../shared/backend-client.js';
import type { OfficeItemApi } from '../../shared/office-async.js';
import { readRecipients } from '../../shared/recipients.js';
import type { PaneApi, WorkItemSummary } from '../api/pane-api.js';
import type { PaneHost } from '../host/office-host.js';
import { parsePlanContext } from '../host/office-host.js';
import { ApplyError, applyDecision } from './apply-plan.js';
import type { ApplyRequest, ApplyStep } from './apply-plan.js';
import { hasProblems, initialDecisionState, toChoice, validateDecision } from './plan-form.js';
import type { DecisionProblems, DecisionState } from './plan-form.js';

export type LinkingPhase =
  | { kind: 'loading' }
  | { kind: 'load-error'; error: unknown }
  | { kind: 'ready' }
  | { kind: 'applying'; step: ApplyStep | 'send' }
  | { kind: 'apply-error'; error: unknown }
  | { kind: 'done'; sent: boolean; sendFailed: boolean; created: string[] };

export interface LinkingState {
  phase: LinkingPhase;
  plan: SendPlanResponse | null;
  decisions: DecisionState[];
  /** Problems per decision, shown once the agent tried to confirm. */
  problems: DecisionProblems[] | null;
  /** Work items of the agent's team, offered when the plan found no current one. */
  teamItems: WorkItemSummary[];
  /** The agent's pick among `teamItems`; '' means none. */
  currentReference: string;
  /**
   * The request whose commit succeeded before a later step failed. The server keeps the first
   * commit's response, so a retry sends this request again and the choices can no longer change.
   */
  committed: ApplyRequest | null;
}

export interface LinkingDeps {
  host: PaneHost;
  api: PaneApi;
  officeApi: OfficeItemApi;
}

const INITIAL: LinkingState = {
  phase: { kind: 'loading' },
  plan: null,
  decisions: [],
  problems: null,
  teamItems: [],
  currentReference: '',
  committed: null,
};

async function loadPlan(deps: LinkingDeps, planId: string | null): Promise<SendPlanResponse> {
  if (planId !== null) {
    try {
      return await deps.api.getSendPlan(planId);
    } catch (error) {
      // A plan of another session or an expired one: make a new plan for the same recipients.
      if (!(error instanceof BackendError && error.status === 404)) throw error;
      console.info('[worklink] the plan from contextData was not found; requesting a new one');
    }
  }

  const [recipients, subject] = await Promise.all([readRecipients(deps.officeApi), deps.officeApi.getSubject()]);
  const conversationId = deps.officeApi.conversationId();
  return deps.api.createSendPlan(conversationId ? { subject, recipients, conversationId } : { subject, recipients });
}

/** Lists the work items of the agent's own teams: the full view is given to owning team members only. */
async function loadTeamItems(deps: LinkingDeps, plan: SendPlanResponse): Promise<WorkItemSummary[]> {
  const ownTeam = plan.recipients.find((recipient) => recipient.class === 'own-mailbox')?.teamId;
  const items = await deps.api.listWorkItems(ownTeam === undefined ? {} : { team: ownTeam });
  return items.filter((item) => item.view === 'full');
}

export function useLinking(deps: LinkingDeps) {
  const [state, setState] = useState<LinkingState>(INITIAL);
  const stateRef = useRef(state);
  stateRef.current = state;
  const planIdRef = useRef<string | null>(null);

  const load = useCallback(
    async (planId: string | null) => {
      planIdRef.current = planId;
      setState({ ...INITIAL });
      try {
        const plan = await loadPlan(deps, planId);
        const teamItems = plan.needsCurrentItem ? await loadTeamItems(deps, plan) : [];
        setState({
          ...INITIAL,
          phase: { kind: 'ready' },
          plan,
          decisions: plan.decisions.map(initialDecisionState),
          teamItems,
        });
      } catch (error) {
        console.error('[worklink] loading the send plan failed', error);
        setState({ ...INITIAL, phase: { kind: 'load-error', error } });
      }
    },
    [deps],
  );

  useEffect(() => {
    let active = true;
    void deps.host.initializationContext().then((context) => {
      if (active) void load(parsePlanContext(context));
    });
    deps.host.onInitializationContextChanged((context) => void load(parsePlanContext(context)));
    return () => {
      active = false;
    };
  }, [deps, load]);

  const updateDecision = useCallback((index: number, next: DecisionState) => {
    setState((previous) => {
      const decisions = previous.decisions.map((decision, position) => (position === index ? next : decision));
      const problems =
        previous.problems && previous.plan
          ? previous.plan.decisions.map((decision, position) => validateDecision(decision, decisions[position]!))
          : null;
      return { ...previous, decisions, problems };
    });
  }, []);

  const setCurrentReference = useCallback((reference: string) => {
    setState((previous) => ({ ...previous, currentReference: reference }));
  }, []);

  const confirm = useCallback(async () => {
    const current = stateRef.current;
    const plan = current.plan;
    if (!plan) return;

    let request = current.committed;
    if (request === null) {
      const problems = plan.decisions.map((decision, index) => validateDecision(decision, current.decisions[index]!));
      if (problems.some(hasProblems)) {
        setState({ ...current, problems });
        return;
      }
      const choices = plan.decisions.map((decision, index) => toChoice(decision, current.decisions[index]!));
      request =
        current.currentReference === ''
          ? { planId: plan.id, choices }
          : { planId: plan.id, choices, currentReference: current.currentReference };
    }

    // The rewrite starts only after the commit succeeded.
    let commitSucceeded = false;
    const setStep = (step: ApplyStep | 'send') => {
      if (step === 'rewrite') commitSucceeded = true;
      setState((previous) => ({ ...previous, phase: { kind: 'applying', step } }));
    };
    setState({ ...current, problems: null, phase: { kind: 'applying', step: 'commit' } });

    let created: string[];
    try {
      const result = await applyDecision(deps.officeApi, deps.api, request, setStep);
      created = result.commit.createdReferences ?? [];
    } catch (error) {
      console.error('[worklink] applying the decision failed', error);
      // A retry whose commit fails again leaves the first commit in place on the server.
      setState((previous) => ({
        ...previous,
        committed: commitSucceeded ? request : previous.committed,
        phase: { kind: 'apply-error', error },
      }));
      return;
    }

    if (!deps.host.canSend()) {
      setState((previous) => ({ ...previous, phase: { kind: 'done', sent: false, sendFailed: false, created } }));
      return;
    }
    setStep('send');
    try {
      await deps.host.send();
      setState((previous) => ({ ...previous, phase: { kind: 'done', sent: true, sendFailed: false, created } }));
    } catch (error) {
      // The decision is recorded, so pressing Send lets the handler allow the send at once.
      console.error('[worklink] item.sendAsync failed', error);
      setState((previous) => ({ ...previous, phase: { kind: 'done', sent: false, sendFailed: true, created } }));
    }
  }, [deps]);

  const retry = useCallback(() => {
    const phase = stateRef.current.phase;
    if (
      phase.kind === 'apply-error' &&
      !(phase.error instanceof ApplyError && phase.error.code === 'WORKLINK_PLAN_RECIPIENTS_CHANGED')
    ) {
      void confirm();
      return;
    }
    // The recipients changed, or the plan never loaded: check the recipients anew.
    void load(phase.kind === 'load-error' ? planIdRef.current : null);
  }, [confirm, load]);

  return { state, updateDecision, setCurrentReference, confirm, retry };
}
