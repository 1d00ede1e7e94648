/** Limits for waiting out Graph throttling (429) and unavailability (503). */
export interface RetryPolicy {
  /** Attempts per request, the first one included. */
  maxAttempts: number;
  /** Upper bound of one wait, in milliseconds, before jitter is added. */
  maxDelayMs: number;
  /** Upper bound of the random extra wait, in milliseconds, that spreads out instances that were throttled together. */
  maxJitterMs: number;
  /** Wait before the second attempt when the response has no `Retry-After`; it doubles with each attempt. */
  baseDelayMs: number;
}

export const defaultRetryPolicy: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 5,
  maxDelayMs: 120_000,
  maxJitterMs: 1_000,
  baseDelayMs: 2_000,
});

/**
 * Parses a `Retry-After` header into milliseconds: delay-seconds (a decimal
 * fraction is accepted too) or an HTTP date. Returns undefined when the
 * header is absent or unreadable, so the caller falls back to its own backoff.
 */
export function parseRetryAfter(header: string | null, nowMs = Date.now()): number | undefined {
  if (header === null) {
    return undefined;
  }
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    return Math.round(Number(text) * 1000);
  }
  const date = Date.parse(text);
  if (Number.isNaN(date)) {
    return undefined;
  }
  return Math.max(0, date - nowMs);
}

/**
 * Computes the wait before attempt `attempt + 1` (attempts count from 1): the
 * server's `Retry-After` when given, otherwise exponential backoff from
 * `baseDelayMs`, capped at `maxDelayMs`, plus up to `maxJitterMs` of jitter.
 */
export function computeRetryDelay(
  retryAfterMs: number | undefined,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const planned = retryAfterMs ?? policy.baseDelayMs * 2 ** (attempt - 1);
  const capped = Math.min(planned, policy.maxDelayMs);
  return capped + Math.floor(random() * policy.maxJitterMs);
}

/** Resolves after `ms` milliseconds, or rejects with the signal's reason as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
