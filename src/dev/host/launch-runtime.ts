/**
 * Runs the built launch-event script for one send: a fresh hidden frame loads
 * `/dev/outlook/launchevent.html` (the built page with the Office.js shim) or the page given
 * with `?launchevent=` (see `launchEventPageFrom`), the script
 * registers `onMessageSendHandler` through `Office.actions.associate`, and the host calls it
 * with an event whose `completed` ends the run. Each send gets a new frame, so no state of
 * the handler survives between sends except `OfficeRuntime.storage`, as in Outlook.
 */

import type { HostMessage } from './strings.js';

/** The handler's name in the manifest's LaunchEvent. */
export const HANDLER_NAME = 'onMessageSendHandler';

/** The built launch-event page with the Office.js shim in place. */
export const DEFAULT_LAUNCH_EVENT_PAGE = '/dev/outlook/launchevent.html';

/** Prefix of each launch-event frame's name; the run number follows it. */
export const LAUNCH_FRAME_NAME_PREFIX = 'worklink-launch-event-';

/** Time the frame gets to load and register the handler. */
const REGISTRATION_TIMEOUT_MS = 15_000;

/** Outlook shows its "taking longer" notice after 5 s. */
export const TAKING_LONGER_MS = 5000;

/** Outlook ends a send handler after about 5 minutes. */
const HANDLER_TIMEOUT_MS = 5 * 60 * 1000;

/** Time the frame stays after `event.completed`, so a second completion can still be seen. */
const FRAME_LINGER_MS = 1500;

export interface CompletedOptions {
  allowEvent?: boolean;
  errorMessage?: string;
  errorMessageMarkdown?: string;
  cancelLabel?: string;
  commandId?: string;
  contextData?: string;
  sendModeOverride?: string;
}

export type RunOutcome =
  | {
      kind: 'completed';
      options: CompletedOptions;
      /** Milliseconds from the call of the handler to its first `event.completed`, from `performance.now()`. */
      handlerMs: number;
      /**
       * Milliseconds of `handlerMs` during which at least one request of the frame was in flight, from the
       * frame's resource timing entries. Requests of workers that the handler starts are not among them.
       */
      networkMs: number;
    }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'timed-out' };

/**
 * Reads the launch-event page from the simulator URL's `launchevent` parameter, such as
 * `/dev/outlook?launchevent=/bench/empty-launchevent.html`, so that a benchmark can run another
 * handler script in the same runtime. Only a path on the simulator's own origin is accepted,
 * and its file name must contain `launchevent`, which the shim reads to take the launch-event
 * role. Returns the default page when the parameter is absent, and with it an error for the
 * log when the parameter is invalid.
 */
export function launchEventPageFrom(search: string): { page: string; error?: HostMessage } {
  const value = new URLSearchParams(search).get('launchevent');
  if (value === null || value === '') return { page: DEFAULT_LAUNCH_EVENT_PAGE };
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) {
    return {
      page: DEFAULT_LAUNCH_EVENT_PAGE,
      error: { key: 'launchEventOtherOrigin', params: { value, page: DEFAULT_LAUNCH_EVENT_PAGE } },
    };
  }
  if (!(value.split('?')[0] ?? '').includes('launchevent')) {
    return {
      page: DEFAULT_LAUNCH_EVENT_PAGE,
      error: { key: 'launchEventNoRole', params: { value, page: DEFAULT_LAUNCH_EVENT_PAGE } },
    };
  }
  return { page: value };
}

export interface LaunchRuntimeHooks {
  /** Called when the handler runs longer than `TAKING_LONGER_MS`. */
  takingLonger(): void;
  log(line: string | HostMessage): void;
}

export class LaunchRuntime {
  private registration: ((name: string, handler: (event: unknown) => void) => void) | null = null;

  constructor(
    private readonly container: HTMLElement,
    private readonly hooks: LaunchRuntimeHooks,
    private readonly page: string = DEFAULT_LAUNCH_EVENT_PAGE,
  ) {}

  /** Receives `Office.actions.associate` from the frame's shim. */
  associate(name: string, handler: (event: unknown) => void): void {
    if (this.registration) this.registration(name, handler);
  }

  async runSend(runNumber: number): Promise<RunOutcome> {
    const frame = document.createElement('iframe');
    frame.className = 'hidden-runtime';
    frame.title = 'Worklink launch-event runtime';
    frame.setAttribute('aria-hidden', 'true');
    frame.tabIndex = -1;
    // The name lets a page-level observer match a request of this frame to its run.
    frame.name = `${LAUNCH_FRAME_NAME_PREFIX}${runNumber}`;

    const registered = new Promise<((event: unknown) => void) | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), REGISTRATION_TIMEOUT_MS);
      this.registration = (name, handler) => {
        if (name !== HANDLER_NAME) {
          this.hooks.log({ key: 'associateIgnored', params: { name } });
          return;
        }
        clearTimeout(timer);
        resolve(handler);
      };
    });
    frame.src = `${this.page}${this.page.includes('?') ? '&' : '?'}run=${runNumber}`;
    this.container.append(frame);

    const handler = await registered;
    this.registration = null;
    if (!handler) {
      frame.remove();
      return { kind: 'unavailable', reason: `${HANDLER_NAME} was not registered within ${REGISTRATION_TIMEOUT_MS} ms` };
    }

    const outcome = await new Promise<RunOutcome>((resolve) => {
      let done = false;
      let started = 0;
      const longer = setTimeout(() => this.hooks.takingLonger(), TAKING_LONGER_MS);
      const timeout = setTimeout(() => finish({ kind: 'timed-out' }), HANDLER_TIMEOUT_MS);
      const finish = (result: RunOutcome): void => {
        if (done) return;
        done = true;
        clearTimeout(longer);
        clearTimeout(timeout);
        resolve(result);
      };
      const event = {
        type: 'olkMessageSend',
        completed: (options?: CompletedOptions) => {
          if (done) {
            this.hooks.log({ key: 'completedAgain' });
            return;
          }
          const ended = performance.now();
          finish({
            kind: 'completed',
            options: JSON.parse(JSON.stringify(options ?? {})) as CompletedOptions,
            handlerMs: ended - started,
            networkMs: requestTimeWithin(frame, started, ended),
          });
        },
      };
      try {
        started = performance.now();
        handler(event);
      } catch (error) {
        this.hooks.log({ key: 'handlerThrew', params: { error: String(error) } });
      }
    });

    setTimeout(() => frame.remove(), FRAME_LINGER_MS);
    return outcome;
  }
}

/**
 * Returns the milliseconds between `from` and `to` (this page's `performance.now()` times) during which
 * at least one request of `frame` was in flight, overlapping requests counted once.
 */
export function requestTimeWithin(frame: HTMLIFrameElement, from: number, to: number): number {
  const frameWindow = frame.contentWindow;
  if (frameWindow === null) return 0;
  // Each document has its own time origin, so the frame's entries are shifted onto this page's clock.
  const shift = frameWindow.performance.timeOrigin - performance.timeOrigin;
  const entries = frameWindow.performance.getEntriesByType('resource') as PerformanceResourceTiming[];
  const spans = entries
    .map((entry) => [Math.max(from, entry.startTime + shift), Math.min(to, entry.responseEnd + shift)] as const)
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);

  let total = 0;
  let coveredUntil = from;
  for (const [start, end] of spans) {
    if (end <= coveredUntil) continue;
    total += end - Math.max(start, coveredUntil);
    coveredUntil = end;
  }
  return total;
}
