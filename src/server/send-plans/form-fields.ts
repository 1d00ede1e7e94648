import type { FormField } from '../../core/api-types.js';
import type { Language } from '../../core/language.js';
import { WorklinkError, isWorklinkError } from '../errors.js';
import type { Executor } from '../repositories/executor.js';
import { getTeamForms, validateFormValues } from '../repositories/team-forms.js';
import type { FieldProblem } from '../repositories/team-forms.js';

/** Loads the creation forms of the given teams, keyed by team id. */
export async function loadTeamForms(db: Executor, teamIds: number[]): Promise<Map<number, FormField[]>> {
  return getTeamForms(db, teamIds);
}

/** The values a `create` choice entered in the creation form of its mailbox's team. */
export interface FormEntry {
  mailbox: string;
  form: FormField[];
  values: Record<string, string>;
}

/** A problem of one form value of a `create` choice, as `WORKLINK_FIELDS_INVALID` lists it in `details`. */
interface MailboxFieldProblem extends FieldProblem {
  mailbox: string;
}

const languages: readonly Language[] = ['en', 'pl'];

/**
 * Validates the form values of every `create` choice and returns the accepted
 * values per mailbox. Throws one `WORKLINK_FIELDS_INVALID` that lists the
 * problems of all mailboxes in English and in Polish. Each `details` entry
 * names its mailbox, so that the linking panel can mark every field at once.
 */
export function validateFormEntries(entries: FormEntry[]): Map<string, Record<string, string>> {
  const accepted = new Map<string, Record<string, string>>();
  const problems: Record<Language, MailboxFieldProblem[]> = { en: [], pl: [] };

  for (const entry of entries) {
    try {
      accepted.set(entry.mailbox, validateFormValues(entry.form, entry.values));
    } catch (error) {
      if (!isWorklinkError(error) || error.code !== 'WORKLINK_FIELDS_INVALID') {
        throw error;
      }
      for (const language of languages) {
        for (const detail of (error.detailsIn(language) ?? []) as FieldProblem[]) {
          problems[language].push({ mailbox: entry.mailbox, field: detail.field, problem: detail.problem });
        }
      }
    }
  }

  if (problems.en.length > 0) {
    const listedEn = problems.en.map((item) => `field "${item.field}" for ${item.mailbox} ${item.problem}`).join('; ');
    const listedPl = problems.pl
      .map((item) => `pole "${item.field}" dla skrzynki ${item.mailbox} ${item.problem}`)
      .join('; ');
    throw new WorklinkError(
      'WORKLINK_FIELDS_INVALID',
      {
        en: `Invalid creation form values: ${listedEn}. Correct them and commit again.`,
        pl: `Nieprawidłowe wartości formularza tworzenia zgłoszeń: ${listedPl}. Popraw je i zatwierdź ponownie.`,
      },
      { details: problems },
    );
  }
  return accepted;
}
