import { Field, Input, Select, makeStyles, tokens } from '@fluentui/react-components';
import type { FormField } from '../../../core/api-types.js';
import { t } from '../../shared/strings.js';
import type { Language, StringKey } from '../../shared/strings.js';
import { fieldLabel } from './plan-form.js';
import type { FieldProblem } from './plan-form.js';

export interface CreateFormProps {
  /** Id prefix that keeps the inputs of several teams apart. */
  idPrefix: string;
  /** Heading of the form, such as "New work item for Team B (PL)". */
  heading: string;
  form: readonly FormField[];
  values: Record<string, string>;
  /** Problems to show, by field name; none until the agent tries to confirm. */
  problems: Record<string, FieldProblem>;
  language: Language;
  onChange(values: Record<string, string>): void;
}

const PROBLEM_KEYS: Record<FieldProblem, StringKey> = {
  required: 'field.required',
  date: 'field.date',
  'no-such-date': 'field.noSuchDate',
  choice: 'field.choice',
};

const useStyles = makeStyles({
  fieldset: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalM,
    margin: 0,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  legend: {
    padding: `0 ${tokens.spacingHorizontalXS}`,
    fontWeight: tokens.fontWeightSemibold,
    color: tokens.colorNeutralForeground1,
  },
});

/** Renders a team's creation form with labels in the agent's language, required fields marked and problems per field. */
export function CreateForm({ idPrefix, heading, form, values, problems, language, onChange }: CreateFormProps) {
  const styles = useStyles();

  function set(name: string, value: string): void {
    onChange({ ...values, [name]: value });
  }

  return (
    <fieldset className={styles.fieldset}>
      <legend className={styles.legend}>{heading}</legend>
      {form.map((field) => {
        const problem = problems[field.name];
        const id = `${idPrefix}-${field.name}`;
        const value = values[field.name] ?? '';
        return (
          <Field
            key={field.name}
            label={fieldLabel(field, language)}
            required={field.required}
            hint={field.type === 'date' && !problem ? t('linking.dateHint', language) : undefined}
            validationState={problem ? 'error' : 'none'}
            validationMessage={problem ? t(PROBLEM_KEYS[problem], language) : undefined}
          >
            {field.type === 'choice' ? (
              <Select id={id} value={value} onChange={(_event, data) => set(field.name, data.value)}>
                <option value="">{t('linking.choose', language)}</option>
                {(field.options ?? []).map((option) => (
                  <option key={option} value={option}>
                    {option}
                  </option>
                ))}
              </Select>
            ) : (
              // A text input, not type="date": the server takes YYYY-MM-DD whatever the browser's date format.
              <Input
                id={id}
                value={value}
                inputMode={field.type === 'date' ? 'numeric' : undefined}
                placeholder={field.type === 'date' ? t('linking.datePlaceholder', language) : undefined}
                onChange={(_event, data) => set(field.name, data.value)}
              />
            )}
          </Field>
        );
      })}
    </fieldset>
  );
}
