/**
 * Throughput of `POST /api/v1/send-plans` with 20 recipients on a store of bulk work items
 * and mailboxes, as a ratio to `GET /api/v1/me` on the same server process, and its latency
 * at half the measured throughput.
 */
import type { Recipient, SendPlanResponse } from '../src/core/api-types.js';
import { runLoad } from './autocannon-run.js';
import type { LoadRun } from './autocannon-run.js';
import { startServer } from './server-control.js';
import type { BenchSizes } from './sizes.js';
import { benchAliasAddress, benchMailboxAddress, benchReference } from './store-fill.js';

/** One load run with the server's CPU time per completed request. */
export interface MeasuredRun extends LoadRun {
  serverCpuMsPerRequest: number;
}

export interface SendPlanFigures {
  /** Baseline runs, before, between and after the send-plan runs. */
  meRuns: MeasuredRun[];
  planRuns: MeasuredRun[];
  /** Mean send-plan rate over the mean baseline rate. */
  throughputRatio: number;
  /** Baseline over send-plan server CPU time per request; less sensitive to other load on the machine. */
  cpuRatio: number;
  /** The run at a fixed rate of half the send-plan throughput. */
  halfRateRun: LoadRun;
  halfRate: number;
  /** Recipient classes of the benchmark request, in request order. */
  recipientClasses: string[];
  decisions: number;
  fillSeconds: number;
}

const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;

/**
 * Returns the 20 recipients of the benchmark message: external addresses, internal ones, the agent's
 * own mailbox in two spellings, connected mailboxes of other teams by primary address, by
 * alias and with a plus tag naming an existing work item. Needs at least 4 bulk mailboxes
 * and 2 work items.
 */
export function benchRecipients(mailboxes: number): Recipient[] {
  const quarter = Math.floor(mailboxes / 4);
  // Even indexes have an alias; see `store-fill.ts`.
  const even = (index: number): number => index - (index % 2);
  const entry = (field: Recipient['field'], emailAddress: string, displayName: string): Recipient => ({
    field,
    emailAddress,
    displayName,
  });
  return [
    entry('to', 'billing@fabrikam.example', 'Fabrikam Billing'),
    entry('to', 'anna.nowak@fabrikam.example', 'Anna Nowak'),
    entry('to', 'j.smith@northwind.example', 'John Smith'),
    entry('cc', 'partner.desk@adatum.example', 'Adatum Partner Desk'),
    entry('cc', 'legal@contoso.example', 'Legal'),
    entry('cc', 'finance@contoso.example', 'Finance'),
    entry('cc', 'ceo.office@contoso.example', 'CEO Office'),
    entry('cc', 'uk.support@contoso.example', 'UK Support'),
    entry('cc', 'UK.Support@Contoso.example', 'UK Support (old contact)'),
    entry('cc', 'pl.support@contoso.example', 'Wsparcie PL'),
    entry('cc', 'wsparcie.pl@contoso.example', 'Wsparcie PL (alias)'),
    entry('cc', benchMailboxAddress(0), 'Queue 1'),
    entry('cc', benchAliasAddress(0), 'Queue 1 (alias)'),
    entry('cc', benchMailboxAddress(1).replace('@', `+${benchReference(1)}@`), 'Queue 2'),
    entry('cc', benchMailboxAddress(quarter * 2), 'Queue half'),
    entry('cc', benchAliasAddress(even(mailboxes - 2)), 'Queue last but one (alias)'),
    entry('bcc', benchMailboxAddress(quarter), 'Queue quarter'),
    entry('bcc', 'archive@contoso.example', 'Archive'),
    entry('bcc', 'auditor@fabrikam.example', 'Fabrikam Auditor'),
    entry('bcc', benchMailboxAddress(mailboxes - 1), 'Queue last'),
  ];
}

/** Sends one plan request and checks that the plan classifies the recipients as the bench expects. */
async function checkPlan(origin: string, token: string, body: unknown): Promise<SendPlanResponse> {
  const response = await fetch(`${origin}/api/v1/send-plans`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 201) {
    throw new Error(`POST /api/v1/send-plans returned ${response.status} before the load: ${text}`);
  }
  const plan = JSON.parse(text) as SendPlanResponse;
  const classes = new Set(plan.recipients.map((recipient) => recipient.class));
  for (const expected of ['external', 'internal', 'own-mailbox', 'connected-mailbox']) {
    if (!classes.has(expected as SendPlanResponse['recipients'][number]['class'])) {
      throw new Error(`The benchmark plan has no ${expected} recipient; check the bulk mailboxes of the store.`);
    }
  }
  if (!plan.recipients.some((recipient) => recipient.reference === benchReference(1))) {
    throw new Error(
      `The tagged recipient did not resolve to work item ${benchReference(1)}; check the bulk work items.`,
    );
  }
  return plan;
}

export async function benchSendPlans(sizes: BenchSizes, log: (line: string) => void): Promise<SendPlanFigures> {
  if (sizes.mailboxes < 4 || sizes.workItems < 2) {
    throw new Error(
      `The send-plan bench needs at least 4 mailboxes and 2 work items, but got ${sizes.mailboxes} and ${sizes.workItems}.`,
    );
  }
  log(`send plans: filling a SQLite store with ${sizes.workItems} work items and ${sizes.mailboxes} mailboxes`);
  const server = await startServer({
    kind: 'worklink',
    fill: { workItems: sizes.workItems, mailboxes: sizes.mailboxes, storedMessages: 0 },
  });
  try {
    const origin = server.info.httpOrigin as string;
    const token = server.info.token as string;
    const body = {
      subject: 'RE: Delivery and invoice for order 4471',
      conversationId: 'AAQkADAwATM0MDAAMS1iZW5jaC0wMAoAEAC',
      recipients: benchRecipients(sizes.mailboxes),
    };
    const plan = await checkPlan(origin, token, body);
    log(
      `send plans: store filled in ${server.info.fillSeconds.toFixed(1)} s; plan has ${plan.decisions.length} decisions`,
    );

    const common = { token, connections: sizes.httpConnections };
    const me = { ...common, url: `${origin}/api/v1/me`, method: 'GET' as const };
    const plans = { ...common, url: `${origin}/api/v1/send-plans`, method: 'POST' as const, body };
    const measured = async (options: typeof me | typeof plans, label: string): Promise<MeasuredRun> => {
      if (sizes.httpWarmupSeconds > 0) {
        await runLoad({ ...options, seconds: sizes.httpWarmupSeconds });
      }
      const before = await server.counts();
      const run = await runLoad({ ...options, seconds: sizes.httpSeconds });
      const after = await server.counts();
      const serverCpuMsPerRequest = (after.cpuMicros - before.cpuMicros) / 1000 / run.requests;
      log(
        `send plans: ${label} ${run.requestsPerSecond.toFixed(0)} requests/s, ${serverCpuMsPerRequest.toFixed(3)} ms CPU each`,
      );
      return { ...run, serverCpuMsPerRequest };
    };

    // Alternating runs spread the effect of other load on the machine over both routes.
    const meRuns: MeasuredRun[] = [];
    const planRuns: MeasuredRun[] = [];
    for (let round = 0; round < sizes.httpRounds; round++) {
      meRuns.push(await measured(me, 'GET /api/v1/me'));
      planRuns.push(await measured(plans, 'POST /api/v1/send-plans'));
    }
    meRuns.push(await measured(me, 'GET /api/v1/me'));

    const planRate = mean(planRuns.map((run) => run.requestsPerSecond));
    const halfRate = Math.max(1, Math.floor(planRate / 2));
    const halfRateRun = await runLoad({ ...plans, seconds: sizes.httpSeconds, overallRate: halfRate });
    log(`send plans: at ${halfRate}/s p50 ${halfRateRun.p50Ms} ms, p99 ${halfRateRun.p99Ms} ms`);

    return {
      meRuns,
      planRuns,
      throughputRatio: planRate / mean(meRuns.map((run) => run.requestsPerSecond)),
      cpuRatio:
        mean(meRuns.map((run) => run.serverCpuMsPerRequest)) / mean(planRuns.map((run) => run.serverCpuMsPerRequest)),
      halfRateRun,
      halfRate,
      recipientClasses: plan.recipients.map((recipient) => recipient.class),
      decisions: plan.decisions.length,
      fillSeconds: server.info.fillSeconds,
    };
  } finally {
    await server.stop();
  }
}
