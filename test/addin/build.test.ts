import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'acorn';
import type { Browser, Page } from 'playwright-core';
import webpack from 'webpack';
import type { Configuration, Stats } from 'webpack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAUNCH_EVENT_GZIP_BUDGET_BYTES, gzipSize } from '../../scripts/bundle-size-plugin.js';
import { validateManifest } from '../../scripts/validate-manifest.js';
import createConfigs, { DEV_ORIGIN, resolvePublicOrigin, rewriteManifestOrigin } from '../../webpack.config.js';
import { OFFICE_JS_URL, chromiumAvailable, launchChromium, requireChromium } from '../support/browser.js';

// These tests read the built dist/addin, which the vitest global setup builds when it is
// missing or older than its sources. The budget test builds its own entry into a temp folder.
const rootDir = path.resolve(import.meta.dirname, '../..');
const distDir = path.join(rootDir, 'dist/addin');
const OFFICE_JS = OFFICE_JS_URL;

function runWebpack(configs: Configuration[]): Promise<Stats[]> {
  return new Promise((resolve, reject) => {
    webpack(configs, (error, multiStats) => {
      if (error || !multiStats) reject(error ?? new Error('webpack returned no stats'));
      else resolve(multiStats.stats);
    });
  });
}

function readDist(name: string): string {
  return readFileSync(path.join(distDir, name), 'utf8');
}

/** Returns the `src` of every script tag in document order. */
function scriptSources(html: string): string[] {
  return Array.from(html.matchAll(/<script\b[^>]*\bsrc="?([^"\s>]+)/gi), (match) => match[1] ?? '');
}

describe('launch-event bundle', () => {
  it('parses as one ES2016 classic script', () => {
    const script = readDist('launchevent.js');

    expect(() => parse(script, { ecmaVersion: 2016, sourceType: 'script' })).not.toThrow();
  });

  it('has no dynamic imports or chunks', () => {
    const script = readDist('launchevent.js');
    const launchEventFiles = readdirSync(distDir).filter(
      (name) => name.startsWith('launchevent') && name.endsWith('.js'),
    );

    expect(script).not.toMatch(/\bimport\s*\(/);
    expect(script).not.toContain('__webpack_require__.e(');
    expect(launchEventFiles).toEqual(['launchevent.js']);
  });

  it('has no inline source map', () => {
    expect(readDist('launchevent.js')).not.toContain('sourceMappingURL=data:');
  });

  it('stays under the gzip budget', () => {
    const size = gzipSize(readFileSync(path.join(distDir, 'launchevent.js')));

    expect(size).toBeLessThanOrEqual(LAUNCH_EVENT_GZIP_BUDGET_BYTES);
  });

  it('has a runtime page that loads Office.js first', () => {
    const html = readDist('launchevent.html');

    expect(scriptSources(html)).toEqual([OFFICE_JS, 'launchevent.js']);
    expect(html).not.toMatch(/type="?module/);
    expect(html).not.toMatch(/<script[^>]*\b(defer|async)\b/);
  });
});

describe('task pane and copied files', () => {
  it('has a page that loads Office.js and then the pane script', () => {
    const sources = scriptSources(readDist('taskpane.html'));

    expect(sources[0]).toBe(OFFICE_JS);
    expect(sources).toContain('taskpane.js');
  });

  it('copies the icons and the manifest', () => {
    for (const size of [16, 32, 64, 80, 128]) {
      expect(existsSync(path.join(distDir, `assets/icon-${size}.png`)), `icon-${size}.png`).toBe(true);
    }
    expect(readDist('manifest.xml')).toContain('<OfficeApp');
  });

  it('passes the manifest validator', async () => {
    const sourceResults = await validateManifest({ manifestPath: path.join(rootDir, 'manifest.xml'), distDir });
    const builtResults = await validateManifest({ manifestPath: path.join(distDir, 'manifest.xml'), distDir });

    expect(sourceResults.flatMap((result) => result.errors)).toEqual([]);
    expect(builtResults.flatMap((result) => result.errors)).toEqual([]);
  });
});

describe('public origin', () => {
  it('defaults to the development origin', () => {
    expect(resolvePublicOrigin(undefined)).toBe(DEV_ORIGIN);
    expect(resolvePublicOrigin('')).toBe(DEV_ORIGIN);
  });

  it('accepts an https origin with or without a trailing slash', () => {
    expect(resolvePublicOrigin('https://worklink.contoso.example')).toBe('https://worklink.contoso.example');
    expect(resolvePublicOrigin('https://worklink.contoso.example:8443/')).toBe('https://worklink.contoso.example:8443');
  });

  it.each([
    ['http://worklink.contoso.example', 'must be an https origin'],
    ['https://worklink.contoso.example/addin', 'must be an https origin'],
    ['https://worklink.contoso.example/?x=1', 'must be an https origin'],
    ['worklink.contoso.example', 'is not a URL'],
  ])('rejects %s', (value, message) => {
    expect(() => resolvePublicOrigin(value)).toThrow(
      `WORKLINK_PUBLIC_ORIGIN_INVALID: WORKLINK_PUBLIC_ORIGIN "${value}" ${message}`,
    );
  });

  it('rewrites URLs and app domains in the manifest', () => {
    const xml = readFileSync(path.join(rootDir, 'manifest.xml'), 'utf8');
    const rewritten = rewriteManifestOrigin(xml, 'https://worklink.contoso.example');

    expect(rewritten).not.toContain('https://localhost:3000');
    expect(rewritten).toContain(
      '<bt:Url id="JSRuntime.Url" DefaultValue="https://worklink.contoso.example/launchevent.js"/>',
    );
    expect(rewritten).toContain('<AppDomain>https://worklink.contoso.example</AppDomain>');
  });
});

describe('bundle size budget', () => {
  let workDir: string;

  beforeAll(() => {
    workDir = mkdtempSync(path.join(tmpdir(), 'worklink-budget-'));
  });

  afterAll(() => {
    rmSync(workDir, { recursive: true, force: true });
  });

  it('fails the launch-event build over 100 KiB gzipped', async () => {
    // Random base64 barely compresses, so this entry stays above the budget after minification and gzip -9.
    const entry = path.join(workDir, 'oversized.js');
    const padding = randomBytes(105_000).toString('base64');
    writeFileSync(
      entry,
      `self.padding = '${padding}';\nOffice.actions.associate('onMessageSendHandler', function () {});\n`,
    );
    const [launchEvent] = createConfigs({}, { mode: 'production' });
    const config: Configuration = {
      ...launchEvent,
      entry: { launchevent: entry },
      output: { ...launchEvent?.output, path: path.join(workDir, 'out'), clean: false },
    };

    const [stats] = await runWebpack([config]);
    const errors = stats?.toJson({ all: false, errors: true }).errors ?? [];

    expect(errors.map((error) => error.message)).toContainEqual(
      expect.stringMatching(
        /^WORKLINK_BUNDLE_TOO_LARGE: entry "launchevent" is \d+ bytes gzip -9, over the budget of 102400/,
      ),
    );
    expect(existsSync(path.join(workDir, 'out/launchevent.js'))).toBe(false);
  }, 60_000);
});

describe('task pane page in Chromium', () => {
  const available = chromiumAvailable('the task pane page tests');
  const requireAll = requireChromium;
  const DEV_TOKEN = 'dev-token-for-uk-agent';

  // Office.js stand-in: the page must never load the real script from Microsoft's CDN.
  const OFFICE_STUB = `window.Office = {
    context: { displayLanguage: 'pl-PL', officeTheme: { bodyBackgroundColor: '#1f1f1f' } },
    onReady: function (callback) {
      var info = { host: 'Outlook', platform: 'OfficeOnline' };
      setTimeout(function () { if (callback) callback(info); }, 0);
      return Promise.resolve(info);
    },
  };`;

  let browser: Browser | undefined;
  let blocked: string[];
  let tokenRequests: string[];

  beforeAll(async () => {
    if (!available) return;
    // page.route below fulfils or aborts every request; the browser resolves no host name at all.
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function openPane(): Promise<Page> {
    if (!browser) throw new Error('Chromium did not start');
    blocked = [];
    tokenRequests = [];
    const page = await browser.newPage();

    await page.route('**/*', async (route) => {
      const request = route.request();
      const url = new URL(request.url());
      if (request.url() === OFFICE_JS) {
        await route.fulfill({ contentType: 'text/javascript', body: OFFICE_STUB });
      } else if (url.origin === DEV_ORIGIN && url.pathname === '/api/v1/dev/tokens' && request.method() === 'POST') {
        const { email } = request.postDataJSON() as { email: string };
        tokenRequests.push(email);
        if (email === 'uk.agent@contoso.example') {
          await route.fulfill({ status: 200, json: { accessToken: DEV_TOKEN } });
        } else {
          await route.fulfill({
            status: 403,
            json: { code: 'WORKLINK_AGENT_NOT_REGISTERED', message: 'not an agent' },
          });
        }
      } else if (url.origin === DEV_ORIGIN && url.pathname === '/api/v1/auth-config') {
        // The pane asks how to sign in before it shows the dev form.
        await route.fulfill({ status: 200, json: { mode: 'dev' } });
      } else if (url.origin === DEV_ORIGIN && request.method() === 'GET') {
        const file = path.join(distDir, decodeURIComponent(url.pathname));
        if (file.startsWith(distDir + path.sep) && existsSync(file)) await route.fulfill({ path: file });
        else await route.fulfill({ status: 404, body: 'not found' });
      } else {
        blocked.push(`${request.method()} ${request.url()}`);
        await route.abort('blockedbyclient');
      }
    });

    await page.goto(`${DEV_ORIGIN}/taskpane.html`);
    return page;
  }

  it.skipIf(!available && !requireAll)('renders in Polish with the dark theme', async () => {
    const page = await openPane();

    await expect.poll(() => page.getByRole('heading', { name: 'Worklink' }).count()).toBe(1);
    const background = await page
      .locator('.fui-FluentProvider')
      .first()
      .evaluate((element) => getComputedStyle(element).backgroundColor);

    expect(await page.getByRole('button', { name: 'Zaloguj się' }).count()).toBe(1);
    expect(await page.getByText('Służbowy adres e-mail').count()).toBe(1);
    expect(background).toBe('rgb(41, 41, 41)');
    expect(blocked).toEqual([]);
    await page.close();
  });

  it.skipIf(!available && !requireAll)('stores the dev token after sign-in', async () => {
    const page = await openPane();

    await page.getByRole('textbox').fill('uk.agent@contoso.example');
    await page.getByRole('button', { name: 'Zaloguj się' }).click();
    await expect
      .poll(() => page.getByText('Zalogowano jako uk.agent@contoso.example.', { exact: false }).count())
      .toBe(1);

    expect(tokenRequests).toEqual(['uk.agent@contoso.example']);
    expect(await page.evaluate(() => localStorage.getItem('worklink.accessToken'))).toBe(DEV_TOKEN);
    expect(blocked).toEqual([]);
    await page.close();
  });

  it.skipIf(!available && !requireAll)('shows a rejection and stores nothing', async () => {
    const page = await openPane();

    await page.getByRole('textbox').fill('nobody@contoso.example');
    await page.getByRole('button', { name: 'Zaloguj się' }).click();
    await expect.poll(() => page.getByText('Worklink nie zna tego adresu.', { exact: false }).count()).toBe(1);

    expect(tokenRequests).toEqual(['nobody@contoso.example']);
    expect(await page.evaluate(() => localStorage.getItem('worklink.accessToken'))).toBeNull();
    expect(blocked).toEqual([]);
    await page.close();
  });
});
