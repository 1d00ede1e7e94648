/**
 * Vitest global setup: builds the add-in into `dist/addin` once before any test file runs,
 * when the build is missing or older than its sources. Several test files read the built
 * bundles, and building in each of them would run webpack into one folder at the same time.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import webpack from 'webpack';
import type { Stats } from 'webpack';
import createConfigs from '../../webpack.config.js';

const rootDir = path.resolve(import.meta.dirname, '../..');
const addinDir = path.join(rootDir, 'dist/addin');
const builtFiles = ['launchevent.html', 'launchevent.js', 'taskpane.html', 'taskpane.js', 'manifest.xml'];
const sources = [
  'src/addin',
  'src/core',
  'assets',
  'manifest.xml',
  'webpack.config.js',
  'scripts/bundle-size-plugin.js',
];

function newestModification(target: string): number {
  const stat = statSync(target);
  if (!stat.isDirectory()) {
    return stat.mtimeMs;
  }
  let newest = stat.mtimeMs;
  for (const name of readdirSync(target, { recursive: true }) as string[]) {
    newest = Math.max(newest, statSync(path.join(target, name)).mtimeMs);
  }
  return newest;
}

function buildIsCurrent(): boolean {
  const built = builtFiles.map((file) => path.join(addinDir, file));
  if (!built.every((file) => existsSync(file))) {
    return false;
  }
  const oldestBuilt = Math.min(...built.map((file) => statSync(file).mtimeMs));
  const newestSource = Math.max(...sources.map((source) => newestModification(path.join(rootDir, source))));
  return oldestBuilt >= newestSource;
}

export default async function setup(): Promise<void> {
  if (buildIsCurrent()) {
    return;
  }
  console.log('Building dist/addin for the tests (webpack, production mode)…');
  const stats = await new Promise<Stats[]>((resolve, reject) => {
    webpack(createConfigs({}, { mode: 'production' }), (error, multiStats) => {
      if (error || !multiStats) {
        reject(error ?? new Error('webpack returned no stats'));
      } else {
        resolve(multiStats.stats);
      }
    });
  });
  const errors = stats.filter((stat) => stat.hasErrors()).map((stat) => stat.toString('errors-only'));
  if (errors.length > 0) {
    throw new Error(`Building dist/addin for the tests failed:\n${errors.join('\n')}`);
  }
}
