/** The real send handler wired to an Outlook mock, for tests that drive it against a backend. */
import { expect, vi } from 'vitest';
import { createSendHandler } from '../../src/addin/launchevent/send-handler.js';
import type { ComposeItem } from '../../src/addin/launchevent/office-async.js';
import type { CompletedOptions } from '../../src/addin/launchevent/smart-alerts.js';
import type { FetchLike } from '../../src/addin/shared/backend-client.js';
import type { KeyValueStorage } from '../../src/addin/shared/storage.js';
import type { OutlookMock } from './office-outlook-mock.js';

export interface HandlerRunnerOptions {
  storage: KeyValueStorage;
  fetch: FetchLike;
  apiOrigin: string;
}

/**
 * Creates the send handler on `outlook` with English text, Markdown support and silent logs.
 * The returned `send` runs one send event, asserts that `event.completed` was called exactly
 * once, and returns the options it was called with.
 */
export function createHandlerRunner(
  outlook: OutlookMock,
  options: HandlerRunnerOptions,
): { send(): Promise<CompletedOptions> } {
  const handler = createSendHandler({
    getItem: () => outlook.item as unknown as ComposeItem,
    storage: options.storage,
    fetch: options.fetch,
    apiOrigin: options.apiOrigin,
    clock: { now: () => Date.now() },
    language: () => 'en',
    markdownSupported: () => true,
    log: { info: vi.fn(), warn: vi.fn(), error: vi.fn() },
  });

  async function send(): Promise<CompletedOptions> {
    const event = outlook.createEvent();
    await handler(event);
    expect(event.completed).toHaveBeenCalledTimes(1);
    return event.completed.mock.calls[0]?.[0] as CompletedOptions;
  }

  return { send };
}
