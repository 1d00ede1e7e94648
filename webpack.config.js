// Builds the two Office runtimes of the add-in into dist/addin/ (or WORKLINK_ADDIN_DIR):
//  - launch event: one classic ES2016 script (launchevent.js) plus its HTML runtime page;
//  - task pane: the React page (taskpane.html + taskpane.js), the icons and the manifest.
import path from 'node:path';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';
import CopyWebpackPlugin from 'copy-webpack-plugin';
import { EsbuildPlugin } from 'esbuild-loader';
import HtmlWebpackPlugin from 'html-webpack-plugin';
import webpack from 'webpack';
import { BundleSizePlugin, LAUNCH_EVENT_GZIP_BUDGET_BYTES } from './scripts/bundle-size-plugin.js';

const rootDir = path.dirname(fileURLToPath(import.meta.url));
// `npm start` builds the add-in for another origin into a folder of its own, named by WORKLINK_ADDIN_DIR.
const outputDir = process.env.WORKLINK_ADDIN_DIR
  ? path.resolve(process.env.WORKLINK_ADDIN_DIR)
  : path.join(rootDir, 'dist/addin');
const msalStandardStub = path.join(rootDir, 'src/addin/launchevent/auth/msal-standard-stub.ts');

/** Origin that serves the add-in files and the API during development; the manifest names it. */
export const DEV_ORIGIN = 'https://localhost:3000';

/**
 * Reads `WORKLINK_PUBLIC_ORIGIN` and returns it without a trailing slash, or the development
 * origin when it is unset. Throws when it is not a bare https origin.
 */
export function resolvePublicOrigin(value) {
  if (value === undefined || value === '') return DEV_ORIGIN;

  let url;
  try {
    url = new URL(value);
  } catch {
    throw new Error(
      `WORKLINK_PUBLIC_ORIGIN_INVALID: WORKLINK_PUBLIC_ORIGIN "${value}" is not a URL; set it to an origin such as https://worklink.contoso.example.`,
    );
  }
  if (url.protocol !== 'https:' || url.origin !== value.replace(/\/$/, '')) {
    throw new Error(
      `WORKLINK_PUBLIC_ORIGIN_INVALID: WORKLINK_PUBLIC_ORIGIN "${value}" must be an https origin with no path, query or fragment, such as https://worklink.contoso.example.`,
    );
  }
  return url.origin;
}

/** Replaces the development origin in manifest.xml, in URLs and in AppDomain values, with `origin`. */
export function rewriteManifestOrigin(xml, origin) {
  return xml.replace(/https:\/\/localhost:3000(?=[/"<])/g, origin);
}

/** Runs esbuild on TypeScript and on JavaScript from node_modules, lowering both to `target`. */
function esbuildRules(target) {
  return [
    { test: /\.tsx?$/, loader: 'esbuild-loader', options: { loader: 'tsx', target, jsx: 'automatic' } },
    // Packages may ship syntax newer than the target, which webpack would pass through unchanged.
    { test: /\.[cm]?js$/, include: /node_modules/, loader: 'esbuild-loader', options: { loader: 'js', target } },
  ];
}

/** Relative imports end in `.js` (NodeNext) while the sources are `.ts` or `.tsx`. */
const resolve = {
  extensions: ['.ts', '.tsx', '.js'],
  extensionAlias: { '.js': ['.ts', '.tsx', '.js'] },
};

/** @returns {import('webpack').Configuration[]} */
export default function createConfigs(_env, argv = {}) {
  const production = argv.mode === 'production';
  const mode = production ? 'production' : 'development';
  const publicOrigin = resolvePublicOrigin(process.env.WORKLINK_PUBLIC_ORIGIN);
  const define = new webpack.DefinePlugin({
    __WORKLINK_API_ORIGIN__: JSON.stringify(publicOrigin),
    // Sign-in settings; src/addin/shared/auth-config.ts validates them and `dev` is the default.
    __WORKLINK_AUTH_MODE__: JSON.stringify(process.env.WORKLINK_AUTH || 'dev'),
    __WORKLINK_ENTRA_CLIENT_ID__: JSON.stringify(process.env.WORKLINK_ENTRA_CLIENT_ID || ''),
    __WORKLINK_ENTRA_TENANT_ID__: JSON.stringify(process.env.WORKLINK_ENTRA_TENANT_ID || ''),
    __WORKLINK_ENTRA_AUDIENCE__: JSON.stringify(process.env.WORKLINK_ENTRA_AUDIENCE || ''),
  });

  /** @type {import('webpack').Configuration} */
  const launchEvent = {
    name: 'launchevent',
    mode,
    target: ['web', 'es2016'],
    entry: { launchevent: path.join(rootDir, 'src/addin/launchevent/launchevent.ts') },
    // Both configurations write to dist/addin, so each one cleans only its own files.
    output: {
      path: outputDir,
      filename: '[name].js',
      iife: true,
      publicPath: '',
      clean: { keep: (file) => !file.startsWith('launchevent') },
    },
    // Eval-based source maps would wrap every module in eval(); keep maps external or off.
    devtool: production ? false : 'source-map',
    module: { rules: esbuildRules('es2016') },
    resolve,
    optimization: {
      splitChunks: false,
      runtimeChunk: false,
      minimizer: [new EsbuildPlugin({ target: 'es2016' })],
    },
    plugins: [
      define,
      // The handler needs MSAL's nested app authentication only; see the stub's comment.
      new webpack.NormalModuleReplacementPlugin(
        /[\\/](StandardController|StandardOperatingContext)\.mjs$/,
        (resource) => {
          if (/[\\/]@azure[\\/]msal-browser[\\/]/.test(resource.context)) resource.request = msalStandardStub;
        },
      ),
      // The JavaScript-only runtime of classic Outlook on Windows has no dynamic import().
      new webpack.optimize.LimitChunkCountPlugin({ maxChunks: 1 }),
      new HtmlWebpackPlugin({
        filename: 'launchevent.html',
        template: path.join(rootDir, 'src/addin/launchevent/launchevent.html'),
        chunks: ['launchevent'],
        inject: 'body',
        scriptLoading: 'blocking',
      }),
      new BundleSizePlugin({ entry: 'launchevent', budgetBytes: LAUNCH_EVENT_GZIP_BUDGET_BYTES }),
    ],
    performance: { hints: false },
  };

  /** @type {import('webpack').Configuration} */
  const taskPane = {
    name: 'taskpane',
    mode,
    target: ['web', 'es2020'],
    entry: { taskpane: path.join(rootDir, 'src/addin/taskpane/index.tsx') },
    output: {
      path: outputDir,
      filename: '[name].js',
      chunkFilename: 'taskpane-[name].[contenthash:8].js',
      publicPath: '',
      clean: { keep: (file) => file.startsWith('launchevent') },
    },
    devtool: 'source-map',
    module: { rules: esbuildRules('es2020') },
    resolve,
    optimization: { minimizer: [new EsbuildPlugin({ target: 'es2020' })] },
    plugins: [
      define,
      new HtmlWebpackPlugin({
        filename: 'taskpane.html',
        template: path.join(rootDir, 'src/addin/taskpane/taskpane.html'),
        chunks: ['taskpane'],
        inject: 'body',
        scriptLoading: 'blocking',
      }),
      // SupportUrl in the manifest names this static page.
      new HtmlWebpackPlugin({
        filename: 'support.html',
        template: path.join(rootDir, 'src/addin/taskpane/support.html'),
        chunks: [],
        inject: false,
      }),
      new CopyWebpackPlugin({
        patterns: [
          { from: path.join(rootDir, 'assets'), to: path.join(outputDir, 'assets') },
          {
            from: path.join(rootDir, 'manifest.xml'),
            to: path.join(outputDir, 'manifest.xml'),
            transform: (content) =>
              production ? rewriteManifestOrigin(content.toString('utf8'), publicOrigin) : content,
          },
        ],
      }),
      new BundleSizePlugin({ entry: 'taskpane' }),
    ],
    performance: { hints: false },
  };

  return [launchEvent, taskPane];
}
