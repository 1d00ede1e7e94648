/**
 * Gzip -9 sizes of the add-in's JavaScript from a fresh production build: the launch-event
 * script, and the task pane's initial scripts (those that `taskpane.html` loads, not the
 * chunks it imports later).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import CopyWebpackPlugin from 'copy-webpack-plugin';
import webpack from 'webpack';
import type { Configuration, Stats } from 'webpack';
import createConfigs from '../webpack.config.js';
import { gzipSize } from '../scripts/bundle-size-plugin.js';

export interface BundleFile {
  file: string;
  rawBytes: number;
  gzipBytes: number;
}

export interface BundleFigures {
  launchEvent: BundleFile;
  /** Scripts of `taskpane.html` served by Worklink; Office.js from Microsoft's CDN is listed apart. */
  taskpaneScripts: BundleFile[];
  taskpaneGzipBytes: number;
  /** Script URLs on other origins that `taskpane.html` loads, not counted. */
  externalScripts: string[];
  buildSeconds: number;
  /** Folder of the measured build; it is removed when the bench ends. */
  buildDir: string;
}

function runWebpack(configs: Configuration[]): Promise<Stats[]> {
  return new Promise((resolve, reject) => {
    webpack(configs, (error, stats) => {
      if (error || !stats) {
        reject(error ?? new Error('webpack returned no stats'));
        return;
      }
      if (stats.hasErrors()) {
        reject(new Error(`The production build failed:\n${stats.toString('errors-only')}`));
        return;
      }
      resolve(stats.stats);
    });
  });
}

function measure(dir: string, file: string): BundleFile {
  const content = fs.readFileSync(path.join(dir, file));
  return { file, rawBytes: content.length, gzipBytes: gzipSize(content) };
}

/** Lists the `src` of each `<script>` element in the order the page loads them. */
export function scriptSources(html: string): string[] {
  return [...html.matchAll(/<script\b[^>]*\bsrc\s*=\s*["']([^"']+)["'][^>]*>/gi)].map((match) => match[1] as string);
}

/**
 * Builds both add-in bundles in production mode into a new temporary folder, so that the
 * figure reflects the current sources whatever `dist/` holds, and measures them there.
 */
export async function measureBundles(log: (line: string) => void): Promise<BundleFigures> {
  const buildDir = fs.mkdtempSync(path.join(os.tmpdir(), 'worklink-bench-build-'));
  const started = performance.now();
  const configs = (createConfigs({}, { mode: 'production' }) as Configuration[]).map((config) => ({
    ...config,
    output: { ...config.output, path: buildDir },
    // The copy plugin writes icons and the manifest to fixed paths in dist/, which are no JavaScript.
    plugins: (config.plugins ?? []).filter((plugin) => !(plugin instanceof CopyWebpackPlugin)),
  }));
  await runWebpack(configs);
  const buildSeconds = (performance.now() - started) / 1000;
  log(`bundles: production build in ${buildSeconds.toFixed(1)} s`);

  const html = fs.readFileSync(path.join(buildDir, 'taskpane.html'), 'utf8');
  const sources = scriptSources(html);
  const externalScripts = sources.filter((source) => /^[a-z]+:\/\//i.test(source) || source.startsWith('//'));
  const taskpaneScripts = sources
    .filter((source) => !externalScripts.includes(source))
    .map((source) => measure(buildDir, source.replace(/^\.?\//, '').split('?')[0] as string));
  if (taskpaneScripts.length === 0) {
    throw new Error(`taskpane.html in ${buildDir} loads no local script; check the HtmlWebpackPlugin settings.`);
  }
  return {
    launchEvent: measure(buildDir, 'launchevent.js'),
    taskpaneScripts,
    taskpaneGzipBytes: taskpaneScripts.reduce((sum, file) => sum + file.gzipBytes, 0),
    externalScripts,
    buildSeconds,
    buildDir,
  };
}
