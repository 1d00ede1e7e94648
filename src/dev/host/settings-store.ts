/** The simulator's own choices, kept in `localStorage` so that a reload keeps them. */
import type { Theme } from './frame-context.js';
import type { HostLanguage } from './strings.js';

const SETTINGS_KEY = 'worklinkSimulator.settings';

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
