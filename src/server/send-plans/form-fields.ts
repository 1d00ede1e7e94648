import type { FormField } from '../../core/api-types.js';
import type { Executor } from '../repositories/executor.js';
import { WorklinkError } from '../errors.js';

/** One rejected form value, as listed in the `details` of `WORKLINK_FIELDS_INVALID`. */
export interface FormFieldProblem {
  mailbox: string;
  field: string;
  problem: 'missing' | 'unknown-field' | 'invalid-date' | 'invalid-choice' | 'too-long';
  value?: string;
  allowed?: string[];
}

/** Maximum length of a form value in characters. Longer input is a paste mistake, not a form value. */
const maxFieldLength = 2000;

/** Loads the creation forms of the given teams, fields in their configured order. */
export async function loadTeamForms(db: Executor, teamIds: number[]): Promise<Map<number, FormField[]>> {
  const forms = new Map<number, FormField[]>();
  for (const teamId of teamIds) {
    forms.set(teamId, []);
  }
  if (teamIds.length === 0) {
    return forms;
  }

  const rows = await db
    .selectFrom('team_form_fields')
    .selectAll()
    .where('team_id', 'in', teamIds)
    .orderBy('team_id')
    .orderBy('position')
    .orderBy('id')
    .execute();

  for (const row of rows) {
    const field: FormField = {
      name: row.name,
      label: { en: row.label_en, pl: row.label_pl },
      type: row.type,
      required: row.required === 1,
    };
    if (row.type === 'choice') {
      field.options = parseOptions(row.options);
    }
    forms.get(row.team_id)?.push(field);
  }
  return forms;
}

function parseOptions(json: string): string[] {
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.filter((option): option is string => typeof option === 'string') : [];
}

/** True for a real calendar date written as `YYYY-MM-DD`. */
export function isIsoDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) {
    return false;
  }
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * Checks the values an agent entered in a team's creation form and returns
 * every problem found, so that the pane can mark all fields at once.
 * Values are trimmed; an empty value counts as missing.
 */
export function findFormFieldProblems(
  mailbox: string,
  form: FormField[],
  values: Record<string, string>,
): FormFieldProblem[] {
  const problems: FormFieldProblem[] = [];
  const known = new Set(form.map((field) => field.name));

  for (const name of Object.keys(values)) {
    if (!known.has(name)) {
      problems.push({ mailbox, field: name, problem: 'unknown-field' });
    }
  }

  for (const field of form) {
    const raw = values[field.name];
    const value = typeof raw === 'string' ? raw.trim() : '';
    if (value === '') {
      if (field.required) {
        problems.push({ mailbox, field: field.name, problem: 'missing' });
      }
      continue;
    }

    if (value.length > maxFieldLength) {
      problems.push({ mailbox, field: field.name, problem: 'too-long' });
    } else if (field.type === 'date' && !isIsoDate(value)) {
      problems.push({ mailbox, field: field.name, problem: 'invalid-date', value });
    } else if (field.type === 'choice' && !(field.options ?? []).includes(value)) {
      problems.push({ mailbox, field: field.name, problem: 'invalid-choice', value, allowed: field.options ?? [] });
    }
  }
  return problems;
}

/** Returns the trimmed, non-empty values of the form's fields. */
export function normaliseFormValues(form: FormField[], values: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const field of form) {
    const value = values[field.name]?.trim() ?? '';
    if (value !== '') {
      result[field.name] = value;
    }
  }
  return result;
}

/** Throws `WORKLINK_FIELDS_INVALID` listing every problem, or returns when there is none. */
export function assertNoFormProblems(problems: FormFieldProblem[]): void {
  if (problems.length === 0) {
    return;
  }
  const summary = problems.map(describeProblem).join('; ');
  throw new WorklinkError('WORKLINK_FIELDS_INVALID', `Invalid creation form values: ${summary}.`, {
    details: problems,
  });
}

function describeProblem(problem: FormFieldProblem): string {
  switch (problem.problem) {
    case 'missing':
      return `field "${problem.field}" for ${problem.mailbox} is required, so fill it in`;
    case 'unknown-field':
      return `field "${problem.field}" is not in the form of ${problem.mailbox}, so remove it`;
    case 'invalid-date':
      return `field "${problem.field}" has "${problem.value}", which is not a date in YYYY-MM-DD form`;
    case 'invalid-choice':
      return `field "${problem.field}" has "${problem.value}", which is not one of ${JSON.stringify(problem.allowed)}`;
    case 'too-long':
      return `field "${problem.field}" is longer than ${maxFieldLength} characters, so shorten it`;
  }
}
