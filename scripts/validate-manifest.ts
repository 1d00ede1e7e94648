// Offline check of manifest.xml against the built add-in in dist/addin/.
// Usage: tsx scripts/validate-manifest.ts [--manifest manifest.xml] [--dist dist/addin]
// Run it after `npm run build`. `npm run validate:online` runs Microsoft's validator instead,
// which needs network access.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkIcons, checkUrls } from './manifest-checks/file-checks.js';
import { checkLaunchEvent } from './manifest-checks/launch-event-checks.js';
import {
  checkElementOrder,
  checkResourceIds,
  checkRoot,
  checkTranslations,
  checkWiring,
} from './manifest-checks/structure-checks.js';
import { parseManifestXml } from './manifest-checks/xml.js';
import type { CheckResult, ManifestContext } from './manifest-checks/xml.js';

export type { CheckResult } from './manifest-checks/xml.js';

type Check = (
  context: ManifestContext,
) => string[] | { errors: string[]; notes: string[] } | Promise<{ errors: string[]; notes: string[] }>;

const CHECKS: Array<[string, Check]> = [
  ['root element and Id', checkRoot],
  ['element order', checkElementOrder],
  ['resource ids', checkResourceIds],
  ['pl-PL translations', checkTranslations],
  ['buttons, launch event and runtime', checkWiring],
  ['URLs name built files', checkUrls],
  ['icon sizes', checkIcons],
  ['launch-event script', checkLaunchEvent],
];

/** Runs every check on one manifest and returns the results in order; the first is the XML parse. */
export async function validateManifest(options: { manifestPath: string; distDir: string }): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let context: ManifestContext;

  try {
    const document = parseManifestXml(readFileSync(options.manifestPath, 'utf8'), options.manifestPath);
    const root = document.documentElement;
    if (!root) throw new Error(`WORKLINK_MANIFEST_NOT_WELL_FORMED: ${options.manifestPath} has no root element.`);
    context = { manifestPath: options.manifestPath, distDir: options.distDir, document, root };
    results.push({ name: 'well-formed XML', errors: [], notes: [] });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    results.push({ name: 'well-formed XML', errors: [message], notes: ['the other checks were skipped'] });
    return results;
  }

  for (const [name, check] of CHECKS) {
    const outcome = await check(context);
    const { errors, notes } = Array.isArray(outcome) ? { errors: outcome, notes: [] } : outcome;
    results.push({ name, errors, notes });
  }
  return results;
}

/** Prints results as one line per check, with errors and notes indented below it. */
export function formatResults(results: CheckResult[]): string {
  const lines: string[] = [];
  for (const result of results) {
    lines.push(`${result.errors.length === 0 ? 'PASS' : 'FAIL'}  ${result.name}`);
    for (const note of result.notes) lines.push(`        ${note}`);
    for (const error of result.errors) lines.push(`      - ${error}`);
  }
  const failed = results.filter((result) => result.errors.length > 0).length;
  lines.push(failed === 0 ? `All ${results.length} checks passed.` : `${failed} of ${results.length} checks failed.`);
  return lines.join('\n');
}

/** Prints `message` with the usage, and sets the exit code of a command-line error. */
function reportUsageError(message: string): void {
  process.stderr.write(`${message}\nUsage: npm run validate -- [MANIFEST] [--manifest FILE] [--dist DIR]\n`);
  process.exitCode = 2;
}

async function main(): Promise<void> {
  const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        manifest: { type: 'string', default: path.join(rootDir, 'manifest.xml') },
        dist: { type: 'string', default: path.join(rootDir, 'dist/addin') },
      },
      // `npm run validate -- dist/addin/manifest.xml` names the manifest as `--manifest` does.
      allowPositionals: true,
    });
  } catch (error) {
    reportUsageError(error instanceof Error ? error.message : String(error));
    return;
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    reportUsageError(`Expected one manifest path, got ${positionals.length}: ${positionals.join(' ')}.`);
    return;
  }
  const manifestPath = path.resolve(positionals[0] ?? values.manifest);
  const distDir = path.resolve(values.dist);

  process.stdout.write(
    `Validating ${path.relative(process.cwd(), manifestPath)} against ${path.relative(process.cwd(), distDir)}/\n`,
  );
  const results = await validateManifest({ manifestPath, distDir });
  process.stdout.write(`${formatResults(results)}\n`);
  if (results.some((result) => result.errors.length > 0)) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
