import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { parse } from 'acorn';
import { LAUNCH_EVENT_GZIP_BUDGET_BYTES, gzipSize } from '../bundle-size-plugin.js';
import { urlToDistPath } from './file-checks.js';
import { indexResources } from './structure-checks.js';
import { childElements, descendants } from './xml.js';
import type { ManifestContext } from './xml.js';

export const OFFICE_JS_CDN_URL = 'https://appsforoffice.microsoft.com/lib/1/hosted/office.js';

/** How long the built script may run at load time in the sandbox before the check gives up. */
const LOAD_TIMEOUT_MS = 5_000;

/** Built files of the launch-event runtime, found through the manifest's <Runtime>. */
interface RuntimeFiles {
  scriptUrl: string;
  scriptPath: string;
  pageUrl: string;
  pagePath: string;
}

function resourceUrl(context: ManifestContext, resid: string): string | undefined {
  return indexResources(context).get(resid)?.get('Url')?.getAttribute('DefaultValue') ?? undefined;
}

/** Resolves the HTML page and the JavaScript override of the runtime to files in the dist folder. */
function findRuntimeFiles(context: ManifestContext): RuntimeFiles | string {
  const runtime = descendants(context.root, 'Runtime')[0];
  const override = runtime
    ? childElements(runtime).find(
        (child) => child.localName === 'Override' && child.getAttribute('type') === 'javascript',
      )
    : undefined;
  const pageUrl = runtime ? resourceUrl(context, runtime.getAttribute('resid') ?? '') : undefined;
  const scriptUrl = override ? resourceUrl(context, override.getAttribute('resid') ?? '') : undefined;
  if (!pageUrl || !scriptUrl) {
    return 'WORKLINK_MANIFEST_RUNTIME: the <Runtime> or its <Override type="javascript"> names no URL resource; fix the runtime first.';
  }

  try {
    const scriptPath = urlToDistPath(new URL(scriptUrl), context.distDir);
    const pagePath = urlToDistPath(new URL(pageUrl), context.distDir);
    if (!scriptPath || !existsSync(scriptPath) || !pagePath || !existsSync(pagePath)) {
      return `WORKLINK_LAUNCH_EVENT_NOT_BUILT: ${scriptUrl} or ${pageUrl} is missing from ${context.distDir}; run npm run build first.`;
    }
    return { scriptUrl, scriptPath, pageUrl, pagePath };
  } catch {
    return `WORKLINK_MANIFEST_URL_INVALID: the runtime URLs ${pageUrl} and ${scriptUrl} must be absolute URLs.`;
  }
}

/** Runs the built script in a sandbox with a fake `Office` and returns the names given to `Office.actions.associate`. */
export async function loadRegisteredFunctions(script: string, filename: string): Promise<Map<string, string>> {
  const registered = new Map<string, string>();
  const logged: unknown[][] = [];
  const quietConsole = Object.fromEntries(
    ['log', 'info', 'warn', 'error', 'debug'].map((level) => [level, (...args: unknown[]) => logged.push(args)]),
  );
  const fakeOffice = {
    actions: {
      associate: (name: unknown, handler: unknown) => registered.set(String(name), typeof handler),
    },
    onReady: (callback?: (info: object) => void) => {
      const info = { host: 'Outlook', platform: 'PC' };
      if (callback) callback(info);
      return Promise.resolve(info);
    },
    context: { displayLanguage: 'en-US', requirements: { isSetSupported: () => false } },
    HostType: { Outlook: 'Outlook' },
    PlatformType: { PC: 'PC', OfficeOnline: 'OfficeOnline', Mac: 'Mac' },
    AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
  };

  // The sandbox has no fetch, XMLHttpRequest or sockets, so nothing the script does at load can reach a network.
  const sandbox: Record<string, unknown> = {
    Office: fakeOffice,
    console: quietConsole,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
  };
  sandbox.self = sandbox;
  sandbox.window = sandbox;
  const context = vm.createContext(sandbox);

  vm.runInContext(script, context, { filename, timeout: LOAD_TIMEOUT_MS });
  // Let promise callbacks queued at load time (Office.onReady) run before reading the registrations.
  await new Promise((resolve) => setImmediate(resolve));
  return registered;
}

/** Checks the built launch-event runtime: its page, its syntax level, its size and its registered handler. */
export async function checkLaunchEvent(context: ManifestContext): Promise<{ errors: string[]; notes: string[] }> {
  const errors: string[] = [];
  const notes: string[] = [];
  const files = findRuntimeFiles(context);
  if (typeof files === 'string') return { errors: [files], notes };

  const scriptName = path.basename(files.scriptPath);
  const script = readFileSync(files.scriptPath, 'utf8');
  errors.push(...checkRuntimePage(readFileSync(files.pagePath, 'utf8'), files.pageUrl, scriptName));

  try {
    parse(script, { ecmaVersion: 2016, sourceType: 'script' });
    notes.push(`${scriptName} parses as an ES2016 classic script`);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    errors.push(
      `WORKLINK_LAUNCH_EVENT_NOT_ES2016: ${scriptName} does not parse as an ES2016 classic script (${detail}); classic Outlook on Windows before 2403 cannot run it, so lower the syntax in webpack.config.js.`,
    );
  }

  const size = gzipSize(Buffer.from(script, 'utf8'));
  notes.push(`${scriptName} is ${size} bytes gzip -9 (budget ${LAUNCH_EVENT_GZIP_BUDGET_BYTES})`);
  if (size > LAUNCH_EVENT_GZIP_BUDGET_BYTES) {
    errors.push(
      `WORKLINK_BUNDLE_TOO_LARGE: ${scriptName} is ${size} bytes gzip -9, over the budget of ${LAUNCH_EVENT_GZIP_BUDGET_BYTES}; remove dependencies from the launch-event bundle.`,
    );
  }

  let registered: Map<string, string>;
  try {
    registered = await loadRegisteredFunctions(script, files.scriptPath);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    errors.push(
      `WORKLINK_LAUNCH_EVENT_LOAD_FAILED: loading ${scriptName} with a fake Office object threw (${detail}); code at load time must not need more than Office.actions.`,
    );
    return { errors, notes };
  }

  for (const event of descendants(context.root, 'LaunchEvent')) {
    const name = event.getAttribute('FunctionName') ?? '';
    const kind = registered.get(name);
    if (kind === undefined) {
      const found = Array.from(registered.keys()).join(', ') || 'none';
      errors.push(
        `WORKLINK_LAUNCH_EVENT_NOT_REGISTERED: the manifest's FunctionName "${name}" is not registered by ${scriptName} (registered: ${found}); call Office.actions.associate("${name}", handler) at the bottom of launchevent.ts.`,
      );
    } else if (kind !== 'function') {
      errors.push(
        `WORKLINK_LAUNCH_EVENT_NOT_REGISTERED: ${scriptName} registers "${name}" with a ${kind}, not a function.`,
      );
    } else {
      notes.push(`${scriptName} registers ${name}`);
    }
  }
  return { errors, notes };
}

/** Checks that the HTML runtime page loads Office.js from the CDN first, then the script, both as classic scripts. */
export function checkRuntimePage(html: string, pageUrl: string, scriptName: string): string[] {
  const errors: string[] = [];
  const tags = Array.from(html.matchAll(/<script\b([^>]*)>/gi), (match) => match[1] ?? '');
  const sourceOf = (attributes: string): string => /\bsrc\s*=\s*["']?([^"'\s>]+)/i.exec(attributes)?.[1] ?? '';

  const officeIndex = tags.findIndex((attributes) => sourceOf(attributes) === OFFICE_JS_CDN_URL);
  const scriptIndex = tags.findIndex((attributes) => sourceOf(attributes).split(/[?#]/)[0]?.endsWith(scriptName));
  if (officeIndex === -1) {
    errors.push(
      `WORKLINK_RUNTIME_PAGE_OFFICE_JS: ${pageUrl} does not load ${OFFICE_JS_CDN_URL}; add that script tag to launchevent.html.`,
    );
  }
  if (scriptIndex === -1) {
    errors.push(
      `WORKLINK_RUNTIME_PAGE_SCRIPT: ${pageUrl} does not load ${scriptName}; check HtmlWebpackPlugin in webpack.config.js.`,
    );
  }
  if (officeIndex !== -1 && scriptIndex !== -1 && scriptIndex < officeIndex) {
    errors.push(
      `WORKLINK_RUNTIME_PAGE_ORDER: ${pageUrl} loads ${scriptName} before Office.js; Office.js must come first.`,
    );
  }
  for (const attributes of tags) {
    if (/\btype\s*=\s*["']?module/i.test(attributes) || /(?:^|\s)(?:defer|async)(?=[\s=]|$)/i.test(attributes)) {
      errors.push(
        `WORKLINK_RUNTIME_PAGE_NOT_CLASSIC: ${pageUrl} has <script${attributes}>; the runtime scripts must be classic, blocking scripts.`,
      );
    }
  }
  return errors;
}
