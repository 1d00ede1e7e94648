import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import { deletePendingPlans } from '../send-plans/plan-record.js';

export interface PlanRetentionOptions {
  /** Delay before the first sweep, so that start-up does not wait for it. Defaults to one minute. */
  firstSweepMs?: number;
  /** Time between sweeps. Defaults to one hour. */
  sweepIntervalMs?: number;
}

const dayMs = 24 * 60 * 60 * 1000;

/**
 * Removes send plans that were never committed once they are older than
 * `pendingPlanRetentionDays`. Such a plan is left behind by every draft that
 * was planned and then discarded. Sweeps on every instance are safe: each one
 * deletes by age, and a plan deleted twice is simply gone.
 */
const planRetention: FastifyPluginAsync<PlanRetentionOptions> = async (app, options) => {
  const retentionMs = (app.config.pendingPlanRetentionDays ?? 7) * dayMs;
  let running: Promise<void> | undefined;

  const sweep = (): void => {
    if (running !== undefined) return;
    const createdBefore = new Date(Date.now() - retentionMs).toISOString();
    running = deletePendingPlans(app.database.db, createdBefore)
      .then((deleted) => {
        if (deleted > 0) app.log.info({ deleted, createdBefore }, 'deleted send plans that were never committed');
      })
      .catch((error: unknown) => {
        app.log.warn({ err: error }, 'could not delete old send plans; the next sweep tries again');
      })
      .finally(() => {
        running = undefined;
      });
  };

  let interval: NodeJS.Timeout | undefined;
  const first = setTimeout(
    () => {
      sweep();
      interval = setInterval(sweep, options.sweepIntervalMs ?? 60 * 60 * 1000);
      interval.unref();
    },
    options.firstSweepMs ?? 60 * 1000,
  );
  first.unref();

  app.addHook('onClose', async () => {
    clearTimeout(first);
    clearInterval(interval);
    await running;
  });
};

export const planRetentionPlugin = fp(planRetention, { name: 'worklink-plan-retention' });
