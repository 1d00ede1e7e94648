import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SendPlanResponse } from '../../src/core/api-types.js';
import { SESSION_PLAN_KEY, parseSessionPlan } from '../../src/addin/shared/session-plan.js';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';
import { OFFICE_JS_URL, chromiumAvailable, guardContext, launchChromium } from '../support/browser.js';
import type { RouteGuard } from '../support/browser.js';
import { fakeOfficeScript } from '../support/fake-office.js';
import type { FakeComposeItem, FakeOfficeConfig, FakeOfficeState, FakeReadItem } from '../support/fake-office.js';
import { seededItem } from '../support/seeded-items.js';
import type { SeededItem } from '../support/seeded-items.js';

// The pane under test is the built dist/addin, which the vitest global setup builds when it
// is missing or older than its sources.
const rootDir = path.resolve(import.meta.dirname, '../..');
const distDir = path.join(rootDir, 'dist/addin');
// Screenshots for a reviewer go to a temporary folder, so that a test run leaves the checkout unchanged.
const imagesDir = mkdtempSync(path.join(os.tmpdir(), 'worklink-taskpane-shots-'));
const AXE_SOURCE = readFileSync(path.join(rootDir, 'node_modules/axe-core/axe.min.js'), 'utf8');
const enabled = chromiumAvailable('the task pane tests in Chromium');

const fabrikam = { emailAddress: 'orders@fabrikam.example', displayName: 'Fabrikam Orders' };
const plSupport = { emailAddress: 'pl.support@contoso.example', displayName: 'Wsparcie PL' };

let testApp: TestApp;
let origin: string;
let browser: Browser | undefined;
let ukToken: string;
let directoryCache: string;
const references: Record<string, string> = {};

function referenceOf(title: string): Promise<SeededItem> {
  return seededItem(testApp.database.db, title);
}

/** Stores a message routed to one work item, as the inbound router would. */
async function storeMessage(workItemId: number, messageId: string, subject: string, date: string): Promise<number> {
  const db = testApp.database.db;
  const raw = Buffer.from(`Message-ID: <${messageId}>\r\nSubject: ${subject}\r\n\r\nBody`);
  const hash = createHash('sha256').update(raw).digest('hex');
  await db
    .insertInto('mime_blobs')
    .values({ content_hash: hash, size: raw.length, content: raw, created_at: date })
    .execute();
  const row = await db
    .insertInto('messages')
    .values({
      content_hash: hash,
      message_id: messageId,
      in_reply_to: null,
      references: '[]',
      thread_root: messageId,
      conversation_id: null,
      subject,
      from_address: 'orders@fabrikam.example',
      from_name: 'Fabrikam Orders',
      to_list: JSON.stringify([{ address: 'uk.support@contoso.example', name: 'UK Support' }]),
      cc_list: '[]',
      sent_at: date,
      text_body: 'Body',
      html_body: null,
      headers: '{}',
      is_automatic: 0,
      received_at: date,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('message_routes')
    .values({ message_id: row.id, work_item_id: workItemId, mailbox_id: null, rule: 'new', created_at: date })
    .execute();
  return row.id;
}

/** Opens a new Team A ticket, which has no linked item yet, so a plan for it offers the creation form. */
async function freshTicket(title: string): Promise<string> {
  const response = await testApp.app.inject({
    method: 'POST',
    url: '/api/v1/work-items',
    headers: { authorization: `Bearer ${ukToken}` },
    payload: { teamId: (await referenceOf('Password reset for the supplier portal')).teamId, type: 'ticket', title },
  });
  expect(response.statusCode).toBe(201);
  return (response.json() as { reference: string }).reference;
}

async function createPlan(subject: string): Promise<SendPlanResponse> {
  const response = await testApp.app.inject({
    method: 'POST',
    url: '/api/v1/send-plans',
    headers: { authorization: `Bearer ${ukToken}` },
    payload: {
      subject,
      recipients: [
        { field: 'to', ...fabrikam },
        { field: 'cc', ...plSupport },
      ],
    },
  });
  expect(response.statusCode).toBe(201);
  return response.json();
}

interface OpenedPane {
  page: Page;
  guard: RouteGuard;
  /** Request lines (`METHOD /path`) the pane sent to the server. */
  apiRequests: string[];
  /** Bodies of the commit requests, parsed. */
  commitBodies: unknown[];
  state(): Promise<FakeOfficeState>;
}

async function openPane(
  item: FakeComposeItem | FakeReadItem,
  options: Partial<Omit<FakeOfficeConfig, 'item'>> & {
    failCommitsOnce?: boolean;
    forcedColors?: boolean;
    /** Starts without a stored directory, as before the send handler's first run. */
    withoutDirectory?: boolean;
  } = {},
): Promise<OpenedPane> {
  if (!browser) throw new Error('Chromium did not start');
  const config: FakeOfficeConfig = {
    displayLanguage: options.displayLanguage ?? 'en-GB',
    bodyBackgroundColor: options.bodyBackgroundColor ?? '#ffffff',
    mailboxVersion: options.mailboxVersion ?? '1.15',
    item,
  };
  const context = await browser.newContext({
    viewport: { width: 380, height: 900 },
    forcedColors: options.forcedColors ? 'active' : 'none',
  });
  const apiRequests: string[] = [];
  const commitBodies: unknown[] = [];
  let commitFailures = options.failCommitsOnce ? 1 : 0;

  const guard = await guardContext(context, async (route, url) => {
    if (url.href === OFFICE_JS_URL) {
      await route.fulfill({ contentType: 'text/javascript', body: fakeOfficeScript(config) });
      return true;
    }
    if (url.origin === origin && url.pathname.startsWith('/api/')) {
      apiRequests.push(`${route.request().method()} ${url.pathname}`);
      if (url.pathname.endsWith('/commit')) commitBodies.push(route.request().postDataJSON());
      if (commitFailures > 0 && url.pathname.endsWith('/commit')) {
        commitFailures -= 1;
        await route.fulfill({ status: 500, json: { code: 'WORKLINK_INTERNAL', message: 'An unexpected error.' } });
        return true;
      }
    }
    return false;
  });
  const page = await context.newPage();
  // The tests close the page; its context, opened here for the guard, goes with it. When the
  // browser closes first at the end of the file, the context is gone already.
  page.once('close', () => {
    context.close().catch((error: unknown) => {
      if (!String(error).includes('has been closed')) throw error;
    });
  });
  await page.addInitScript(
    ([token, directory]) => {
      localStorage.setItem('worklink.accessToken', token);
      if (directory !== '') localStorage.setItem('worklink.directory', directory);
    },
    [ukToken, options.withoutDirectory ? '' : directoryCache] as const,
  );

  await page.goto(`${origin}/taskpane.html`);
  return {
    page,
    guard,
    apiRequests,
    commitBodies,
    state: () => page.evaluate(() => (window as unknown as { __fakeOffice: FakeOfficeState }).__fakeOffice),
  };
}

/** Runs axe-core on the page and returns the serious and critical violations. */
async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated rather than added as a script tag, which the server's Content-Security-Policy blocks.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run(): Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> };
      }
    ).axe;
    const result = await axe.run();
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      count: violation.nodes.length,
    }));
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}, ${violation.count} nodes)`);
}

function composeItem(subject: string, contextData?: string): FakeComposeItem {
  const item: FakeComposeItem = { kind: 'compose', to: [fabrikam], cc: [plSupport], bcc: [], subject };
  if (contextData !== undefined) item.contextData = contextData;
  return item;
}

beforeAll(async () => {
  if (!enabled) return;

  testApp = await createTestApp('sqlite', { seed: 'demo', config: { addinDir: distDir } });
  await testApp.app.listen({ host: '127.0.0.1', port: 0 });
  origin = `http://127.0.0.1:${(testApp.app.server.address() as AddressInfo).port}`;
  ukToken = await testApp.tokenFor('uk.agent@contoso.example');
  const directory = await testApp.app.inject({
    method: 'GET',
    url: '/api/v1/directory',
    headers: { authorization: `Bearer ${ukToken}` },
  });
  directoryCache = JSON.stringify({ directory: directory.json(), etag: directory.headers.etag, fetchedAt: Date.now() });

  references.delivery = (await referenceOf('Delivery of order 4471 is late')).reference;
  references.invoice = (await referenceOf('Invoice correction for order 4471')).reference;
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await testApp?.close();
});

describe.skipIf(!enabled)('linking panel in Chromium', () => {
  it('creates a linked item from the Smart Alerts path', async () => {
    const subject = `Supplier portal [${await freshTicket('Supplier portal access')}]`;
    const plan = await createPlan(subject);
    const pane = await openPane(composeItem(subject, JSON.stringify({ planId: plan.id })));
    const { page } = pane;

    await page.getByRole('heading', { name: 'Link this email' }).waitFor();
    await page.getByRole('combobox', { name: 'Legal entity' }).selectOption('Contoso UK');
    await page.getByRole('textbox', { name: 'Due date' }).fill('2026-12-31');
    await page.getByRole('button', { name: 'Link and send' }).click();
    await page.getByText('Done. The email was sent with the linked recipients.').waitFor();

    const state = await pane.state();
    const record = parseSessionPlan(state.sessionData[SESSION_PLAN_KEY]);
    const created = record?.choices[0]?.reference ?? '';
    expect(pane.apiRequests).toContain(`GET /api/v1/send-plans/${plan.id}`);
    expect(pane.apiRequests).not.toContain('POST /api/v1/send-plans');
    expect(created).toMatch(/^\d+-C$/);
    expect(state.recipients.cc).toEqual([
      { emailAddress: `pl.support+${created}@contoso.example`, displayName: 'Wsparcie PL' },
    ]);
    expect(state.recipients.to).toEqual([fabrikam]);
    expect(record).toMatchObject({ planId: plan.id, choices: [{ mailbox: plSupport.emailAddress, action: 'share' }] });
    expect(state.internetHeaders['X-Worklink-Plan']).toBe(plan.id);
    expect(state.sent).toBe(true);
    expect(await page.getByText(`Created: ${created}.`, { exact: false }).count()).toBe(1);
    expect(pane.guard.blocked).toEqual([]);
    await page.close();
  });

  it('loads the new plan when Smart Alerts opens the pane again', async () => {
    const first = await createPlan(`Supplier portal [${await freshTicket('Context change, first plan')}]`);
    const pane = await openPane(composeItem('Order', JSON.stringify({ planId: first.id })));
    const { page } = pane;
    await page.getByRole('button', { name: 'Link and send' }).waitFor();
    const second = await createPlan(`Order 4471 [${references.delivery}]`);

    await page.evaluate((planId) => {
      const fire = (window as unknown as { __fakeOfficeFire(type: string, args: unknown): void }).__fakeOfficeFire;
      fire('olkInitializationContextChanged', { initializationContextData: JSON.stringify({ planId }) });
    }, second.id);

    await page.getByRole('radio', { name: new RegExp(references.invoice!) }).waitFor();
    expect(pane.apiRequests).toEqual(
      expect.arrayContaining([`GET /api/v1/send-plans/${first.id}`, `GET /api/v1/send-plans/${second.id}`]),
    );
    await page.close();
  });

  it('pre-selects the one linked item in header view', async () => {
    const pane = await openPane(composeItem(`Order 4471 [${references.delivery}]`), { mailboxVersion: '1.14' });
    const { page } = pane;

    const option = page.getByRole('radio', { name: new RegExp(references.invoice!) });
    await option.waitFor();
    expect(await option.isChecked()).toBe(true);
    expect(await page.getByText('Header view', { exact: true }).count()).toBe(1);
    // The linked items on offer are those of this work item, so the panel names it.
    expect(
      await page
        .getByText(`Worklink files this email under your work item ${references.delivery}.`, { exact: false })
        .count(),
    ).toBe(1);
    await page.getByRole('button', { name: 'Link recipients' }).click();
    await page.getByText('Done. The recipients are linked. Press Send in the message window.').waitFor();

    const state = await pane.state();
    expect(pane.apiRequests).toContain('POST /api/v1/send-plans');
    expect(state.recipients.cc[0]?.emailAddress).toBe(`pl.support+${references.invoice}@contoso.example`);
    expect(state.sent).toBe(false);
    expect(pane.guard.blocked).toEqual([]);
    await page.close();
  });

  it('shows validation errors and commits nothing', async () => {
    const pane = await openPane(composeItem(`Portal login [${await freshTicket('Portal login fails')}]`));
    const { page } = pane;

    await page.getByRole('textbox', { name: 'Due date' }).fill('31.12.2026');
    await page.getByRole('button', { name: 'Link and send' }).click();
    await page.getByText('Some choices need attention. Check the marked fields.').waitFor();

    expect(await page.getByText('Fill in this field.').count()).toBe(1);
    expect(await page.getByText('Enter a date as YYYY-MM-DD, for example 2026-12-31.').count()).toBe(1);
    expect(pane.apiRequests.some((line) => line.endsWith('/commit'))).toBe(false);
    expect((await pane.state()).recipients.cc).toEqual([plSupport]);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(imagesDir, 'taskpane-linking-en.png'), fullPage: true });
    await page.close();
  });

  it('retries after a server error', async () => {
    const pane = await openPane(composeItem(`Order 4471 [${references.delivery}]`), { failCommitsOnce: true });
    const { page } = pane;

    await page.getByRole('button', { name: 'Link and send' }).click();
    await page.getByText("Worklink's server could not complete the request.", { exact: false }).waitFor();
    expect((await pane.state()).recipients.cc).toEqual([plSupport]);
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByText('Done. The email was sent with the linked recipients.').waitFor();

    expect(pane.apiRequests.filter((line) => line.endsWith('/commit'))).toHaveLength(2);
    expect((await pane.state()).recipients.cc[0]?.emailAddress).toBe(
      `pl.support+${references.invoice}@contoso.example`,
    );
    await page.close();
  });

  it('keeps committed choices for the retry', async () => {
    const pane = await openPane(composeItem(`Order 4471 [${references.delivery}]`));
    const { page } = pane;
    const share = page.getByRole('radio', { name: new RegExp(references.invoice!) });
    await share.waitFor();
    const setFailures = (count: number) =>
      page.evaluate((value) => {
        (window as unknown as { __fakeOfficeFailRecipientWrites: number }).__fakeOfficeFailRecipientWrites = value;
      }, count);

    await setFailures(10);
    await page.getByRole('button', { name: 'Link and send' }).click();
    await page.getByText('Outlook did not complete the request. Try again.').waitFor();

    expect(await page.getByText('Worklink has saved these choices', { exact: false }).count()).toBe(1);
    expect(await share.isDisabled()).toBe(true);
    expect(await page.getByRole('radio', { name: 'Send as normal email' }).isDisabled()).toBe(true);
    // The first retry fails at the commit, while the server keeps the first commit.
    await setFailures(0);
    await page.route(
      '**/commit',
      (route) => route.fulfill({ status: 500, json: { code: 'WORKLINK_INTERNAL', message: 'An unexpected error.' } }),
      { times: 1 },
    );
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByText("Worklink's server could not complete the request.", { exact: false }).waitFor();
    expect(await share.isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByText('Done. The email was sent with the linked recipients.').waitFor();
    expect(pane.commitBodies).toHaveLength(2);
    expect(pane.commitBodies[1]).toEqual(pane.commitBodies[0]);
    expect((await pane.state()).recipients.cc[0]?.emailAddress).toBe(
      `pl.support+${references.invoice}@contoso.example`,
    );
    await page.close();
  });

  it('renders in Polish with the dark theme', async () => {
    const pane = await openPane(composeItem(`Faktura [${await freshTicket('Invoice copy requested')}]`), {
      displayLanguage: 'pl-PL',
      bodyBackgroundColor: '#1f1f1f',
    });
    const { page } = pane;

    await page.getByRole('heading', { name: 'Powiąż tę wiadomość' }).waitFor();
    const background = await page
      .locator('.fui-FluentProvider')
      .first()
      .evaluate((element) => getComputedStyle(element).backgroundColor);

    expect(await page.getByRole('combobox', { name: 'Podmiot' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Powiąż i wyślij' }).count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('pl');
    expect(background).toBe('rgb(41, 41, 41)');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(imagesDir, 'taskpane-linking-pl.png'), fullPage: true });
    await page.close();
  });

  it('lets the agent pick the current work item', async () => {
    const pane = await openPane(composeItem('Question about an order'), { mailboxVersion: '1.14' });
    const { page } = pane;
    const picker = page.getByRole('combobox', { name: "Your team's work item for this email" });
    await picker.waitFor();

    await picker.selectOption(references.delivery!);
    await page.getByRole('radio', { name: 'Send as normal email' }).check();
    await page.getByRole('button', { name: 'Link recipients' }).click();
    await page.getByText('Done. The recipients are linked.', { exact: false }).waitFor();

    expect(pane.apiRequests).toContain('GET /api/v1/work-items');
    expect(pane.commitBodies).toEqual([
      { choices: [{ mailbox: plSupport.emailAddress, action: 'plain' }], currentReference: references.delivery },
    ]);
    await page.close();
  });

  it('labels the button Send when linking nothing', async () => {
    const pane = await openPane(composeItem(`Order 4471 [${references.delivery}]`));
    const { page } = pane;
    await page.getByRole('button', { name: 'Link and send' }).waitFor();

    await page.getByRole('radio', { name: 'Send as normal email' }).check();

    await page.getByRole('button', { name: 'Send', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Link and send' }).count()).toBe(0);
    await page.close();
  });

  it("follows Outlook's theme changes", async () => {
    const pane = await openPane(composeItem('Order 4471'));
    const { page } = pane;
    await page.getByRole('heading', { name: 'Link this email' }).waitFor();
    const provider = page.locator('.fui-FluentProvider').first();
    const background = () => provider.evaluate((element) => getComputedStyle(element).backgroundColor);
    expect(await background()).toBe('rgb(255, 255, 255)');

    await page.evaluate(() => {
      const fire = (window as unknown as { __fakeOfficeFire(type: string, args: unknown): void }).__fakeOfficeFire;
      fire('officeThemeChanged', { officeTheme: { bodyBackgroundColor: '#1f1f1f' } });
    });

    await expect.poll(background).toBe('rgb(41, 41, 41)');
    await page.close();
  });

  it('uses the high-contrast theme under forced colours', async () => {
    const pane = await openPane(composeItem('Order 4471'), { forcedColors: true });
    const { page } = pane;
    await page.getByRole('heading', { name: 'Link this email' }).waitFor();

    // Forced colours replace the computed colours, so the theme's own token tells which theme is in use.
    const background = await page
      .locator('.fui-FluentProvider')
      .first()
      .evaluate((element) => getComputedStyle(element).getPropertyValue('--colorNeutralBackground1').trim());

    expect(background).toBe('#000000');
    await page.close();
  });

  it('works with the keyboard alone', async () => {
    const pane = await openPane(composeItem(`Keyboard [${await freshTicket('Keyboard-only linking')}]`), {
      mailboxVersion: '1.14',
    });
    const { page } = pane;
    await page.getByRole('heading', { name: 'Link this email' }).waitFor();
    await page.getByRole('combobox', { name: 'Legal entity' }).waitFor();

    // Tab to the legal entity select, pick the second option, then tab on to the button.
    const focusOrder: string[] = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      focusOrder.push(
        await page.evaluate(
          () =>
            document.activeElement?.getAttribute('aria-label') ??
            document.activeElement?.id ??
            document.activeElement?.tagName ??
            '',
        ),
      );
      if (
        await page
          .getByRole('combobox', { name: 'Legal entity' })
          .evaluate((element) => element === document.activeElement)
      )
        break;
    }
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    let onButton = false;
    for (let i = 0; i < 6 && !onButton; i++) {
      await page.keyboard.press('Tab');
      onButton = await page
        .getByRole('button', { name: 'Link recipients' })
        .evaluate((element) => element === document.activeElement);
    }
    expect(onButton).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByText('Done. The recipients are linked.', { exact: false }).waitFor();

    expect((await pane.state()).recipients.cc[0]?.emailAddress).toMatch(/^pl\.support\+\d+-C@contoso\.example$/);
    await page.close();
  });
});

describe.skipIf(!enabled)('read mode in Chromium', () => {
  function readItem(internetMessageId: string): FakeReadItem {
    return {
      kind: 'read',
      from: fabrikam,
      to: [{ emailAddress: 'uk.support@contoso.example', displayName: 'UK Support' }],
      cc: [{ emailAddress: `pl.support+${references.invoice}@contoso.example`, displayName: 'Wsparcie PL' }],
      subject: 'Order 4471',
      internetMessageId,
      conversationId: 'AAQkADconversation4471',
    };
  }

  it('shows the work items, a header view and live updates', async () => {
    const delivery = await referenceOf('Delivery of order 4471 is late');
    await storeMessage(delivery.id, 'order-4471@fabrikam.example', 'Order 4471 is late', '2026-12-01T10:00:00.000Z');
    const pane = await openPane(readItem('<order-4471@fabrikam.example>'));
    const { page } = pane;

    await page.getByRole('heading', { name: `${delivery.reference} · Delivery of order 4471 is late` }).waitFor();
    const invoiceHeading = page.getByRole('heading', { name: `${references.invoice} · Case` });
    await invoiceHeading.waitFor();

    expect(await page.getByText('Header view', { exact: true }).count()).toBeGreaterThanOrEqual(2);
    // The header view hides the requester, so its card has no requester row.
    const cardOf = (heading: typeof invoiceHeading) => page.locator('article', { has: heading });
    const ownHeading = page.getByRole('heading', { name: `${delivery.reference} · Delivery of order 4471 is late` });
    expect(await cardOf(ownHeading).getByText('Requester', { exact: true }).count()).toBe(1);
    expect(await cardOf(invoiceHeading).getByText('Requester', { exact: true }).count()).toBe(0);
    expect(await page.getByText('Order 4471 is late', { exact: true }).count()).toBe(1);
    expect(await page.getByText('To: UK Support', { exact: true }).count()).toBe(1);
    expect(await page.getByText('Team B (PL)').count()).toBeGreaterThanOrEqual(1);
    expect(pane.apiRequests).toContain('POST /api/v1/conversations');
    expect(pane.apiRequests).toContain('GET /api/v1/work-items');
    await page.getByText('Live updates on').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(imagesDir, 'taskpane-read-en.png'), fullPage: true });

    const messageId = await storeMessage(
      delivery.id,
      'order-4471-2@fabrikam.example',
      'Any news on order 4471?',
      '2026-12-02T09:30:00.000Z',
    );
    testApp.events.emit('message', {
      workItemId: delivery.id,
      reference: delivery.reference,
      teamId: delivery.teamId,
      messageId,
      hasAttachments: false,
    });
    await page.getByText('Any news on order 4471?').waitFor();
    expect(pane.guard.blocked).toEqual([]);
    await page.close();
  });

  it('changes the status of an own work item', async () => {
    const delivery = await referenceOf('Delivery of order 4471 is late');
    const pane = await openPane(readItem('<order-4471@fabrikam.example>'));
    const { page } = pane;

    const status = page.getByRole('combobox', { name: 'Status' });
    await status.waitFor();
    expect(await status.count()).toBe(1);
    await status.selectOption('waiting');

    await expect
      .poll(
        async () =>
          (
            await testApp.database.db
              .selectFrom('work_items')
              .select('status')
              .where('reference', '=', delivery.reference)
              .executeTakeFirstOrThrow()
          ).status,
      )
      .toBe('waiting');
    expect(pane.apiRequests).toContain(`PATCH /api/v1/work-items/${delivery.reference}`);
    expect(await status.inputValue()).toBe('waiting');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('applies status changes from the event stream', async () => {
    const delivery = await referenceOf('Delivery of order 4471 is late');
    const invoice = await referenceOf('Invoice correction for order 4471');
    await testApp.database.db
      .updateTable('work_items')
      .set({ status: 'todo' })
      .where('id', 'in', [delivery.id, invoice.id])
      .execute();
    const plToken = await testApp.tokenFor('pl.agent@contoso.example');
    const pane = await openPane(readItem('<order-4471@fabrikam.example>'));
    const { page } = pane;

    const deliveryCard = page.getByRole('article', { name: `${delivery.reference} · Delivery of order 4471 is late` });
    const invoiceCard = page.getByRole('article', { name: `${invoice.reference} · Case` });
    const invoiceStatus = invoiceCard.locator('dd').first();
    const invoiceRow = deliveryCard.getByRole('listitem').filter({ hasText: invoice.reference });
    const deliveryStatus = deliveryCard.getByRole('combobox', { name: 'Status' });
    await invoiceCard.waitFor();
    await page.getByText('Live updates on').waitFor();
    expect(await invoiceStatus.textContent()).toBe('To do');
    expect(await invoiceRow.textContent()).toContain('To do');
    const readsBefore = pane.apiRequests.filter((line) => line.startsWith('GET /api/v1/work-items/')).length;

    // Team B changes its own work item, which this agent has in the header view.
    const byTeamB = await testApp.app.inject({
      method: 'PATCH',
      url: `/api/v1/work-items/${invoice.reference}`,
      headers: { authorization: `Bearer ${plToken}` },
      payload: { status: 'in_progress' },
    });
    expect(byTeamB.statusCode).toBe(200);
    await expect.poll(() => invoiceStatus.textContent()).toBe('In progress');
    await expect.poll(() => invoiceRow.textContent()).toContain('In progress');

    // Another session of Team A changes the agent's own work item.
    const byTeamA = await testApp.app.inject({
      method: 'PATCH',
      url: `/api/v1/work-items/${delivery.reference}`,
      headers: { authorization: `Bearer ${ukToken}` },
      payload: { status: 'done' },
    });
    expect(byTeamA.statusCode).toBe(200);
    await expect.poll(() => deliveryStatus.inputValue()).toBe('done');

    // The pane applied both changes from the events without reading the work items again.
    expect(pane.apiRequests.filter((line) => line.startsWith('GET /api/v1/work-items/'))).toHaveLength(readsBefore);
    expect(pane.guard.blocked).toEqual([]);
    await page.close();
  });

  it('loads team names without a stored directory', async () => {
    const pane = await openPane(readItem('<order-4471@fabrikam.example>'), { withoutDirectory: true });
    const { page } = pane;

    await page.getByRole('heading', { name: `${references.invoice} · Case` }).waitFor();
    await page.getByText('Team B (PL)').first().waitFor();

    expect(pane.apiRequests).toContain('GET /api/v1/directory');
    const stored = await page.evaluate(() => localStorage.getItem('worklink.directory'));
    expect(JSON.parse(stored ?? '{}').directory.mailboxes.length).toBeGreaterThan(0);
    await page.close();
  });

  it('renders in Polish', async () => {
    const pane = await openPane(readItem('<order-4471@fabrikam.example>'), { displayLanguage: 'pl-PL' });
    const { page } = pane;

    await page.getByRole('heading', { name: 'Zgłoszenia tej wiadomości' }).waitFor();
    await page.getByRole('heading', { name: `${references.invoice} · Sprawa` }).waitFor();

    expect(await page.getByText('Widok nagłówków', { exact: true }).count()).toBeGreaterThanOrEqual(1);
    expect(await page.getByText('Do zrobienia').count()).toBeGreaterThanOrEqual(1);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(imagesDir, 'taskpane-read-pl.png'), fullPage: true });
    await page.close();
  });
});
