import type { FormField } from '../../core/api-types.js';
import type { Language, LocalizedText } from '../../core/language.js';
import type { Selectable } from 'kysely';
import type { TeamFormFieldTable } from '../db/schema.js';
import { WorklinkError } from '../errors.js';
import { bumpDirectoryVersion } from './directory-version.js';
import { parseJson } from './executor.js';
import type { Executor } from './executor.js';

const datePattern = /^\d{4}-\d{2}-\d{2}$/;

/** True for an existing day written YYYY-MM-DD; rejects 2026-02-30, which Date would roll over. */
function isCalendarDate(value: string): boolean {
  if (!datePattern.test(value)) {
    return false;
  }
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

/** Returns the creation form of a team, fields in their defined order; empty when the team has none. */
export async function getTeamForm(db: Executor, teamId: number): Promise<FormField[]> {
  return (await getTeamForms(db, [teamId])).get(teamId) ?? [];
}

/**
 * Returns the creation forms of several teams in one query, keyed by team id, fields in their
 * defined order. A team without a form maps to an empty list.
 */
export async function getTeamForms(db: Executor, teamIds: readonly number[]): Promise<Map<number, FormField[]>> {
  const unique = [...new Set(teamIds)];
  const forms = new Map<number, FormField[]>(unique.map((teamId) => [teamId, []]));
  if (unique.length === 0) {
    return forms;
  }
  const rows = await db
    .selectFrom('team_form_fields')
    .selectAll()
    .where('team_id', 'in', unique)
    .orderBy('team_id')
    .orderBy('position')
    .execute();
  addFormFields(forms, rows);
  return forms;
}

/**
 * Returns the creation forms of all teams that have one, keyed by team id, fields in their
 * defined order. The directory cache keeps them, so `putTeamForm` bumps the directory version.
 */
export async function listTeamForms(db: Executor): Promise<Map<number, FormField[]>> {
  const rows = await db.selectFrom('team_form_fields').selectAll().orderBy('team_id').orderBy('position').execute();
  const forms = new Map<number, FormField[]>();
  addFormFields(forms, rows);
  return forms;
}

function addFormFields(forms: Map<number, FormField[]>, rows: Selectable<TeamFormFieldTable>[]): void {
  for (const row of rows) {
    const field: FormField = {
      name: row.name,
      label: { en: row.label_en, pl: row.label_pl },
      type: row.type,
      required: row.required === 1,
    };
    if (row.type === 'choice') {
      field.options = parseJson<string[]>(row.options, []);
    }
    let form = forms.get(row.team_id);
    if (form === undefined) {
      form = [];
      forms.set(row.team_id, form);
    }
    form.push(field);
  }
}

/** Throws `WORKLINK_FORM_INVALID` for repeated names, a choice without options, or options on other types. */
export function validateFormDefinition(fields: readonly FormField[]): void {
  const names = new Set<string>();
  for (const field of fields) {
    if (names.has(field.name)) {
      throw new WorklinkError('WORKLINK_FORM_INVALID', {
        en: `Field name "${field.name}" appears twice: give each field a unique name.`,
        pl: `Nazwa pola "${field.name}" występuje dwa razy: nadaj każdemu polu inną nazwę.`,
      });
    }
    names.add(field.name);
    const options = field.options ?? [];
    if (field.type === 'choice' && options.length === 0) {
      throw new WorklinkError('WORKLINK_FORM_INVALID', {
        en: `Choice field "${field.name}" has no options: list its allowed values in \`options\`.`,
        pl: `Pole "${field.name}" typu choice nie ma opcji: wymień jego dozwolone wartości w \`options\`.`,
      });
    }
    if (field.type === 'choice' && new Set(options).size !== options.length) {
      throw new WorklinkError('WORKLINK_FORM_INVALID', {
        en: `Choice field "${field.name}" repeats an option: list each value once.`,
        pl: `Pole "${field.name}" typu choice ma powtórzoną opcję: wymień każdą wartość tylko raz.`,
      });
    }
    if (field.type !== 'choice' && field.options !== undefined) {
      throw new WorklinkError('WORKLINK_FORM_INVALID', {
        en: `Field "${field.name}" of type ${field.type} cannot have options: remove \`options\` or use type choice.`,
        pl: `Pole "${field.name}" typu ${field.type} nie może mieć opcji: usuń \`options\` albo użyj typu choice.`,
      });
    }
  }
}

/**
 * Replaces the creation form of a team inside `db`, which should be a transaction, and bumps
 * the directory version so that cached directories reload the forms.
 */
export async function putTeamForm(db: Executor, teamId: number, fields: readonly FormField[]): Promise<FormField[]> {
  validateFormDefinition(fields);
  await db.deleteFrom('team_form_fields').where('team_id', '=', teamId).execute();
  if (fields.length > 0) {
    await db
      .insertInto('team_form_fields')
      .values(
        fields.map((field, position) => ({
          team_id: teamId,
          name: field.name,
          label_en: field.label.en,
          label_pl: field.label.pl,
          type: field.type,
          required: field.required ? 1 : 0,
          options: JSON.stringify(field.options ?? []),
          position,
        })),
      )
      .execute();
  }
  await bumpDirectoryVersion(db);
  return getTeamForm(db, teamId);
}

/** A problem of one form value, as `WORKLINK_FIELDS_INVALID` lists it in `details`. */
export interface FieldProblem {
  field: string;
  problem: string;
}

/**
 * Checks work item field values against a team's form: required fields present,
 * dates as YYYY-MM-DD, choices among the options, no unknown names. Returns the
 * values with empty optional fields dropped; throws `WORKLINK_FIELDS_INVALID`
 * listing every problem, in English and in Polish.
 */
export function validateFormValues(
  form: readonly FormField[],
  values: Record<string, string> = {},
): Record<string, string> {
  const problems: Record<Language, FieldProblem[]> = { en: [], pl: [] };
  const addProblem = (field: string, problem: LocalizedText) => {
    problems.en.push({ field, problem: problem.en });
    problems.pl.push({ field, problem: problem.pl });
  };
  const accepted: Record<string, string> = {};
  const known = new Set(form.map((field) => field.name));

  for (const name of Object.keys(values)) {
    if (!known.has(name)) {
      addProblem(name, { en: 'is not a field of this team’s form', pl: 'nie należy do formularza tego zespołu' });
    }
  }
  for (const field of form) {
    const value = values[field.name]?.trim() ?? '';
    if (value === '') {
      if (field.required) {
        addProblem(field.name, { en: 'is required', pl: 'jest wymagane' });
      }
      continue;
    }
    if (field.type === 'date' && !isCalendarDate(value)) {
      addProblem(field.name, {
        en: `has "${value}", which is not a date of the form YYYY-MM-DD`,
        pl: `ma wartość "${value}", która nie jest datą w formacie RRRR-MM-DD`,
      });
      continue;
    }
    if (field.type === 'choice' && !(field.options ?? []).includes(value)) {
      const options = (field.options ?? []).join(', ');
      addProblem(field.name, {
        en: `has "${value}", which is not one of ${options}`,
        pl: `ma wartość "${value}", a dozwolone wartości to ${options}`,
      });
      continue;
    }
    accepted[field.name] = value;
  }

  const [firstEn] = problems.en;
  const [firstPl] = problems.pl;
  if (firstEn !== undefined && firstPl !== undefined) {
    throw new WorklinkError(
      'WORKLINK_FIELDS_INVALID',
      {
        en: `Field "${firstEn.field}" ${firstEn.problem}: correct the form values.`,
        pl: `Pole "${firstPl.field}" ${firstPl.problem}: popraw wartości formularza.`,
      },
      { details: problems },
    );
  }
  return accepted;
}
