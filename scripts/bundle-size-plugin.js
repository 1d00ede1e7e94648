import process from 'node:process';
import { gzipSync } from 'node:zlib';

/** Maximum gzip -9 size of the launch-event script, in bytes; MSAL alone takes about 77 KiB of it. */
export const LAUNCH_EVENT_GZIP_BUDGET_BYTES = 102_400;

/** Returns the gzip -9 size of a buffer or string in bytes. */
export function gzipSize(content) {
  return gzipSync(content, { level: 9 }).length;
}

/**
 * Webpack plugin that prints the gzip -9 size of the initial JS files of one entry point,
 * and fails the build when their sum exceeds `budgetBytes` (when given).
 */
export class BundleSizePlugin {
  /** @param {{ entry: string, budgetBytes?: number }} options */
  constructor(options) {
    this.entry = options.entry;
    this.budgetBytes = options.budgetBytes;
  }

  /** @param {import('webpack').Compiler} compiler */
  apply(compiler) {
    const { Compilation, WebpackError } = compiler.webpack;

    compiler.hooks.thisCompilation.tap('BundleSizePlugin', (compilation) => {
      // The report stage runs after minification and before the assets are written, so an
      // error here keeps an over-budget file out of dist/ in production mode.
      compilation.hooks.processAssets.tap(
        { name: 'BundleSizePlugin', stage: Compilation.PROCESS_ASSETS_STAGE_REPORT },
        () => this.report(compilation, WebpackError),
      );
    });
  }

  /**
   * @param {import('webpack').Compilation} compilation
   * @param {typeof import('webpack').WebpackError} WebpackError
   */
  report(compilation, WebpackError) {
    const entrypoint = compilation.entrypoints.get(this.entry);
    if (!entrypoint) {
      compilation.errors.push(
        new WebpackError(
          `WORKLINK_BUILD_ENTRY_MISSING: entry point "${this.entry}" was not built; check the entry names in webpack.config.js.`,
        ),
      );
      return;
    }

    const files = entrypoint.getFiles().filter((file) => file.endsWith('.js'));
    let total = 0;
    for (const file of files) {
      const asset = compilation.getAsset(file);
      if (!asset) continue;
      const size = gzipSize(asset.source.buffer());
      total += size;
      process.stdout.write(`[size] ${file}: ${size} bytes gzip -9 (${asset.source.size()} bytes raw)\n`);
    }
    process.stdout.write(`[size] entry "${this.entry}" initial JS: ${total} bytes gzip -9\n`);

    if (this.budgetBytes !== undefined && total > this.budgetBytes) {
      compilation.errors.push(
        new WebpackError(
          `WORKLINK_BUNDLE_TOO_LARGE: entry "${this.entry}" is ${total} bytes gzip -9, over the budget of ` +
            `${this.budgetBytes} bytes; remove dependencies from the launch-event bundle or import smaller modules.`,
        ),
      );
    }
  }
}
