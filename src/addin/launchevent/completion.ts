/**
 * Completion of a send event: the options passed to `event.completed` together with the
 * detail that goes only to the log, and a wrapper that completes each event once.
 */
import type { CompletedOptions } from './smart-alerts.js';

export interface SendEvent {
  completed(options?: CompletedOptions): void;
}

/** The runtime log: `console` in Outlook. */
export interface Logger {
  info(message: string, detail?: unknown): void;
  warn(message: string, detail?: unknown): void;
  error(message: string, detail?: unknown): void;
}

export interface Outcome {
  options: CompletedOptions;
  /** Logged detail; never shown to the agent. */
  reason: string;
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Wraps `event.completed` so that a second call is logged and ignored, and a call that throws
 * is repeated once with the basic options.
 */
export function createCompletion(event: SendEvent, log: Logger): { done(): boolean; complete(outcome: Outcome): void } {
  let done = false;
  return {
    done: () => done,
    complete(outcome) {
      if (done) {
        log.error('worklink: event.completed was already called; ignoring a second completion', outcome.reason);
        return;
      }
      done = true;
      log.info(`worklink: ${outcome.options.allowEvent ? 'send allowed' : 'send stopped'}: ${outcome.reason}`);
      try {
        event.completed(outcome.options);
      } catch (error) {
        // The event may still be open, for example on a host that rejects an option it lacks, so retry with the Mailbox 1.12 options alone.
        log.error(
          'worklink: event.completed threw; completing with allowEvent and errorMessage only',
          describeError(error),
        );
        const basic: CompletedOptions = { allowEvent: outcome.options.allowEvent };
        if (outcome.options.errorMessage) basic.errorMessage = outcome.options.errorMessage;
        event.completed(basic);
      }
    },
  };
}
