import { Badge, Caption1, Select, Subtitle2, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { MessageAddress, WorkItemStatus } from '../../../core/api-types.js';
import { useId, useState } from 'react';
import { t } from '../../shared/strings.js';
import type { Language } from '../../shared/strings.js';
import { describePaneError } from '../common/error-message.js';
import { formatDateTime, statusLabel, typeLabel } from '../common/format.js';
import type { ReadModelItem } from './read-lookup.js';

export interface WorkItemCardProps {
  item: ReadModelItem;
  teamNames: Map<number, string>;
  language: Language;
  locale: string;
  /** Changes the work item's status; the card offers it only in the full view. */
  onStatusChange?(status: WorkItemStatus): Promise<void>;
}

const statuses: readonly WorkItemStatus[] = ['todo', 'in_progress', 'waiting', 'done'];

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
  heading: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', columnGap: tokens.spacingHorizontalS },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXXS,
    margin: 0,
  },
  term: { color: tokens.colorNeutralForeground3 },
  definition: { margin: 0 },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
  table: { borderCollapse: 'collapse', width: '100%', fontSize: tokens.fontSizeBase200 },
  cell: {
    textAlign: 'left',
    verticalAlign: 'top',
    padding: `${tokens.spacingVerticalXXS} ${tokens.spacingHorizontalXS}`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  muted: { color: tokens.colorNeutralForeground3 },
  error: { color: tokens.colorPaletteRedForeground1 },
});

/** Lets a member of the owning team pick the status; shows the server's error and keeps the old status. */
function StatusSelect({
  status,
  labelId,
  language,
  onChange,
}: {
  status: WorkItemStatus;
  labelId: string;
  language: Language;
  onChange(status: WorkItemStatus): Promise<void>;
}) {
  const styles = useStyles();
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const choose = async (next: WorkItemStatus) => {
    setSaving(true);
    setFailure(null);
    try {
      await onChange(next);
    } catch (error) {
      setFailure(describePaneError(error, language).text);
    } finally {
      setSaving(false);
    }
  };
  return (
    <>
      <Select
        aria-labelledby={labelId}
        value={status}
        disabled={saving}
        onChange={(_event, data) => void choose(data.value as WorkItemStatus)}
      >
        {statuses.map((option) => (
          <option key={option} value={option}>
            {statusLabel(option, language)}
          </option>
        ))}
      </Select>
      {failure !== null && (
        <Text role="alert" className={styles.error}>
          {t('read.statusFailed', language, { message: failure })}
        </Text>
      )}
    </>
  );
}

function HeaderViewBadge({ language }: { language: Language }) {
  return (
    <Badge appearance="outline" color="informative" title={t('view.headerHint', language)}>
      {t('view.header', language)}
    </Badge>
  );
}

/** Lists recipients by name, or by address where a recipient has no name. */
function addressList(addresses: readonly MessageAddress[]): string {
  return addresses.map((recipient) => recipient.name || recipient.address).join(', ');
}

/** Renders one work item of the message: status, requester, team, linked items and the message list. */
export function WorkItemCard({ item, teamNames, language, locale, onStatusChange }: WorkItemCardProps) {
  const styles = useStyles();
  const headingId = useId();
  const statusId = useId();
  const { detail, links } = item;
  const teamName = (id: number) => teamNames.get(id) ?? t('read.teamFallback', language, { id });

  return (
    <article className={styles.card} aria-labelledby={headingId}>
      <div className={styles.heading}>
        <Subtitle2 as="h2" id={headingId}>
          {`${detail.reference} · ${detail.title ?? typeLabel(detail.type, language)}`}
        </Subtitle2>
        {detail.view === 'header' && <HeaderViewBadge language={language} />}
      </div>
      {detail.view === 'header' && <Caption1 className={styles.muted}>{t('view.headerHint', language)}</Caption1>}

      <dl className={styles.facts}>
        <dt className={styles.term} id={statusId}>
          {t('read.status', language)}
        </dt>
        <dd className={styles.definition}>
          {detail.view === 'full' && onStatusChange ? (
            <StatusSelect status={detail.status} labelId={statusId} language={language} onChange={onStatusChange} />
          ) : (
            statusLabel(detail.status, language)
          )}
        </dd>
        {/* The header view leaves the requester out, so there is nothing to show for it. */}
        {detail.view === 'full' && (
          <>
            <dt className={styles.term}>{t('read.requester', language)}</dt>
            <dd className={styles.definition}>{detail.requester ?? t('read.requesterNone', language)}</dd>
          </>
        )}
        <dt className={styles.term}>{t('read.team', language)}</dt>
        <dd className={styles.definition}>{teamName(detail.teamId)}</dd>
      </dl>

      <Text as="h3" weight="semibold">
        {t('read.links', language)}
      </Text>
      {links.length === 0 ? (
        <Text className={styles.muted}>{t('read.noLinks', language)}</Text>
      ) : (
        <ul className={styles.list}>
          {links.map((link) => (
            <li key={link.reference}>
              <span className={styles.heading}>
                <Text weight="semibold">{link.reference}</Text>
                <Text>{teamName(link.teamId)}</Text>
                {link.status && <Text className={styles.muted}>{statusLabel(link.status, language)}</Text>}
                {link.view === 'header' && <HeaderViewBadge language={language} />}
              </span>
            </li>
          ))}
        </ul>
      )}

      <Text as="h3" weight="semibold">
        {t('read.messages', language)}
      </Text>
      {detail.messages.length === 0 ? (
        <Text className={styles.muted}>{t('read.noMessages', language)}</Text>
      ) : (
        <table className={styles.table}>
          <thead>
            <tr>
              <th scope="col" className={styles.cell}>
                {t('read.from', language)}
              </th>
              <th scope="col" className={styles.cell}>
                {t('read.date', language)}
              </th>
              <th scope="col" className={styles.cell}>
                {t('read.subject', language)}
              </th>
            </tr>
          </thead>
          <tbody>
            {detail.messages.map((message, index) => (
              <tr key={message.messageId ?? `message-${index}`}>
                <td className={styles.cell}>{message.fromName || message.from || ''}</td>
                <td className={styles.cell}>{formatDateTime(message.date ?? message.receivedAt, locale)}</td>
                <td className={styles.cell}>
                  <Text block>{message.subject || t('read.noSubject', language)}</Text>
                  {message.to.length > 0 && (
                    <Caption1 block className={styles.muted}>
                      {t('read.to', language, { names: addressList(message.to) })}
                    </Caption1>
                  )}
                  {message.cc.length > 0 && (
                    <Caption1 block className={styles.muted}>
                      {t('read.cc', language, { names: addressList(message.cc) })}
                    </Caption1>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </article>
  );
}
