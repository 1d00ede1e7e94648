/** Makes sure `dist/addin` contains a built add-in, building it once with webpack's Node API when it is missing. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import webpack from 'webpack';
import type { Stats } from 'webpack';
import createConfigs from '../../../webpack.config.js';

export const addinDir = path.resolve(import.meta.dirname, '../../../dist/addin');

const requiredFiles = ['launchevent.html', 'launchevent.js', 'taskpane.html', 'taskpane.js', 'manifest.xml'];

/**
 * Builds the add-in in production mode unless every file the simulator loads exists. After
 * source changes, run `npm run build` first, because an existing build is used as it is.
 */
export async function ensureAddinBuilt(): Promise<void> {
  if (requiredFiles.every((file) => existsSync(path.join(addinDir, file)))) return;

  const stats = await new Promise<Stats[]>((resolve, reject) => {
    webpack(createConfigs({}, { mode: 'production' }), (error, multiStats) => {
      if (error || !multiStats) reject(error ?? new Error('webpack returned no stats'));
      else resolve(multiStats.stats);
    });
  });
  const errors = stats.filter((stat) => stat.hasErrors()).map((stat) => stat.toString('errors-only'));
  if (errors.length > 0) throw new Error(`Building the add-in for the e2e tests failed:\n${errors.join('\n')}`);
}
