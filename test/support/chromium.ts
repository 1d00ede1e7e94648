/**
 * Headless Chromium for browser tests, with a guard that keeps every page on loopback.
 * Requests to 127.0.0.1, [::1] or localhost continue. A handler may fulfil others, such as the
 * Office.js CDN URL with a local stand-in. Anything else is aborted and recorded.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, Page, Route } from 'playwright-core';

export const CHROMIUM_PATH = process.env.WORKLINK_CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The URL from which published add-in pages load Office.js; tests must never reach it. */
export const OFFICE_JS_URL = 'https://appsforoffice.microsoft.com/lib/1/hosted/office.js';

/**
 * Tells whether browser tests run: Chromium must exist, or `WORKLINK_REQUIRE_ALL=1` makes its
 * absence a failure. Prints a notice when they are skipped.
 */
export function chromiumTestsEnabled(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.WORKLINK_REQUIRE_ALL === '1') return true;
  console.warn(`NOTICE: Chromium is missing at ${CHROMIUM_PATH}, so the browser tests are skipped.`);
  return false;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      // The page guard fulfils or aborts every request. These send anything that slips past it
      // to a closed loopback port or to no address at all; Chromium never proxies loopback.
      '--proxy-server=127.0.0.1:9',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
    ],
  });
}

export function isLoopbackUrl(url: URL): boolean {
  return url.hostname === '127.0.0.1' || url.hostname === '[::1]' || url.hostname === 'localhost';
}

export interface PageGuard {
  /** Requests that were aborted because they left loopback, as `METHOD URL`. */
  blocked: string[];
}

/**
 * Routes every request of `page` before it loads anything. `handle` may fulfil a request and
 * return true; loopback requests it leaves alone continue to the network.
 */
export async function guardPage(
  page: Page,
  handle: (route: Route, url: URL) => Promise<boolean> = async () => false,
): Promise<PageGuard> {
  const guard: PageGuard = { blocked: [] };
  await page.route('**/*', async (route) => {
    const request = route.request();
    const url = new URL(request.url());
    if (await handle(route, url)) return;
    if ((url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackUrl(url)) {
      await route.continue();
      return;
    }
    guard.blocked.push(`${request.method()} ${request.url()}`);
    await route.abort('blockedbyclient');
  });
  return guard;
}
