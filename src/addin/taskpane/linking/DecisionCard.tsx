import {
  Badge,
  Caption1,
  Field,
  Radio,
  RadioGroup,
  Subtitle2,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useId } from 'react';
import type { LinkedItemSummary, PlanAction, PlanDecision } from '../../../core/api-types.js';
import { t } from '../../shared/strings.js';
import type { Language } from '../../shared/strings.js';
import { statusLabel, typeLabel } from '../common/format.js';
import { CreateForm } from './CreateForm.js';
import type { DecisionProblems, DecisionState } from './plan-form.js';

export interface DecisionCardProps {
  decision: PlanDecision;
  state: DecisionState;
  /** Problems to show; null until the agent tries to confirm. */
  problems: DecisionProblems | null;
  language: Language;
  disabled: boolean;
  onChange(next: DecisionState): void;
}

const useStyles = makeStyles({
  card: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalM,
    borderRadius: tokens.borderRadiusLarge,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  title: { display: 'flex', flexDirection: 'column' },
  itemLabel: { display: 'inline-flex', flexWrap: 'wrap', alignItems: 'center', columnGap: tokens.spacingHorizontalS },
  reference: { fontWeight: tokens.fontWeightSemibold },
  muted: { color: tokens.colorNeutralForeground3 },
});

function LinkedItemLabel({ item, language }: { item: LinkedItemSummary; language: Language }) {
  const styles = useStyles();
  const header = item.view === 'header';
  return (
    <span className={styles.itemLabel}>
      <span className={styles.reference}>{item.reference}</span>
      {/* The header view has no title; the type is the honest description. */}
      <span>{item.title ?? typeLabel(item.type, language)}</span>
      <span className={styles.muted}>{statusLabel(item.status, language)}</span>
      {header && (
        <Badge appearance="outline" color="informative" title={t('view.headerHint', language)}>
          {t('view.header', language)}
        </Badge>
      )}
    </span>
  );
}

/** Renders the choice for one connected mailbox of another team: share, create or plain email. */
export function DecisionCard({ decision, state, problems, language, disabled, onChange }: DecisionCardProps) {
  const styles = useStyles();
  const headingId = useId();
  const team = decision.teamName;
  const canShare = decision.linkedItems.length > 0;
  const anyHeaderView = decision.linkedItems.some((item) => item.view === 'header');

  return (
    <section className={styles.card} aria-labelledby={headingId}>
      <div className={styles.title}>
        <Subtitle2 as="h2" id={headingId}>
          {team}
        </Subtitle2>
        <Caption1 className={styles.muted}>{decision.mailbox}</Caption1>
      </div>

      <Field label={t('linking.actionLabel', language, { team })}>
        <RadioGroup
          value={state.action}
          disabled={disabled}
          onChange={(_event, data) => onChange({ ...state, action: data.value as PlanAction })}
        >
          {canShare && <Radio value="share" label={t('linking.action.share', language)} />}
          <Radio value="create" label={t('linking.action.create', language)} />
          <Radio value="plain" label={t('linking.action.plain', language)} />
        </RadioGroup>
      </Field>

      {state.action === 'share' && canShare && (
        <Field
          label={t('linking.linkedItemsLabel', language, { team })}
          required
          hint={anyHeaderView ? t('view.headerHint', language) : undefined}
          validationState={problems?.reference ? 'error' : 'none'}
          validationMessage={problems?.reference ? t('linking.referenceRequired', language) : undefined}
        >
          <RadioGroup
            value={state.reference ?? ''}
            disabled={disabled}
            onChange={(_event, data) => onChange({ ...state, reference: data.value })}
          >
            {decision.linkedItems.map((item) => (
              <Radio
                key={item.reference}
                value={item.reference}
                label={<LinkedItemLabel item={item} language={language} />}
              />
            ))}
          </RadioGroup>
        </Field>
      )}

      {state.action === 'create' && decision.form.length > 0 && (
        <CreateForm
          idPrefix={headingId}
          heading={t('linking.formHeading', language, { team })}
          form={decision.form}
          values={state.fields}
          problems={problems?.fields ?? {}}
          language={language}
          onChange={(fields) => onChange({ ...state, fields })}
        />
      )}
      {state.action === 'create' && decision.form.length === 0 && (
        <Text className={styles.muted}>{t('linking.formHeading', language, { team })}</Text>
      )}
    </section>
  );
}
