/**
 * Result type of the core functions: they never throw on arbitrary input, and
 * return a typed error instead.
 */

/** An expected failure on one input value. */
export interface CoreError {
  /** Stable `WORKLINK_*` code, listed in `error-codes.ts`. */
  code: string;
  /** English sentence that names the value and the fix. */
  message: string;
  /** The value that failed, as given. */
  value: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: CoreError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T>(code: string, message: string, value: string): Result<T> {
  return { ok: false, error: { code, message, value } };
}

// Long values are cut so that a message stays readable in a log line or a dialog.
const maxQuotedLength = 120;

/**
 * Quotes a value for an error message. JSON escaping makes control characters
 * visible instead of letting them break the line.
 */
export function quote(value: string): string {
  if (value.length <= maxQuotedLength) {
    return JSON.stringify(value);
  }
  return JSON.stringify(value.slice(0, maxQuotedLength) + '…');
}

/**
 * Describes any value as text for an error's `value`, for callers that pass a
 * non-string despite the types. Never throws, even for objects without a prototype.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  try {
    const json = JSON.stringify(value);
    return json === undefined ? String(value) : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
