/**
 * State of the linking panel, derived from a send plan: one entry per connected mailbox of
 * another team, with the agent's action, the picked work item and the creation form's values.
 * Pure functions only, so that every rule here is unit-tested without React.
 */
import type { FormField, PlanAction, PlanChoice, PlanDecision } from '../../../core/api-types.js';
import type { Language } from '../../shared/strings.js';

export interface DecisionState {
  mailbox: string;
  action: PlanAction;
  /** Work item picked for `share`; null until the agent picks one. */
  reference: string | null;
  /** Values of the creation form by field name, as typed. */
  fields: Record<string, string>;
}

/** Reason a form value is rejected; each maps to a localised message. */
export type FieldProblem = 'required' | 'date' | 'no-such-date' | 'choice';

export interface DecisionProblems {
  /** Set when `share` has no work item picked. */
  reference?: 'required';
  /** Problems of the creation form by field name. */
  fields: Record<string, FieldProblem>;
}

/** `YYYY-MM-DD`, the date format the server accepts for `date` fields. */
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Tells whether `value` is an existing calendar date written `YYYY-MM-DD`. */
export function isCalendarDate(value: string): boolean {
  const match = DATE_PATTERN.exec(value);
  if (!match) return false;

  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Returns the initial form values: a choice field with one option starts with it, others start empty. */
export function initialFieldValues(form: readonly FormField[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of form) {
    const options = field.options ?? [];
    values[field.name] = field.type === 'choice' && options.length === 1 ? (options[0] as string) : '';
  }
  return values;
}

/**
 * Returns the starting state of one decision. A single linked item is pre-selected for
 * sharing, whatever the server's default; otherwise the server's default choice applies.
 */
export function initialDecisionState(decision: PlanDecision): DecisionState {
  const fields = initialFieldValues(decision.form);
  const onlyItem = decision.linkedItems.length === 1 ? decision.linkedItems[0] : undefined;
  if (onlyItem) return { mailbox: decision.mailbox, action: 'share', reference: onlyItem.reference, fields };

  const defaultReference = decision.defaultChoice.reference;
  const known = decision.linkedItems.some((item) => item.reference === defaultReference);
  if (decision.defaultChoice.action === 'share' && defaultReference !== undefined && known) {
    return { mailbox: decision.mailbox, action: 'share', reference: defaultReference, fields };
  }
  // Sharing needs a linked item; without one the agent creates or sends as plain email.
  const action: PlanAction = decision.linkedItems.length === 0 ? 'create' : decision.defaultChoice.action;
  return { mailbox: decision.mailbox, action, reference: null, fields };
}

/** Checks one value against its field: required, `YYYY-MM-DD` dates and choice options. */
export function checkField(field: FormField, rawValue: string | undefined): FieldProblem | null {
  const value = (rawValue ?? '').trim();
  if (value === '') return field.required ? 'required' : null;
  if (field.type === 'date' && !isCalendarDate(value)) return DATE_PATTERN.test(value) ? 'no-such-date' : 'date';
  if (field.type === 'choice' && (field.options ?? []).indexOf(value) < 0) return 'choice';
  return null;
}

/** Returns the problems of one decision; an empty `fields` and no `reference` mean it is valid. */
export function validateDecision(decision: PlanDecision, state: DecisionState): DecisionProblems {
  const problems: DecisionProblems = { fields: {} };
  if (state.action === 'share' && state.reference === null) problems.reference = 'required';
  if (state.action === 'create') {
    for (const field of decision.form) {
      const problem = checkField(field, state.fields[field.name]);
      if (problem) problems.fields[field.name] = problem;
    }
  }
  return problems;
}

export function hasProblems(problems: DecisionProblems): boolean {
  return problems.reference !== undefined || Object.keys(problems.fields).length > 0;
}

/** Builds the commit choice of one decision; empty optional fields are left out. */
export function toChoice(decision: PlanDecision, state: DecisionState): PlanChoice {
  if (state.action === 'share') return { mailbox: decision.mailbox, action: 'share', reference: state.reference ?? '' };
  if (state.action === 'plain') return { mailbox: decision.mailbox, action: 'plain' };

  const fields: Record<string, string> = {};
  for (const field of decision.form) {
    const value = (state.fields[field.name] ?? '').trim();
    if (value !== '') fields[field.name] = value;
  }
  return { mailbox: decision.mailbox, action: 'create', fields };
}

/** Returns the field's label in `language`, falling back to English and then to its name. */
export function fieldLabel(field: FormField, language: Language): string {
  const label = field.label[language] || field.label.en;
  return label && label.trim() !== '' ? label : field.name;
}

/**
 * Records `create` choices as `share` of the references the commit created, in order, as the
 * send handler does, so that a later plan for the same message never creates them twice.
 * When the counts differ, the choices stay as they are.
 */
export function resolveCreatedChoices(choices: PlanChoice[], created: readonly string[] | undefined): PlanChoice[] {
  const creates = choices.filter((choice) => choice.action === 'create');
  if (!created || creates.length === 0 || creates.length !== created.length) return choices;

  let next = 0;
  return choices.map((choice) => {
    if (choice.action !== 'create') return choice;
    const reference = created[next] as string;
    next += 1;
    return { mailbox: choice.mailbox, action: 'share', reference };
  });
}
