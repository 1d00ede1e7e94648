import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCatalog } from '../../src/server/errors.js';

const documentation = fs.readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

/** Codes in the first column of the table in docs/errors.md, with their status. */
function documentedCodes(): Map<string, number> {
  const rows = new Map<string, number>();
  for (const match of documentation.matchAll(/^\|\s*`(WORKLINK_[A-Z0-9_]+)`\s*\|\s*(\d{3})\s*\|/gm)) {
    rows.set(match[1]!, Number(match[2]));
  }
  return rows;
}

describe('error catalog', () => {
  it.each(Object.keys(errorCatalog))('documents %s with its status', (code) => {
    const status = documentedCodes().get(code);
    expect(status, `${code} is missing from docs/errors.md`).toBeDefined();
    expect(status).toBe(errorCatalog[code as keyof typeof errorCatalog].status);
  });

  it('documents no code outside the catalog', () => {
    const extra = [...documentedCodes().keys()].filter((code) => !(code in errorCatalog));
    expect(extra).toEqual([]);
  });

  it('uses the WORKLINK_ prefix and a 4xx or 5xx status', () => {
    for (const [code, entry] of Object.entries(errorCatalog)) {
      expect(code).toMatch(/^WORKLINK_[A-Z0-9_]+$/);
      expect(entry.status).toBeGreaterThanOrEqual(400);
      expect(entry.status).toBeLessThan(600);
    }
  });
});
