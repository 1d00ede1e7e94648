import type { FormField } from '../../core/api-types.js';
import { WorklinkError, isWorklinkError } from '../errors.js';
import type { Executor } from '../repositories/executor.js';
import { getTeamForms, validateFormValues } from '../repositories/team-forms.js';

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

/**
 * Validates the form values of every `create` choice and returns the accepted
 * values per mailbox. Throws one `WORKLINK_FIELDS_INVALID` that lists the
 * problems of all mailboxes, each `details` entry naming its mailbox, so that
 * the linking panel can mark every field at once.
 */
export function validateFormEntries(entries: FormEntry[]): Map<string, Record<string, string>> {
  const accepted = new Map<string, Record<string, string>>();
  const problems: Array<{ mailbox: string; field: string; problem: string }> = [];

  for (const entry of entries) {
    try {
      accepted.set(entry.mailbox, validateFormValues(entry.form, entry.values));
    } catch (error) {
      if (!isWorklinkError(error) || error.code !== 'WORKLINK_FIELDS_INVALID') {
        throw error;
      }
      for (const detail of (error.details ?? []) as Array<{ field: string; problem: string }>) {
        problems.push({ mailbox: entry.mailbox, field: detail.field, problem: detail.problem });
      }
    }
  }

  if (problems.length > 0) {
    const listed = problems.map((item) => `field "${item.field}" for ${item.mailbox} ${item.problem}`).join('; ');
    throw new WorklinkError(
      'WORKLINK_FIELDS_INVALID',
      `Invalid creation form values: ${listed}. Correct them and commit again.`,
      {
        details: problems,
      },
    );
  }
  return accepted;
}
