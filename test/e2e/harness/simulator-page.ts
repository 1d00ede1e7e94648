/**
 * Drives the Outlook host simulator page as an agent would: by roles and accessible names in
 * the chosen display language. The task pane's controls come from the add-in's catalogues.
 */
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { HandlerRun, SentMessage } from '../../../src/dev/host/simulator.js';
import type { HostLanguage, HostStringKey } from '../../../src/dev/host/strings.js';
import { hostText } from '../../../src/dev/host/strings.js';
import { t } from '../../../src/addin/shared/strings.js';
import type { StringKey } from '../../../src/addin/shared/strings.js';
import { ADDIN_ORIGIN } from './e2e-server.js';

/**
 * Folder of the screenshots: the guides' `docs/images` with `WORKLINK_E2E_SCREENSHOTS=1`, else a
 * temporary folder, so that an ordinary test run leaves the tracked images alone.
 */
export const imagesDir =
  process.env.WORKLINK_E2E_SCREENSHOTS === '1'
    ? path.resolve(import.meta.dirname, '../../../docs/images')
    : path.join(os.tmpdir(), 'worklink-e2e-images');

export interface SimulatorInspection {
  handlerRuns: HandlerRun[];
  sent: SentMessage[];
  compose: { to: { emailAddress: string }[]; cc: { emailAddress: string }[] } | null;
  pane: { command: string; contextData: string } | null;
  log: string[];
}

export class SimulatorPage {
  constructor(
    readonly page: Page,
    readonly language: HostLanguage,
    private readonly screenshots: boolean,
  ) {}

  host(key: HostStringKey, params: Record<string, string | number> = {}): string {
    return hostText(key, this.language, params);
  }

  /** Text of the add-in's catalogue; a key that the catalogue lacks comes back unchanged, so its control is not found. */
  addin(key: string, params: Record<string, string | number> = {}): string {
    return t(key as StringKey, this.language, params);
  }

  get pane(): FrameLocator {
    return this.page.frameLocator('iframe[name="worklink-task-pane"]');
  }

  async open(): Promise<void> {
    await this.page.goto(`${ADDIN_ORIGIN}/dev/outlook`);
    await this.page.locator('#display-language').selectOption(this.language);
    await this.page.locator(`html[lang="${this.language}"]`).waitFor({ state: 'attached' });
  }

  async inspect(): Promise<SimulatorInspection> {
    return JSON.parse(
      await this.page.evaluate(() =>
        (window as unknown as { worklinkSimulator: { inspect(): string } }).worklinkSimulator.inspect(),
      ),
    ) as SimulatorInspection;
  }

  async signInAs(email: string): Promise<void> {
    await this.page.locator('#agent').selectOption(email);
    await this.page.getByRole('button', { name: this.host('signIn'), exact: true }).click();
    await expect.poll(() => this.page.locator('footer').innerText()).toContain(this.host('signedInAs', { email }));
  }

  async openMessage(listName: string | RegExp): Promise<void> {
    await this.page.getByRole('button', { name: this.host('refresh') }).click();
    const message = this.page
      .getByRole('list', { name: this.host('inbox') })
      .getByRole('button', { name: listName })
      .first();
    await message.waitFor();
    await message.click();
    await this.page.getByRole('button', { name: this.host('replyAll') }).waitFor();
  }

  /** Opens the newest entry of Sent items, which shows the recipients as sent. */
  async openLastSent(): Promise<void> {
    const entry = this.page
      .getByRole('list', { name: this.host('sentItems') })
      .getByRole('button')
      .first();
    await entry.waitFor();
    await entry.click();
  }

  async replyAll(): Promise<void> {
    await this.page.getByRole('button', { name: this.host('replyAll') }).click();
    await this.page.getByLabel(this.host('cc'), { exact: true }).waitFor();
  }

  async newMessage(): Promise<void> {
    await this.page.getByRole('button', { name: this.host('newMessage') }).click();
    await this.page.getByLabel(this.host('to'), { exact: true }).waitFor();
  }

  async fill(field: 'to' | 'cc' | 'bcc' | 'subject', value: string): Promise<void> {
    await this.page.getByLabel(this.host(field), { exact: true }).fill(value);
  }

  async appendCc(address: string): Promise<void> {
    const box = this.page.getByLabel(this.host('cc'), { exact: true });
    const current = await box.inputValue();
    await box.fill(current.trim() === '' ? address : `${current}; ${address}`);
  }

  /** Presses Send and waits until the message is sent or a Smart Alert shows. */
  async pressSend(): Promise<'sent' | 'alert'> {
    const before = (await this.inspect()).sent.length;
    await this.page.getByRole('button', { name: this.host('send'), exact: true }).click();
    return this.waitForSendOutcome(before);
  }

  async waitForSendOutcome(sentBefore: number): Promise<'sent' | 'alert'> {
    const alert = this.page.getByRole('alertdialog');
    let outcome: 'sent' | 'alert' | null = null;
    await expect
      .poll(
        async () => {
          if ((await this.inspect()).sent.length > sentBefore) outcome = 'sent';
          else if (await alert.isVisible()) outcome = 'alert';
          return outcome;
        },
        { timeout: 20_000 },
      )
      .not.toBeNull();
    return outcome as unknown as 'sent' | 'alert';
  }

  async alertText(): Promise<string> {
    return this.page.getByRole('alertdialog').locator('#smart-alert-message').innerText();
  }

  async lastSent(): Promise<SentMessage> {
    const sent = (await this.inspect()).sent;
    const last = sent[sent.length - 1];
    if (!last) throw new Error('the simulator has sent nothing yet');
    return last;
  }

  /** Signs the add-in in from the task pane with the dev sign-in form. */
  async signInPane(email: string): Promise<void> {
    await this.pane.getByLabel(this.addin('signIn.emailLabel')).fill(email);
    await this.pane.getByRole('button', { name: this.addin('signIn.submit'), exact: true }).click();
    await this.pane.getByText(this.addin('signIn.success', { email })).waitFor();
  }

  async screenshot(name: string): Promise<void> {
    if (!this.screenshots) return;
    const directory = path.join(imagesDir, this.language);
    mkdirSync(directory, { recursive: true });
    await this.page.screenshot({ path: path.join(directory, `${name}.png`) });
  }
}
