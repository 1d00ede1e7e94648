/**
 * The one Playwright helper for browser tests: finding and launching the system Chromium, and
 * a context-level route guard. Requests to loopback continue, a handler may fulfil others
 * (such as the Office.js CDN URL with a local stand-in), and everything else is aborted and
 * recorded before it leaves the browser.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Route } from 'playwright-core';

/** Office.js on Microsoft's CDN, which the add-in pages name and tests must never reach. */
export const OFFICE_JS_URL = 'https://appsforoffice.microsoft.com/lib/1/hosted/office.js';

export const chromiumPath = process.env.WORKLINK_CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Under `WORKLINK_REQUIRE_ALL=1` (CI) a missing Chromium fails the browser tests instead of skipping them. */
export const requireChromium = process.env.WORKLINK_REQUIRE_ALL === '1';

/**
 * Tells whether browser tests can run. Prints a notice when Chromium is missing, and throws
 * under `WORKLINK_REQUIRE_ALL=1`.
 */
export function chromiumAvailable(suite: string): boolean {
  if (existsSync(chromiumPath)) return true;
  if (requireChromium) {
    throw new Error(
      `Chromium is required (WORKLINK_REQUIRE_ALL=1) but ${chromiumPath} does not exist: install the chromium package or set WORKLINK_CHROMIUM_PATH.`,
    );
  }
  console.warn(`NOTICE: ${chromiumPath} does not exist, so ${suite} is skipped; install chromium to run it.`);
  return false;
}

/** Flags that keep the browser quiet: no background, component, sync or first-run traffic. */
const QUIET_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Launches headless Chromium. `hostMap` maps `host:port` pairs to loopback addresses, such as
 * `localhost:3000` to the test server's free port. 127.0.0.1 stays itself and every other name
 * resolves to nothing, so a request that slipped past the route guard fails instead of
 * reaching a network.
 */
export function launchChromium(hostMap: Record<string, string> = {}): Promise<Browser> {
  const rules = [
    ...Object.entries(hostMap).map(([from, to]) => `MAP ${from} ${to}`),
    'MAP * ~NOTFOUND',
    'EXCLUDE 127.0.0.1',
  ];
  for (const target of Object.values(hostMap)) {
    if (!/^(127\.\d+\.\d+\.\d+|\[::1\]):\d+$/.test(target)) {
      throw new Error(`hostMap target "${target}" is not a loopback address with a port, such as 127.0.0.1:4000.`);
    }
  }
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      ...QUIET_ARGS,
      // The route guard fulfils or aborts every request. These two flags send anything that slips
      // past it to a closed loopback port or to no address. Chromium sends loopback requests around the proxy.
      '--proxy-server=127.0.0.1:9',
      `--host-resolver-rules=${rules.join(', ')}`,
    ],
  });
}

export interface RouteGuard {
  /** Requests that were aborted, as `METHOD URL`. */
  blocked: string[];
}

/** Tells whether a URL is on loopback (`localhost`, `127.x.x.x` or `[::1]`, any port) or needs no network. */
export function isLoopbackUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'data:' || parsed.protocol === 'blob:' || parsed.protocol === 'about:') return true;
  const host = parsed.hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Routes every request of `context`, frames included, so call it before the context opens a
 * page. `handle` may fulfil a request and return true. Otherwise loopback requests continue
 * and all others (the Office.js CDN included) are aborted and recorded.
 */
export async function guardContext(
  context: BrowserContext,
  handle: (route: Route, url: URL) => Promise<boolean> = async () => false,
): Promise<RouteGuard> {
  const guard: RouteGuard = { blocked: [] };
  await context.route('**/*', async (route) => {
    const request = route.request();
    try {
      if (await handle(route, new URL(request.url()))) return;
      if (request.url() !== OFFICE_JS_URL && isLoopbackUrl(request.url())) {
        await route.continue();
        return;
      }
      guard.blocked.push(`${request.method()} ${request.url()}`);
      await route.abort('blockedbyclient');
    } catch (error) {
      // A request still in flight when a test closes the browser can no longer be routed, and it reaches nothing.
      if (!String(error).includes('has been closed')) throw error;
    }
  });
  return guard;
}
