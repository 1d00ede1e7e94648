import fs from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { Type } from 'typebox';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { WorklinkError } from './errors.js';

/**
 * Validated server configuration. This module is the only one that reads
 * `process.env` (and `.env`); everything else receives a frozen `Config`.
 * `.env.example` lists every variable with its default and meaning.
 */
export interface Config {
  host: string;
  port: number;
  tls: 'on' | 'off';
  tlsCert?: string;
  tlsKey?: string;
  dataDir: string;
  databaseUrl: string;
  smtpPort: number;
  smtpMaxMessageBytes: number;
  smtpMaxRecipients: number;
  /** Hosts allowed to connect to the SMTP listener; empty allows any. */
  smtpAllowedHosts: string[];
  auth: 'dev' | 'entra';
  entraTenantId?: string;
  entraClientId?: string;
  /** Expected `aud` of Entra access tokens, by default the client id. */
  entraAudience?: string;
  /** JWKS of the tenant, by default Microsoft's v2.0 keys endpoint for `entraTenantId`. */
  entraJwksUrl?: string;
  /** Lower-case addresses that are admins from the first start. */
  adminEmails: string[];
  seed: 'demo' | 'none';
  /** Origin that serves the add-in, allowed by CORS. */
  publicOrigin: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Requests an agent may send per rate-limit window on authenticated routes. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** Folder of the built add-in, served at `/` when it exists. */
  addinDir: string;
  /** `on` syncs connected mailboxes from Microsoft Graph; absent means `off`. */
  graphSync?: 'on' | 'off';
  graphTenantId?: string;
  graphClientId?: string;
  /** Client secret of the sync's app registration; never logged. */
  graphClientSecret?: string;
  /** Graph root including the version; absent means `https://graph.microsoft.com/v1.0`. */
  graphBaseUrl?: string;
  /** Entra authority host without the tenant; absent means `https://login.microsoftonline.com`. */
  graphAuthorityUrl?: string;
  graphPollIntervalMs?: number;
  graphLeaseMs?: number;
  /** Days a send plan that was never committed is kept; absent means 7. Committed plans stay. */
  pendingPlanRetentionDays?: number;
}

type Environment = Record<string, string | undefined>;

const port = Type.String({ pattern: '^[0-9]{1,5}$' });
const positiveInteger = Type.String({ pattern: '^[1-9][0-9]{0,9}$' });
const nonEmpty = Type.String({ minLength: 1 });
const guid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });
const oneOf = (...values: string[]) => Type.Union(values.map((value) => Type.Literal(value)));

/** Each variable with its raw-string schema and the fix shown when the value fails it. */
const variables: Record<string, { schema: TSchema; expected: string }> = {
  WORKLINK_HOST: { schema: nonEmpty, expected: 'a host name or IP address such as 127.0.0.1' },
  WORKLINK_PORT: { schema: port, expected: 'a TCP port from 0 to 65535' },
  WORKLINK_TLS: { schema: oneOf('on', 'off'), expected: '`on` or `off`' },
  WORKLINK_TLS_CERT: { schema: nonEmpty, expected: 'the path of a PEM certificate file' },
  WORKLINK_TLS_KEY: { schema: nonEmpty, expected: 'the path of a PEM private key file' },
  WORKLINK_DATA_DIR: { schema: nonEmpty, expected: 'a directory path' },
  WORKLINK_DATABASE_URL: {
    schema: Type.String({ pattern: '^(sqlite:.+|postgres(ql)?://.+)$' }),
    expected: 'sqlite:PATH or postgres://USER@HOST/DATABASE',
  },
  WORKLINK_SMTP_PORT: { schema: port, expected: 'a TCP port from 0 to 65535, or 0 to turn the SMTP listener off' },
  WORKLINK_SMTP_MAX_MESSAGE_BYTES: { schema: positiveInteger, expected: 'a positive number of bytes' },
  WORKLINK_SMTP_MAX_RECIPIENTS: { schema: positiveInteger, expected: 'a positive number of recipients' },
  WORKLINK_SMTP_ALLOWED_HOSTS: { schema: Type.String(), expected: 'comma-separated host names or IP addresses' },
  WORKLINK_AUTH: { schema: oneOf('dev', 'entra'), expected: '`dev` or `entra`' },
  WORKLINK_ENTRA_TENANT_ID: { schema: guid, expected: 'the directory (tenant) id, a GUID' },
  WORKLINK_ENTRA_CLIENT_ID: { schema: guid, expected: "the API app registration's application (client) id, a GUID" },
  WORKLINK_ENTRA_AUDIENCE: { schema: nonEmpty, expected: 'the `aud` claim of access tokens for the API' },
  WORKLINK_ENTRA_JWKS_URL: {
    schema: Type.String({ pattern: '^https?://.+' }),
    expected: 'an http(s) URL of a JSON Web Key Set',
  },
  WORKLINK_ADMIN_EMAILS: {
    schema: Type.String({ pattern: '^\\s*([^\\s,@]+@[^\\s,@]+\\s*(,\\s*[^\\s,@]+@[^\\s,@]+\\s*)*)?,?\\s*$' }),
    expected: 'comma-separated email addresses',
  },
  WORKLINK_SEED: { schema: oneOf('demo', 'none'), expected: '`demo` or `none`' },
  WORKLINK_PUBLIC_ORIGIN: {
    schema: Type.String({ pattern: '^https?://[^/\\s]+$' }),
    expected: 'an origin without a path, such as https://localhost:3000',
  },
  WORKLINK_LOG_LEVEL: {
    schema: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
    expected: 'one of fatal, error, warn, info, debug, trace, silent',
  },
  WORKLINK_RATE_LIMIT_MAX: { schema: positiveInteger, expected: 'a positive number of requests' },
  WORKLINK_RATE_LIMIT_WINDOW_MS: { schema: positiveInteger, expected: 'a positive number of milliseconds' },
  WORKLINK_ADDIN_DIR: { schema: nonEmpty, expected: 'the directory of the built add-in' },
  WORKLINK_GRAPH_SYNC: { schema: oneOf('on', 'off'), expected: '`on` or `off`' },
  WORKLINK_GRAPH_TENANT_ID: { schema: guid, expected: 'the directory (tenant) id, a GUID' },
  WORKLINK_GRAPH_CLIENT_ID: { schema: guid, expected: "the sync app registration's application (client) id, a GUID" },
  WORKLINK_GRAPH_CLIENT_SECRET: { schema: nonEmpty, expected: "a client secret of the sync's app registration" },
  WORKLINK_GRAPH_BASE_URL: {
    schema: Type.String({ pattern: '^https?://[^\\s]+$' }),
    expected: 'the Graph root with its version, such as https://graph.microsoft.com/v1.0',
  },
  WORKLINK_GRAPH_AUTHORITY_URL: {
    schema: Type.String({ pattern: '^https://[^/\\s]+/?$' }),
    expected: 'an https origin without a path, such as https://login.microsoftonline.com',
  },
  WORKLINK_GRAPH_POLL_INTERVAL_MS: { schema: positiveInteger, expected: 'a positive number of milliseconds' },
  WORKLINK_GRAPH_LEASE_MS: { schema: positiveInteger, expected: 'a positive number of milliseconds' },
  WORKLINK_PENDING_PLAN_RETENTION_DAYS: { schema: positiveInteger, expected: 'a positive number of days' },
};

/** Every variable the config module reads, for documentation checks. */
export const configVariableNames: readonly string[] = Object.freeze(Object.keys(variables));

const environmentSchema = Type.Object(
  Object.fromEntries(Object.entries(variables).map(([name, { schema }]) => [name, Type.Optional(schema)])),
);

/** Reads `.env` from the working directory under the process environment, which wins. */
function readProcessEnvironment(): Environment {
  const file = path.resolve('.env');
  const fromFile = fs.existsSync(file) ? parseDotenv(fs.readFileSync(file)) : {};
  return { ...fromFile, ...process.env };
}

function splitList(value: string | undefined): string[] {
  if (value === undefined) {
    return [];
  }
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

/** True for host names and addresses that only accept connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

/**
 * Throws `WORKLINK_DEV_AUTH_NOT_LOOPBACK` when dev authentication would be
 * reachable from other machines, because the dev token endpoint issues a token to anyone
 * who requests one.
 */
export function assertDevAuthOnLoopback(config: Pick<Config, 'auth' | 'host'>): void {
  if (config.auth === 'dev' && !isLoopbackHost(config.host)) {
    throw new WorklinkError(
      'WORKLINK_DEV_AUTH_NOT_LOOPBACK',
      `Dev authentication is only allowed on a loopback host, but WORKLINK_HOST is "${config.host}". ` +
        'Set WORKLINK_HOST=127.0.0.1, or set WORKLINK_AUTH=entra with WORKLINK_ENTRA_TENANT_ID and WORKLINK_ENTRA_CLIENT_ID.',
    );
  }
}

function collectSchemaProblems(env: Environment): string[] {
  const candidate: Environment = {};
  for (const name of Object.keys(variables)) {
    const value = env[name];
    if (value !== undefined && value !== '') {
      candidate[name] = value;
    }
  }

  const problems = new Map<string, string>();
  for (const error of Value.Errors(environmentSchema, candidate)) {
    const name = error.instancePath.replace(/^\//, '');
    const variable = variables[name];
    if (variable !== undefined && !problems.has(name)) {
      problems.set(name, `${name}="${candidate[name]}" is invalid: set it to ${variable.expected}.`);
    }
  }
  return [...problems.values()];
}

/**
 * Loads and validates the configuration from `env` (by default `.env` under
 * the process environment). An empty variable counts as unset. Throws a
 * `WorklinkError` with code `WORKLINK_CONFIG_INVALID` that lists every invalid
 * variable and its fix, or `WORKLINK_DEV_AUTH_NOT_LOOPBACK`.
 */
export function loadConfig(env: Environment = readProcessEnvironment()): Readonly<Config> {
  const problems = collectSchemaProblems(env);
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };

  const auth = (read('WORKLINK_AUTH') ?? 'dev') as Config['auth'];
  if (auth === 'entra') {
    for (const name of ['WORKLINK_ENTRA_TENANT_ID', 'WORKLINK_ENTRA_CLIENT_ID']) {
      if (read(name) === undefined) {
        problems.push(`${name} is missing: WORKLINK_AUTH=entra needs it (see .env.example).`);
      }
    }
  }

  if (read('WORKLINK_GRAPH_SYNC') === 'on') {
    for (const name of ['WORKLINK_GRAPH_TENANT_ID', 'WORKLINK_GRAPH_CLIENT_ID', 'WORKLINK_GRAPH_CLIENT_SECRET']) {
      if (read(name) === undefined) {
        problems.push(`${name} is missing: WORKLINK_GRAPH_SYNC=on needs it (see .env.example).`);
      }
    }
  }

  const tlsCert = read('WORKLINK_TLS_CERT');
  const tlsKey = read('WORKLINK_TLS_KEY');
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    problems.push('WORKLINK_TLS_CERT and WORKLINK_TLS_KEY must be set together: set both, or neither to generate one.');
  }

  if (problems.length > 0) {
    throw new WorklinkError('WORKLINK_CONFIG_INVALID', `Invalid configuration. ${problems.join(' ')}`, {
      details: problems,
    });
  }

  const dataDir = path.resolve(read('WORKLINK_DATA_DIR') ?? './data');
  const seed = (read('WORKLINK_SEED') ?? (auth === 'dev' ? 'demo' : 'none')) as Config['seed'];
  const adminEmailsDefault = seed === 'demo' ? 'admin@contoso.example' : undefined;
  const tenantId = read('WORKLINK_ENTRA_TENANT_ID');
  const clientId = read('WORKLINK_ENTRA_CLIENT_ID');

  const config: Config = {
    host: read('WORKLINK_HOST') ?? '127.0.0.1',
    port: Number(read('WORKLINK_PORT') ?? 3000),
    tls: (read('WORKLINK_TLS') ?? 'on') as Config['tls'],
    dataDir,
    databaseUrl: read('WORKLINK_DATABASE_URL') ?? `sqlite:${path.join(dataDir, 'worklink.sqlite')}`,
    smtpPort: Number(read('WORKLINK_SMTP_PORT') ?? 2525),
    smtpMaxMessageBytes: Number(read('WORKLINK_SMTP_MAX_MESSAGE_BYTES') ?? 35 * 1024 * 1024),
    smtpMaxRecipients: Number(read('WORKLINK_SMTP_MAX_RECIPIENTS') ?? 100),
    smtpAllowedHosts: splitList(read('WORKLINK_SMTP_ALLOWED_HOSTS')),
    auth,
    adminEmails: splitList(read('WORKLINK_ADMIN_EMAILS') ?? adminEmailsDefault).map((email) => email.toLowerCase()),
    seed,
    publicOrigin: read('WORKLINK_PUBLIC_ORIGIN') ?? 'https://localhost:3000',
    logLevel: (read('WORKLINK_LOG_LEVEL') ?? 'info') as Config['logLevel'],
    rateLimitMax: Number(read('WORKLINK_RATE_LIMIT_MAX') ?? 1200),
    rateLimitWindowMs: Number(read('WORKLINK_RATE_LIMIT_WINDOW_MS') ?? 60_000),
    addinDir: path.resolve(read('WORKLINK_ADDIN_DIR') ?? './dist/addin'),
    graphSync: (read('WORKLINK_GRAPH_SYNC') ?? 'off') as 'on' | 'off',
    graphBaseUrl: (read('WORKLINK_GRAPH_BASE_URL') ?? 'https://graph.microsoft.com/v1.0').replace(/\/+$/, ''),
    graphAuthorityUrl: (read('WORKLINK_GRAPH_AUTHORITY_URL') ?? 'https://login.microsoftonline.com').replace(
      /\/+$/,
      '',
    ),
    graphPollIntervalMs: Number(read('WORKLINK_GRAPH_POLL_INTERVAL_MS') ?? 60_000),
    graphLeaseMs: Number(read('WORKLINK_GRAPH_LEASE_MS') ?? 300_000),
    pendingPlanRetentionDays: Number(read('WORKLINK_PENDING_PLAN_RETENTION_DAYS') ?? 7),
  };
  const portProblems = (['WORKLINK_PORT', 'WORKLINK_SMTP_PORT'] as const)
    .filter((name) => Number(read(name) ?? 0) > 65535)
    .map((name) => `${name}="${read(name)}" is invalid: set it to ${variables[name]?.expected}.`);
  if (portProblems.length > 0) {
    throw new WorklinkError('WORKLINK_CONFIG_INVALID', `Invalid configuration. ${portProblems.join(' ')}`, {
      details: portProblems,
    });
  }
  if (tlsCert !== undefined && tlsKey !== undefined) {
    config.tlsCert = path.resolve(tlsCert);
    config.tlsKey = path.resolve(tlsKey);
  }
  if (tenantId !== undefined) {
    config.entraTenantId = tenantId.toLowerCase();
  }
  if (clientId !== undefined) {
    config.entraClientId = clientId.toLowerCase();
    config.entraAudience = read('WORKLINK_ENTRA_AUDIENCE') ?? config.entraClientId;
  }
  const graphTenantId = read('WORKLINK_GRAPH_TENANT_ID');
  const graphClientId = read('WORKLINK_GRAPH_CLIENT_ID');
  const graphClientSecret = read('WORKLINK_GRAPH_CLIENT_SECRET');
  if (graphTenantId !== undefined) {
    config.graphTenantId = graphTenantId.toLowerCase();
  }
  if (graphClientId !== undefined) {
    config.graphClientId = graphClientId.toLowerCase();
  }
  if (graphClientSecret !== undefined) {
    config.graphClientSecret = graphClientSecret;
  }
  const jwksUrl = read('WORKLINK_ENTRA_JWKS_URL');
  if (jwksUrl !== undefined) {
    config.entraJwksUrl = jwksUrl;
  } else if (config.entraTenantId !== undefined) {
    config.entraJwksUrl = `https://login.microsoftonline.com/${config.entraTenantId}/discovery/v2.0/keys`;
  }

  assertDevAuthOnLoopback(config);
  Object.freeze(config.smtpAllowedHosts);
  Object.freeze(config.adminEmails);
  return Object.freeze(config);
}
