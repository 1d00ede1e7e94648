/**
 * The two-team scenario end to end: the built add-in runs unchanged in the Outlook host
 * simulator, in headless Chromium, against the real server with its SMTP listener. It runs
 * in English and in Polish on SQLite, saving a screenshot per step (see `imagesDir`), and once
 * on PostgreSQL without screenshots.
 */
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Browser } from 'playwright-core';
import os from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HostLanguage } from '../../src/dev/host/strings.js';
import type { WorklinkEvents } from '../../src/server/notifications/bus.js';
import { chromiumAvailable, guardContext, launchChromium } from '../support/browser.js';
import type { RouteGuard } from '../support/browser.js';
import { availableDialects } from '../support/databases.js';
import { startE2eServer } from './harness/e2e-server.js';
import { openEventStream } from './harness/event-stream-client.js';
import type { E2eServer } from './harness/e2e-server.js';
import { SimulatorPage } from './harness/simulator-page.js';
import { WorklinkApi, countMessage } from './harness/worklink-api.js';

const fixturesDir = path.resolve(import.meta.dirname, '../fixtures/mail');
/** The built add-in, which the vitest global setup builds when it is missing or stale. */
const addinDir = path.resolve(import.meta.dirname, '../../dist/addin');
const UK_AGENT = 'uk.agent@contoso.example';
const PL_AGENT = 'pl.agent@contoso.example';
const TEAM_B_NAME = 'Team B (PL)';
const REQUEST_SUBJECT = 'Invoice 2024/11/0457 - payment status (UK and PL entities)';
/** The original request in the message list: from Fabrikam, with the subject that has no reply prefix. */
const REQUEST_IN_LIST = /Fabrikam Billing\s*Invoice 2024\/11\/0457/;
/** Message-ID that fixture 03 replies to, replaced by the Message-ID of the reply the simulator sent. */
const FIXTURE_REPLY_ID = '<DB9PR01MB0001.0457.reply1@DB9PR01MB0001.eurprd01.prod.outlook.example>';

/**
 * Maximum wait for any one control, so that a step that hangs names the control it waited for.
 * The step itself may take a minute on a loaded machine.
 */
const ACTION_TIMEOUT_MS = 15_000;
vi.setConfig({ testTimeout: 60_000 });

const available = chromiumAvailable('the e2e scenario (test/e2e)');
const dialects = await availableDialects();
const runs: { dialect: 'sqlite' | 'postgres'; language: HostLanguage; screenshots: boolean }[] = [
  { dialect: 'sqlite', language: 'en', screenshots: true },
  { dialect: 'sqlite', language: 'pl', screenshots: true },
];
if (dialects.includes('postgres')) runs.push({ dialect: 'postgres', language: 'en', screenshots: false });

describe.skipIf(!available).each(runs)('two teams on $dialect, $language UI', ({ dialect, language, screenshots }) => {
  let server: E2eServer;
  let browser: Browser | undefined;
  let guard: RouteGuard;
  let sim: SimulatorPage;
  let api: WorklinkApi;
  const world = { teamA: 0, teamB: 0, refA: '', refB: '', replyId: '' };
  const messageEvents: WorklinkEvents['message'][] = [];

  async function deliver(fixture: string, to: string[], replace: Record<string, string> = {}): Promise<void> {
    let raw = fs.readFileSync(path.join(fixturesDir, fixture), 'utf8');
    for (const [from, value] of Object.entries(replace)) raw = raw.split(from).join(value);
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: server.smtpPort,
      secure: false,
      ignoreTLS: true,
    });
    try {
      const info = await transport.sendMail({ envelope: { from: 'billing@fabrikam.example', to }, raw });
      expect(info.rejected).toEqual([]);
    } finally {
      transport.close();
    }
  }

  async function teamItems(email: string, teamId: number): Promise<string[]> {
    return (await api.workItems(email)).filter((item) => item.teamId === teamId).map((item) => item.reference);
  }

  /** Presses the Smart Alert's button that opens the linking panel and waits for the panel. */
  async function openLinkingPanel(): Promise<void> {
    await sim.page
      .getByRole('alertdialog')
      .getByRole('button', { name: sim.addin('sendAlert.decisionButton') })
      .click();
    await sim.pane.getByRole('heading', { name: sim.addin('linking.heading') }).waitFor({ timeout: 15_000 });
  }

  /** Confirms the linking panel and waits until the pane has sent the message with `sendAsync`. */
  async function confirmAndSend(): Promise<void> {
    const sentBefore = (await sim.inspect()).sent.length;
    await sim.pane.getByRole('button', { name: sim.addin('linking.confirmAndSend') }).click();
    await expect.poll(async () => (await sim.inspect()).sent.length, { timeout: 20_000 }).toBe(sentBefore + 1);
  }

  beforeAll(async () => {
    server = await startE2eServer(dialect, addinDir);
    api = new WorklinkApi(server);
    // The prompt policy shows Send Anyway when the server is down; the handler caches it at the first send.
    await api.request('admin@contoso.example', 'PUT', '/api/v1/admin/settings', {
      plusAddressing: { mode: 'mixed', separator: '+' },
      internalDomains: ['contoso.example'],
      failurePolicy: 'prompt',
    });
    Object.assign(world, await api.teamIds());
    server.events.on('message', (event) => messageEvents.push(event));

    browser = await launchChromium({ 'localhost:3000': server.address });
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1400, height: 860 },
      locale: language === 'pl' ? 'pl-PL' : 'en-US',
    });
    context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    guard = await guardContext(context);
    sim = new SimulatorPage(await context.newPage(), language, screenshots);
    await sim.open();
  }, 240_000);

  // A failed step leaves a screenshot in the temporary directory and prints the simulator's log and the pane's text.
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail' || !sim) return;
    const file = path.join(os.tmpdir(), `worklink-e2e-${dialect}-${language}-${context.task.name.slice(0, 2).trim()}`);
    await sim.page.screenshot({ path: `${file}.png` }).catch(() => undefined);
    const log = (await sim.inspect().catch(() => ({ log: [] }))).log.join('\n');
    const paneText = await sim.pane
      .locator('body')
      .innerText({ timeout: 2_000 })
      .catch(() => '(no task pane)');
    console.warn(`e2e step failed; screenshot ${file}.png\nsimulator log:\n${log}\ntask pane:\n${paneText}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('1. files the request for Team A', async () => {
    await deliver('01-external-request.eml', ['uk.support@contoso.example']);

    await expect
      .poll(async () => (await api.workItems(UK_AGENT)).find((item) => item.title === REQUEST_SUBJECT)?.reference)
      .toBeDefined();
    const item = (await api.workItems(UK_AGENT)).find((entry) => entry.title === REQUEST_SUBJECT)!;
    world.refA = item.reference;

    expect(item.teamId).toBe(world.teamA);
    await sim.openMessage(REQUEST_IN_LIST);
    await sim.screenshot('01-request-in-inbox');
  });

  it('2. shows the work item in read mode', async () => {
    await sim.page.getByRole('button', { name: sim.host('readPaneButton'), exact: true }).click();
    // The form starts with the address of the Outlook user whose mailbox is open.
    await expect.poll(() => sim.pane.getByLabel(sim.addin('signIn.emailLabel')).inputValue()).toBe(UK_AGENT);
    await sim.signInPane(UK_AGENT);

    await sim.pane.getByText(world.refA).first().waitFor({ timeout: 15_000 });
    await sim.screenshot('02-read-mode-pane');
  });

  it('3. names Team B and creates a linked item', async () => {
    await sim.openMessage(REQUEST_IN_LIST);
    await sim.replyAll();
    await sim.appendCc('pl.support@contoso.example');
    await sim.screenshot('03-reply-with-team-b');

    expect(await sim.pressSend()).toBe('alert');
    expect(await sim.alertText()).toContain(TEAM_B_NAME);
    await sim.screenshot('03-smart-alert');

    await openLinkingPanel();
    await sim.pane.getByRole('radio', { name: sim.addin('linking.action.create') }).check();
    await sim.pane.getByLabel(language === 'pl' ? 'Podmiot' : 'Legal entity').selectOption('Contoso Polska');
    await sim.screenshot('03-linking-panel');
    await confirmAndSend();

    const links = (await api.workItem(UK_AGENT, world.refA)).links.filter((link) => link.teamId === world.teamB);
    expect(links).toHaveLength(1);
    world.refB = links[0]!.reference;
  });

  it('4. files the rewritten reply once per team', async () => {
    const sent = await sim.lastSent();
    world.replyId = sent.messageId;

    expect([...sent.to, ...sent.cc]).toContain(`uk.support+${world.refA}@contoso.example`);
    expect(sent.cc).toContain(`pl.support+${world.refB}@contoso.example`);
    expect(sent.headers['X-Worklink-Plan']).toBeTruthy();
    await expect.poll(async () => countMessage(await api.workItem(UK_AGENT, world.refA), world.replyId)).toBe(1);
    await expect.poll(async () => countMessage(await api.workItem(PL_AGENT, world.refB), world.replyId)).toBe(1);
    await sim.openLastSent();
    await sim.screenshot('04-sent-with-plus-addresses');
  });

  it('5. files the reply-all once per team', async () => {
    const teamAStream = await openEventStream(server, await api.token(UK_AGENT));
    const teamBStream = await openEventStream(server, await api.token(PL_AGENT));
    const eventsBefore = messageEvents.length;

    await deliver(
      '03-external-reply-all.eml',
      [`uk.support+${world.refA}@contoso.example`, `pl.support+${world.refB}@contoso.example`],
      { '{{REF_A}}': world.refA, '{{REF_B}}': world.refB, [FIXTURE_REPLY_ID]: world.replyId },
    );

    const replyAllId = '<b7e9f0a1c2d3.20241202114027@mail.fabrikam.example>';
    await expect.poll(async () => countMessage(await api.workItem(UK_AGENT, world.refA), replyAllId)).toBe(1);
    await expect.poll(async () => countMessage(await api.workItem(PL_AGENT, world.refB), replyAllId)).toBe(1);
    const events = messageEvents.slice(eventsBefore);
    expect(events.filter((event) => event.teamId === world.teamA)).toHaveLength(1);
    expect(events.filter((event) => event.teamId === world.teamB)).toHaveLength(1);
    // Each team's stream is what its agents' task panes receive.
    await expect.poll(() => teamAStream.events.filter((event) => event.event === 'message').length).toBe(1);
    await expect.poll(() => teamBStream.events.filter((event) => event.event === 'message').length).toBe(1);
    // A second notification would follow the first within the same commit; give it time to arrive.
    await new Promise((resolve) => setTimeout(resolve, 300));
    teamAStream.close();
    teamBStream.close();
    expect(teamAStream.events.filter((event) => event.event === 'message').length).toBe(1);
    expect(teamBStream.events.filter((event) => event.event === 'message').length).toBe(1);
    await sim.openMessage(/Re: RE: Invoice 2024/);
    await sim.screenshot('05-external-reply-all');
  });

  it('6. shows Team B full and Team A headers', async () => {
    const own = await api.workItem(PL_AGENT, world.refB);
    const linked = await api.workItem(PL_AGENT, world.refA);

    expect(own.view).toBe('full');
    expect(linked.view).toBe('header');
    expect(linked.title).toBeUndefined();
    await sim.signInAs(PL_AGENT);
    await sim.openMessage(/Re: RE: Invoice 2024/);
    await sim.page.getByRole('button', { name: sim.host('readPaneButton'), exact: true }).click();
    await sim.signInPane(PL_AGENT);
    await sim.pane.getByText(world.refB).first().waitFor({ timeout: 15_000 });
    await sim.screenshot('06-team-b-read-mode');
  });

  it('7. shares a second reply with the link', async () => {
    await sim.signInAs(UK_AGENT);
    const teamBBefore = await teamItems(PL_AGENT, world.teamB);
    await sim.openMessage(REQUEST_IN_LIST);
    await sim.replyAll();
    await sim.appendCc('pl.support@contoso.example');

    expect(await sim.pressSend()).toBe('alert');
    await openLinkingPanel();
    await sim.pane.getByRole('radio', { name: sim.addin('linking.action.share') }).check();
    await sim.pane.getByRole('radio', { name: new RegExp(world.refB) }).check();
    await sim.screenshot('07-share-with-linked-item');
    await confirmAndSend();

    expect((await sim.lastSent()).cc).toContain(`pl.support+${world.refB}@contoso.example`);
    expect(await teamItems(PL_AGENT, world.teamB)).toEqual(teamBBefore);
  });

  it('8. sends external-only mail without requests', async () => {
    await sim.newMessage();
    await sim.fill('to', 'ops@northwind.example');
    await sim.fill('subject', 'Delivery window for order 4471');

    expect(await sim.pressSend()).toBe('sent');
    const runs = (await sim.inspect()).handlerRuns;
    expect(runs[runs.length - 1]?.outcome).toBe('allowed');
    expect(runs[runs.length - 1]?.requests).toEqual([]);
    await sim.screenshot('08-external-only');
  });

  it('9. keeps the failure policy when down', async () => {
    await sim.page.getByLabel(sim.host('backendDown')).check();
    await sim.openMessage(REQUEST_IN_LIST);
    await sim.replyAll();
    await sim.appendCc('pl.support@contoso.example');

    expect(await sim.pressSend()).toBe('alert');
    expect(await sim.alertText()).toBe(sim.addin('sendAlert.backendUnavailable'));
    await sim.screenshot('09-server-down-prompt');
    const sentBefore = (await sim.inspect()).sent.length;
    await sim.page
      .getByRole('alertdialog')
      .getByRole('button', { name: sim.host('sendAnyway') })
      .click();
    expect(await sim.waitForSendOutcome(sentBefore)).toBe('sent');
    await sim.page.getByLabel(sim.host('backendDown')).uncheck();

    const plain = await sim.lastSent();
    expect(plain.cc).toContain('pl.support@contoso.example');
    await expect
      .poll(async () => {
        const linked = (await api.workItem(UK_AGENT, world.refA)).links.filter((link) => link.teamId === world.teamB);
        let holding = 0;
        for (const link of linked)
          holding += countMessage(await api.workItem(PL_AGENT, link.reference), plain.messageId);
        return holding;
      })
      .toBe(1);
  });

  it('10. survives the +tag and refire quirks', async () => {
    for (const key of ['ignorePlusTagChanges', 'refireAfterChange', 'staleRecipientList'] as const) {
      await sim.page.getByLabel(sim.host(key)).check();
    }
    const teamABefore = await teamItems(UK_AGENT, world.teamA);
    const teamBBefore = await teamItems(PL_AGENT, world.teamB);
    const runsBefore = (await sim.inspect()).handlerRuns.length;
    await sim.openMessage(REQUEST_IN_LIST);
    await sim.replyAll();

    expect(await sim.pressSend()).toBe('sent');
    const inspection = await sim.inspect();
    const sent = await sim.lastSent();
    expect(inspection.handlerRuns.length - runsBefore).toBe(2);
    expect(inspection.log.some((line) => line.includes('only after a clear and re-set'))).toBe(true);
    expect(sent.to).toContain(`uk.support+${world.refA}@contoso.example`);
    await expect.poll(async () => countMessage(await api.workItem(UK_AGENT, world.refA), sent.messageId)).toBe(1);
    expect(await teamItems(UK_AGENT, world.teamA)).toEqual(teamABefore);
    expect(await teamItems(PL_AGENT, world.teamB)).toEqual(teamBBefore);
    await sim.screenshot('10-host-quirks');
  });

  it('delivers a sample request from the page', async () => {
    const teamABefore = await teamItems(UK_AGENT, world.teamA);
    const inbox = sim.page
      .getByRole('list', { name: sim.host('inbox') })
      .getByRole('button', { name: REQUEST_IN_LIST });
    const shownBefore = await inbox.count();

    await sim.page.getByRole('button', { name: sim.host('deliverSample') }).click();

    await expect.poll(() => inbox.count()).toBe(shownBefore + 1);
    expect(await teamItems(UK_AGENT, world.teamA)).toHaveLength(teamABefore.length + 1);
  });

  it('passes the dark theme to the pane', async () => {
    await sim.page.locator('#theme').selectOption('dark');
    await sim.openMessage(REQUEST_IN_LIST);
    await sim.page.getByRole('button', { name: sim.host('readPaneButton'), exact: true }).click();
    const provider = sim.pane.locator('.fui-FluentProvider').first();
    await provider.waitFor();

    const background = await provider.evaluate((element) => getComputedStyle(element).backgroundColor);
    await sim.page.locator('#theme').selectOption('light');

    expect(background).toBe('rgb(41, 41, 41)');
  });

  it('made no request outside loopback', () => {
    expect(guard.blocked).toEqual([]);
  });
});
