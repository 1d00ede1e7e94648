/**
 * The API reference at /docs in a real browser: Swagger UI renders the OpenAPI document
 * under the server's content security policy, without console errors and without
 * requests to other hosts. The page is opened under a host name that is not loopback,
 * because Swagger UI skips its online validator for localhost.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { chromiumAvailable, guardContext, launchChromium } from '../support/browser.js';
import { startE2eServer } from './harness/e2e-server.js';
import type { E2eServer } from './harness/e2e-server.js';

/** A host name as a deployment would have; the browser maps it to the test server. */
const docsOrigin = 'https://worklink.contoso.example:3000';

describe.runIf(chromiumAvailable('the API reference test'))('API reference page', () => {
  let server: E2eServer;
  let browser: Browser;
  let addinDir: string;

  beforeAll(async () => {
    addinDir = fs.mkdtempSync(path.join(os.tmpdir(), 'worklink-docs-addin-'));
    server = await startE2eServer('sqlite', addinDir);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    fs.rmSync(addinDir, { recursive: true, force: true });
  });

  it('renders without console errors or requests to other hosts', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    // Chromium would send a name that is not loopback to its proxy, so the test fetches from the server itself.
    const guard = await guardContext(context, async (route, url) => {
      if (url.origin !== docsOrigin) return false;
      const response = await route.fetch({
        url: `https://${server.address}${url.pathname}${url.search}`,
        headers: { ...route.request().headers(), host: url.host },
      });
      await route.fulfill({ response });
      return true;
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));

    await page.goto(`${docsOrigin}/docs`);
    await page.locator('.swagger-ui .info .title').waitFor();
    await page.locator('.opblock-tag-section').first().waitFor();
    await page.waitForLoadState('networkidle');

    expect(await page.locator('.swagger-ui .info .title').textContent()).toContain('Worklink');
    expect(problems).toEqual([]);
    expect(guard.blocked).toEqual([]);
    await context.close();
  });
});
