import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { coreErrorCodes } from '../../src/core/error-codes.js';
import { configVariableNames } from '../../src/server/config.js';
import { errorCatalog } from '../../src/server/errors.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const documentation = fs.readFileSync(path.join(root, 'docs/errors.md'), 'utf8');
const polishDocumentation = fs.readFileSync(path.join(root, 'docs/errors.pl.md'), 'utf8');

/** Where the project's code lives: the test scans these for `WORKLINK_*` names. */
const scannedPaths = ['src', 'scripts', 'webpack.config.js'];
const sourceExtension = /\.(ts|tsx|js|mjs|cjs)$/;

// A whole name only: `__WORKLINK_AUTH_MODE__` (a webpack define) and the prefix
// `WORKLINK_ENTRA_` in "the WORKLINK_ENTRA_* variables" do not match.
const namePattern = /\bWORKLINK_[A-Z0-9]+(?:_[A-Z0-9]+)*\b/g;

type Section = 'Server API' | 'Core' | 'Add-in' | 'Build';
const sections: readonly Section[] = ['Server API', 'Core', 'Add-in', 'Build'];

/** The heading of each section in docs/errors.pl.md. */
const polishTitles: Record<Section, string> = {
  'Server API': 'API serwera',
  Core: 'Rdzeń',
  'Add-in': 'Dodatek',
  Build: 'Kompilacja',
};

/** Lists the source files below `relative`, or `relative` itself when it is a file. */
function sourceFiles(relative: string): string[] {
  const absolute = path.join(root, relative);
  if (!fs.statSync(absolute).isDirectory()) {
    return sourceExtension.test(relative) ? [relative] : [];
  }
  return fs
    .readdirSync(absolute)
    .flatMap((entry) => sourceFiles(path.join(relative, entry)))
    .sort();
}

/** Maps each `WORKLINK_*` code used in the scanned sources to the first file that uses it. */
function codesInSources(): Map<string, string> {
  const variables = new Set(configVariableNames);
  const codes = new Map<string, string>();
  for (const file of scannedPaths.flatMap(sourceFiles)) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    for (const [name] of text.matchAll(namePattern)) {
      if (!variables.has(name) && !codes.has(name)) {
        codes.set(name, file);
      }
    }
  }
  return codes;
}

/** Returns the text of the `## heading` section of a Markdown page, up to the next `## ` heading. */
function sectionOf(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) {
    return '';
  }
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

/** Returns the text of the `## title` section of docs/errors.md. */
function sectionText(title: Section): string {
  return sectionOf(documentation, title);
}

/** Lists the codes in the first column of a section's table, in order and with repeats. */
function codesOf(section: string): string[] {
  return [...section.matchAll(/^\|\s*`(WORKLINK_[A-Z0-9_]+)`\s*\|/gm)].map((match) => match[1]!);
}

function tableCodes(title: Section): string[] {
  return codesOf(sectionText(title));
}

/** Maps each code of a server table to its HTTP status column. */
function statusesOf(section: string): Map<string, number> {
  const rows = new Map<string, number>();
  for (const match of section.matchAll(/^\|\s*`(WORKLINK_[A-Z0-9_]+)`\s*\|\s*(\d{3})\s*\|/gm)) {
    rows.set(match[1]!, Number(match[2]));
  }
  return rows;
}

function serverStatuses(): Map<string, number> {
  return statusesOf(sectionText('Server API'));
}

const documented = new Map<string, Section[]>();
for (const section of sections) {
  for (const code of tableCodes(section)) {
    documented.set(code, [...(documented.get(code) ?? []), section]);
  }
}

describe('error catalog', () => {
  it.each(sections)('has the section %s', (title) => {
    expect(sectionText(title), `docs/errors.md has no "## ${title}" heading`).not.toBe('');
    expect(tableCodes(title).length, `the ${title} section has no table of codes`).toBeGreaterThan(0);
  });

  it.each(Object.keys(errorCatalog))('documents %s with its status', (code) => {
    const status = serverStatuses().get(code);
    expect(status, `${code} is missing from the Server API table of docs/errors.md`).toBeDefined();
    expect(status).toBe(errorCatalog[code as keyof typeof errorCatalog].status);
  });

  it('documents no server code outside the catalog', () => {
    const extra = tableCodes('Server API').filter((code) => !(code in errorCatalog));
    expect(extra).toEqual([]);
  });

  it('documents exactly the core codes', () => {
    expect([...tableCodes('Core')].sort()).toEqual(Object.keys(coreErrorCodes).sort());
  });

  it('documents each code once', () => {
    const repeated = [...documented]
      .filter(([, where]) => where.length > 1)
      .map(([code, where]) => `${code}: ${where}`);
    expect(repeated).toEqual([]);
  });

  it('documents every code the sources use', () => {
    const missing = [...codesInSources()]
      .filter(([code]) => !documented.has(code))
      .map(([code, file]) => `${code} (used in ${file})`);
    expect(missing, 'add each to the fitting section of docs/errors.md').toEqual([]);
  });

  it('documents only codes the sources use', () => {
    const used = codesInSources();
    const unused = [...documented.keys()].filter((code) => !used.has(code));
    expect(unused).toEqual([]);
  });

  it('keeps configuration variables out of the codes', () => {
    const clashes = configVariableNames.filter((name) => documented.has(name));
    expect(clashes).toEqual([]);
    expect(codesInSources().has('WORKLINK_PORT')).toBe(false);
    expect(codesInSources().has('WORKLINK_CONFIG_INVALID')).toBe(true);
  });

  it.each(sections)('lists the same %s codes in Polish', (title) => {
    const polish = sectionOf(polishDocumentation, polishTitles[title]);
    expect(polish, `docs/errors.pl.md has no "## ${polishTitles[title]}" heading`).not.toBe('');
    expect(codesOf(polish), 'docs/errors.pl.md must list the codes of docs/errors.md in the same order').toEqual(
      tableCodes(title),
    );
  });

  it('gives the same statuses in Polish', () => {
    const polish = sectionOf(polishDocumentation, polishTitles['Server API']);
    expect(statusesOf(polish)).toEqual(serverStatuses());
  });

  it.each(Object.entries(errorCatalog))('describes %s in English and Polish', (_code, { description }) => {
    expect(description.en.trim()).not.toBe('');
    expect(description.pl.trim()).not.toBe('');
    expect(description.pl).not.toBe(description.en);
    // Identifiers, variables and paths in backticks are the same in both languages.
    const quoted = (text: string) => (text.match(/`[^`]+`/g) ?? []).sort();
    expect(quoted(description.pl)).toEqual(quoted(description.en));
  });

  it('uses the WORKLINK_ prefix and a 4xx or 5xx status', () => {
    for (const [code, entry] of Object.entries(errorCatalog)) {
      expect(code).toMatch(/^WORKLINK_[A-Z0-9_]+$/);
      expect(entry.status).toBeGreaterThanOrEqual(400);
      expect(entry.status).toBeLessThan(600);
    }
  });
});
