import type { FastifyBaseLogger } from 'fastify';
import type { INetworkModule } from '@azure/msal-node';
import type { Config } from '../../config.js';
import type { DatabaseHandle } from '../../db/database.js';
import { WorklinkError } from '../../errors.js';
import type { MailEventSink } from '../ingest.js';
import { GraphSyncWorker } from './sync-worker.js';
import { createMsalTokenProvider } from './token-provider.js';

export interface GraphSyncHandle {
  instanceId: string;
  stop(): Promise<void>;
}

export interface StartGraphSyncOptions {
  config: Readonly<Config>;
  database: DatabaseHandle;
  log: FastifyBaseLogger;
  events?: MailEventSink;
  /** Lease owner; the server passes its instance id so that logs and `mailbox_sync` agree. */
  instanceId?: string;
  /** Passed to msal-node; tests use it to trust their fake authority's certificate. */
  networkClient?: INetworkModule;
}

/**
 * Starts the Graph mailbox sync when `WORKLINK_GRAPH_SYNC=on`, and returns
 * undefined otherwise. Throws `WORKLINK_CONFIG_INVALID` when the app
 * registration is incomplete (`loadConfig` already rejects that).
 */
export function startGraphSync(options: StartGraphSyncOptions): GraphSyncHandle | undefined {
  const { config } = options;
  if (config.graphSync !== 'on') {
    options.log.info('graph mailbox sync off (WORKLINK_GRAPH_SYNC=off)');
    return undefined;
  }
  const { graphTenantId, graphClientId, graphClientSecret } = config;
  if (graphTenantId === undefined || graphClientId === undefined || graphClientSecret === undefined) {
    throw new WorklinkError('WORKLINK_CONFIG_INVALID', {
      en: 'WORKLINK_GRAPH_SYNC=on needs WORKLINK_GRAPH_TENANT_ID, WORKLINK_GRAPH_CLIENT_ID and WORKLINK_GRAPH_CLIENT_SECRET.',
      pl: 'WORKLINK_GRAPH_SYNC=on wymaga ustawienia WORKLINK_GRAPH_TENANT_ID, WORKLINK_GRAPH_CLIENT_ID i WORKLINK_GRAPH_CLIENT_SECRET.',
    });
  }

  const tokens = createMsalTokenProvider({
    tenantId: graphTenantId,
    clientId: graphClientId,
    clientSecret: graphClientSecret,
    authorityUrl: config.graphAuthorityUrl ?? 'https://login.microsoftonline.com',
    ...(options.networkClient === undefined ? {} : { networkClient: options.networkClient }),
  });
  const worker = new GraphSyncWorker({
    database: options.database,
    ...(options.events === undefined ? {} : { events: options.events }),
    log: options.log,
    tokens,
    graphBaseUrl: config.graphBaseUrl ?? 'https://graph.microsoft.com/v1.0',
    pollIntervalMs: config.graphPollIntervalMs ?? 60_000,
    leaseDurationMs: config.graphLeaseMs ?? 300_000,
    ...(options.instanceId === undefined ? {} : { instanceId: options.instanceId }),
  });
  worker.start();
  return { instanceId: worker.instanceId, stop: () => worker.stop() };
}
