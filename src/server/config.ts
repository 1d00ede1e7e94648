import fs from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { Type } from 'typebox';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import type { LocalizedText } from '../core/language.js';
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

/** Expected value of a duration variable, in both languages. */
const positiveMilliseconds = { en: 'a positive number of milliseconds', pl: 'dodatnią liczbę milisekund' } as const;

/**
 * Each variable with its raw-string schema and the fix shown when the value fails it. The Polish
 * fix is in the accusative, as it follows "podaj".
 */
const variables: Record<string, { schema: TSchema; expected: LocalizedText }> = {
  WORKLINK_HOST: {
    schema: nonEmpty,
    expected: {
      en: 'a host name or IP address such as 127.0.0.1',
      pl: 'nazwę hosta albo adres IP, na przykład 127.0.0.1',
    },
  },
  WORKLINK_PORT: { schema: port, expected: { en: 'a TCP port from 0 to 65535', pl: 'port TCP od 0 do 65535' } },
  WORKLINK_TLS: { schema: oneOf('on', 'off'), expected: { en: '`on` or `off`', pl: '`on` albo `off`' } },
  WORKLINK_TLS_CERT: {
    schema: nonEmpty,
    expected: { en: 'the path of a PEM certificate file', pl: 'ścieżkę pliku certyfikatu PEM' },
  },
  WORKLINK_TLS_KEY: {
    schema: nonEmpty,
    expected: { en: 'the path of a PEM private key file', pl: 'ścieżkę pliku klucza prywatnego PEM' },
  },
  WORKLINK_DATA_DIR: { schema: nonEmpty, expected: { en: 'a directory path', pl: 'ścieżkę katalogu' } },
  WORKLINK_DATABASE_URL: {
    schema: Type.String({ pattern: '^(sqlite:.+|postgres(ql)?://.+)$' }),
    expected: {
      en: 'sqlite:PATH or postgres://USER@HOST/DATABASE',
      pl: 'sqlite:ŚCIEŻKA albo postgres://UŻYTKOWNIK@HOST/BAZA',
    },
  },
  WORKLINK_SMTP_PORT: {
    schema: port,
    expected: {
      en: 'a TCP port from 0 to 65535, or 0 to turn the SMTP listener off',
      pl: 'port TCP od 0 do 65535 albo 0, aby wyłączyć nasłuch SMTP',
    },
  },
  WORKLINK_SMTP_MAX_MESSAGE_BYTES: {
    schema: positiveInteger,
    expected: { en: 'a positive number of bytes', pl: 'dodatnią liczbę bajtów' },
  },
  WORKLINK_SMTP_MAX_RECIPIENTS: {
    schema: positiveInteger,
    expected: { en: 'a positive number of recipients', pl: 'dodatnią liczbę adresatów' },
  },
  WORKLINK_SMTP_ALLOWED_HOSTS: {
    schema: Type.String(),
    expected: {
      en: 'comma-separated host names or IP addresses',
      pl: 'nazwy hostów albo adresy IP rozdzielone przecinkami',
    },
  },
  WORKLINK_AUTH: { schema: oneOf('dev', 'entra'), expected: { en: '`dev` or `entra`', pl: '`dev` albo `entra`' } },
  WORKLINK_ENTRA_TENANT_ID: {
    schema: guid,
    expected: { en: 'the directory (tenant) id, a GUID', pl: 'identyfikator katalogu (dzierżawy) w postaci GUID' },
  },
  WORKLINK_ENTRA_CLIENT_ID: {
    schema: guid,
    expected: {
      en: "the API app registration's application (client) id, a GUID",
      pl: 'identyfikator aplikacji (klienta) z rejestracji aplikacji API w postaci GUID',
    },
  },
  WORKLINK_ENTRA_AUDIENCE: {
    schema: nonEmpty,
    expected: {
      en: 'the `aud` claim of access tokens for the API',
      pl: 'wartość oświadczenia `aud` w tokenach dostępu do API',
    },
  },
  WORKLINK_ENTRA_JWKS_URL: {
    schema: Type.String({ pattern: '^https?://.+' }),
    expected: { en: 'an http(s) URL of a JSON Web Key Set', pl: 'adres URL http(s) zestawu kluczy JSON Web Key Set' },
  },
  WORKLINK_ADMIN_EMAILS: {
    schema: Type.String({ pattern: '^\\s*([^\\s,@]+@[^\\s,@]+\\s*(,\\s*[^\\s,@]+@[^\\s,@]+\\s*)*)?,?\\s*$' }),
    expected: { en: 'comma-separated email addresses', pl: 'adresy e-mail rozdzielone przecinkami' },
  },
  WORKLINK_SEED: { schema: oneOf('demo', 'none'), expected: { en: '`demo` or `none`', pl: '`demo` albo `none`' } },
  WORKLINK_PUBLIC_ORIGIN: {
    schema: Type.String({ pattern: '^https?://[^/\\s]+$' }),
    expected: {
      en: 'an origin without a path, such as https://localhost:3000',
      pl: 'źródło bez ścieżki, na przykład https://localhost:3000',
    },
  },
  WORKLINK_LOG_LEVEL: {
    schema: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
    expected: {
      en: 'one of fatal, error, warn, info, debug, trace, silent',
      pl: 'jedną z wartości fatal, error, warn, info, debug, trace, silent',
    },
  },
  WORKLINK_RATE_LIMIT_MAX: {
    schema: positiveInteger,
    expected: { en: 'a positive number of requests', pl: 'dodatnią liczbę żądań' },
  },
  WORKLINK_RATE_LIMIT_WINDOW_MS: {
    schema: positiveInteger,
    expected: positiveMilliseconds,
  },
  WORKLINK_ADDIN_DIR: {
    schema: nonEmpty,
    expected: { en: 'the directory of the built add-in', pl: 'katalog zbudowanego dodatku' },
  },
  WORKLINK_GRAPH_SYNC: { schema: oneOf('on', 'off'), expected: { en: '`on` or `off`', pl: '`on` albo `off`' } },
  WORKLINK_GRAPH_TENANT_ID: {
    schema: guid,
    expected: { en: 'the directory (tenant) id, a GUID', pl: 'identyfikator katalogu (dzierżawy) w postaci GUID' },
  },
  WORKLINK_GRAPH_CLIENT_ID: {
    schema: guid,
    expected: {
      en: "the sync app registration's application (client) id, a GUID",
      pl: 'identyfikator aplikacji (klienta) z rejestracji aplikacji synchronizacji w postaci GUID',
    },
  },
  WORKLINK_GRAPH_CLIENT_SECRET: {
    schema: nonEmpty,
    expected: {
      en: "a client secret of the sync's app registration",
      pl: 'klucz tajny klienta z rejestracji aplikacji synchronizacji',
    },
  },
  WORKLINK_GRAPH_BASE_URL: {
    schema: Type.String({ pattern: '^https?://[^\\s]+$' }),
    expected: {
      en: 'the Graph root with its version, such as https://graph.microsoft.com/v1.0',
      pl: 'adres główny Graph z wersją, na przykład https://graph.microsoft.com/v1.0',
    },
  },
  WORKLINK_GRAPH_AUTHORITY_URL: {
    schema: Type.String({ pattern: '^https://[^/\\s]+/?$' }),
    expected: {
      en: 'an https origin without a path, such as https://login.microsoftonline.com',
      pl: 'źródło https bez ścieżki, na przykład https://login.microsoftonline.com',
    },
  },
  WORKLINK_GRAPH_POLL_INTERVAL_MS: {
    schema: positiveInteger,
    expected: positiveMilliseconds,
  },
  WORKLINK_GRAPH_LEASE_MS: {
    schema: positiveInteger,
    expected: positiveMilliseconds,
  },
  WORKLINK_PENDING_PLAN_RETENTION_DAYS: {
    schema: positiveInteger,
    expected: { en: 'a positive number of days', pl: 'dodatnią liczbę dni' },
  },
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
    throw new WorklinkError('WORKLINK_DEV_AUTH_NOT_LOOPBACK', {
      en:
        `Dev authentication is only allowed on a loopback host, but WORKLINK_HOST is "${config.host}". ` +
        'Set WORKLINK_HOST=127.0.0.1, or set WORKLINK_AUTH=entra with WORKLINK_ENTRA_TENANT_ID and WORKLINK_ENTRA_CLIENT_ID.',
      pl:
        `Uwierzytelnianie deweloperskie jest dozwolone tylko na hoście pętli zwrotnej, a WORKLINK_HOST ma wartość "${config.host}". ` +
        'Ustaw WORKLINK_HOST=127.0.0.1 albo ustaw WORKLINK_AUTH=entra razem z WORKLINK_ENTRA_TENANT_ID i WORKLINK_ENTRA_CLIENT_ID.',
    });
  }
}

/** Builds the problem of a variable whose value fails its schema, with the fix. */
function invalidValue(name: string, value: string | undefined, expected: LocalizedText | undefined): LocalizedText {
  return {
    en: `${name}="${value}" is invalid: set it to ${expected?.en}.`,
    pl: `Wartość ${name}="${value}" jest nieprawidłowa: podaj ${expected?.pl}.`,
  };
}

/** Builds the error that lists every problem of the configuration, each with its fix. */
function invalidConfiguration(problems: readonly LocalizedText[]): WorklinkError {
  const en = problems.map((problem) => problem.en);
  const pl = problems.map((problem) => problem.pl);
  return new WorklinkError(
    'WORKLINK_CONFIG_INVALID',
    { en: `Invalid configuration. ${en.join(' ')}`, pl: `Nieprawidłowa konfiguracja. ${pl.join(' ')}` },
    { details: { en, pl } },
  );
}

function collectSchemaProblems(env: Environment): LocalizedText[] {
  const candidate: Environment = {};
  for (const name of Object.keys(variables)) {
    const value = env[name];
    if (value !== undefined && value !== '') {
      candidate[name] = value;
    }
  }

  const problems = new Map<string, LocalizedText>();
  for (const error of Value.Errors(environmentSchema, candidate)) {
    const name = error.instancePath.replace(/^\//, '');
    const variable = variables[name];
    if (variable !== undefined && !problems.has(name)) {
      problems.set(name, invalidValue(name, candidate[name], variable.expected));
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
        problems.push({
          en: `${name} is missing: WORKLINK_AUTH=entra needs it (see .env.example).`,
          pl: `Brakuje zmiennej ${name}: wymaga jej WORKLINK_AUTH=entra (zobacz .env.example).`,
        });
      }
    }
  }

  if (read('WORKLINK_GRAPH_SYNC') === 'on') {
    for (const name of ['WORKLINK_GRAPH_TENANT_ID', 'WORKLINK_GRAPH_CLIENT_ID', 'WORKLINK_GRAPH_CLIENT_SECRET']) {
      if (read(name) === undefined) {
        problems.push({
          en: `${name} is missing: WORKLINK_GRAPH_SYNC=on needs it (see .env.example).`,
          pl: `Brakuje zmiennej ${name}: wymaga jej WORKLINK_GRAPH_SYNC=on (zobacz .env.example).`,
        });
      }
    }
  }

  const tlsCert = read('WORKLINK_TLS_CERT');
  const tlsKey = read('WORKLINK_TLS_KEY');
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    problems.push({
      en: 'WORKLINK_TLS_CERT and WORKLINK_TLS_KEY must be set together: set both, or neither to generate one.',
      pl: 'WORKLINK_TLS_CERT i WORKLINK_TLS_KEY trzeba ustawić razem: ustaw obie albo żadnej, aby serwer wygenerował certyfikat.',
    });
  }

  if (problems.length > 0) {
    throw invalidConfiguration(problems);
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
    .map((name) => invalidValue(name, read(name), variables[name]?.expected));
  if (portProblems.length > 0) {
    throw invalidConfiguration(portProblems);
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
