import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { gzipSize } from '../../scripts/bundle-size-plugin.js';

// Reads dist/addin, which the vitest global setup builds when it is missing or stale.
const distDir = path.resolve(import.meta.dirname, '../../dist/addin');

/** Budget of the task pane's initial JavaScript, gzip -9, in bytes. */
const TASK_PANE_GZIP_BUDGET_BYTES = 250 * 1024;

describe('task pane bundle', () => {
  it('stays under 250 KiB gzipped', () => {
    expect(gzipSize(readFileSync(path.join(distDir, 'taskpane.js')))).toBeLessThanOrEqual(TASK_PANE_GZIP_BUDGET_BYTES);
  });

  it('loads MSAL from a separate chunk', () => {
    const initial = readFileSync(path.join(distDir, 'taskpane.js'), 'utf8');
    const chunks = readdirSync(distDir).filter((name) => /^taskpane-msal\.[0-9a-f]+\.js$/.test(name));
    // MSAL names itself with this library id in every token request.
    const marker = 'msal.js.browser';

    expect(chunks).toHaveLength(1);
    expect(readFileSync(path.join(distDir, chunks[0]!), 'utf8').includes(marker)).toBe(true);
    expect(initial.includes(marker)).toBe(false);
  });
});
