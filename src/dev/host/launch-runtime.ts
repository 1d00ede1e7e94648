/**
 * Runs the built launch-event script for one send: a fresh hidden frame loads
 * `/dev/outlook/launchevent.html` (the built page with the Office.js shim), the script
 * registers `onMessageSendHandler` through `Office.actions.associate`, and the host calls it
 * with an event whose `completed` ends the run. Each send gets a new frame, so no state of
 * the handler survives between sends except `OfficeRuntime.storage`, as in Outlook.
 */

/** The handler's name in the manifest's LaunchEvent. */
export const HANDLER_NAME = 'onMessageSendHandler';

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
  { kind: 'completed'; options: CompletedOptions } | { kind: 'unavailable'; reason: string } | { kind: 'timed-out' };

export interface LaunchRuntimeHooks {
  /** Called when the handler runs longer than `TAKING_LONGER_MS`. */
  takingLonger(): void;
  log(text: string): void;
}

export class LaunchRuntime {
  private registration: ((name: string, handler: (event: unknown) => void) => void) | null = null;

  constructor(
    private readonly container: HTMLElement,
    private readonly hooks: LaunchRuntimeHooks,
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

    const registered = new Promise<((event: unknown) => void) | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), REGISTRATION_TIMEOUT_MS);
      this.registration = (name, handler) => {
        if (name !== HANDLER_NAME) {
          this.hooks.log(`launch event: ignored Office.actions.associate("${name}")`);
          return;
        }
        clearTimeout(timer);
        resolve(handler);
      };
    });
    frame.src = `/dev/outlook/launchevent.html?run=${runNumber}`;
    this.container.append(frame);

    const handler = await registered;
    this.registration = null;
    if (!handler) {
      frame.remove();
      return { kind: 'unavailable', reason: `${HANDLER_NAME} was not registered within ${REGISTRATION_TIMEOUT_MS} ms` };
    }

    const outcome = await new Promise<RunOutcome>((resolve) => {
      let done = false;
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
            this.hooks.log('launch event: event.completed was called again; Outlook ignores it');
            return;
          }
          finish({ kind: 'completed', options: JSON.parse(JSON.stringify(options ?? {})) as CompletedOptions });
        },
      };
      try {
        handler(event);
      } catch (error) {
        this.hooks.log(`launch event: the handler threw: ${String(error)}`);
      }
    });

    setTimeout(() => frame.remove(), FRAME_LINGER_MS);
    return outcome;
  }
}
