import { Field, Select } from '@fluentui/react-components';
import type { WorkItemSummary } from '../api/pane-api.js';
import { t } from '../../shared/strings.js';
import type { Language } from '../../shared/strings.js';
import { typeLabel } from '../common/format.js';

export interface CurrentItemPickerProps {
  items: readonly WorkItemSummary[];
  /** The picked reference, or '' for none. */
  value: string;
  language: Language;
  disabled: boolean;
  onChange(reference: string): void;
}

/** Lets the agent pick their own team's work item when the plan found none, or none. */
export function CurrentItemPicker({ items, value, language, disabled, onChange }: CurrentItemPickerProps) {
  return (
    <Field label={t('linking.currentLabel', language)} hint={t('linking.currentHint', language)}>
      <Select value={value} disabled={disabled} onChange={(_event, data) => onChange(data.value)}>
        <option value="">{t('linking.currentNone', language)}</option>
        {items.map((item) => (
          <option key={item.reference} value={item.reference}>
            {`${item.reference} · ${item.title ?? typeLabel(item.type, language)}`}
          </option>
        ))}
      </Select>
    </Field>
  );
}
