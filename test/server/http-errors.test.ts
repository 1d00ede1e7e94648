import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { fastifyOptions, worklinkApp } from '../../src/server/app.js';
import { WorklinkError, errorCatalog } from '../../src/server/errors.js';
import { availableDialects } from '../support/databases.js';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';

/** An `Accept-Language` header that prefers Polish, as a browser in Poland sends it. */
const polish = { 'accept-language': 'pl-PL,pl;q=0.9,en-US;q=0.8,en;q=0.7' };

/** Checks that a response names its language and varies with `Accept-Language`. */
function expectLanguage(response: LightMyRequestResponse, language: 'en' | 'pl'): void {
  expect(response.headers['content-language']).toBe(language);
  expect(String(response.headers.vary).split(/\s*,\s*/)).toContain('Accept-Language');
}

describe.each(await availableDialects())('HTTP errors on %s', (dialect) => {
  let test: TestApp;
  let admin: string;

  const post = (url: string, payload: string, contentType = 'application/json', headers: Record<string, string> = {}) =>
    test.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${admin}`, 'content-type': contentType, ...headers },
      payload,
    });

  beforeAll(async () => {
    test = await createTestApp(dialect, { seed: 'demo' });
    admin = await test.tokenFor('admin@contoso.example');
  });

  afterAll(async () => {
    await test.close();
  });

  it.each([
    ['a truncated object', '{"name": "Team'],
    ['a trailing comma', '{"name": "Team C",}'],
    ['single quotes', "{'name': 'Team C'}"],
    ['an empty body', ''],
  ])('answers 400 WORKLINK_MALFORMED_JSON for %s', async (_name, body) => {
    const response = await post('/api/v1/admin/teams', body);
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('WORKLINK_MALFORMED_JSON');
    // The message names the fix, not only the parser's failure.
    expect(response.json().message).toMatch(body === '' ? /leave out the Content-Type header/ : /check its quotes/);
  });

  it('names an unknown top-level field', async () => {
    const response = await post('/api/v1/admin/teams', JSON.stringify({ name: 'Team C', colour: 'blue' }));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'WORKLINK_UNKNOWN_FIELD', details: [{ field: 'colour' }] });
    expect(response.json().message).toContain('"colour"');
  });

  it('names an unknown nested field with its path', async () => {
    const response = await test.app.inject({
      method: 'PUT',
      url: '/api/v1/admin/settings',
      headers: { authorization: `Bearer ${admin}` },
      payload: {
        plusAddressing: { mode: 'mixed', separator: '+', tagStyle: 'upper' },
        internalDomains: [],
        failurePolicy: 'allow',
      },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'WORKLINK_UNKNOWN_FIELD',
      details: [{ field: 'plusAddressing.tagStyle' }],
    });
  });

  it('names a missing required field', async () => {
    const response = await post('/api/v1/admin/teams', JSON.stringify({}));
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('WORKLINK_VALIDATION_FAILED');
    expect(response.json().details).toEqual([{ field: 'name', problem: expect.any(String) }]);
  });

  it('rejects an unknown query parameter', async () => {
    const response = await test.app.inject({
      method: 'GET',
      url: '/api/v1/work-items?owner=me',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('WORKLINK_UNKNOWN_FIELD');
  });

  it('returns 415 for a body that is not JSON', async () => {
    const response = await post('/api/v1/admin/teams', 'name=Team C', 'application/x-www-form-urlencoded');
    expect(response.statusCode).toBe(415);
    expect(response.json().code).toBe('WORKLINK_UNSUPPORTED_MEDIA_TYPE');
  });

  it('returns 413 for a body over the limit', async () => {
    const response = await post('/api/v1/admin/teams', JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }));
    expect(response.statusCode).toBe(413);
    expect(response.json().code).toBe('WORKLINK_BODY_TOO_LARGE');
  });

  it('returns 404 with a code for an unknown route', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/api/v1/nothing-here?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      code: 'WORKLINK_ROUTE_NOT_FOUND',
      message: 'No endpoint or file for GET /api/v1/nothing-here: see the API at /docs.',
    });
    expectLanguage(response, 'en');
  });

  it('returns 405 with the allowed methods for a known path', async () => {
    const response = await test.app.inject({ method: 'PATCH', url: '/api/v1/admin/settings' });

    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD, PUT');
    expect(response.json()).toEqual({
      code: 'WORKLINK_METHOD_NOT_ALLOWED',
      message: '/api/v1/admin/settings does not take PATCH: use GET, HEAD, PUT; see the API at /docs.',
    });
  });

  it('returns 405 for a path with a parameter', async () => {
    const response = await test.app.inject({ method: 'PUT', url: '/api/v1/admin/teams/7' });

    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('DELETE, GET, HEAD, PATCH');
  });

  it('returns 404 for another method on an unknown path', async () => {
    const response = await test.app.inject({ method: 'POST', url: '/api/v1/nothing-here' });

    expect(response.statusCode).toBe(404);
    expect(response.headers.allow).toBeUndefined();
  });

  describe('in the language that Accept-Language asks for', () => {
    it('reports a method that the path does not take in Polish', async () => {
      const response = await test.app.inject({ method: 'PATCH', url: '/api/v1/admin/settings', headers: polish });

      expect(response.json().message).toBe(
        '/api/v1/admin/settings nie obsługuje metody PATCH: użyj GET, HEAD, PUT; opis API jest w /docs.',
      );
      expectLanguage(response, 'pl');
    });

    it('reports malformed JSON in Polish, and in English without the header', async () => {
      const body = '{"name": "Team';
      const inPolish = await post('/api/v1/admin/teams', body, 'application/json', polish);
      expect(inPolish.statusCode).toBe(400);
      expect(inPolish.json().code).toBe('WORKLINK_MALFORMED_JSON');
      expect(inPolish.json().message).toBe(
        'Treść żądania nie jest poprawnym JSON-em: sprawdź cudzysłowy, przecinki i nawiasy albo zbuduj ją za pomocą biblioteki JSON.',
      );
      expectLanguage(inPolish, 'pl');

      const inEnglish = await post('/api/v1/admin/teams', body);
      expect(inEnglish.json().message).toBe(
        'The request body is not valid JSON: check its quotes, commas and brackets, or build it with a JSON library.',
      );
      expectLanguage(inEnglish, 'en');
    });

    it('names an unknown field in Polish with the same details', async () => {
      const body = JSON.stringify({ name: 'Team C', colour: 'blue' });
      const response = await post('/api/v1/admin/teams', body, 'application/json', polish);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        code: 'WORKLINK_UNKNOWN_FIELD',
        message: 'Nieznane pole "colour" w treści żądania: usuń je; zobacz schemat w /docs.',
        details: [{ field: 'colour' }],
      });
      expectLanguage(response, 'pl');
    });

    it('reports an unknown route in Polish', async () => {
      const response = await test.app.inject({ method: 'GET', url: '/api/v1/nothing-here?x=1', headers: polish });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({
        code: 'WORKLINK_ROUTE_NOT_FOUND',
        message: 'Nie ma punktu końcowego ani pliku dla GET /api/v1/nothing-here: opis API jest w /docs.',
      });
      expectLanguage(response, 'pl');
    });

    it('keeps English when Polish is not acceptable or weighs less', async () => {
      for (const header of ['pl;q=0', 'pl;q=0.5,en;q=0.8', 'de']) {
        const response = await test.app.inject({
          method: 'GET',
          url: '/api/v1/nothing-here',
          headers: { 'accept-language': header },
        });
        expect(response.json().message, header).toBe(
          'No endpoint or file for GET /api/v1/nothing-here: see the API at /docs.',
        );
        expectLanguage(response, 'en');
      }
    });

    it('rejects a mailbox address with the plus separator in Polish', async () => {
      const teams = (
        await test.app.inject({
          method: 'GET',
          url: '/api/v1/admin/teams',
          headers: { authorization: `Bearer ${admin}` },
        })
      ).json() as { id: number }[];
      const mailbox = JSON.stringify({
        address: 'billing+eu@contoso.example',
        teamId: teams[0]!.id,
        defaultType: 'ticket',
      });

      const inPolish = await post('/api/v1/admin/mailboxes', mailbox, 'application/json', polish);
      expect(inPolish.statusCode).toBe(400);
      expect(inPolish.json()).toEqual({
        code: 'WORKLINK_INVALID_ADDRESS',
        message:
          'Adres w polu address ("billing+eu@contoso.example") zawiera separator adresowania z plusem "+": połącz adres bez tagu.',
      });
      expectLanguage(inPolish, 'pl');

      const inEnglish = await post('/api/v1/admin/mailboxes', mailbox);
      expect(inEnglish.json().message).toBe(
        'address "billing+eu@contoso.example" contains the plus-addressing separator "+": connect the address without a tag.',
      );
      expectLanguage(inEnglish, 'en');
    });
  });

  it('serves the OpenAPI document with the contract paths', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    const paths = Object.keys(response.json().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/healthz',
        '/api/v1/dev/tokens',
        '/api/v1/admin/settings',
        '/api/v1/admin/teams',
        '/api/v1/admin/mailboxes',
        '/api/v1/admin/agents',
        '/api/v1/admin/unrouted',
        '/api/v1/work-items',
        '/api/v1/work-items/{reference}',
        '/api/v1/conversations',
        '/api/v1/send-plans',
        '/api/v1/directory',
        '/api/v1/events',
        '/api/v1/me',
      ]),
    );
    // Root routes of a prefix are listed without the trailing slash that Fastify also accepts.
    expect(paths.filter((path) => path.length > 1 && path.endsWith('/'))).toEqual([]);
  });

  it('sends security headers', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/healthz' });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['x-frame-options']).toBeUndefined();
  });

  it('allows CORS from the add-in origin only', async () => {
    const preflight = (origin: string) =>
      test.app.inject({
        method: 'OPTIONS',
        url: '/api/v1/work-items',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
    const allowed = await preflight('https://localhost:3000');
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://localhost:3000');

    const other = await preflight('https://evil.example');
    expect(other.headers['access-control-allow-origin']).not.toBe('https://evil.example');
  });

  it('keeps query strings outside the API', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/healthz?probe=1' });

    expect(response.statusCode).toBe(200);
  });

  it('answers OPTIONS without preflight headers with 204', async () => {
    const response = await test.app.inject({ method: 'OPTIONS', url: '/api/v1/admin/settings' });

    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
  });

  it('lists the launch-event script in the well-known file', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/.well-known/microsoft-officeaddins-allowed.json' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ allowed: ['https://localhost:3000/launchevent.js'] });
  });
});

describe('server errors', () => {
  it('hides the detail of an unexpected error', async () => {
    const test = await createTestApp('sqlite');
    const app = Fastify(fastifyOptions(test.config));
    await app.register(worklinkApp, { config: test.config, database: test.database });
    app.get('/test/failure', async () => {
      throw new Error('connection string postgres://secret@db');
    });
    await app.ready();
    try {
      const response = await app.inject({ method: 'GET', url: '/test/failure' });
      expect(response.statusCode).toBe(500);
      expect(response.json()).toEqual({
        code: 'WORKLINK_INTERNAL',
        message: 'An unexpected server error. The body stays generic and the log keeps the detail.',
      });
      expect(response.body).not.toContain('secret');
      expectLanguage(response, 'en');

      const inPolish = await app.inject({ method: 'GET', url: '/test/failure', headers: polish });
      expect(inPolish.statusCode).toBe(500);
      expect(inPolish.json()).toEqual({
        code: 'WORKLINK_INTERNAL',
        message: errorCatalog.WORKLINK_INTERNAL.description.pl,
      });
      expect(inPolish.json().message).toBe(
        'Nieoczekiwany błąd serwera. Treść odpowiedzi pozostaje ogólna, a szczegóły zapisuje dziennik.',
      );
      expect(inPolish.body).not.toContain('secret');
      expectLanguage(inPolish, 'pl');
    } finally {
      await app.close();
      await test.close();
    }
  });

  it('adds Accept-Language to a Vary header that the route set', async () => {
    const test = await createTestApp('sqlite');
    const app = Fastify(fastifyOptions(test.config));
    await app.register(worklinkApp, { config: test.config, database: test.database });
    app.get('/test/varied', async (_request, reply) => {
      reply.header('vary', 'Origin');
      throw new WorklinkError('WORKLINK_FORBIDDEN', { en: 'Not here.', pl: 'Nie tutaj.' });
    });
    await app.ready();
    try {
      const response = await app.inject({ method: 'GET', url: '/test/varied', headers: polish });
      expect(response.statusCode).toBe(403);
      expect(response.json()).toEqual({ code: 'WORKLINK_FORBIDDEN', message: 'Nie tutaj.' });
      expect(response.headers.vary).toBe('Origin, Accept-Language');
      expect(response.headers['content-language']).toBe('pl');
    } finally {
      await app.close();
      await test.close();
    }
  });

  it('counts the wait of a rate limit in Polish seconds', async () => {
    const test = await createTestApp('sqlite', {
      seed: 'demo',
      config: { rateLimitMax: 1, rateLimitWindowMs: 60_000 },
    });
    try {
      const token = await test.tokenFor('pl.agent@contoso.example');
      const list = () =>
        test.app.inject({
          method: 'GET',
          url: '/api/v1/work-items',
          headers: { authorization: `Bearer ${token}`, ...polish },
        });
      expect((await list()).statusCode).toBe(200);

      const limited = await list();
      expect(limited.statusCode).toBe(429);
      expect(limited.json().code).toBe('WORKLINK_RATE_LIMITED');
      expectLanguage(limited, 'pl');
      // Retry-After gives the same whole seconds. Polish writes 1 sekundę, 2-4 sekundy (but 12-14 sekund), else sekund.
      const seconds = Number(limited.headers['retry-after']);
      const few = seconds % 10 >= 2 && seconds % 10 <= 4 && (seconds % 100 < 12 || seconds % 100 > 14);
      let form = few ? 'sekundy' : 'sekund';
      if (seconds === 1) {
        form = 'sekundę';
      }
      expect(limited.json().message).toBe(`Za dużo żądań: najwyżej 1 na 60 s. Spróbuj ponownie za ${seconds} ${form}.`);
    } finally {
      await test.close();
    }
  });

  it('returns 503 from healthz when the database is gone', async () => {
    const test = await createTestApp('sqlite');
    await test.database.db.destroy();
    const response = await test.app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(503);
    expect(response.json().code).toBe('WORKLINK_UNAVAILABLE');
    // A 5xx body is the catalog's generic description, in the language asked for.
    const inPolish = await test.app.inject({ method: 'GET', url: '/healthz', headers: { 'accept-language': 'pl' } });
    expect(inPolish.statusCode).toBe(503);
    expect(inPolish.json()).toEqual({
      code: 'WORKLINK_UNAVAILABLE',
      message: errorCatalog.WORKLINK_UNAVAILABLE.description.pl,
    });
    expect(inPolish.json().message).not.toContain('WORKLINK_DATABASE_URL');
    expectLanguage(inPolish, 'pl');
    await test.app.close();
    fs.rmSync(test.config.dataDir, { recursive: true, force: true });
  });
});

describe('add-in files', () => {
  it('serves the built add-in folder at the root', async () => {
    const test = await createTestApp('sqlite');
    try {
      // The folder is read when the app starts, so build a second app after creating it.
      fs.mkdirSync(test.config.addinDir, { recursive: true });
      fs.writeFileSync(path.join(test.config.addinDir, 'taskpane.html'), '<!doctype html><title>pane</title>');
      const app = Fastify(fastifyOptions(test.config));
      await app.register(worklinkApp, { config: test.config, database: test.database });
      await app.ready();
      const response = await app.inject({ method: 'GET', url: '/taskpane.html' });
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('<title>pane</title>');
      await app.close();
    } finally {
      await test.close();
    }
  });
});

describe('logs', () => {
  it('mask addresses and omit tokens and bodies', async () => {
    const test = await createTestApp('sqlite', { seed: 'demo' });
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const app = Fastify({ ...fastifyOptions(test.config), logger: { level: 'info', stream } });
    await app.register(worklinkApp, { config: test.config, database: test.database });
    await app.ready();
    try {
      const issued = await app.inject({
        method: 'POST',
        url: '/api/v1/dev/tokens',
        payload: { email: 'uk.agent@contoso.example' },
      });
      const token = issued.json().accessToken as string;
      await app.inject({ method: 'POST', url: '/api/v1/dev/tokens', payload: { email: 'stranger@fabrikam.example' } });
      await app.inject({
        method: 'POST',
        url: '/api/v1/work-items',
        headers: { authorization: `Bearer ${token}` },
        payload: { teamId: 1, type: 'ticket', title: 'Body title secret', requester: 'buyer@fabrikam.example' },
      });

      const log = lines.join('');
      expect(log).toContain('u***@contoso.example');
      expect(log).not.toContain('uk.agent@contoso.example');
      expect(log).not.toContain('stranger@fabrikam.example');
      expect(log).not.toContain('buyer@fabrikam.example');
      expect(log).not.toContain('Body title secret');
      expect(log).not.toContain(token);
    } finally {
      await app.close();
      await test.close();
    }
  });
});
