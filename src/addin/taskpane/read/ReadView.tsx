import { Caption1, MessageBar, MessageBarBody, Title3, makeStyles, tokens } from '@fluentui/react-components';
import { t } from '../../shared/strings.js';
import type { Language } from '../../shared/strings.js';
import type { KeyValueStorage } from '../../shared/storage.js';
import type { PaneApi } from '../api/pane-api.js';
import { ErrorNotice } from '../common/ErrorNotice.js';
import { Progress } from '../common/Progress.js';
import type { PaneHost } from '../host/office-host.js';
import { WorkItemCard } from './WorkItemCard.js';
import { useReadModel } from './use-read-model.js';

export interface ReadViewProps {
  host: PaneHost;
  api: PaneApi;
  storage: KeyValueStorage;
  language: Language;
  locale: string;
  onSignInNeeded(): void;
}

const useStyles = makeStyles({
  view: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM },
  muted: { color: tokens.colorNeutralForeground3 },
});

/** Read mode: the work items of the selected message, kept current by the notification stream. */
export function ReadView({ host, api, storage, language, locale, onSignInNeeded }: ReadViewProps) {
  const styles = useStyles();
  const model = useReadModel(host, api, storage);
  const { phase } = model;

  return (
    <section className={styles.view} aria-labelledby="worklink-read-heading">
      <Title3 as="h1" id="worklink-read-heading">
        {t('read.heading', language)}
      </Title3>
      {phase.kind === 'ready' && (
        <Caption1 className={styles.muted} role="status">
          {model.live === 'lost' ? t('read.liveLost', language) : model.live === 'open' ? t('read.live', language) : ''}
        </Caption1>
      )}

      {phase.kind === 'loading' && <Progress label={t('read.loading', language)} />}
      {phase.kind === 'error' && (
        <ErrorNotice error={phase.error} language={language} onRetry={model.reload} onSignIn={onSignInNeeded} />
      )}
      {phase.kind === 'ready' && model.items.length === 0 && (
        <MessageBar intent="info">
          <MessageBarBody>{t('read.none', language)}</MessageBarBody>
        </MessageBar>
      )}
      {phase.kind === 'ready' &&
        model.items.map((item) => (
          <WorkItemCard
            key={item.detail.reference}
            item={item}
            teamNames={model.teamNames}
            language={language}
            locale={locale}
            onStatusChange={(status) => model.setStatus(item.detail.reference, status)}
          />
        ))}
    </section>
  );
}
