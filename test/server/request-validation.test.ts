import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { Type } from '@fastify/type-provider-typebox';
import type { TSchema } from '@fastify/type-provider-typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastifyOptions, worklinkApp } from '../../src/server/app.js';
import { errorHandlerPlugin } from '../../src/server/plugins/error-handler.js';
import { patternDescriptions, polishPatternDescription } from '../../src/server/routes/pattern-descriptions.js';
import { availableDialects } from '../support/databases.js';
import { createTestApp, testConfig } from '../support/app.js';
import type { TestApp } from '../support/app.js';

const settings = {
  plusAddressing: { mode: 'mixed', separator: '+' },
  internalDomains: ['contoso.example'],
  failurePolicy: 'allow',
};

const textField = { name: 'orderNumber', label: { en: 'Order number', pl: 'Numer' }, type: 'text', required: false };

describe.each(await availableDialects())('request validation on %s', (dialect) => {
  let test: TestApp;
  let admin: string;
  let agent: string;
  let ukTeam: number;

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, token = admin) =>
    test.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });

  /** Sends a request that must fail validation and returns its error body. */
  const rejected = async (method: 'POST' | 'PUT', url: string, payload: unknown, token = admin) => {
    const response = await call(method, url, payload, token);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().code).toBe('WORKLINK_VALIDATION_FAILED');
    return response.json() as { message: string; details: { field: string; problem: string }[] };
  };

  /** Sends a request that must fail validation with `Accept-Language: pl-PL`, and returns its Polish error body. */
  const rejectedInPolish = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, token = admin) => {
    const response = await test.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'accept-language': 'pl-PL' },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().code).toBe('WORKLINK_VALIDATION_FAILED');
    expect(response.headers['content-language']).toBe('pl');
    expect(String(response.headers.vary)).toContain('Accept-Language');
    return response.json() as { message: string; details: { field: string; problem: string }[] };
  };

  beforeAll(async () => {
    test = await createTestApp(dialect, { seed: 'demo' });
    admin = await test.tokenFor('admin@contoso.example');
    agent = await test.tokenFor('uk.agent@contoso.example');
    const teams = (await call('GET', '/api/v1/admin/teams')).json() as { id: number; name: string }[];
    ukTeam = teams.find((team) => team.name === 'Team A (UK)')!.id;
  });

  afterAll(async () => {
    await test.close();
  });

  describe('an invalid choice', () => {
    it.each([
      [
        'plusAddressing.mode',
        { ...settings, plusAddressing: { mode: 'x', separator: '+' } },
        'off, mixed, only',
        '"x"',
      ],
      [
        'plusAddressing.separator',
        { ...settings, plusAddressing: { mode: 'mixed', separator: '#' } },
        '+, -, _, =',
        '"#"',
      ],
      ['failurePolicy', { ...settings, failurePolicy: 'block' }, 'allow, prompt', '"block"'],
      ['plusAddressing.mode', { ...settings, plusAddressing: { mode: 5, separator: '+' } }, 'off, mixed, only', '5'],
    ])('in the settings names %s, the value and the allowed values', async (field, body, allowed, got) => {
      const error = await rejected('PUT', '/api/v1/admin/settings', body);
      expect(error.message).toBe(`Field "${field}" in the body must be one of ${allowed}; got ${got}.`);
      expect(error.details).toEqual([{ field, problem: `must be one of ${allowed}; got ${got}` }]);
    });

    it('of a mailbox default type is one line', async () => {
      const error = await rejected('POST', '/api/v1/admin/mailboxes', {
        address: 'incidents@contoso.example',
        teamId: ukTeam,
        defaultType: 'incident',
      });
      expect(error.details).toEqual([{ field: 'defaultType', problem: 'must be one of ticket, case; got "incident"' }]);
    });

    it('of a work item type is one line', async () => {
      const error = await rejected(
        'POST',
        '/api/v1/work-items',
        { teamId: ukTeam, type: 'action', title: 'Order 1' },
        agent,
      );
      expect(error.details).toEqual([{ field: 'type', problem: 'must be one of ticket, case; got "action"' }]);
    });

    it('of a send-plan recipient field is one line', async () => {
      const error = await rejected(
        'POST',
        '/api/v1/send-plans',
        {
          subject: 'Order 1',
          recipients: [{ field: 'bc', emailAddress: 'orders@fabrikam.example', displayName: 'Orders' }],
        },
        agent,
      );
      expect(error.details).toEqual([{ field: 'recipients.0.field', problem: 'must be one of to, cc, bcc; got "bc"' }]);
    });

    it.each([
      ['an object', (field: object) => ({ fields: [textField, field] }), 'fields.1.type'],
      ['a bare array', (field: object) => [textField, field], '1.type'],
    ])('of a team form field type, given as %s, reports only the matching form', async (_name, wrap, field) => {
      const error = await rejected(
        'PUT',
        `/api/v1/admin/teams/${ukTeam}/form`,
        wrap({ ...textField, name: 'due', type: 'datetime' }),
      );
      expect(error.details).toEqual([{ field, problem: 'must be one of text, date, choice; got "datetime"' }]);
    });

    it("of a form's shape names both shapes", async () => {
      const error = await rejected('PUT', `/api/v1/admin/teams/${ukTeam}/form`, 'text');
      expect(error.details).toEqual([{ field: 'body', problem: 'must be an object or an array; got "text"' }]);
    });

    it('of an optional value that may be null names both types', async () => {
      const error = await rejected(
        'POST',
        '/api/v1/work-items',
        { teamId: ukTeam, type: 'ticket', title: 'Order 1', requester: 7 },
        agent,
      );
      expect(error.details).toEqual([{ field: 'requester', problem: 'must be text or null; got 7' }]);
    });
  });

  describe('a missing field', () => {
    it('is named once with the fix', async () => {
      const { plusAddressing, failurePolicy } = settings;

      const error = await rejected('PUT', '/api/v1/admin/settings', { plusAddressing, failurePolicy });

      expect(error.message).toBe('Field "internalDomains" in the body is missing: add it.');
    });
  });

  describe('several problems', () => {
    it('are each listed in details', async () => {
      const error = await rejected('POST', '/api/v1/admin/mailboxes', {
        address: 5,
        teamId: 'x',
        defaultType: 'incident',
      });

      expect(error.details.map((detail) => detail.field)).toEqual(['address', 'teamId', 'defaultType']);
    });

    it('name a misspelt field as unknown, not only the field it misses', async () => {
      const response = await call('POST', '/api/v1/admin/teams', { nmae: 'Team C (DE)' });

      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        code: 'WORKLINK_UNKNOWN_FIELD',
        message: 'Unknown field "nmae" in the body: remove it; see the schema at /docs.',
      });
    });
  });

  describe('a body that is not an object', () => {
    it('is named as the request body, not as a field', async () => {
      const error = await rejected('POST', '/api/v1/admin/teams', 'Team C (DE)');

      expect(error.message).toBe('The request body must be an object; got "Team C (DE)".');
    });

    it('is named in Polish as well', async () => {
      const error = await rejectedInPolish('POST', '/api/v1/admin/teams', 'Team C (DE)');

      expect(error.message).toMatch(/^Treść żądania musi być obiektem/);
    });

    it('sent as text/plain gets 415', async () => {
      const response = await test.app.inject({
        method: 'POST',
        url: '/api/v1/admin/teams',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/plain' },
        payload: '{"name": "Team C (DE)"}',
      });

      expect(response.statusCode).toBe(415);
      expect(response.json().code).toBe('WORKLINK_UNSUPPORTED_MEDIA_TYPE');
    });
  });

  describe('a value of the wrong format', () => {
    it('says what a valid internal domain looks like', async () => {
      const error = await rejected('PUT', '/api/v1/admin/settings', {
        ...settings,
        internalDomains: ['contoso.example', 'contoso_example'],
      });
      expect(error.details).toHaveLength(1);
      expect(error.details[0]!.field).toBe('internalDomains.1');
      expect(error.message).toContain('domain name such as contoso.example');
      expect(error.message).toContain('got "contoso_example"');
      expect(error.message).not.toContain('^');
    });

    it('says what a valid form field name looks like', async () => {
      const error = await rejected('PUT', `/api/v1/admin/teams/${ukTeam}/form`, {
        fields: [{ ...textField, name: '1st' }],
      });
      expect(error.details).toHaveLength(1);
      expect(error.details[0]!.field).toBe('fields.0.name');
      expect(error.message).toContain('starts with a letter');
      expect(error.message).not.toContain('^');
    });
  });

  describe('a blank name', () => {
    it.each(['', '   ', '\t', '\u00a0\n'])('of a team (%j) is rejected and nothing is stored', async (name) => {
      const error = await rejected('POST', '/api/v1/admin/teams', { name });
      const problem = `must be text with at least one character other than a space; got ${JSON.stringify(name)}`;
      expect(error.message).toBe(`Field "name" in the body ${problem}.`);
      expect(error.details).toEqual([{ field: 'name', problem }]);

      const teams = (await call('GET', '/api/v1/admin/teams')).json() as { name: string }[];
      expect(teams.map((team) => team.name)).not.toContain('');
    });

    it('of an agent is rejected', async () => {
      const error = await rejected('POST', '/api/v1/admin/agents', {
        email: 'blank@contoso.example',
        displayName: '  ',
        teamIds: [ukTeam],
      });
      expect(error.details).toEqual([{ field: 'displayName', problem: expect.stringContaining('got "  "') }]);
    });

    it('of a mailbox is rejected', async () => {
      const error = await rejected('POST', '/api/v1/admin/mailboxes', {
        address: 'blank.box@contoso.example',
        teamId: ukTeam,
        defaultType: 'ticket',
        displayName: ' ',
      });
      expect(error.details).toEqual([{ field: 'displayName', problem: expect.stringContaining('got " "') }]);
    });

    it('of a work item title is rejected', async () => {
      const error = await rejected(
        'POST',
        '/api/v1/work-items',
        { teamId: ukTeam, type: 'ticket', title: '   ' },
        agent,
      );
      expect(error.details).toEqual([{ field: 'title', problem: expect.stringContaining('got "   "') }]);
    });

    it.each([
      ['label.en', { ...textField, label: { en: ' ', pl: 'Numer' } }],
      ['label.pl', { ...textField, label: { en: 'Order number', pl: '\t' } }],
      ['options.1', { ...textField, type: 'choice', options: ['Contoso UK', '  '] }],
    ])('of a form field %s is rejected', async (field, formField) => {
      const error = await rejected('PUT', `/api/v1/admin/teams/${ukTeam}/form`, { fields: [formField] });
      expect(error.details).toEqual([{ field: `fields.0.${field}`, problem: expect.stringContaining('got "') }]);
    });

    it('is trimmed when it has other characters', async () => {
      const team = await call('POST', '/api/v1/admin/teams', { name: '  Team C  ' });
      expect(team.statusCode).toBe(201);
      expect(team.json().name).toBe('Team C');

      const mailbox = await call('POST', '/api/v1/admin/mailboxes', {
        address: 'team.c@contoso.example',
        teamId: team.json().id,
        defaultType: 'ticket',
        displayName: ' Team C Support ',
      });
      expect(mailbox.statusCode).toBe(201);
      expect(mailbox.json().displayName).toBe('Team C Support');

      const form = await call('PUT', `/api/v1/admin/teams/${team.json().id}/form`, [
        { ...textField, label: { en: ' Region ', pl: ' Region\t' }, type: 'choice', options: [' North ', 'South '] },
      ]);
      expect(form.statusCode).toBe(200);
      expect(form.json().fields[0]).toMatchObject({
        label: { en: 'Region', pl: 'Region' },
        options: ['North', 'South'],
      });
    });
  });

  describe('a value of the wrong type in a JSON body', () => {
    it('is not converted into a team name', async () => {
      const error = await rejected('POST', '/api/v1/admin/teams', { name: 5 });
      expect(error.message).toBe('Field "name" in the body must be text; got 5.');

      const teams = (await call('GET', '/api/v1/admin/teams')).json() as { name: string }[];
      expect(teams.map((team) => team.name)).not.toContain('5');
    });

    it('is not converted into a team id', async () => {
      const error = await rejected(
        'POST',
        '/api/v1/work-items',
        { teamId: String(ukTeam), type: 'ticket', title: 'Order 1' },
        agent,
      );
      expect(error.details).toEqual([{ field: 'teamId', problem: `must be an integer; got "${ukTeam}"` }]);
    });

    it.each([
      ['admin', { admin: 'true' }, 'must be true or false; got "true"'],
      ['teamIds', { teamIds: 1 }, 'must be an array; got 1'],
    ])('is not converted for the agent field %s', async (field, change, problem) => {
      const error = await rejected('POST', '/api/v1/admin/agents', {
        email: 'typed@contoso.example',
        displayName: 'Typed Agent',
        teamIds: [ukTeam],
        ...change,
      });
      expect(error.details).toEqual([{ field, problem }]);
    });

    it('is still converted in the querystring and the path', async () => {
      const list = await call('GET', `/api/v1/work-items?team=${ukTeam}`, undefined, agent);
      expect(list.statusCode).toBe(200);

      const form = await call('GET', `/api/v1/admin/teams/${ukTeam}/form`);
      expect(form.statusCode).toBe(200);
      expect(form.json().teamId).toBe(ukTeam);

      const badQuery = await call('GET', '/api/v1/work-items?team=first', undefined, agent);
      expect(badQuery.statusCode).toBe(400);
      expect(badQuery.json().message).toBe('Field "team" in the query string must be an integer; got "first".');

      const badPath = await call('GET', '/api/v1/admin/teams/first/form');
      expect(badPath.statusCode).toBe(400);
      expect(badPath.json().message).toBe('Field "id" in the URL path must be an integer; got "first".');
    });
  });

  describe('a value outside its limits', () => {
    it.each([
      ['an empty value', '', 'Field "conversationId" in the body must not be empty; got "".'],
      [
        'a value over the length limit',
        'A'.repeat(1001),
        'Field "conversationId" in the body must be at most 1000 characters long; got 1001 characters.',
      ],
    ])('names %s', async (_case, conversationId, message) => {
      const error = await rejected('POST', '/api/v1/conversations', { conversationId }, agent);
      expect(error.message).toBe(message);
    });
  });

  describe('in Polish, for Accept-Language: pl-PL', () => {
    it('counts the characters of a length limit with Polish plurals', async () => {
      const error = await rejectedInPolish(
        'POST',
        '/api/v1/conversations',
        { conversationId: 'A'.repeat(1001) },
        agent,
      );
      expect(error.message).toBe(
        'Pole "conversationId" w treści żądania może mieć najwyżej 1000 znaków; otrzymano 1001 znaków.',
      );
      expect(error.details).toEqual([
        { field: 'conversationId', problem: 'może mieć najwyżej 1000 znaków; otrzymano 1001 znaków' },
      ]);

      // The same request without the header stays English.
      const english = await rejected('POST', '/api/v1/conversations', { conversationId: 'A'.repeat(1001) }, agent);
      expect(english.message).toBe(
        'Field "conversationId" in the body must be at most 1000 characters long; got 1001 characters.',
      );
    });

    it('says that a value must not be empty', async () => {
      const error = await rejectedInPolish('POST', '/api/v1/conversations', { conversationId: '' }, agent);
      expect(error.message).toBe('Pole "conversationId" w treści żądania nie może być puste; otrzymano "".');
    });

    it('lists the allowed values of a choice', async () => {
      const error = await rejectedInPolish('PUT', '/api/v1/admin/settings', { ...settings, failurePolicy: 'block' });
      expect(error.message).toBe(
        'Pole "failurePolicy" w treści żądania musi mieć jedną z wartości: allow, prompt; otrzymano "block".',
      );
      expect(error.details).toEqual([
        { field: 'failurePolicy', problem: 'musi mieć jedną z wartości: allow, prompt; otrzymano "block"' },
      ]);
    });

    it('names a missing field', async () => {
      const { plusAddressing, failurePolicy } = settings;
      const error = await rejectedInPolish('PUT', '/api/v1/admin/settings', { plusAddressing, failurePolicy });
      expect(error.message).toBe('Pole "internalDomains" w treści żądania jest wymagane: dodaj je.');
    });

    it.each([
      [{ name: 5 }, 'musi być tekstem; otrzymano 5'],
      [{ name: ['Team C'] }, 'musi być tekstem; otrzymano tablicę'],
      [{ name: { en: 'Team C' } }, 'musi być tekstem; otrzymano obiekt'],
    ])('names the type of a team name %j', async (body, problem) => {
      const error = await rejectedInPolish('POST', '/api/v1/admin/teams', body);
      expect(error.details).toEqual([{ field: 'name', problem }]);
    });

    it('names the types of a union with "albo"', async () => {
      const error = await rejectedInPolish(
        'POST',
        '/api/v1/work-items',
        { teamId: ukTeam, type: 'ticket', title: 'Order 1', requester: 7 },
        agent,
      );
      expect(error.details).toEqual([
        { field: 'requester', problem: 'musi być tekstem albo wartością null; otrzymano 7' },
      ]);

      const form = await rejectedInPolish('PUT', `/api/v1/admin/teams/${ukTeam}/form`, 'text');
      expect(form.details).toEqual([{ field: 'body', problem: 'musi być obiektem albo tablicą; otrzymano "text"' }]);
    });

    it('names integers and booleans', async () => {
      const error = await rejectedInPolish('POST', '/api/v1/admin/agents', {
        email: 'typed@contoso.example',
        displayName: 'Typed Agent',
        teamIds: [ukTeam],
        admin: 'true',
      });
      expect(error.details).toEqual([
        { field: 'admin', problem: 'musi być wartością true albo false; otrzymano "true"' },
      ]);
    });

    it('says where a field was sent: the query string and the URL path', async () => {
      const query = await rejectedInPolish('GET', '/api/v1/work-items?team=first', undefined, agent);
      expect(query.message).toBe('Parametr "team" w zapytaniu musi być liczbą całkowitą; otrzymano "first".');

      const params = await rejectedInPolish('GET', '/api/v1/admin/teams/first/form');
      expect(params.message).toBe('Parametr "id" w ścieżce URL musi być liczbą całkowitą; otrzymano "first".');
    });

    it('states each pattern in Polish words', async () => {
      const blank = await rejectedInPolish('POST', '/api/v1/admin/teams', { name: '   ' });
      expect(blank.message).toBe(
        'Pole "name" w treści żądania musi być tekstem z co najmniej jednym znakiem innym niż spacja; otrzymano "   ".',
      );

      const domain = await rejectedInPolish('PUT', '/api/v1/admin/settings', {
        ...settings,
        internalDomains: ['contoso_example'],
      });
      expect(domain.details).toEqual([
        {
          field: 'internalDomains.0',
          problem: `musi być ${patternDescriptions.domain.pl}; otrzymano "contoso_example"`,
        },
      ]);

      const fieldName = await rejectedInPolish('PUT', `/api/v1/admin/teams/${ukTeam}/form`, {
        fields: [{ ...textField, name: '1st' }],
      });
      expect(fieldName.message).toBe(
        'Pole "fields.0.name" w treści żądania musi być nazwą, która zaczyna się od litery i zawiera tylko litery, cyfry i znaki podkreślenia; otrzymano "1st".',
      );
    });

    it('lists every problem of the details in Polish', async () => {
      const error = await rejectedInPolish('PUT', `/api/v1/admin/teams/${ukTeam}/form`, {
        fields: [{ ...textField, label: { en: ' ', pl: '\t' } }],
      });
      expect(error.details.length).toBeGreaterThan(0);
      for (const { problem } of error.details) {
        expect(problem).toMatch(/^musi być tekstem z co najmniej jednym znakiem innym niż spacja; otrzymano /);
      }
    });
  });
});

describe.each(await availableDialects())('errors that plugins raise on %s', (dialect) => {
  let test: TestApp;
  let app: FastifyInstance;

  beforeAll(async () => {
    test = await createTestApp(dialect);
    // The add-in folder is read when the app starts, so build a second app after creating it.
    fs.mkdirSync(path.join(test.config.addinDir, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(test.config.addinDir, 'assets', 'icon.txt'), 'icon');
    app = Fastify(fastifyOptions(test.config));
    await app.register(worklinkApp, { config: test.config, database: test.database });
    for (const status of [400, 403, 404, 413, 415, 429]) {
      app.get(`/test/status-${status}`, async () => {
        throw Object.assign(new Error(`Plugin refused with ${status}`), { statusCode: status });
      });
    }
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    await test.close();
  });

  it('answers a folder of the add-in files with 403 and its own code', async () => {
    const response = await app.inject({ method: 'GET', url: '/assets/' });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({
      code: 'WORKLINK_FORBIDDEN',
      message: 'The server does not serve GET /assets/: request a file of the add-in or an endpoint listed at /docs.',
    });
  });

  it.each([
    [400, 'WORKLINK_VALIDATION_FAILED'],
    [403, 'WORKLINK_FORBIDDEN'],
    [404, 'WORKLINK_ROUTE_NOT_FOUND'],
    [413, 'WORKLINK_BODY_TOO_LARGE'],
    [415, 'WORKLINK_UNSUPPORTED_MEDIA_TYPE'],
    [429, 'WORKLINK_RATE_LIMITED'],
  ])('keeps the status %i of an error and gives it the code %s', async (status, code) => {
    const response = await app.inject({ method: 'GET', url: `/test/status-${status}` });
    expect(response.statusCode).toBe(status);
    expect(response.json().code).toBe(code);
  });
});

describe('Polish validation messages of schema keywords', () => {
  let app: FastifyInstance;
  const maxLengths = [1, 2, 4, 11, 13, 21, 24, 101, 111, 1000];

  beforeAll(async () => {
    // The app's own Ajv options (verbose errors) and error handler, with routes that test each keyword.
    app = Fastify(fastifyOptions(testConfig(os.tmpdir())));
    await app.register(errorHandlerPlugin);
    const route = (url: string, body: TSchema, extra: FastifySchema = {}) =>
      app.post(url, { schema: { body, ...extra } }, async () => ({ ok: true }));
    for (const limit of maxLengths) {
      route(`/max-length/${limit}`, Type.Object({ text: Type.String({ maxLength: limit }) }));
    }
    route('/min-length/2', Type.Object({ text: Type.String({ minLength: 2 }) }));
    route('/min-length/5', Type.Object({ text: Type.String({ minLength: 5 }) }));
    route('/min-items/1', Type.Object({ list: Type.Array(Type.Integer(), { minItems: 1 }) }));
    route('/min-items/3', Type.Object({ list: Type.Array(Type.Integer(), { minItems: 3 }) }));
    route('/max-items/5', Type.Object({ list: Type.Array(Type.Integer(), { maxItems: 5 }) }));
    route(
      '/minimum',
      Type.Object({ count: Type.Integer({ minimum: 1, maximum: 9 }) }, { additionalProperties: false }),
    );
    route('/pattern', Type.Object({ code: Type.String({ pattern: '^[A-Z]+$' }) }));
    route('/multiple', Type.Object({ count: Type.Integer({ multipleOf: 5 }) }));
    route('/header', Type.Object({}), {
      headers: Type.Object({ 'x-worklink-test': Type.String() }),
    });
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
  });

  const send = async (url: string, payload: unknown, language = 'pl') => {
    const response = await app.inject({
      method: 'POST',
      url,
      headers: { 'accept-language': language },
      payload: payload as object,
    });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.headers['content-language']).toBe(language);
    return response.json() as { code: string; message: string; details: { field: string; problem: string }[] };
  };

  it.each([
    [1, 'może mieć najwyżej 1 znak; otrzymano 2 znaki'],
    [2, 'może mieć najwyżej 2 znaki; otrzymano 3 znaki'],
    [4, 'może mieć najwyżej 4 znaki; otrzymano 5 znaków'],
    [11, 'może mieć najwyżej 11 znaków; otrzymano 12 znaków'],
    [13, 'może mieć najwyżej 13 znaków; otrzymano 14 znaków'],
    [21, 'może mieć najwyżej 21 znaków; otrzymano 22 znaki'],
    [24, 'może mieć najwyżej 24 znaki; otrzymano 25 znaków'],
    [101, 'może mieć najwyżej 101 znaków; otrzymano 102 znaki'],
    [111, 'może mieć najwyżej 111 znaków; otrzymano 112 znaków'],
    [1000, 'może mieć najwyżej 1000 znaków; otrzymano 1001 znaków'],
  ])('writes a length limit of %i with its Polish plural', async (limit, problem) => {
    const error = await send(`/max-length/${limit}`, { text: 'x'.repeat(limit + 1) });
    expect(error.details).toEqual([{ field: 'text', problem }]);
    expect(error.message).toBe(`Pole "text" w treści żądania ${problem}.`);
  });

  it('keeps the English count for a limit of 1', async () => {
    const error = await send('/max-length/1', { text: 'xy' }, 'en');
    expect(error.message).toBe('Field "text" in the body must be at most 1 character long; got 2 characters.');
  });

  it.each([
    ['/min-length/2', { text: 'a' }, 'text', 'musi mieć co najmniej 2 znaki; otrzymano "a"'],
    ['/min-length/5', { text: 'abc' }, 'text', 'musi mieć co najmniej 5 znaków; otrzymano "abc"'],
    ['/min-items/1', { list: [] }, 'list', 'musi zawierać co najmniej 1 element'],
    ['/min-items/3', { list: [1] }, 'list', 'musi zawierać co najmniej 3 elementy'],
    ['/max-items/5', { list: [1, 2, 3, 4, 5, 6] }, 'list', 'może zawierać najwyżej 5 elementów'],
    ['/minimum', { count: 0 }, 'count', 'musi wynosić co najmniej 1; otrzymano 0'],
    ['/minimum', { count: 10 }, 'count', 'musi wynosić najwyżej 9; otrzymano 10'],
  ])('words the limit of %s in Polish', async (url, body, field, problem) => {
    const error = await send(url, body);
    expect(error.details).toEqual([{ field, problem }]);
  });

  it('points to the schema for a pattern without a description', async () => {
    const error = await send('/pattern', { code: 'abc' });
    expect(error.message).toBe(
      'Pole "code" w treści żądania nie ma oczekiwanego formatu; otrzymano "abc": popraw je; zobacz schemat w /docs.',
    );
  });

  it("names a keyword that has no Polish wording instead of repeating Ajv's English", async () => {
    const error = await send('/multiple', { count: 7 });
    expect(error.message).toBe(
      'Pole "count" w treści żądania nie spełnia warunku "multipleOf" schematu: popraw je; zobacz schemat w /docs.',
    );
    const english = await send('/multiple', { count: 7 }, 'en');
    expect(english.message).toBe('Field "count" in the body must be multiple of 5: fix it; see the schema at /docs.');
  });

  it('says that a header is missing', async () => {
    const error = await send('/header', {});
    expect(error.message).toBe('Nagłówek "x-worklink-test" jest wymagany: dodaj go.');
  });

  it('names an unknown field of the body', async () => {
    const error = await send('/minimum', { count: 1, colour: 'blue' });
    expect(error).toEqual({
      code: 'WORKLINK_UNKNOWN_FIELD',
      message: 'Nieznane pole "colour" w treści żądania: usuń je; zobacz schemat w /docs.',
      details: [{ field: 'colour' }],
    });
  });
});

describe('pattern descriptions of the routes', () => {
  it('each have Polish text', async () => {
    const test = await createTestApp('sqlite');
    const app = Fastify(fastifyOptions(test.config));
    const described: string[] = [];
    /** Collects the description of every string pattern in a schema. */
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) {
        node.forEach(visit);
        return;
      }
      if (node === null || typeof node !== 'object') {
        return;
      }
      const schema = node as Record<string, unknown>;
      if (typeof schema.pattern === 'string' && typeof schema.description === 'string') {
        described.push(schema.description);
      }
      Object.values(schema).forEach(visit);
    };
    app.addHook('onRoute', (route) => {
      const { body, querystring, params, headers } = route.schema ?? {};
      [body, querystring, params, headers].forEach(visit);
    });
    try {
      await app.register(worklinkApp, { config: test.config, database: test.database });
      await app.ready();
      // The domain, non-blank and form field name patterns, at least.
      expect(new Set(described).size).toBeGreaterThanOrEqual(3);
      expect(described.filter((description) => polishPatternDescription(description) === undefined)).toEqual([]);
    } finally {
      await app.close();
      await test.close();
    }
  });
});
