/**
 * The simulator page in the browser. Its layout fits the window with the newest log line in
 * view. It starts in the browser's language and writes its title and log in the display
 * language. An entry of Sent items opens with the recipients as sent.
 */
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORAGE_KEYS } from '../../src/addin/shared/storage.js';
import type { HostLanguage, HostStringKey } from '../../src/dev/host/strings.js';
import { hostText } from '../../src/dev/host/strings.js';
import { chromiumAvailable, guardContext, launchChromium } from '../support/browser.js';
import type { RouteGuard } from '../support/browser.js';
import { ADDIN_ORIGIN, startE2eServer } from './harness/e2e-server.js';
import type { E2eServer } from './harness/e2e-server.js';

const addinDir = path.resolve(import.meta.dirname, '../../dist/addin');
const UK_AGENT = 'uk.agent@contoso.example';
const SETTINGS_KEY = 'worklinkSimulator.settings';

const available = chromiumAvailable('the simulator views (test/e2e)');

interface OpenOptions {
  viewport?: { width: number; height: number };
  locale: string;
  /** Saved before the page loads, as a language chosen on an earlier visit. */
  savedLanguage?: HostLanguage;
}

/** Where the page overflows the window and where the newest log line is drawn, in CSS pixels. */
interface Fit {
  scrollHeight: number;
  innerHeight: number;
  lastLineText: string;
  lastLineTop: number;
  lastLineBottom: number;
  logTop: number;
  logBottom: number;
}

describe.skipIf(!available)('simulator views', () => {
  let server: E2eServer;
  let browser: Browser | undefined;
  const guards: RouteGuard[] = [];
  const contexts: BrowserContext[] = [];

  /** Opens the simulator in a fresh browser context and waits until it has signed in its first agent. */
  async function openSimulator(options: OpenOptions): Promise<Page> {
    const context = await (browser as Browser).newContext({
      ignoreHTTPSErrors: true,
      viewport: options.viewport ?? { width: 1400, height: 860 },
      locale: options.locale,
    });
    contexts.push(context);
    guards.push(await guardContext(context));
    if (options.savedLanguage) {
      await context.addInitScript(
        ([key, language]) => {
          if (localStorage.getItem(key) === null) localStorage.setItem(key, JSON.stringify({ language }));
        },
        [SETTINGS_KEY, options.savedLanguage] as const,
      );
    }
    const page = await context.newPage();
    await page.goto(`${ADDIN_ORIGIN}/dev/outlook`);
    await page.locator('#agent option').first().waitFor({ state: 'attached' });
    await page.waitForFunction(() => /@/.test(document.querySelector('footer.log')?.textContent ?? ''));
    return page;
  }

  async function languageOf(page: Page): Promise<HostLanguage> {
    return (await page.locator('html').getAttribute('lang')) === 'pl' ? 'pl' : 'en';
  }

  async function host(page: Page, key: HostStringKey, params: Record<string, string> = {}): Promise<string> {
    return hostText(key, await languageOf(page), params);
  }

  async function signIn(page: Page, email: string): Promise<void> {
    await page.locator('#agent').selectOption(email);
    await page.getByRole('button', { name: await host(page, 'signIn'), exact: true }).click();
    const line = await host(page, 'signedInAs', { email });
    await page.waitForFunction((text) => document.querySelector('footer.log')?.textContent?.includes(text), line);
  }

  /** Stores the add-in's access token as the task pane's sign-in would, so that the send handler can run. */
  async function signInAddin(page: Page, email: string): Promise<void> {
    await page.evaluate(
      async ([address, tokenKey]) => {
        const response = await fetch('/api/v1/dev/tokens', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: address }),
        });
        const { accessToken } = (await response.json()) as { accessToken: string };
        const bridge = (window as unknown as { worklinkSimulator: { storageSet(key: string, value: string): void } })
          .worklinkSimulator;
        bridge.storageSet(tokenKey, accessToken);
      },
      [email, STORAGE_KEYS.accessToken] as const,
    );
  }

  async function logText(page: Page): Promise<string> {
    return page.locator('footer.log').innerText();
  }

  async function measureFit(page: Page): Promise<Fit> {
    return page.evaluate(() => {
      const log = document.querySelector('footer.log') as HTMLElement;
      const last = log.querySelector('p:last-child') as HTMLElement;
      const logBox = log.getBoundingClientRect();
      const lineBox = last.getBoundingClientRect();
      return {
        scrollHeight: (document.scrollingElement as Element).scrollHeight,
        innerHeight: window.innerHeight,
        lastLineText: last.textContent ?? '',
        lastLineTop: lineBox.top,
        lastLineBottom: lineBox.bottom,
        logTop: logBox.top,
        logBottom: logBox.bottom,
      };
    });
  }

  beforeAll(async () => {
    server = await startE2eServer('sqlite', addinDir);
    browser = await launchChromium({ 'localhost:3000': server.address });
  }, 240_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  describe.each([
    { width: 1400, height: 860, locale: 'en-US' },
    { width: 1280, height: 720, locale: 'en-US' },
    { width: 1024, height: 700, locale: 'en-US' },
    { width: 1400, height: 860, locale: 'pl-PL' },
    { width: 1280, height: 720, locale: 'pl-PL' },
    { width: 1024, height: 700, locale: 'pl-PL' },
  ])('layout at $width×$height, $locale', ({ width, height, locale }) => {
    let page: Page;

    beforeAll(async () => {
      page = await openSimulator({ viewport: { width, height }, locale });
      await signIn(page, UK_AGENT);
      await page.getByRole('button', { name: await host(page, 'deliverSample') }).click();
      await page
        .getByRole('list', { name: await host(page, 'inbox') })
        .getByRole('button')
        .first()
        .waitFor({ timeout: 20_000 });
      // More lines than the log's height shows, so that it has to scroll to its newest line.
      const refire = page.locator('#switch-refireAfterChange');
      for (let toggle = 0; toggle < 10; toggle += 1) await refire.click();
    }, 60_000);

    /**
     * Checks that nothing overflows the window and that the log shows its newest line whole. The
     * task pane keeps logging its requests for a moment, so the check repeats until the log settles.
     */
    async function expectFit(): Promise<void> {
      await expect
        .poll(
          async () => {
            const fit = await measureFit(page);
            const lines = (await logText(page)).split('\n').filter((line) => line.trim() !== '');
            return {
              fitsWindow: fit.scrollHeight <= fit.innerHeight && fit.logBottom <= fit.innerHeight,
              newestLineLast: fit.lastLineText === lines[lines.length - 1],
              newestLineShown:
                fit.lastLineTop >= fit.logTop && fit.lastLineBottom <= Math.min(fit.logBottom, fit.innerHeight),
            };
          },
          { timeout: 5_000 },
        )
        .toEqual({ fitsWindow: true, newestLineLast: true, newestLineShown: true });
    }

    it('fits the inbox', async () => {
      await expectFit();
    });

    it('fits a message with the task pane', async () => {
      const first = page
        .getByRole('list', { name: await host(page, 'inbox') })
        .getByRole('button')
        .first();
      await first.click();
      await page.getByRole('button', { name: await host(page, 'readPaneButton'), exact: true }).click();
      await page.locator('iframe[name="worklink-task-pane"]').waitFor();

      await expectFit();
    });

    it('fits the compose form with the task pane', async () => {
      await page.getByRole('button', { name: await host(page, 'newMessage') }).click();
      await page.getByRole('button', { name: await host(page, 'composePaneButton'), exact: true }).click();
      await page.locator('iframe[name="worklink-task-pane"]').waitFor();
      await page.locator('#switch-refireAfterChange').click();

      await expectFit();
    });
  });

  describe('display language', () => {
    it('starts from a Polish browser', async () => {
      const page = await openSimulator({ locale: 'pl-PL' });

      expect(await page.locator('html').getAttribute('lang')).toBe('pl');
      expect(await page.title()).toBe(hostText('pageTitle', 'pl'));
      expect(await page.locator('#display-language').inputValue()).toBe('pl');
      expect(await logText(page)).toContain(hostText('signedInAs', 'pl', { email: '' }).trim());
    });

    it('starts from another browser in English', async () => {
      const page = await openSimulator({ locale: 'de-DE' });

      expect(await page.locator('html').getAttribute('lang')).toBe('en');
      expect(await page.title()).toBe(hostText('pageTitle', 'en'));
    });

    it('keeps a saved language', async () => {
      const page = await openSimulator({ locale: 'pl-PL', savedLanguage: 'en' });

      expect(await page.locator('html').getAttribute('lang')).toBe('en');
      expect(await page.title()).toBe(hostText('pageTitle', 'en'));
    });

    it('writes the log in the display language', async () => {
      const page = await openSimulator({ locale: 'pl-PL' });
      await signIn(page, UK_AGENT);
      await page.locator('#switch-backendDown').check();
      await page.locator('#switch-backendDown').uncheck();
      await page.getByRole('button', { name: hostText('newMessage', 'pl') }).click();
      const toBox = page.getByLabel(hostText('to', 'pl'), { exact: true });
      await toBox.fill('ops@northwind.example; not-an-address');
      await toBox.blur();

      const polish = await logText(page);
      await page.locator('#display-language').selectOption('en');
      const english = await logText(page);

      const switchedOn = (language: HostLanguage) =>
        hostText('switchChanged', language, { name: { key: 'backendDown' }, state: { key: 'switchOn' } });
      const switchedOff = (language: HostLanguage) =>
        hostText('switchChanged', language, { name: { key: 'backendDown' }, state: { key: 'switchOff' } });
      const leftOut = (language: HostLanguage) => hostText('notAnAddress', language, { entries: 'not-an-address' });
      expect(polish).toContain(hostText('signedInAs', 'pl', { email: UK_AGENT }));
      expect(polish).toContain(switchedOn('pl'));
      expect(polish).toContain(switchedOff('pl'));
      expect(polish).toContain(leftOut('pl'));
      expect(english).toContain(hostText('signedInAs', 'en', { email: UK_AGENT }));
      expect(english).toContain(switchedOn('en'));
      expect(english).toContain(switchedOff('en'));
      expect(english).toContain(leftOut('en'));
      expect(english).not.toContain(hostText('signedInAs', 'pl', { email: UK_AGENT }));
      expect(await page.title()).toBe(hostText('pageTitle', 'en'));
    });
  });

  describe('sent items', () => {
    let page: Page;
    const subject = 'Delivery window for order 4471';

    beforeAll(async () => {
      page = await openSimulator({ locale: 'en-US' });
      await signIn(page, UK_AGENT);
      await signInAddin(page, UK_AGENT);
      await page.getByRole('button', { name: hostText('newMessage', 'en') }).click();
      // External addresses only, so that the send handler allows the send without a Smart Alert.
      await page.getByLabel('To', { exact: true }).fill('Northwind Ops <ops+4471@northwind.example>');
      await page.getByLabel('Cc', { exact: true }).fill('audit@fabrikam.example');
      await page.getByLabel('Bcc', { exact: true }).fill('"Records" <records+4471@northwind.example>');
      await page.getByLabel('Subject', { exact: true }).fill(subject);
      await page.getByLabel('Message', { exact: true }).fill('The truck leaves on Monday.');
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await page
        .getByRole('list', { name: hostText('sentItems', 'en') })
        .getByRole('button', { name: new RegExp(subject) })
        .waitFor({ timeout: 20_000 });
    }, 60_000);

    it('opens with its recipients as sent', async () => {
      const entry = page
        .getByRole('list', { name: hostText('sentItems', 'en') })
        .getByRole('button', { name: new RegExp(subject) });

      await entry.click();
      const reading = page.locator('section.reading');

      expect(await entry.getAttribute('aria-current')).toBe('true');
      expect(await reading.getByRole('heading', { level: 2 }).innerText()).toBe(subject);
      const headers = await reading.locator('.headers').innerText();
      expect(headers).toContain('From: Uma Kent <uk.agent@contoso.example>');
      expect(headers).toContain('To: Northwind Ops <ops+4471@northwind.example>');
      expect(headers).toContain('Cc: audit@fabrikam.example');
      expect(headers).toContain('Bcc: Records <records+4471@northwind.example>');
      expect(await reading.locator('.body').innerText()).toBe('The truck leaves on Monday.');
    });

    it('names the recipients in the list', async () => {
      const entry = page
        .getByRole('list', { name: hostText('sentItems', 'en') })
        .getByRole('button', { name: new RegExp(subject) });

      expect(await entry.locator('.from').innerText()).toBe('Northwind Ops; audit@fabrikam.example; Records');
    });

    it('labels the read view in Polish', async () => {
      await page.locator('#display-language').selectOption('pl');
      const reading = page.locator('section.reading');

      const headers = await reading.locator('.headers').innerText();
      expect(headers).toContain('Do: Northwind Ops <ops+4471@northwind.example>');
      expect(headers).toContain('DW: audit@fabrikam.example');
      expect(headers).toContain('UDW: Records <records+4471@northwind.example>');
      await page.locator('#display-language').selectOption('en');
    });

    it('leaves the sent item for an inbox message', async () => {
      const sentEntry = page
        .getByRole('list', { name: hostText('sentItems', 'en') })
        .getByRole('button', { name: new RegExp(subject) });
      const inboxEntry = page
        .getByRole('list', { name: hostText('inbox', 'en') })
        .getByRole('button')
        .first();

      await inboxEntry.click();

      expect(await sentEntry.getAttribute('aria-current')).toBeNull();
      expect(await inboxEntry.getAttribute('aria-current')).toBe('true');
      expect(await page.getByRole('button', { name: hostText('replyAll', 'en') }).count()).toBe(1);
    });

    it('keeps Sent items after a reload', async () => {
      await page.reload();

      await page
        .getByRole('list', { name: hostText('sentItems', 'en') })
        .getByRole('button', { name: new RegExp(subject) })
        .waitFor();
    });
  });

  it('made no request outside loopback', () => {
    expect(guards.flatMap((guard) => guard.blocked)).toEqual([]);
  });
});
