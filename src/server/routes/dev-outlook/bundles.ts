import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { build as esbuildBuild } from 'esbuild';
import { WorklinkError } from '../../errors.js';

/** Browser entries of the simulator under `src/dev`, by the file name they are served as. */
const entries = {
  'simulator.js': 'host/main.ts',
  'office-shim.js': 'shim/office-shim.ts',
} as const;

export type SimulatorBundle = keyof typeof entries;

export function isSimulatorBundle(name: string): name is SimulatorBundle {
  return Object.prototype.hasOwnProperty.call(entries, name);
}

/**
 * `src/dev` of this checkout. This file runs from `src/server/routes/dev-outlook` (tsx, tests)
 * or from `dist/server/routes/dev-outlook` (npm start), both four levels below the root.
 */
const sourceDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../src/dev');

/**
 * Bundles the simulator's browser code with esbuild on first use and keeps it in memory.
 * The simulator is a development tool, so it builds from the TypeScript sources rather than
 * adding a production build step. esbuild is a dev dependency: without it the route returns
 * `WORKLINK_DEV_SIMULATOR_UNAVAILABLE`.
 */
export function createBundleCache(): (name: SimulatorBundle) => Promise<string> {
  const cache = new Map<SimulatorBundle, Promise<string>>();

  async function bundleEntry(name: SimulatorBundle): Promise<string> {
    let build: typeof esbuildBuild;
    try {
      ({ build } = await import('esbuild'));
    } catch (error) {
      const reason = (error as Error).message;
      throw new WorklinkError('WORKLINK_DEV_SIMULATOR_UNAVAILABLE', {
        en: `esbuild could not be loaded (${reason}): install the dev dependencies with npm install.`,
        pl: `Nie udało się wczytać pakietu esbuild (${reason}): zainstaluj zależności deweloperskie przez npm install.`,
      });
    }
    const entry = path.join(sourceDir, entries[name]);
    try {
      const result = await build({
        entryPoints: [entry],
        bundle: true,
        write: false,
        format: 'iife',
        target: 'es2020',
        platform: 'browser',
        sourcemap: 'inline',
        logLevel: 'silent',
      });
      return result.outputFiles[0]?.text ?? '';
    } catch (error) {
      const reason = (error as Error).message;
      throw new WorklinkError('WORKLINK_DEV_SIMULATOR_UNAVAILABLE', {
        en: `Bundling ${entry} failed: ${reason}. Fix the simulator sources under src/dev.`,
        pl: `Nie udało się zbudować pakietu z ${entry}: ${reason}. Popraw źródła symulatora w src/dev.`,
      });
    }
  }

  return (name) => {
    let bundle = cache.get(name);
    if (bundle === undefined) {
      bundle = bundleEntry(name);
      // A failed build is retried on the next request, after the sources are fixed.
      bundle.catch(() => cache.delete(name));
      cache.set(name, bundle);
    }
    return bundle;
  };
}
