/**
 * `npm run bench`: measures every performance figure of Worklink against a baseline from the
 * same run and writes `docs/benchmarks.md` and `docs/benchmarks.json`. `--smoke` uses tiny
 * sizes and `--out DIR` writes the two files to DIR instead of docs/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { measureBundles } from './bundle-sizes.js';
import { benchHandler } from './handler-bench.js';
import { benchIngest } from './ingest-bench.js';
import { describeMachine } from './machine.js';
import { benchJson, benchMarkdown } from './report.js';
import type { BenchFigures } from './report.js';
import { benchSendPlans } from './send-plan-bench.js';
import { fullSizes, smokeSizes } from './sizes.js';
import type { BenchSizes } from './sizes.js';

export interface BenchResult {
  figures: BenchFigures;
  json: Record<string, unknown>;
  jsonPath: string;
  markdownPath: string;
}

/** Runs every bench in turn, writes both reports to `outDir` and returns the figures. */
export async function runBench(sizes: BenchSizes, outDir: string, log: (line: string) => void): Promise<BenchResult> {
  const startedAt = new Date();
  const started = performance.now();
  const machine = describeMachine();

  // The build comes first, so that its CPU use does not overlap a measured load.
  const bundles = await measureBundles(log);
  let figures: BenchFigures;
  try {
    const handler = await benchHandler(bundles.buildDir, sizes.handlerSends, log);
    const sendPlans = await benchSendPlans(sizes, log);
    const ingest = await benchIngest(sizes, log);
    figures = {
      sizes,
      machine,
      startedAt,
      seconds: (performance.now() - started) / 1000,
      sendPlans,
      ingest,
      bundles,
      handler,
    };
  } finally {
    fs.rmSync(bundles.buildDir, { recursive: true, force: true });
  }

  const json = benchJson(figures);
  fs.mkdirSync(outDir, { recursive: true });
  const jsonPath = path.join(outDir, 'benchmarks.json');
  const markdownPath = path.join(outDir, 'benchmarks.md');
  fs.writeFileSync(jsonPath, `${JSON.stringify(json, null, 2)}\n`);
  fs.writeFileSync(markdownPath, benchMarkdown(figures));
  return { figures, json, jsonPath, markdownPath };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { smoke: { type: 'boolean', default: false }, out: { type: 'string' } },
  });
  const outDir = path.resolve(values.out ?? path.join(import.meta.dirname, '..', 'docs'));
  const sizes = values.smoke ? smokeSizes : fullSizes;
  const log = (line: string): void => console.log(`[bench] ${line}`);

  const result = await runBench(sizes, outDir, log);
  const targets = result.json.targets as Record<string, { target: string; met: boolean }>;
  for (const [key, target] of Object.entries(targets)) {
    log(`${target.met ? 'met   ' : 'MISSED'} ${key} = ${String(result.json[key])} (target ${target.target})`);
  }
  log(`wrote ${result.markdownPath} and ${result.jsonPath} in ${Math.round(result.figures.seconds)} s`);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  main().catch((error: unknown) => {
    console.error('[bench] failed:', error);
    process.exitCode = 1;
  });
}
