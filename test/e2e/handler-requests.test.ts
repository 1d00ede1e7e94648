/**
 * The bench's page-level request count in the Outlook host simulator, and the simulator's
 * hooks that the bench uses: `runSendEvents` and the `?launchevent=` page switch. A probe
 * handler makes one request of each kind a handler could make, and the count must list each
 * of them for its own send and none of the simulator's or the task pane's.
 */
import path from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countHandlerRequests } from '../../bench/handler-requests.js';
import { STORAGE_KEYS } from '../../src/addin/shared/storage.js';
import type { HandlerRequestCounter } from '../../bench/handler-requests.js';
import { chromiumAvailable, guardContext, launchChromium } from '../support/browser.js';
import type { RouteGuard } from '../support/browser.js';
import { ADDIN_ORIGIN, startE2eServer } from './harness/e2e-server.js';
import type { E2eServer } from './harness/e2e-server.js';
import { SimulatorPage } from './harness/simulator-page.js';

const addinDir = path.resolve(import.meta.dirname, '../../dist/addin');
const UK_AGENT = 'uk.agent@contoso.example';

const probePage = '/probe/probe-launchevent.html';
const probeScript = '/probe/probe-launchevent.js';
const probeHtml =
  '<!doctype html><html lang="en"><head><meta charset="UTF-8"/><title>Probe send handler</title>' +
  `<script src="/dev/outlook/office-shim.js"></script></head><body><script src="${probeScript}"></script></body></html>`;

/** A handler that makes a fetch, an XHR, an EventSource, a preflighted cross-origin fetch and a worker's fetch. */
function probeHandler(crossOrigin: string): string {
  return `Office.actions.associate('onMessageSendHandler', function (event) {
  var pending = [];
  pending.push(fetch('/healthz?from=fetch').then(function (response) { return response.text(); }));
  pending.push(new Promise(function (resolve) {
    var xhr = new XMLHttpRequest();
    xhr.open('GET', '/healthz?from=xhr');
    xhr.onloadend = resolve;
    xhr.send();
  }));
  pending.push(new Promise(function (resolve) {
    var source = new EventSource('/probe/events');
    source.onmessage = function () { source.close(); resolve(); };
    source.onerror = function () { source.close(); resolve(); };
  }));
  pending.push(fetch('${crossOrigin}/api/v1/me', { headers: { authorization: 'Bearer probe' } }).catch(function () {}));
  pending.push(new Promise(function (resolve) {
    var worker = new Worker('/probe/worker.js');
    worker.onmessage = function () { worker.terminate(); resolve(); };
    worker.onerror = function () { resolve(); };
  }));
  Promise.all(pending).then(function () { event.completed({ allowEvent: true }); });
});`;
}

const workerScript =
  "fetch('/healthz?from=worker').then(function () { postMessage('done'); }, function () { postMessage('failed'); });";

const available = chromiumAvailable('the handler request count (test/e2e)');

interface Run {
  run: number;
  requests: string[];
  outcome: string;
  handlerMs?: number;
  options?: { allowEvent?: boolean };
}

/** Signs the agent in from the simulator's bar; `SimulatorPage.signInAs` polls with `expect`, which needs a test. */
async function signIn(sim: SimulatorPage, email: string): Promise<void> {
  await sim.page.locator('#agent').selectOption(email);
  await sim.page.getByRole('button', { name: sim.host('signIn'), exact: true }).click();
  await sim.page.waitForFunction(
    (line) => document.querySelector('footer')?.textContent?.includes(line) === true,
    sim.host('signedInAs', { email }),
  );
}

async function runSendEvents(page: Page, request: unknown): Promise<Run[]> {
  const json = await page.evaluate(
    (requestJson) =>
      (
        window as unknown as { worklinkSimulator: { runSendEvents(json: string): Promise<string> } }
      ).worklinkSimulator.runSendEvents(requestJson),
    JSON.stringify(request),
  );
  return JSON.parse(json) as Run[];
}

describe.skipIf(!available)('handler requests in the simulator', () => {
  let server: E2eServer;
  let browser: Browser | undefined;
  let guard: RouteGuard;
  let probe: SimulatorPage;
  let real: SimulatorPage;
  let counter: HandlerRequestCounter;
  const paneRequests: string[] = [];

  beforeAll(async () => {
    server = await startE2eServer('sqlite', addinDir);
    browser = await launchChromium({ 'localhost:3000': server.address });
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const crossOrigin = `https://${server.address}`;
    guard = await guardContext(context, async (route, url) => {
      if (url.origin !== ADDIN_ORIGIN || !url.pathname.startsWith('/probe/')) return false;
      const files: Record<string, [string, string]> = {
        [probePage]: ['text/html', probeHtml],
        [probeScript]: ['text/javascript', probeHandler(crossOrigin)],
        '/probe/worker.js': ['text/javascript', workerScript],
        '/probe/events': ['text/event-stream', 'data: probe\n\n'],
      };
      const file = files[url.pathname];
      if (file === undefined) return false;
      await route.fulfill({ status: 200, contentType: file[0], body: file[1] });
      return true;
    });

    probe = new SimulatorPage(await context.newPage(), 'en', false);
    await probe.page.goto(`${ADDIN_ORIGIN}/dev/outlook?launchevent=${encodeURIComponent(probePage)}`);
    await signIn(probe, UK_AGENT);
    counter = await countHandlerRequests(probe.page, [
      `${ADDIN_ORIGIN}${probePage}`,
      `${ADDIN_ORIGIN}/dev/outlook/office-shim.js`,
      `${ADDIN_ORIGIN}${probeScript}`,
    ]);
    probe.page.on('request', (request: Request) => {
      if (request.frame().name() === 'worklink-task-pane') paneRequests.push(request.url());
    });

    real = new SimulatorPage(await context.newPage(), 'en', false);
    await real.open();
    await signIn(real, UK_AGENT);
    // The add-in's sign-in, as the task pane would store it, so that the handler can allow the send.
    await real.page.evaluate(
      async ([email, tokenKey]) => {
        const response = await fetch('/api/v1/dev/tokens', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email }),
        });
        const { accessToken } = (await response.json()) as { accessToken: string };
        const bridge = (window as unknown as { worklinkSimulator: { storageSet(key: string, value: string): void } })
          .worklinkSimulator;
        bridge.storageSet(tokenKey, accessToken);
      },
      [UK_AGENT, STORAGE_KEYS.accessToken] as const,
    );
  }, 240_000);

  afterAll(async () => {
    await counter?.stop();
    await browser?.close();
    await server?.close();
  });

  it('counts every request kind of the handler', async () => {
    await probe.newMessage();
    await probe.fill('to', 'billing@fabrikam.example');
    await probe.fill('subject', 'Probe');
    await probe.page.getByRole('button', { name: probe.host('composePaneButton'), exact: true }).click();
    await expect.poll(() => paneRequests.length, { timeout: 20_000 }).toBeGreaterThan(0);

    expect(await probe.pressSend()).toBe('sent');
    await new Promise((resolve) => setTimeout(resolve, 2000));

    const run = (await probe.inspect()).handlerRuns.at(-1);
    expect(run?.outcome).toBe('allowed');
    const counted = counter.requestsOf(run?.run ?? -1);
    expect(counted).toContain('GET /healthz?from=fetch');
    expect(counted).toContain('GET /healthz?from=xhr');
    expect(counted).toContain('GET /probe/events');
    expect(counted).toContain('OPTIONS /api/v1/me');
    expect(counted).toContain('GET /api/v1/me');
    expect(counted).toContain('GET /probe/worker.js');
    expect(counted).toContain('GET /healthz?from=worker');
    expect(counted).toHaveLength(7);
    expect(run?.requests).toHaveLength(3);
  });

  it('leaves out the runtime load, the page and the pane', async () => {
    const counted = (await probe.inspect()).handlerRuns.flatMap((run) => counter.requestsOf(run.run));

    expect(counted.filter((line) => line.includes('launchevent') || line.includes('office-shim'))).toEqual([]);
    expect(counted.filter((line) => line.includes('/dev/outlook/') || line.includes('/api/v1/dev/'))).toEqual([]);
    expect(paneRequests.length).toBeGreaterThan(0);
    expect(counted).toHaveLength(7);
    expect(guard.blocked).toEqual([]);
  });

  it('runs the real handler several times without sending', async () => {
    const runs = await runSendEvents(real.page, {
      compose: { to: ['billing@fabrikam.example'], subject: 'Quote 7781' },
      count: 3,
      officeCallDelayMs: 0,
    });

    expect(runs.map((run) => run.outcome)).toEqual(['allowed', 'allowed', 'allowed']);
    expect(new Set(runs.map((run) => run.run)).size).toBe(3);
    for (const run of runs) expect(run.handlerMs).toBeGreaterThanOrEqual(0);
    expect((await real.inspect()).sent).toEqual([]);
  });

  it('rejects a send count of zero', async () => {
    await expect(runSendEvents(real.page, { compose: {}, count: 0 })).rejects.toThrow(/count 0 is not an integer/);
  });
});
