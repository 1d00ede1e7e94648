/**
 * Network requests and compute time of the built `OnMessageSend` handler. The bundle runs in
 * a bare `node:vm` context, as classic Outlook on Windows runs it, with a fake `Office`, a
 * warm directory cache in `OfficeRuntime.storage` and a `fetch` that counts each request.
 * Counted requests go to a real Worklink app through `app.inject`, which opens no socket.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import type { FastifyInstance } from 'fastify';
import type { SendPlanResponse } from '../src/core/api-types.js';
import type { FetchInit, FetchLike, FetchResponseLike } from '../src/addin/shared/backend-client.js';
import { SESSION_PLAN_KEY } from '../src/addin/shared/session-plan.js';
import { STORAGE_KEYS } from '../src/addin/shared/storage.js';
import { buildApp } from '../src/server/app.js';
import { loadConfig } from '../src/server/config.js';
import { migrateToLatest, openDatabase } from '../src/server/db/database.js';
import { seedDemo } from '../src/server/seed/demo.js';
import { createFakeItem, createFakeOffice } from './fake-office.js';
import type { FakeItem, FakeRecipient } from './fake-office.js';
import { benchAgent } from './server-protocol.js';

/** The script Outlook would run if the add-in did nothing at send time. */
const emptyHandlerScript =
  "Office.actions.associate('onMessageSendHandler', function (event) { event.completed({ allowEvent: true }); });";

export interface HandlerScenarioResult {
  name: string;
  requests: string[];
  completed: unknown;
}

export interface HandlerFigures {
  /** Description of the counting method, for the report. */
  method: string;
  scriptPath: string;
  externalOnly: HandlerScenarioResult;
  paneChoice: HandlerScenarioResult;
  paneApplied: HandlerScenarioResult;
  /** Median milliseconds from the send event to `event.completed`, over `sends` sends each. */
  computeMedianMs: { handler: number; empty: number; externalOnly: number };
  sends: number;
}

interface Sandbox {
  office: ReturnType<typeof createFakeOffice>;
  storage: Record<string, string>;
  errors: string[];
  /** The latest console lines of the script. */
  lines: string[];
  /** Runs one send and resolves with the options passed to `event.completed`. */
  send(item: FakeItem): Promise<unknown>;
}

function fetchResponse(status: number, headers: Record<string, string>, body: string): FetchResponseLike {
  return {
    status,
    ok: status >= 200 && status < 300,
    headers: { get: (name) => headers[name.toLowerCase()] ?? null },
    text: async () => body,
  };
}

function createSandbox(script: string, fetch: FetchLike, storage: Record<string, string>): Sandbox {
  const office = createFakeOffice();
  const errors: string[] = [];
  const officeStorage = {
    getItem: async (key: string) => (key in storage ? storage[key] : null),
    setItem: async (key: string, value: string) => {
      storage[key] = value;
    },
    removeItem: async (key: string) => {
      delete storage[key];
    },
  };
  const lines: string[] = [];
  const record = (...args: unknown[]): void => {
    // Only the latest lines are kept, to explain a failed check without growing over the timed sends.
    lines.push(args.map(String).join(' '));
    if (lines.length > 20) lines.shift();
  };
  const console = {
    log: record,
    info: record,
    debug: record,
    warn: record,
    error: (...args: unknown[]) => {
      record(...args);
      errors.push(args.join(' '));
    },
  };
  // No window, document, setTimeout or AbortController, as in the JavaScript-only runtime.
  const context = vm.createContext({
    Office: office.office,
    OfficeRuntime: { storage: officeStorage },
    fetch,
    console,
  });
  vm.runInContext(script, context, { filename: 'launchevent.js' });

  return {
    office,
    storage,
    errors,
    lines,
    send(item) {
      const handler = office.associated.onMessageSendHandler;
      if (handler === undefined) {
        throw new Error('The script registered no onMessageSendHandler with Office.actions.associate.');
      }
      office.setItem(item);
      return new Promise((resolve) => handler({ completed: (options: unknown) => resolve(options) }));
    },
  };
}

/** Returns a fetch that records each request's method and path and sends it to the app in-process. */
function countingFetch(app: FastifyInstance, requests: string[]): FetchLike {
  return async (url: string, init: FetchInit) => {
    const parsed = new URL(url);
    // Plan ids are random, so the record names them by their place in the path.
    requests.push(`${init.method} ${parsed.pathname.replace(/\/send-plans\/[^/]+/, '/send-plans/{id}')}`);
    const response = await app.inject({
      method: init.method,
      url: `${parsed.pathname}${parsed.search}`,
      headers: init.headers,
      ...(init.body === undefined ? {} : { payload: init.body }),
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      headers[name.toLowerCase()] = String(value);
    }
    return fetchResponse(response.statusCode, headers, response.body);
  };
}

const billing: FakeRecipient = { emailAddress: 'billing@fabrikam.example', displayName: 'Fabrikam Billing' };
const northwind: FakeRecipient = { emailAddress: 'j.smith@northwind.example', displayName: 'John Smith' };
const ukSupport: FakeRecipient = { emailAddress: 'uk.support@contoso.example', displayName: 'UK Support' };
const plSupport: FakeRecipient = { emailAddress: 'pl.support@contoso.example', displayName: 'Wsparcie PL' };

/** Starts an in-process app on a demo-seeded in-memory store and returns what the scenarios need. */
async function startApp(): Promise<{
  app: FastifyInstance;
  token: string;
  directoryBody: string;
  etag: string;
  stop(): Promise<void>;
}> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'worklink-bench-handler-'));
  const config = loadConfig({
    WORKLINK_HOST: '127.0.0.1',
    WORKLINK_PORT: '0',
    WORKLINK_TLS: 'off',
    WORKLINK_DATA_DIR: dataDir,
    WORKLINK_DATABASE_URL: 'sqlite::memory:',
    WORKLINK_SMTP_PORT: '0',
    WORKLINK_AUTH: 'dev',
    WORKLINK_SEED: 'demo',
    WORKLINK_LOG_LEVEL: 'silent',
    WORKLINK_ADDIN_DIR: path.join(dataDir, 'addin'),
  });
  const database = openDatabase(config.databaseUrl);
  await migrateToLatest(database.db);
  await seedDemo(database.db);
  const app = await buildApp({ config, database });
  const stop = async (): Promise<void> => {
    await app.close();
    await database.db.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const tokenResponse = await app.inject({
      method: 'POST',
      url: '/api/v1/dev/tokens',
      payload: { email: benchAgent },
    });
    const token = (tokenResponse.json() as { accessToken: string }).accessToken;
    const directory = await app.inject({
      method: 'GET',
      url: '/api/v1/directory',
      headers: { authorization: `Bearer ${token}` },
    });
    if (directory.statusCode !== 200) {
      throw new Error(`GET /api/v1/directory returned ${directory.statusCode}: ${directory.body}`);
    }
    return { app, token, directoryBody: directory.body, etag: String(directory.headers.etag), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Reference of a demo work item by its title. */
async function demoReference(app: FastifyInstance, title: string): Promise<string> {
  const row = await app.database.db
    .selectFrom('work_items')
    .select('reference')
    .where('title', '=', title)
    .executeTakeFirstOrThrow();
  return row.reference;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Times `sends` sends of fresh items made by `makeItem`, each from the event to `event.completed`. */
async function timeSends(sandbox: Sandbox, sends: number, makeItem: () => FakeItem): Promise<number> {
  const samples: number[] = [];
  for (let index = 0; index < sends; index++) {
    const item = makeItem();
    const started = performance.now();
    await sandbox.send(item);
    samples.push(performance.now() - started);
  }
  return median(samples);
}

export async function benchHandler(
  scriptPath: string,
  sends: number,
  log: (line: string) => void,
): Promise<HandlerFigures> {
  const script = fs.readFileSync(scriptPath, 'utf8');
  const server = await startApp();
  try {
    const { app, token } = server;
    const storage = (): Record<string, string> => ({
      [STORAGE_KEYS.accessToken]: token,
      [STORAGE_KEYS.directory]: JSON.stringify({
        directory: JSON.parse(server.directoryBody),
        etag: server.etag,
        fetchedAt: Date.now(),
      }),
    });

    // One send with only external recipients.
    const externalRequests: string[] = [];
    const external = createSandbox(script, countingFetch(app, externalRequests), storage());
    const externalCompleted = await external.send(
      createFakeItem({ to: [billing], cc: [northwind], subject: 'Quote 7781' }),
    );

    // The pane recorded the agent's choice for Team B's mailbox and the current work item.
    const current = await demoReference(app, 'Delivery of order 4471 is late');
    const linked = await demoReference(app, 'Invoice correction for order 4471');
    const paneRecord = {
      planId: 'pane-plan',
      choices: [{ mailbox: plSupport.emailAddress, action: 'share', reference: linked }],
      currentReference: current,
    };
    const choiceItem = (): FakeItem =>
      createFakeItem({
        to: [billing],
        cc: [ukSupport, plSupport],
        subject: 'RE: Delivery of order 4471',
        sessionData: { [SESSION_PLAN_KEY]: JSON.stringify(paneRecord) },
      });
    const choiceRequests: string[] = [];
    const choice = createSandbox(script, countingFetch(app, choiceRequests), storage());
    const item = choiceItem();
    const choiceCompleted = await choice.send(item);
    const rewritten = [...item.recipients.to, ...item.recipients.cc].map((entry) => entry.emailAddress);
    if (!rewritten.includes(`pl.support+${linked}@contoso.example`)) {
      throw new Error(
        `The handler did not rewrite pl.support to ${linked}; it left ${rewritten.join(', ')} after ` +
          `${choiceRequests.join(', ') || 'no request'} and completed with ${JSON.stringify(choiceCompleted)}; ` +
          `its log: ${choice.lines.join(' | ')}`,
      );
    }

    // A second send of the same item: the pane, or the first send, already applied the plan.
    const appliedRequests: string[] = [];
    const applied = createSandbox(script, countingFetch(app, appliedRequests), storage());
    const appliedCompleted = await applied.send(item);

    for (const sandbox of [external, choice, applied]) {
      if (sandbox.errors.length > 0) {
        throw new Error(`The handler logged errors: ${sandbox.errors.join(' | ')}`);
      }
    }
    log(
      `handler: ${externalRequests.length} requests external-only, ${choiceRequests.length} with the pane's choice, ` +
        `${appliedRequests.length} once applied`,
    );

    // Compute time: the same two requests get the app's earlier responses at once.
    const planText = await app.inject({
      method: 'POST',
      url: '/api/v1/send-plans',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        subject: 'RE: Delivery of order 4471',
        currentReference: current,
        recipients: [
          { field: 'to', ...billing },
          { field: 'cc', ...ukSupport },
          { field: 'cc', ...plSupport },
        ],
      },
    });
    const plan = planText.json() as SendPlanResponse;
    const commitText = await app.inject({
      method: 'POST',
      url: `/api/v1/send-plans/${plan.id}/commit`,
      headers: { authorization: `Bearer ${token}` },
      payload: { choices: paneRecord.choices },
    });
    const canned: FetchLike = async (url) =>
      new URL(url).pathname.endsWith('/commit')
        ? fetchResponse(commitText.statusCode, {}, commitText.body)
        : fetchResponse(planText.statusCode, {}, planText.body);

    const timed = createSandbox(script, canned, storage());
    const handlerMs = await timeSends(timed, sends, choiceItem);
    const externalMs = await timeSends(timed, sends, () =>
      createFakeItem({ to: [billing], cc: [northwind], subject: 'Quote 7781' }),
    );
    const empty = createSandbox(emptyHandlerScript, canned, storage());
    const emptyMs = await timeSends(empty, sends, choiceItem);
    if (timed.errors.length > 0) {
      throw new Error(`The handler logged errors in the timed sends: ${timed.errors.join(' | ')}`);
    }
    log(`handler: median ${handlerMs.toFixed(3)} ms per send, empty handler ${emptyMs.toFixed(3)} ms`);

    return {
      method:
        'built launchevent.js in node:vm with a counting fetch, a fake Office and a warm directory cache ' +
        '(the host simulator was not used)',
      scriptPath,
      externalOnly: { name: 'external recipients only', requests: externalRequests, completed: externalCompleted },
      paneChoice: {
        name: "connected mailbox, the pane's choice in sessionData",
        requests: choiceRequests,
        completed: choiceCompleted,
      },
      paneApplied: {
        name: 'connected mailbox, plan already applied',
        requests: appliedRequests,
        completed: appliedCompleted,
      },
      computeMedianMs: { handler: handlerMs, empty: emptyMs, externalOnly: externalMs },
      sends,
    };
  } finally {
    await server.stop();
  }
}
