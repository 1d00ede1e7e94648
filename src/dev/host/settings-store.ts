/** The simulator's own choices and its Sent items, kept in `localStorage` so that a reload keeps them. */
import type { Theme } from './frame-context.js';
import type { SentMessage } from './simulator.js';
import type { HostLanguage } from './strings.js';

const SETTINGS_KEY = 'worklinkSimulator.settings';
const SENT_ITEMS_KEY = 'worklinkSimulator.sentItems';

/** Maximum number of Sent items kept across reloads, the newest ones. The inbox comes from the server each time. */
const maxSentItems = 100;

export interface SimulatorSettings {
  language?: HostLanguage;
  theme?: Theme;
  /** Email of the agent signed in last. */
  agent?: string;
}

/** Returns the saved settings; damaged or unknown values are left out, so the defaults apply. */
export function loadSettings(): SimulatorSettings {
  let saved: Record<string, unknown>;
  try {
    saved = JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}') as Record<string, unknown>;
  } catch {
    return {};
  }
  const settings: SimulatorSettings = {};
  if (saved.language === 'pl' || saved.language === 'en') settings.language = saved.language;
  if (saved.theme === 'dark' || saved.theme === 'light') settings.theme = saved.theme;
  if (typeof saved.agent === 'string') settings.agent = saved.agent;
  return settings;
}

export function saveSettings(settings: SimulatorSettings): void {
  localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings));
}

/** Returns the saved Sent items, oldest first, or none when the saved value is damaged. */
export function loadSentItems(): SentMessage[] {
  try {
    const saved = JSON.parse(localStorage.getItem(SENT_ITEMS_KEY) ?? '[]') as unknown;
    if (!Array.isArray(saved)) return [];
    return saved.filter(
      (entry): entry is SentMessage =>
        typeof entry === 'object' && entry !== null && typeof (entry as SentMessage).messageId === 'string',
    );
  } catch {
    return [];
  }
}

export function saveSentItems(items: readonly SentMessage[]): void {
  localStorage.setItem(SENT_ITEMS_KEY, JSON.stringify(items.slice(-maxSentItems)));
}
