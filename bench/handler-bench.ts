/**
 * Network requests and compute time of the built `OnMessageSend` handler in the Outlook host
 * simulator. A Worklink server process (HTTPS on 127.0.0.1, its own demo-seeded SQLite store)
 * serves the freshly built add-in and `/dev/outlook`, and headless Chromium opens the
 * simulator through `test/support/browser.ts`, which aborts every request off loopback.
 * Each send runs the handler in a fresh launch-event frame, as the simulator always does.
 */
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import type { SendPlanResponse } from '../src/core/api-types.js';
import type { HandlerRun, SendEventsRequest } from '../src/dev/host/simulator.js';
import { hostText } from '../src/dev/host/strings.js';
import { SESSION_PLAN_KEY } from '../src/addin/shared/session-plan.js';
import { STORAGE_KEYS } from '../src/addin/shared/storage.js';
import { chromiumAvailable, guardContext, launchChromium } from '../test/support/browser.js';
import type { RouteGuard } from '../test/support/browser.js';
import { scriptSources } from './bundle-sizes.js';
import { countHandlerRequests } from './handler-requests.js';
import type { HandlerRequestCounter } from './handler-requests.js';
import { startServer } from './server-control.js';
import type { ServerHandle } from './server-control.js';
import { benchAgent } from './server-protocol.js';

/** The origin compiled into the add-in; Chromium maps it to the bench server's port. */
const ADDIN_ORIGIN = 'https://localhost:3000';

/** Page and script of a handler that only allows the send, served by the route guard, not by Worklink. */
const emptyHandlerPage = '/bench/empty-launchevent.html';
const emptyHandlerScriptPath = '/bench/empty-launchevent.js';
const emptyHandlerHtml =
  '<!doctype html><html lang="en"><head><meta charset="UTF-8"/><title>Empty send handler</title>' +
  '<script src="/dev/outlook/office-shim.js"></script></head>' +
  `<body><script src="${emptyHandlerScriptPath}"></script></body></html>`;
const emptyHandlerScript =
  "Office.actions.associate('onMessageSendHandler', function (event) { event.completed({ allowEvent: true }); });";

/** Time to wait after a counted send, longer than the simulator keeps the frame after `event.completed`. */
const SETTLE_MS = 2000;

const DELIVERY_TITLE = 'Delivery of order 4471 is late';
const INVOICE_TITLE = 'Invoice correction for order 4471';

export interface HandlerScenarioResult {
  name: string;
  /** Requests the page saw from the handler's frame and its workers, as `METHOD path`. */
  requests: string[];
  /** Requests the shim's `fetch` and `XMLHttpRequest` wrappers recorded in the same run. */
  shimRequests: string[];
  completed: unknown;
}

/** Median times of one scenario's sends, in milliseconds. */
export interface SendTiming {
  /** From the handler's call to `event.completed`. */
  totalMs: number;
  /** The same less the time with a request of the handler's frame in flight. */
  computeMs: number;
}

export interface HandlerFigures {
  /** Description of the counting method, for the report. */
  method: string;
  externalOnly: HandlerScenarioResult;
  paneChoice: HandlerScenarioResult;
  paneApplied: HandlerScenarioResult;
  /** The same send to external recipients with the empty handler; 0 requests checks the counter. */
  emptyHandler: HandlerScenarioResult;
  /** Medians over `sends` sends each, by handler and scenario. */
  timing: { handler: SendTiming; empty: SendTiming; externalOnly: SendTiming };
  sends: number;
  /** Requests off loopback that the route guard aborted; the bench fails when there is one. */
  blocked: string[];
}

const billing = { emailAddress: 'billing@fabrikam.example', displayName: 'Fabrikam Billing' };
const northwind = { emailAddress: 'j.smith@northwind.example', displayName: 'John Smith' };
const ukSupport = { emailAddress: 'uk.support@contoso.example', displayName: 'UK Support' };
const plSupport = { emailAddress: 'pl.support@contoso.example', displayName: 'Wsparcie PL' };

const externalCompose: SendEventsRequest['compose'] = { to: [billing], cc: [northwind], subject: 'Quote 7781' };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const sleep = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Runs the simulator's `runSendEvents` in `page` and returns its runs. */
async function runSendEvents(page: Page, request: SendEventsRequest): Promise<HandlerRun[]> {
  const json = await page.evaluate(
    (requestJson) =>
      (
        window as unknown as { worklinkSimulator: { runSendEvents(json: string): Promise<string> } }
      ).worklinkSimulator.runSendEvents(requestJson),
    JSON.stringify(request),
  );
  return JSON.parse(json) as HandlerRun[];
}

interface ApiResult {
  status: number;
  body: string;
  etag: string | null;
}

/** Sends one API request from the simulator's own page, whose requests are not the handler's. */
function api(page: Page, method: string, path: string, token: string | null, body?: unknown): Promise<ApiResult> {
  return page.evaluate(
    async ({ method, path, token, body }) => {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: await response.text(), etag: response.headers.get('etag') };
    },
    { method, path, token, body },
  );
}

async function expectOk(result: Promise<ApiResult>, label: string): Promise<ApiResult> {
  const done = await result;
  if (done.status < 200 || done.status > 299) throw new Error(`${label} returned ${done.status}: ${done.body}`);
  return done;
}

/** Lists the URLs that start the runtime of `pageUrl`: the page and the scripts it names, resolved as the page resolves them. */
function runtimeFilesOf(pageUrl: string, html: string): string[] {
  const baseHref = /<base\s[^>]*href="([^"]+)"/i.exec(html)?.[1];
  const base = baseHref === undefined ? pageUrl : new URL(baseHref, pageUrl).href;
  const strip = (url: URL): string => `${url.origin}${url.pathname}`;
  return [strip(new URL(pageUrl)), ...scriptSources(html).map((source) => strip(new URL(source, base)))];
}

/**
 * Opens the simulator in a new page of `context`, signs the bench agent in, and gives the add-in
 * the sign-in and the warm directory cache that the task pane would have stored.
 */
async function openSimulator(context: BrowserContext, query: string): Promise<{ page: Page; token: string }> {
  const page = await context.newPage();
  await page.goto(`${ADDIN_ORIGIN}/dev/outlook${query}`);
  await page.locator('#agent').selectOption(benchAgent);
  await page.getByRole('button', { name: hostText('signIn', 'en'), exact: true }).click();
  await page.waitForFunction(
    (email) => document.querySelector('footer')?.textContent?.includes(`signed in as ${email}`) === true,
    benchAgent,
  );

  const token = (
    JSON.parse(
      (await expectOk(api(page, 'POST', '/api/v1/dev/tokens', null, { email: benchAgent }), 'POST /api/v1/dev/tokens'))
        .body,
    ) as { accessToken: string }
  ).accessToken;
  const directory = await expectOk(api(page, 'GET', '/api/v1/directory', token), 'GET /api/v1/directory');
  const values = {
    [STORAGE_KEYS.accessToken]: token,
    [STORAGE_KEYS.directory]: JSON.stringify({
      directory: JSON.parse(directory.body) as unknown,
      etag: directory.etag,
      fetchedAt: Date.now(),
    }),
  };
  await page.evaluate((entries) => {
    const bridge = (window as unknown as { worklinkSimulator: { storageSet(key: string, value: string): void } })
      .worklinkSimulator;
    for (const [key, value] of Object.entries(entries)) bridge.storageSet(key, value);
  }, values);
  return { page, token };
}

/** Runs one send and returns its requests after the frame had time to finish. */
async function countedSend(
  page: Page,
  counter: HandlerRequestCounter,
  name: string,
  compose: SendEventsRequest['compose'],
): Promise<HandlerScenarioResult> {
  const [run] = await runSendEvents(page, { compose, count: 1 });
  if (run === undefined) throw new Error(`The simulator returned no run for the send "${name}".`);
  await sleep(SETTLE_MS);
  // Plan ids are random, so the record names them by their place in the path.
  const withoutIds = (lines: string[]) => lines.map((line) => line.replace(/\/send-plans\/[^/?]+/, '/send-plans/{id}'));
  return {
    name,
    requests: withoutIds(counter.requestsOf(run.run)),
    shimRequests: withoutIds(run.requests),
    completed: run.options ?? run.outcome,
  };
}

/** Times `sends` sends and returns their median total and compute times; every run must complete with `allowEvent: true`. */
async function timeSends(
  page: Page,
  sends: number,
  compose: SendEventsRequest['compose'],
  label: string,
): Promise<SendTiming> {
  const runs = await runSendEvents(page, { compose, count: sends, officeCallDelayMs: 0 });
  const failed = runs.filter((run) => run.handlerMs === undefined || run.options?.allowEvent !== true);
  if (failed.length > 0) {
    throw new Error(
      `${failed.length} of ${sends} timed sends (${label}) did not allow the send: ${JSON.stringify(failed[0])}`,
    );
  }
  return {
    totalMs: median(runs.map((run) => run.handlerMs as number)),
    computeMs: median(runs.map((run) => (run.handlerMs as number) - (run.networkMs ?? 0))),
  };
}

/** Reads the simulator's state: the open compose item and its log. */
async function inspect(page: Page): Promise<{
  compose: { to: { emailAddress: string }[]; cc: { emailAddress: string }[]; bcc: { emailAddress: string }[] } & Record<
    string,
    unknown
  >;
  log: string[];
}> {
  return JSON.parse(
    await page.evaluate(() =>
      (window as unknown as { worklinkSimulator: { inspect(): string } }).worklinkSimulator.inspect(),
    ),
  ) as Awaited<ReturnType<typeof inspect>>;
}

export async function benchHandler(
  addinDir: string,
  sends: number,
  log: (line: string) => void,
): Promise<HandlerFigures> {
  if (!chromiumAvailable('the send-handler bench')) {
    throw new Error(
      'The send-handler bench runs in the host simulator and needs Chromium; install it or set WORKLINK_CHROMIUM_PATH.',
    );
  }
  let server: ServerHandle | undefined;
  let browser: Browser | undefined;
  let counter: HandlerRequestCounter | undefined;
  try {
    server = await startServer({
      kind: 'worklink',
      fill: { workItems: 0, mailboxes: 0, storedMessages: 0 },
      addinDir,
      tls: true,
      lookupTitles: [DELIVERY_TITLE, INVOICE_TITLE],
    });
    const current = server.info.references[DELIVERY_TITLE];
    const linked = server.info.references[INVOICE_TITLE];
    if (current === undefined || linked === undefined) {
      throw new Error(`The demo seed has no work items "${DELIVERY_TITLE}" and "${INVOICE_TITLE}".`);
    }

    browser = await launchChromium({ 'localhost:3000': new URL(server.info.httpOrigin as string).host });
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const guard: RouteGuard = await guardContext(context, async (route: Route, url: URL) => {
      if (url.origin !== ADDIN_ORIGIN) return false;
      if (url.pathname === emptyHandlerPage) {
        await route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: emptyHandlerHtml });
        return true;
      }
      if (url.pathname === emptyHandlerScriptPath) {
        await route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: emptyHandlerScript });
        return true;
      }
      return false;
    });

    const { page, token } = await openSimulator(context, '');
    const launchPage = `${ADDIN_ORIGIN}/dev/outlook/launchevent.html`;
    const launchHtml = await expectOk(api(page, 'GET', launchPage, null), `GET ${launchPage}`);
    counter = await countHandlerRequests(page, runtimeFilesOf(launchPage, launchHtml.body));

    // One send with only external recipients.
    const externalOnly = await countedSend(page, counter, 'external recipients only', externalCompose);

    // The pane recorded the agent's choice for Team B's mailbox and the current work item.
    const paneRecord = {
      planId: 'pane-plan',
      choices: [{ mailbox: plSupport.emailAddress, action: 'share', reference: linked }],
      currentReference: current,
    };
    const choiceCompose: SendEventsRequest['compose'] = {
      to: [billing],
      cc: [ukSupport, plSupport],
      subject: 'RE: Delivery of order 4471',
      sessionData: { [SESSION_PLAN_KEY]: JSON.stringify(paneRecord) },
    };
    const paneChoice = await countedSend(
      page,
      counter,
      "connected mailbox, the pane's choice in sessionData",
      choiceCompose,
    );
    const afterChoice = (await inspect(page)).compose;
    const rewritten = [...afterChoice.to, ...afterChoice.cc].map((entry) => entry.emailAddress);
    if (!rewritten.includes(`pl.support+${linked}@contoso.example`)) {
      throw new Error(
        `The handler did not rewrite pl.support to ${linked}; it left ${rewritten.join(', ')} after ` +
          `${paneChoice.requests.join(', ') || 'no request'} and completed with ${JSON.stringify(paneChoice.completed)}; ` +
          `the simulator's log: ${(await inspect(page)).log.slice(-10).join(' | ')}`,
      );
    }

    // A second send of the item as the first send left it: the plan is already applied.
    const paneApplied = await countedSend(page, counter, 'connected mailbox, plan already applied', {
      to: afterChoice.to,
      cc: afterChoice.cc,
      bcc: afterChoice.bcc,
      subject: afterChoice.subject as string,
      sessionData: afterChoice.sessionData as Record<string, string>,
      internetHeaders: afterChoice.internetHeaders as Record<string, string>,
    });

    const { page: emptyPage } = await openSimulator(context, `?launchevent=${encodeURIComponent(emptyHandlerPage)}`);
    const emptyCounter = await countHandlerRequests(
      emptyPage,
      runtimeFilesOf(`${ADDIN_ORIGIN}${emptyHandlerPage}`, emptyHandlerHtml),
    );
    let emptyHandler: HandlerScenarioResult;
    try {
      emptyHandler = await countedSend(
        emptyPage,
        emptyCounter,
        'empty handler, external recipients only',
        externalCompose,
      );
    } finally {
      await emptyCounter.stop();
    }

    for (const scenario of [externalOnly, paneChoice, paneApplied, emptyHandler]) {
      if (scenario.requests.length < scenario.shimRequests.length) {
        throw new Error(
          `The page saw fewer requests than the shim in "${scenario.name}": ${scenario.requests.join(', ')} against ${scenario.shimRequests.join(', ')}.`,
        );
      }
    }
    log(
      `handler: ${externalOnly.requests.length} requests external-only, ${paneChoice.requests.length} with the pane's choice, ` +
        `${paneApplied.requests.length} once applied, ${emptyHandler.requests.length} from the empty handler`,
    );

    // Compute time: plan and commit get the server's earlier responses from the route at once.
    const planResponse = await expectOk(
      api(page, 'POST', '/api/v1/send-plans', token, {
        subject: 'RE: Delivery of order 4471',
        currentReference: current,
        recipients: [
          { field: 'to', ...billing },
          { field: 'cc', ...ukSupport },
          { field: 'cc', ...plSupport },
        ],
      }),
      'POST /api/v1/send-plans',
    );
    const plan = JSON.parse(planResponse.body) as SendPlanResponse;
    const commitResponse = await expectOk(
      api(page, 'POST', `/api/v1/send-plans/${plan.id}/commit`, token, { choices: paneRecord.choices }),
      'POST /api/v1/send-plans/{id}/commit',
    );
    await page.route(`${ADDIN_ORIGIN}/api/v1/send-plans**`, async (route) => {
      const commit = new URL(route.request().url()).pathname.endsWith('/commit');
      const canned = commit ? commitResponse : planResponse;
      await route.fulfill({ status: canned.status, contentType: 'application/json; charset=utf-8', body: canned.body });
    });

    const handlerTiming = await timeSends(page, sends, choiceCompose, "the pane's choice");
    const externalTiming = await timeSends(page, sends, externalCompose, 'external recipients only');
    const emptyTiming = await timeSends(emptyPage, sends, choiceCompose, 'empty handler');
    log(
      `handler: median ${handlerTiming.totalMs.toFixed(2)} ms per send, ${handlerTiming.computeMs.toFixed(2)} ms ` +
        `without requests in flight; empty handler ${emptyTiming.totalMs.toFixed(2)} ms`,
    );

    if (guard.blocked.length > 0) {
      throw new Error(`The simulator tried to reach addresses off loopback: ${guard.blocked.join(', ')}`);
    }
    return {
      method:
        'the built add-in in the Outlook host simulator (/dev/outlook) in headless Chromium, served by a Worklink ' +
        'server process over HTTPS on 127.0.0.1 with a demo-seeded SQLite store. Requests are counted from the ' +
        "page's request events for the handler's frame and its workers, and CORS preflights from the DevTools Network domain",
      externalOnly,
      paneChoice,
      paneApplied,
      emptyHandler,
      timing: { handler: handlerTiming, empty: emptyTiming, externalOnly: externalTiming },
      sends,
      blocked: guard.blocked,
    };
  } finally {
    await counter?.stop();
    await browser?.close();
    await server?.stop();
  }
}
