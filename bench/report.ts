/** Turns the figures of one bench run into `docs/benchmarks.json` and `docs/benchmarks.md`. */
import type { BundleFigures } from './bundle-sizes.js';
import type { HandlerFigures } from './handler-bench.js';
import type { IngestFigures, IngestRun } from './ingest-bench.js';
import { ingestConnections } from './ingest-bench.js';
import type { MachineInfo } from './machine.js';
import type { MeasuredRun, SendPlanFigures } from './send-plan-bench.js';
import type { BenchSizes } from './sizes.js';

export interface Target {
  key: string;
  description: string;
  comparison: '>=' | '<=' | '=';
  target: number;
}

/** The figures with targets, as the JSON keys name them. */
export const targets: Target[] = [
  { key: 'sendPlanThroughputRatio', description: 'send plans/s over GET /api/v1/me/s', comparison: '>=', target: 0.3 },
  {
    key: 'ingestThroughputRatio',
    description: 'stored messages/s over a discarding SMTP server',
    comparison: '>=',
    target: 0.5,
  },
  {
    key: 'ingestGrowthRatio',
    description: 'ingestion with stored messages over an empty store',
    comparison: '>=',
    target: 0.8,
  },
  { key: 'launcheventGzipBytes', description: 'launchevent.js, gzip -9 bytes', comparison: '<=', target: 102_400 },
  {
    key: 'taskpaneGzipBytes',
    description: "task pane's initial JavaScript, gzip -9 bytes",
    comparison: '<=',
    target: 256_000,
  },
  {
    key: 'handlerRequestsExternalOnly',
    description: 'requests of a send to external recipients only',
    comparison: '=',
    target: 0,
  },
  {
    key: 'handlerRequestsConnected',
    description: "requests of a send with the pane's choice",
    comparison: '<=',
    target: 2,
  },
];

export interface BenchFigures {
  sizes: BenchSizes;
  machine: MachineInfo;
  startedAt: Date;
  seconds: number;
  sendPlans: SendPlanFigures;
  ingest: IngestFigures;
  bundles: BundleFigures;
  handler: HandlerFigures;
}

function meets(target: Target, value: number): boolean {
  if (target.comparison === '>=') return value >= target.target;
  if (target.comparison === '<=') return value <= target.target;
  return value === target.target;
}

const round = (value: number, digits = 3): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** Builds the keyed figures of a run, the target keys first and then the reported figures. */
export function benchJson(figures: BenchFigures): Record<string, unknown> {
  const { sendPlans, ingest, bundles, handler } = figures;
  const values: Record<string, number> = {
    sendPlanThroughputRatio: round(sendPlans.throughputRatio),
    ingestThroughputRatio: round(ingest.throughputRatio),
    ingestGrowthRatio: round(ingest.growthRatio),
    launcheventGzipBytes: bundles.launchEvent.gzipBytes,
    taskpaneGzipBytes: bundles.taskpaneGzipBytes,
    handlerRequestsExternalOnly: handler.externalOnly.requests.length,
    handlerRequestsConnected: handler.paneChoice.requests.length,
  };
  const ingestRun = (run: IngestRun | { unavailable: string }) =>
    'unavailable' in run
      ? run
      : {
          messagesPerSecond: round(run.messagesPerSecond, 1),
          messages: run.messages,
          seconds: round(run.seconds, 2),
          serverCpuMsPerMessage: round(run.serverCpuMsPerMessage),
          roundsPerSecond: (run.roundsPerSecond ?? [run.messagesPerSecond]).map((rate) => round(rate, 1)),
        };
  return {
    ...values,
    targets: Object.fromEntries(
      targets.map((target) => [
        target.key,
        { target: `${target.comparison} ${target.target}`, met: meets(target, values[target.key] as number) },
      ]),
    ),
    sendPlanLatencyAtHalfRate: {
      requestsPerSecond: sendPlans.halfRate,
      p50Ms: sendPlans.halfRateRun.p50Ms,
      p99Ms: sendPlans.halfRateRun.p99Ms,
    },
    sendPlanRequestsPerSecond: sendPlans.planRuns.map((run) => round(run.requestsPerSecond, 1)),
    meRequestsPerSecond: sendPlans.meRuns.map((run) => round(run.requestsPerSecond, 1)),
    sendPlanCpuRatio: round(sendPlans.cpuRatio),
    handlerComputeMedianMs: {
      connectedWithPaneChoice: round(handler.timing.handler.computeMs, 4),
      externalOnly: round(handler.timing.externalOnly.computeMs, 4),
      emptyHandler: round(handler.timing.empty.computeMs, 4),
      sends: handler.sends,
    },
    handlerTotalMedianMs: {
      connectedWithPaneChoice: round(handler.timing.handler.totalMs, 4),
      externalOnly: round(handler.timing.externalOnly.totalMs, 4),
      emptyHandler: round(handler.timing.empty.totalMs, 4),
    },
    handlerRequestsAlreadyApplied: handler.paneApplied.requests.length,
    handlerRequestsEmptyHandler: handler.emptyHandler.requests.length,
    handlerCountMethod: handler.method,
    ingestMessagesPerSecond: {
      bareSmtpServer: ingestRun(ingest.bare),
      sqliteEmpty: ingestRun(ingest.sqliteEmpty),
      sqliteWithStoredMessages: ingestRun(ingest.sqliteFilled),
      postgresEmpty: ingestRun(ingest.postgresEmpty),
    },
    ingestCpuThroughputRatio: round(ingest.cpuThroughputRatio),
    ingestCpuGrowthRatio: round(ingest.cpuGrowthRatio),
    ingestPostgresOverSqlite: ingest.postgresOverSqlite === null ? null : round(ingest.postgresOverSqlite),
    taskpaneScripts: bundles.taskpaneScripts,
    sizes: figures.sizes,
    machine: figures.machine,
    date: figures.startedAt.toISOString(),
    benchSeconds: Math.round(figures.seconds),
  };
}

function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const fixed = (value: number, digits: number): string => value.toFixed(digits);

/** Yields the baseline and send-plan runs in the order they ran: baseline first, then alternating. */
function* interleave(meRuns: MeasuredRun[], planRuns: MeasuredRun[]): Generator<[string, MeasuredRun]> {
  for (let index = 0; index < meRuns.length; index++) {
    yield ['GET /api/v1/me', meRuns[index] as MeasuredRun];
    const plan = planRuns[index];
    if (plan !== undefined) {
      yield ['POST /api/v1/send-plans', plan];
    }
  }
}
const count = (value: number): string => value.toLocaleString('en-US');

function ingestRow(run: IngestRun | { unavailable: string }, label: string): (string | number)[] {
  if ('unavailable' in run) {
    return [label, 'not measured', '', '', run.unavailable, ''];
  }
  return [
    run.label,
    fixed(run.messagesPerSecond, 1),
    (run.roundsPerSecond ?? [run.messagesPerSecond]).map((rate) => fixed(rate, 0)).join(', '),
    count(run.messages),
    fixed(run.seconds, 2),
    fixed(run.serverCpuMsPerMessage, 2),
  ];
}

/** Formats the ratio of Worklink on an empty store to the bare server, round by round. */
function roundRatios(ingest: IngestFigures): string {
  const bare = ingest.bare.roundsPerSecond ?? [ingest.bare.messagesPerSecond];
  const worklink = ingest.sqliteEmpty.roundsPerSecond ?? [ingest.sqliteEmpty.messagesPerSecond];
  return worklink.map((rate, index) => fixed(rate / (bare[index] ?? Number.NaN), 3)).join(', ');
}

/** Builds the Markdown report: method, machine, tables, and which target each figure meets or misses. */
export function benchMarkdown(figures: BenchFigures): string {
  const { sendPlans, ingest, bundles, handler, machine, sizes } = figures;
  const json = benchJson(figures);
  const targetRows = targets.map((target) => {
    const value = json[target.key] as number;
    return [
      `\`${target.key}\``,
      target.description,
      `${target.comparison} ${count(target.target)}`,
      String(value),
      meets(target, value) ? 'met' : '**missed**',
    ];
  });
  const missed = targetRows.filter((row) => row[4] !== 'met').map((row) => row[0]);

  return `# Benchmarks

Written by \`npm run bench\` (\`bench/run.ts\`) on ${figures.startedAt.toISOString()}; the run took ${Math.round(figures.seconds)} s.
Absolute times vary between runs on this machine, so each figure with a target is a ratio against a baseline measured in the same run, or a count.

${missed.length === 0 ? 'Every target is met.' : `Missed: ${missed.join(', ')}.`}

## Machine

${table(
  ['CPU', 'cores', 'MHz', 'load average at start', 'memory', 'Node', 'platform'],
  [
    [
      machine.cpuModel,
      machine.cpuCount,
      machine.cpuMhz === 0 ? 'not reported' : machine.cpuMhz,
      machine.loadAverage,
      `${machine.memoryGiB} GiB`,
      machine.node,
      `${machine.platform} (${machine.kernel})`,
    ],
  ],
)}

## Targets

${table(['key', 'figure', 'target', 'measured', 'result'], targetRows)}

## Send plans

Method: one server process (Fastify on 127.0.0.1, SQLite file store, logs silent, TLS off) with ${count(sizes.workItems)} bulk work items and ${count(sizes.mailboxes)} bulk mailboxes on top of the demo seed, bulk-inserted in transactions in ${fixed(sendPlans.fillSeconds, 1)} s.
autocannon in the runner process sends ${sizes.httpConnections} concurrent connections for ${sizes.httpSeconds} s per run, after ${sizes.httpWarmupSeconds} s of warm-up, every request with the dev token of \`uk.agent@contoso.example\`.
Baseline (\`GET /api/v1/me\`) and send-plan runs alternate, ${sizes.httpRounds} of each and a last baseline run, so that other load on the machine affects both about equally; the ratio divides the mean send-plan rate by the mean baseline rate.
The server's CPU time per request comes from \`process.cpuUsage()\` around each run; their ratio (baseline over send plan, ${fixed(sendPlans.cpuRatio, 3)}) is shown for comparison, because it depends less on what else the machine runs.
The request has 20 recipients, classified as: ${sendPlans.recipientClasses.join(', ')}; the plan lists ${sendPlans.decisions} decisions.

${table(
  ['run', 'requests/s', 'requests', 'p50 ms', 'p99 ms', 'server CPU ms per request'],
  [...interleave(sendPlans.meRuns, sendPlans.planRuns)].map(([name, run]) => [
    name,
    fixed(run.requestsPerSecond, 1),
    count(run.requests),
    run.p50Ms,
    run.p99Ms,
    fixed(run.serverCpuMsPerRequest, 3),
  ]),
)}

${table(
  ['run at a fixed rate', 'requests/s', 'requests', 'p50 ms', 'p99 ms'],
  [
    [
      `POST /api/v1/send-plans at ${sendPlans.halfRate}/s, half the mean maximum`,
      fixed(sendPlans.halfRateRun.requestsPerSecond, 1),
      count(sendPlans.halfRateRun.requests),
      sendPlans.halfRateRun.p50Ms,
      sendPlans.halfRateRun.p99Ms,
    ],
  ],
)}

\`sendPlanThroughputRatio\` = ${fixed(sendPlans.throughputRatio, 3)}. Latency at half the maximum throughput: p50 ${sendPlans.halfRateRun.p50Ms} ms, p99 ${sendPlans.halfRateRun.p99Ms} ms (autocannon corrects fixed-rate latencies for coordinated omission).

## Inbound mail

Method: each server runs in its own process on 127.0.0.1; the runner delivers messages through one nodemailer pooled transport with ${ingestConnections} connections, keeping ${ingestConnections} sends in flight.
The bare server, Worklink on an empty SQLite store and Worklink on a filled one run at the same time and are loaded one after another in ${sizes.ingestRounds} rounds of ${count(sizes.ingestMessages)} messages each, after ${count(sizes.ingestWarmupMessages)} warm-up messages, so that other load on the machine affects each about equally; each row adds up its rounds.
The message is a 1.6 KB multipart/alternative request from an external sender to \`uk.support@contoso.example\`; only its Message-ID and subject number change, so each one creates a work item.
Worklink's listener acknowledges a message after the commit, and each run checks the stored count.
The filled store holds ${count(sizes.storedMessages)} messages with their MIME and routes on ${count(Math.max(1, Math.floor(sizes.storedMessages / 10)))} work items, bulk-inserted in ${fixed(ingest.sqliteFilled.fillSeconds, 1)} s.
PostgreSQL runs once, afterwards, on a fresh database on 127.0.0.1:5432 that the bench creates and drops.

${table(
  ['server', 'messages/s', 'messages/s by round', 'messages', 'seconds', 'server CPU ms per message'],
  [
    ingestRow(ingest.bare, 'bare'),
    ingestRow(ingest.sqliteEmpty, 'sqlite empty'),
    ingestRow(ingest.sqliteFilled, 'sqlite filled'),
    ingestRow(ingest.postgresEmpty, 'Worklink, empty PostgreSQL store'),
  ],
)}

\`ingestThroughputRatio\` = ${fixed(ingest.throughputRatio, 3)}, \`ingestGrowthRatio\` = ${fixed(ingest.growthRatio, 3)}.
Round by round, Worklink on an empty store over the bare server gives ${roundRatios(ingest)}.
From server CPU time per message, which leaves out the client's, the same ratios are ${fixed(ingest.cpuThroughputRatio, 3)} and ${fixed(ingest.cpuGrowthRatio, 3)}.
PostgreSQL over SQLite = ${ingest.postgresOverSqlite === null ? 'not measured' : fixed(ingest.postgresOverSqlite, 3)} (no target).

## Bundles

Method: a fresh production build of both webpack configurations into a temporary folder (${fixed(bundles.buildSeconds, 1)} s), so the sizes match the current sources whatever \`dist/\` holds; gzip -9 via \`scripts/bundle-size-plugin.js\`.
The task pane figure sums the scripts that \`taskpane.html\` loads itself; chunks it imports later are not counted${bundles.externalScripts.length > 0 ? `, and neither is ${bundles.externalScripts.join(', ')}, which Office add-ins must load from Microsoft's CDN` : ''}.

${table(
  ['file', 'raw bytes', 'gzip -9 bytes'],
  [bundles.launchEvent, ...bundles.taskpaneScripts].map((file) => [
    file.file,
    count(file.rawBytes),
    count(file.gzipBytes),
  ]),
)}

## Send handler

Method: ${handler.method}.
The simulator runs each send in a fresh launch-event frame, as it always does, with the bench agent signed in and a warm directory cache in \`OfficeRuntime.storage\`.
A request counts for a send when the page reports it from that send's frame, a frame inside it or a worker it started, except the page and the scripts it lists, which start the runtime.
The simulator's own requests and the task pane's are not counted.
Every request off loopback, the Office.js CDN included, is aborted before it leaves the browser${handler.blocked.length === 0 ? ', and none was made' : `: ${handler.blocked.join(', ')}`}.
The shim's own count, from its \`fetch\` and \`XMLHttpRequest\` wrappers, is shown for comparison.

${table(
  ['send', 'requests', 'shim count', 'completed with'],
  [handler.externalOnly, handler.paneChoice, handler.paneApplied, handler.emptyHandler].map((scenario) => [
    scenario.name,
    scenario.requests.length === 0 ? '0' : `${scenario.requests.length}: ${scenario.requests.join(', ')}`,
    scenario.shimRequests.length,
    `\`${JSON.stringify(scenario.completed)}\``,
  ]),
)}

Times are medians over ${handler.sends} sends in the simulator, measured in the simulator page with \`performance.now()\` (Chromium coarsens it to 0.1 ms in a page that is not cross-origin isolated) from the call of the handler to \`event.completed\`.
Compute time leaves out the time during which a request of the handler's frame was in flight, from the frame's resource timing entries.
For these sends the simulator returns the result of each Office call in the next task instead of after its usual 8 ms.
A Playwright route fulfils the plan and commit requests with the responses the server gave to the same requests earlier, so each request costs a round trip to the bench process but no server work.
The empty handler is a script that only calls \`event.completed\`, loaded with the simulator's \`?launchevent=\` page switch; it completes within the same call, so its time rounds to 0.

${table(
  ['handler', 'median ms per send', 'median compute ms per send'],
  (
    [
      ["Worklink, connected mailbox with the pane's choice (plan, commit, rewrite)", handler.timing.handler],
      ['Worklink, external recipients only', handler.timing.externalOnly],
      ['empty handler', handler.timing.empty],
    ] as const
  ).map(([name, timing]) => [name, fixed(timing.totalMs, 2), fixed(timing.computeMs, 2)]),
)}
`;
}
