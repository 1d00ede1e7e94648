import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { getDirectory } from '../../repositories/directory-cache.js';

/**
 * Loads the directory into this instance's cache after an admin change has
 * committed. The SMTP listener accepts a recipient from a directory confirmed
 * within the last second without a query, so without this reload it could
 * accept mail for a mailbox that was just disconnected. Other instances read
 * the new directory version on their next check. A failure is logged and not
 * raised, because the change itself is already stored.
 */
export async function refreshDirectory(app: FastifyInstance, log: FastifyBaseLogger): Promise<void> {
  try {
    await getDirectory(app.database.db);
  } catch (error) {
    log.warn({ err: error }, 'directory reload after an admin change failed');
  }
}
