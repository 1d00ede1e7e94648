import { Body1, Button, MessageBar, MessageBarBody, Title3, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useMemo, useRef } from 'react';
import { t } from '../../shared/strings.js';
import type { Language, StringKey } from '../../shared/strings.js';
import { ErrorNotice } from '../common/ErrorNotice.js';
import { Progress } from '../common/Progress.js';
import { formatList } from '../common/format.js';
import { CurrentItemPicker } from './CurrentItemPicker.js';
import { DecisionCard } from './DecisionCard.js';
import { hasProblems } from './plan-form.js';
import { useLinking } from './use-linking.js';
import type { LinkingDeps } from './use-linking.js';

export interface LinkingPanelProps {
  deps: LinkingDeps;
  language: Language;
  /** BCP 47 tag of Outlook's display language, for `Intl`. */
  locale: string;
  /** Shows the sign-in again when a request is rejected for a missing or expired token. */
  onSignInNeeded(): void;
}

const STEP_KEYS: Record<'commit' | 'rewrite' | 'record' | 'send', StringKey> = {
  commit: 'linking.step.commit',
  rewrite: 'linking.step.rewrite',
  record: 'linking.step.record',
  send: 'linking.step.send',
};

const useStyles = makeStyles({
  panel: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM },
  actions: { display: 'flex', columnGap: tokens.spacingHorizontalS },
});

/** Compose mode: lets the agent decide, per team, how the email is linked, then applies and sends. */
export function LinkingPanel({ deps, language, locale, onSignInNeeded }: LinkingPanelProps) {
  const styles = useStyles();
  const { state, updateDecision, setCurrentReference, confirm, retry } = useLinking(deps);
  const summaryRef = useRef<HTMLDivElement>(null);
  const { phase, plan } = state;
  const busy = phase.kind === 'applying';
  // After a commit the server keeps its choices, so the cards only show them.
  const locked = busy || state.committed !== null;
  const showProblems = state.problems !== null && state.problems.some(hasProblems);
  const canSend = useMemo(() => deps.host.canSend(), [deps]);
  // With every team sent as normal email, the button links nothing, so its label names only the send.
  const linksNothing = state.decisions.length > 0 && state.decisions.every((decision) => decision.action === 'plain');
  let confirmLabel: StringKey = 'linking.confirm';
  if (canSend) {
    confirmLabel = linksNothing ? 'linking.sendOnly' : 'linking.confirmAndSend';
  }

  // Moves focus to the summary, so keyboard and screen reader users learn why nothing happened.
  useEffect(() => {
    if (showProblems) summaryRef.current?.focus();
  }, [showProblems, state.problems]);

  return (
    <section className={styles.panel} aria-labelledby="worklink-linking-heading">
      <Title3 as="h1" id="worklink-linking-heading">
        {t('linking.heading', language)}
      </Title3>

      {phase.kind === 'loading' && <Progress label={t('linking.loadingPlan', language)} />}
      {phase.kind === 'load-error' && (
        <ErrorNotice error={phase.error} language={language} onRetry={retry} onSignIn={onSignInNeeded} />
      )}

      {plan && plan.decisions.length === 0 && phase.kind === 'ready' && (
        <MessageBar intent="info">
          <MessageBarBody>{t('linking.nothingToDecide', language)}</MessageBarBody>
        </MessageBar>
      )}
      {plan && plan.decisions.length > 0 && !plan.decisionNeeded && phase.kind === 'ready' && (
        <MessageBar intent="info">
          <MessageBarBody>{t('linking.alreadyDecided', language)}</MessageBarBody>
        </MessageBar>
      )}

      {/* Decisions that the recipients already satisfy need nothing from the agent, so no cards are shown. */}
      {plan && plan.decisions.length > 0 && plan.decisionNeeded && phase.kind !== 'done' && (
        <>
          <Body1>{t('linking.intro', language)}</Body1>
          {/* The linked items offered below depend on this work item, so the agent sees which one it is. */}
          {plan.currentReference !== null && (
            <Body1>{t('linking.currentItem', language, { reference: plan.currentReference })}</Body1>
          )}
          {plan.decisions.map((decision, index) => (
            <DecisionCard
              key={decision.mailbox}
              decision={decision}
              state={state.decisions[index]!}
              problems={state.problems?.[index] ?? null}
              language={language}
              disabled={locked}
              onChange={(next) => updateDecision(index, next)}
            />
          ))}
          {plan.needsCurrentItem && (
            <CurrentItemPicker
              items={state.teamItems}
              value={state.currentReference}
              language={language}
              disabled={locked}
              onChange={setCurrentReference}
            />
          )}
          {showProblems && (
            <div ref={summaryRef} tabIndex={-1}>
              <MessageBar intent="warning" role="alert">
                <MessageBarBody>{t('linking.validationSummary', language)}</MessageBarBody>
              </MessageBar>
            </div>
          )}
          {phase.kind === 'apply-error' && (
            <ErrorNotice error={phase.error} language={language} onRetry={retry} onSignIn={onSignInNeeded} />
          )}
          {state.committed !== null && (
            <MessageBar intent="info">
              <MessageBarBody>{t('linking.choicesSaved', language)}</MessageBarBody>
            </MessageBar>
          )}
          {phase.kind === 'applying' ? (
            <Progress label={t(STEP_KEYS[phase.step], language)} />
          ) : (
            <div className={styles.actions}>
              <Button appearance="primary" onClick={() => void confirm()}>
                {t(confirmLabel, language)}
              </Button>
            </div>
          )}
        </>
      )}

      {phase.kind === 'done' && (
        <MessageBar intent={phase.sendFailed ? 'warning' : 'success'} role="status">
          <MessageBarBody>
            {phase.sendFailed
              ? t('error.sendFailed', language)
              : t(phase.sent ? 'linking.sent' : 'linking.pressSend', language)}
            {phase.created.length > 0 &&
              ` ${t('linking.created', language, { references: formatList(phase.created, locale) })}`}
          </MessageBarBody>
        </MessageBar>
      )}
    </section>
  );
}
