/** Dates, statuses and types as the pane shows them, in the agent's Outlook locale. */
import type { WorkItemStatus, WorkItemType } from '../../../core/api-types.js';
import { t } from '../../shared/strings.js';
import type { Language, StringKey } from '../../shared/strings.js';

/**
 * Formats an ISO timestamp with `Intl` for `locale` (Outlook's display language, such as
 * `pl-PL`). Returns the input unchanged when it is not a date, so nothing is hidden.
 */
export function formatDateTime(iso: string | null, locale: string): string {
  if (iso === null || iso === '') return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
  } catch {
    // An unknown locale tag throws a RangeError; the browser's default still reads well.
    return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
  }
}

export function statusLabel(status: WorkItemStatus, language: Language): string {
  return t(`status.${status}` as StringKey, language);
}

export function typeLabel(type: WorkItemType, language: Language): string {
  return t(`type.${type}` as StringKey, language);
}

/** Joins references for a sentence, with `Intl.ListFormat` where the browser has it. */
export function formatList(items: readonly string[], locale: string): string {
  try {
    return new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(items);
  } catch {
    return items.join(', ');
  }
}
