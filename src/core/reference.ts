import { describeValue, fail, ok, quote } from './result.js';
import type { Result } from './result.js';

export type ReferenceKind = 'ticket' | 'case' | 'action';

/** A work item reference: ticket `101203-T`, case `10040-C`, or action `10040-C-A1` of a case. */
export interface ParsedReference {
  /** Number of the ticket or case; for an action, the number of its case. */
  number: number;
  kind: ReferenceKind;
  /** Number of the action within its case, only for `kind: 'action'`. */
  action?: number;
  /** Canonical upper-case text, such as `10040-C-A1`. */
  text: string;
}

// Digit bounds: a ticket or case number has 1 to 10 digits and an action number 1 to 6,
// both without leading zeros. Ten digits stay far below Number.MAX_SAFE_INTEGER and still
// leave room for billions of work items. The bounds also keep long digit runs in subjects,
// such as order or phone numbers, from being read as references.
const referencePattern = /^([1-9]\d{0,9})-([TC])(?:-A([1-9]\d{0,5}))?$/i;
const maxNumber = 9999999999;
const maxAction = 999999;

/** Parses a reference case-insensitively, ignoring surrounding whitespace. */
export function parseReference(text: string): Result<ParsedReference> {
  if (typeof text !== 'string') {
    return invalid(describeValue(text));
  }

  const match = referencePattern.exec(text.trim());
  if (match === null) {
    return invalid(text);
  }

  const number = Number(match[1]);
  const letter = (match[2] ?? '').toUpperCase();
  const actionDigits = match[3];

  if (actionDigits === undefined) {
    const kind: ReferenceKind = letter === 'T' ? 'ticket' : 'case';
    return ok({ number, kind, text: number + '-' + letter });
  }

  if (letter !== 'C') {
    return fail(
      'WORKLINK_REFERENCE_INVALID',
      `Reference ${quote(text)} gives an action to a ticket, but only cases have actions: write it as NNNNN-C-A1.`,
      text,
    );
  }

  const action = Number(actionDigits);
  return ok({ number, kind: 'action', action, text: number + '-C-A' + action });
}

/** The parts `formatReference` needs. */
export interface ReferenceParts {
  number: number;
  kind: ReferenceKind;
  /** Required for `kind: 'action'`, ignored otherwise. */
  action?: number;
}

/** Writes the canonical text of a reference, such as `101203-T` or `10040-C-A1`. */
export function formatReference(parts: ReferenceParts): Result<string> {
  const value = describeValue(parts);

  if (parts === null || typeof parts !== 'object' || !isCounter(parts.number, maxNumber)) {
    return fail(
      'WORKLINK_REFERENCE_INVALID',
      `Reference parts ${quote(value)} need a whole number from 1 to ${maxNumber}: check the counter.`,
      value,
    );
  }

  if (parts.kind === 'ticket') {
    return ok(parts.number + '-T');
  }
  if (parts.kind === 'case') {
    return ok(parts.number + '-C');
  }
  if (parts.kind === 'action') {
    if (!isCounter(parts.action, maxAction)) {
      return fail(
        'WORKLINK_REFERENCE_INVALID',
        `Reference parts ${quote(value)} need an action number from 1 to ${maxAction}: check the case's action count.`,
        value,
      );
    }
    return ok(parts.number + '-C-A' + parts.action);
  }

  return fail(
    'WORKLINK_REFERENCE_INVALID',
    `Reference parts ${quote(value)} have an unknown kind: use ticket, case or action.`,
    value,
  );
}

function isCounter(value: unknown, max: number): value is number {
  return typeof value === 'number' && value >= 1 && value <= max && Math.floor(value) === value;
}

function invalid(text: string): Result<ParsedReference> {
  return fail(
    'WORKLINK_REFERENCE_INVALID',
    `Text ${quote(text)} is not a work item reference: write it as 101203-T (ticket), 10040-C (case) or 10040-C-A1 (action).`,
    text,
  );
}

// Candidates in a subject; the boundaries around them are checked in code, because the
// JavaScript-only runtime of classic Outlook has no lookbehind.
const candidatePattern = /(\d{1,10})-([TC])(?:-A(\d{1,6}))?/gi;

// Characters outside ASCII that still separate words: no-break and ideographic spaces,
// quotes, dashes, ellipsis, and full-width or CJK brackets and punctuation. Every other
// non-ASCII character counts as a letter, so `ą10040-C` is not a reference.
const unicodeSeparators =
  /[\u00a0\u00ab\u00bb\u2000-\u206f\u3000-\u3011\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]/;

/**
 * Finds work item references in a subject, distinct and in order of appearance, as
 * canonical text. A reference may touch brackets, `#` and punctuation
 * (`[10040-C]Invoice`, `Invoice[#101203-t]`, `(10040-C).`), but never continues a
 * longer number or word: `9101203-T` yields itself, never `101203-T`, and
 * `101203-TX`, `A10040-C` and `10040-C-A1X` yield nothing. `10040-C-A1` yields the action only.
 */
export function findReferencesInSubject(subject: string): string[] {
  if (typeof subject !== 'string') {
    return [];
  }

  const found: string[] = [];
  const seen: { [reference: string]: true } = {};
  const pattern = new RegExp(candidatePattern.source, 'gi');
  let match = pattern.exec(subject);

  while (match !== null) {
    const start = match.index;
    const end = start + match[0].length;
    const reference = parseReference(match[0]);

    if (reference.ok && isBoundary(subject, start - 1) && isBoundaryAfter(subject, end)) {
      if (seen[reference.value.text] !== true) {
        seen[reference.value.text] = true;
        found.push(reference.value.text);
      }
      pattern.lastIndex = end;
    } else {
      // Try again one character later: the match may have swallowed the start of a valid
      // reference, as in `0101203-T`, whose boundary check then fails on its own.
      pattern.lastIndex = start + 1;
    }

    match = pattern.exec(subject);
  }

  return found;
}

/** Returns true when the character at `index` cannot continue a reference, or is outside the text. */
function isBoundary(text: string, index: number): boolean {
  if (index < 0 || index >= text.length) {
    return true;
  }

  const char = text.charAt(index);
  if (/[A-Za-z0-9_-]/.test(char)) {
    return false;
  }
  if (char.charCodeAt(0) < 0x80) {
    return true;
  }
  return unicodeSeparators.test(char) || /\s/.test(char);
}

/**
 * Checks what follows a reference. A hyphen may follow (`101203-T-urgent`), except when
 * `-A` and a digit follow, which is an action the pattern could not take, such as the
 * seven-digit `10040-C-A1234567`.
 */
function isBoundaryAfter(text: string, index: number): boolean {
  if (text.charAt(index) === '-') {
    return !/^-A\d/i.test(text.slice(index, index + 3));
  }
  return isBoundary(text, index);
}
