import fs from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { describe, expect, it } from 'vitest';
import { configVariableNames, isLoopbackHost, loadConfig } from '../../src/server/config.js';
import { WorklinkError } from '../../src/server/errors.js';

const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const client = '0f9c6a3e-5b7d-4e21-9a39-3c8f4f1d2b11';

function configError(env: Record<string, string>): WorklinkError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof WorklinkError) {
      return error;
    }
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('gives a working local install by default', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      tls: 'on',
      smtpPort: 2525,
      smtpMaxMessageBytes: 35 * 1024 * 1024,
      smtpMaxRecipients: 100,
      smtpAllowedHosts: [],
      auth: 'dev',
      seed: 'demo',
      adminEmails: ['admin@contoso.example'],
      publicOrigin: 'https://localhost:3000',
      logLevel: 'info',
    });
    expect(config.dataDir).toBe(path.resolve('./data'));
    expect(config.databaseUrl).toBe(`sqlite:${path.resolve('./data/worklink.sqlite')}`);
  });

  it('returns a frozen object', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.adminEmails)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      WORKLINK_HOST: '::1',
      WORKLINK_PORT: '8443',
      WORKLINK_TLS: 'off',
      WORKLINK_DATA_DIR: '/var/lib/worklink',
      WORKLINK_DATABASE_URL: 'postgres://worklink@127.0.0.1/worklink',
      WORKLINK_SMTP_PORT: '0',
      WORKLINK_SMTP_MAX_MESSAGE_BYTES: '1048576',
      WORKLINK_SMTP_MAX_RECIPIENTS: '10',
      WORKLINK_SMTP_ALLOWED_HOSTS: '127.0.0.1, ::1',
      WORKLINK_ADMIN_EMAILS: 'Boss@Contoso.example, it@contoso.example',
      WORKLINK_SEED: 'none',
      WORKLINK_PUBLIC_ORIGIN: 'https://worklink.contoso.example',
      WORKLINK_LOG_LEVEL: 'warn',
      WORKLINK_RATE_LIMIT_MAX: '5',
      WORKLINK_RATE_LIMIT_WINDOW_MS: '1000',
    });
    expect(config).toMatchObject({
      host: '::1',
      port: 8443,
      tls: 'off',
      dataDir: '/var/lib/worklink',
      databaseUrl: 'postgres://worklink@127.0.0.1/worklink',
      smtpPort: 0,
      smtpMaxMessageBytes: 1_048_576,
      smtpMaxRecipients: 10,
      smtpAllowedHosts: ['127.0.0.1', '::1'],
      adminEmails: ['boss@contoso.example', 'it@contoso.example'],
      seed: 'none',
      publicOrigin: 'https://worklink.contoso.example',
      logLevel: 'warn',
      rateLimitMax: 5,
      rateLimitWindowMs: 1000,
    });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ WORKLINK_PORT: '' }).port).toBe(3000);
  });

  it.each([
    ['WORKLINK_PORT', 'http'],
    ['WORKLINK_PORT', '70000'],
    ['WORKLINK_TLS', 'yes'],
    ['WORKLINK_AUTH', 'basic'],
    ['WORKLINK_SEED', 'full'],
    ['WORKLINK_DATABASE_URL', 'mysql://localhost/worklink'],
    ['WORKLINK_SMTP_PORT', '-1'],
    ['WORKLINK_SMTP_MAX_RECIPIENTS', '0'],
    ['WORKLINK_ADMIN_EMAILS', 'admin'],
    ['WORKLINK_PUBLIC_ORIGIN', 'https://localhost:3000/path'],
    ['WORKLINK_LOG_LEVEL', 'verbose'],
    ['WORKLINK_RATE_LIMIT_MAX', 'many'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.code).toBe('WORKLINK_CONFIG_INVALID');
    expect(error.message).toContain(name);
  });

  it('names a port above 65535 with its value', () => {
    const error = configError({ WORKLINK_PORT: '70000', WORKLINK_SMTP_PORT: '99999' });
    expect(error.details).toEqual([
      'WORKLINK_PORT="70000" is invalid: set it to a TCP port from 0 to 65535.',
      'WORKLINK_SMTP_PORT="99999" is invalid: set it to a TCP port from 0 to 65535, or 0 to turn the SMTP listener off.',
    ]);
  });

  it('names the problems in Polish too', () => {
    const error = configError({ WORKLINK_PORT: '70000', WORKLINK_SMTP_PORT: '99999' });
    expect(error.detailsIn('pl')).toEqual([
      'Wartość WORKLINK_PORT="70000" jest nieprawidłowa: podaj port TCP od 0 do 65535.',
      'Wartość WORKLINK_SMTP_PORT="99999" jest nieprawidłowa: podaj port TCP od 0 do 65535 albo 0, aby wyłączyć nasłuch SMTP.',
    ]);
    expect(error.text.pl).toBe(`Nieprawidłowa konfiguracja. ${(error.detailsIn('pl') ?? []).join(' ')}`);

    const missing = configError({ WORKLINK_AUTH: 'entra', WORKLINK_TLS_KEY: '/etc/worklink/key.pem' });
    expect(missing.detailsIn('pl')).toEqual([
      'Brakuje zmiennej WORKLINK_ENTRA_TENANT_ID: wymaga jej WORKLINK_AUTH=entra (zobacz .env.example).',
      'Brakuje zmiennej WORKLINK_ENTRA_CLIENT_ID: wymaga jej WORKLINK_AUTH=entra (zobacz .env.example).',
      'WORKLINK_TLS_CERT i WORKLINK_TLS_KEY trzeba ustawić razem: ustaw obie albo żadnej, aby serwer wygenerował certyfikat.',
    ]);
    // `details` and the message stay English, for logs.
    expect(missing.details?.[0]).toBe(
      'WORKLINK_ENTRA_TENANT_ID is missing: WORKLINK_AUTH=entra needs it (see .env.example).',
    );
  });

  it('lists every invalid variable at once', () => {
    const error = configError({ WORKLINK_PORT: 'x', WORKLINK_TLS: 'maybe' });
    expect(error.details).toHaveLength(2);
    expect(error.message).toContain('WORKLINK_PORT="x"');
    expect(error.message).toContain('WORKLINK_TLS="maybe"');
    expect(error.message).toContain('`on` or `off`');
  });

  it('requires tenant and client ids for entra auth', () => {
    const error = configError({ WORKLINK_AUTH: 'entra' });
    expect(error.message).toContain('WORKLINK_ENTRA_TENANT_ID is missing');
    expect(error.message).toContain('WORKLINK_ENTRA_CLIENT_ID is missing');
  });

  it('rejects a tenant id that is not a GUID', () => {
    const error = configError({
      WORKLINK_AUTH: 'entra',
      WORKLINK_ENTRA_TENANT_ID: 'contoso',
      WORKLINK_ENTRA_CLIENT_ID: client,
    });
    expect(error.message).toContain('WORKLINK_ENTRA_TENANT_ID="contoso"');
  });

  it('derives the Entra audience, JWKS URL and seed', () => {
    const config = loadConfig({
      WORKLINK_AUTH: 'entra',
      WORKLINK_ENTRA_TENANT_ID: tenant.toUpperCase(),
      WORKLINK_ENTRA_CLIENT_ID: client,
    });
    expect(config.entraTenantId).toBe(tenant);
    expect(config.entraAudience).toBe(client);
    expect(config.entraJwksUrl).toBe(`https://login.microsoftonline.com/${tenant}/discovery/v2.0/keys`);
    expect(config.seed).toBe('none');
    expect(config.adminEmails).toEqual([]);
  });

  it('takes the JWKS URL and audience from their variables', () => {
    const config = loadConfig({
      WORKLINK_AUTH: 'entra',
      WORKLINK_ENTRA_TENANT_ID: tenant,
      WORKLINK_ENTRA_CLIENT_ID: client,
      WORKLINK_ENTRA_AUDIENCE: `api://${client}`,
      WORKLINK_ENTRA_JWKS_URL: 'http://127.0.0.1:9/keys',
    });
    expect(config.entraAudience).toBe(`api://${client}`);
    expect(config.entraJwksUrl).toBe('http://127.0.0.1:9/keys');
  });

  it('requires the TLS certificate and key together', () => {
    const error = configError({ WORKLINK_TLS_CERT: '/etc/worklink/cert.pem' });
    expect(error.message).toContain('WORKLINK_TLS_CERT and WORKLINK_TLS_KEY must be set together');
  });

  it('refuses dev auth on a host other than loopback', () => {
    const error = configError({ WORKLINK_HOST: '0.0.0.0' });
    expect(error.code).toBe('WORKLINK_DEV_AUTH_NOT_LOOPBACK');
    expect(error.message).toContain('"0.0.0.0"');
    expect(error.message).toContain('WORKLINK_HOST=127.0.0.1');
  });

  it('allows entra auth on any host', () => {
    const config = loadConfig({
      WORKLINK_HOST: '0.0.0.0',
      WORKLINK_AUTH: 'entra',
      WORKLINK_ENTRA_TENANT_ID: tenant,
      WORKLINK_ENTRA_CLIENT_ID: client,
    });
    expect(config.host).toBe('0.0.0.0');
  });
});

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST'])('accepts %s', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['0.0.0.0', '::', '10.0.0.1', 'worklink.contoso.example', '128.0.0.1'])('rejects %s', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('.env.example', () => {
  const example = parseDotenv(fs.readFileSync(new URL('../../.env.example', import.meta.url)));

  it.each(configVariableNames)('lists %s', (name) => {
    expect(Object.keys(example)).toContain(name);
  });

  it('lists only variables the config reads', () => {
    expect(Object.keys(example).filter((name) => !configVariableNames.includes(name))).toEqual([]);
  });

  it('states the defaults', () => {
    expect(loadConfig(example)).toEqual(loadConfig({}));
  });
});
