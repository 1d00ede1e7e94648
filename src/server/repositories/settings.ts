import type { Settings } from '../../core/api-types.js';
import { bumpDirectoryVersion } from './directory-version.js';
import { parseJson } from './executor.js';
import type { Executor } from './executor.js';

/** Settings of a fresh install: rewriting on, `+` separator, no internal domains, sends allowed on failure. */
export const defaultSettings: Readonly<Settings> = Object.freeze<Settings>({
  plusAddressing: { mode: 'mixed', separator: '+' },
  internalDomains: [],
  failurePolicy: 'allow',
});

// One row per top-level field, so a later field can be added without rewriting the others.
const keys = ['plusAddressing', 'internalDomains', 'failurePolicy'] as const;

export async function getSettings(db: Executor): Promise<Settings> {
  const rows = await db
    .selectFrom('settings')
    .selectAll()
    .where('key', 'in', [...keys])
    .execute();
  const stored = new Map(rows.map((row) => [row.key, row.value]));
  return {
    plusAddressing: parseJson(stored.get('plusAddressing'), { ...defaultSettings.plusAddressing }),
    internalDomains: parseJson(stored.get('internalDomains'), [...defaultSettings.internalDomains]),
    failurePolicy: parseJson(stored.get('failurePolicy'), defaultSettings.failurePolicy),
  };
}

/** Replaces all settings. Internal domains are stored lower-case, without duplicates. */
export async function putSettings(db: Executor, settings: Settings): Promise<Settings> {
  const normalized: Settings = {
    plusAddressing: { mode: settings.plusAddressing.mode, separator: settings.plusAddressing.separator },
    internalDomains: [...new Set(settings.internalDomains.map((domain) => domain.trim().toLowerCase()))],
    failurePolicy: settings.failurePolicy,
  };
  for (const key of keys) {
    const value = JSON.stringify(normalized[key]);
    await db
      .insertInto('settings')
      .values({ key, value })
      .onConflict((conflict) => conflict.column('key').doUpdateSet({ value }))
      .execute();
  }
  await bumpDirectoryVersion(db);
  return normalized;
}
