import fs from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastifyOptions, worklinkApp } from '../../src/server/app.js';
import { availableDialects } from '../support/databases.js';
import { createTestApp } from '../support/app.js';
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
      message:
        'The server does not serve GET /assets/ (Forbidden): request a file of the add-in or an endpoint listed at /docs.',
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
