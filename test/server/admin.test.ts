import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects } from '../support/databases.js';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';

describe.each(await availableDialects())('admin API on %s', (dialect) => {
  let test: TestApp;
  let admin: string;

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, token = admin) =>
    test.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  /** Sends a request as `call` does, with `Accept-Language: pl`. */
  const callInPolish = (method: 'POST' | 'PUT', url: string, payload: unknown) =>
    test.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${admin}`, 'accept-language': 'pl' },
      payload: payload as object,
    });

  beforeAll(async () => {
    test = await createTestApp(dialect);
    admin = await test.tokenFor('admin@contoso.example');
  });

  afterAll(async () => {
    await test.close();
  });

  it('returns default settings before any change', async () => {
    const response = await call('GET', '/api/v1/admin/settings');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      plusAddressing: { mode: 'mixed', separator: '+' },
      internalDomains: [],
      failurePolicy: 'allow',
    });
  });

  it('replaces settings and audits the change', async () => {
    const settings = {
      plusAddressing: { mode: 'only', separator: '+' },
      internalDomains: ['Contoso.Example', 'contoso.example', 'fabrikam.example'],
      failurePolicy: 'prompt',
    };
    const put = await call('PUT', '/api/v1/admin/settings', settings);
    expect(put.statusCode).toBe(200);
    expect(put.json().internalDomains).toEqual(['contoso.example', 'fabrikam.example']);

    const get = await call('GET', '/api/v1/admin/settings');
    expect(get.json()).toEqual({ ...settings, internalDomains: ['contoso.example', 'fabrikam.example'] });

    const audit = await call('GET', '/api/v1/admin/audit');
    expect(audit.json()[0]).toMatchObject({ action: 'settings.update', subjectType: 'settings' });
  });

  it('rejects settings with an invalid mode', async () => {
    const response = await call('PUT', '/api/v1/admin/settings', {
      plusAddressing: { mode: 'sometimes', separator: '+' },
      internalDomains: [],
      failurePolicy: 'allow',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('WORKLINK_VALIDATION_FAILED');
    expect(response.json().message).toContain('plusAddressing.mode');
  });

  it('creates and lists teams', async () => {
    const created = await call('POST', '/api/v1/admin/teams', { name: 'Team A (UK)' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: expect.any(Number), name: 'Team A (UK)' });

    const list = await call('GET', '/api/v1/admin/teams');
    expect(list.json().map((team: { name: string }) => team.name)).toContain('Team A (UK)');
  });

  it('rejects a duplicate team name with 409', async () => {
    await call('POST', '/api/v1/admin/teams', { name: 'Duplicate' });
    const again = await call('POST', '/api/v1/admin/teams', { name: 'Duplicate' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('WORKLINK_TEAM_NAME_TAKEN');
  });

  it('rejects a team name in another Unicode form or spacing', async () => {
    await call('POST', '/api/v1/admin/teams', { name: 'Zespół Łódź' });
    const decomposed = 'Zespo\u0301ł  Łódź';

    const again = await call('POST', '/api/v1/admin/teams', { name: decomposed });

    expect(again.statusCode).toBe(409);
    expect(again.json().message).toBe('A team named "Zespół Łódź" already exists: choose another name.');
  });

  it('rejects a team name that differs only in case', async () => {
    await call('POST', '/api/v1/admin/teams', { name: 'Team Ł (DE)' });

    const again = await call('POST', '/api/v1/admin/teams', { name: 'team ł (de)' });

    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('WORKLINK_TEAM_NAME_TAKEN');
    expect(again.json().message).toBe('A team named "Team Ł (DE)" already exists: choose another name.');
  });

  it('creates a mailbox with aliases, lower-cased', async () => {
    const team = (await call('POST', '/api/v1/admin/teams', { name: 'Team B (PL)' })).json();
    const response = await call('POST', '/api/v1/admin/mailboxes', {
      address: 'PL.Support@contoso.example',
      aliases: ['Wsparcie.PL@contoso.example'],
      teamId: team.id,
      defaultType: 'case',
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      address: 'pl.support@contoso.example',
      aliases: ['wsparcie.pl@contoso.example'],
      teamId: team.id,
      teamName: 'Team B (PL)',
      defaultType: 'case',
    });

    const list = await call('GET', '/api/v1/admin/mailboxes');
    expect(list.json()).toHaveLength(1);
  });

  it.each([
    ['an existing address', { address: 'pl.support@contoso.example', aliases: [] }],
    ['an existing alias as address', { address: 'wsparcie.pl@contoso.example', aliases: [] }],
    ['an existing address as alias', { address: 'other@contoso.example', aliases: ['PL.SUPPORT@contoso.example'] }],
    ['an existing alias as alias', { address: 'other2@contoso.example', aliases: ['wsparcie.pl@contoso.example'] }],
  ])('rejects a mailbox reusing %s with 409', async (_name, body) => {
    const team = (await call('GET', '/api/v1/admin/teams')).json()[0];
    const response = await call('POST', '/api/v1/admin/mailboxes', { ...body, teamId: team.id, defaultType: 'ticket' });
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('WORKLINK_MAILBOX_ADDRESS_TAKEN');

    const list = await call('GET', '/api/v1/admin/mailboxes');
    expect(list.json()).toHaveLength(1);
  });

  it.each([
    ['an alias equal to its own address', { address: 'self@contoso.example', aliases: ['Self@contoso.example'] }],
    ['one alias twice', { address: 'twice@contoso.example', aliases: ['a@contoso.example', 'A@contoso.example'] }],
  ])('rejects a mailbox listing %s with 400', async (_name, body) => {
    const team = (await call('GET', '/api/v1/admin/teams')).json()[0];
    const response = await call('POST', '/api/v1/admin/mailboxes', { ...body, teamId: team.id, defaultType: 'ticket' });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('WORKLINK_VALIDATION_FAILED');
    expect(response.json().message).toContain('listed twice');

    const list = await call('GET', '/api/v1/admin/mailboxes');
    expect(list.json()).toHaveLength(1);
  });

  it('explains a taken mailbox address in Polish', async () => {
    const team = (await call('GET', '/api/v1/admin/teams')).json()[0];
    const body = { address: 'other3@contoso.example', aliases: ['Wsparcie.PL@contoso.example'], teamId: team.id };

    const english = await call('POST', '/api/v1/admin/mailboxes', { ...body, defaultType: 'ticket' });
    const polish = await callInPolish('POST', '/api/v1/admin/mailboxes', { ...body, defaultType: 'ticket' });

    expect(english.statusCode).toBe(409);
    expect(english.json()).toEqual({
      code: 'WORKLINK_MAILBOX_ADDRESS_TAKEN',
      message:
        '"wsparcie.pl@contoso.example" already belongs to a connected mailbox: remove it from this request or from the other mailbox.',
      details: [{ address: 'wsparcie.pl@contoso.example' }],
    });
    expect(polish.statusCode).toBe(409);
    expect(polish.headers['content-language']).toBe('pl');
    expect(polish.json()).toEqual({
      code: 'WORKLINK_MAILBOX_ADDRESS_TAKEN',
      message:
        'Adres "wsparcie.pl@contoso.example" należy już do połączonej skrzynki: usuń go z tego żądania albo z tamtej skrzynki.',
      details: [{ address: 'wsparcie.pl@contoso.example' }],
    });
    expect((await call('GET', '/api/v1/admin/mailboxes')).json()).toHaveLength(1);
  });

  it('explains an invalid mailbox address in Polish', async () => {
    const team = (await call('GET', '/api/v1/admin/teams')).json()[0];
    const body = { address: 'not-an-address', teamId: team.id, defaultType: 'ticket' };

    const english = await call('POST', '/api/v1/admin/mailboxes', body);
    const polish = await callInPolish('POST', '/api/v1/admin/mailboxes', body);

    expect(english.statusCode).toBe(400);
    expect(english.json().message).toBe(
      'Field "address" is not a valid email address. Address "not-an-address" has no "@": write it as local@domain.',
    );
    expect(polish.statusCode).toBe(400);
    expect(polish.json()).toEqual({
      code: 'WORKLINK_INVALID_ADDRESS',
      message:
        'Pole "address" nie zawiera prawidłowego adresu e-mail. Adres "not-an-address" nie zawiera znaku "@": wpisz go w postaci nazwa@domena.',
    });
  });

  it('rejects a mailbox address that is not an address', async () => {
    const team = (await call('GET', '/api/v1/admin/teams')).json()[0];
    const response = await call('POST', '/api/v1/admin/mailboxes', {
      address: 'not-an-address',
      teamId: team.id,
      defaultType: 'ticket',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('WORKLINK_INVALID_ADDRESS');
    expect(response.json().message).toContain('not-an-address');
  });

  it('rejects a mailbox address carrying the separator', async () => {
    const team = (await call('GET', '/api/v1/admin/teams')).json()[0];
    const response = await call('POST', '/api/v1/admin/mailboxes', {
      address: 'uk.support+old@contoso.example',
      teamId: team.id,
      defaultType: 'ticket',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('WORKLINK_INVALID_ADDRESS');
  });

  it('rejects a mailbox of an unknown team with 404', async () => {
    const response = await call('POST', '/api/v1/admin/mailboxes', {
      address: 'nobody@contoso.example',
      teamId: 999_999,
      defaultType: 'ticket',
    });
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('WORKLINK_TEAM_NOT_FOUND');
  });

  it('creates an agent and rejects a second with the same email', async () => {
    const team = (await call('GET', '/api/v1/admin/teams')).json()[0];
    const body = { email: 'New.Agent@contoso.example', displayName: 'New Agent', teamIds: [team.id], admin: false };
    const created = await call('POST', '/api/v1/admin/agents', body);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ email: 'new.agent@contoso.example', teamIds: [team.id], admin: false });

    const again = await call('POST', '/api/v1/admin/agents', body);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('WORKLINK_AGENT_EMAIL_TAKEN');

    const list = await call('GET', '/api/v1/admin/agents');
    const emails = list.json().map((agent: { email: string }) => agent.email);
    expect(emails).toEqual(expect.arrayContaining(['admin@contoso.example', 'new.agent@contoso.example']));
  });

  it('rejects an agent in an unknown team and stores nothing', async () => {
    const response = await call('POST', '/api/v1/admin/agents', {
      email: 'ghost@contoso.example',
      displayName: 'Ghost',
      teamIds: [424_242],
    });
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('WORKLINK_TEAM_NOT_FOUND');
    const list = await call('GET', '/api/v1/admin/agents');
    expect(list.json().map((agent: { email: string }) => agent.email)).not.toContain('ghost@contoso.example');
  });

  it('stores a team form and reads it back', async () => {
    const team = (await call('GET', '/api/v1/admin/teams')).json()[0];
    const fields = [
      {
        name: 'entity',
        label: { en: 'Legal entity', pl: 'Podmiot' },
        type: 'choice',
        required: true,
        options: ['Contoso Polska', 'Contoso UK'],
      },
      { name: 'dueDate', label: { en: 'Due date', pl: 'Termin' }, type: 'date', required: false },
    ];
    const put = await call('PUT', `/api/v1/admin/teams/${team.id}/form`, { fields });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual({ teamId: team.id, fields });

    const get = await call('GET', `/api/v1/admin/teams/${team.id}/form`);
    expect(get.json()).toEqual({ teamId: team.id, fields });
  });

  it('accepts a form given as a bare array', async () => {
    const team = (await call('GET', '/api/v1/admin/teams')).json()[0];
    const fields = [
      { name: 'orderNumber', label: { en: 'Order number', pl: 'Numer zamówienia' }, type: 'text', required: false },
    ];
    const put = await call('PUT', `/api/v1/admin/teams/${team.id}/form`, fields);
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual({ teamId: team.id, fields });
  });

  it('names an unknown field of a form field', async () => {
    const team = (await call('GET', '/api/v1/admin/teams')).json()[0];
    const response = await call('PUT', `/api/v1/admin/teams/${team.id}/form`, {
      fields: [{ name: 'x', label: { en: 'X', pl: 'X' }, type: 'text', required: false, hint: 'y' }],
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('WORKLINK_UNKNOWN_FIELD');
    expect(response.json().details).toEqual([{ field: 'fields.0.hint' }]);
  });

  it.each([
    ['a choice without options', [{ name: 'x', label: { en: 'X', pl: 'X' }, type: 'choice', required: false }]],
    [
      'a repeated name',
      [
        { name: 'x', label: { en: 'X', pl: 'X' }, type: 'text', required: false },
        { name: 'x', label: { en: 'Y', pl: 'Y' }, type: 'text', required: false },
      ],
    ],
    [
      'options on a text field',
      [{ name: 'x', label: { en: 'X', pl: 'X' }, type: 'text', required: false, options: ['a'] }],
    ],
  ])('rejects a form with %s', async (_name, fields) => {
    const team = (await call('GET', '/api/v1/admin/teams')).json()[0];
    const response = await call('PUT', `/api/v1/admin/teams/${team.id}/form`, { fields });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('WORKLINK_FORM_INVALID');
  });

  it.each([
    [
      'a choice without options',
      [{ name: 'x', label: { en: 'X', pl: 'X' }, type: 'choice', required: false }],
      'Choice field "x" has no options: list its allowed values in `options`.',
      'Pole "x" typu choice nie ma opcji: wymień jego dozwolone wartości w `options`.',
    ],
    [
      'a repeated option',
      [{ name: 'x', label: { en: 'X', pl: 'X' }, type: 'choice', required: false, options: ['a', 'a'] }],
      'Choice field "x" repeats an option: list each value once.',
      'Pole "x" typu choice ma powtórzoną opcję: wymień każdą wartość tylko raz.',
    ],
    [
      'a repeated name',
      [
        { name: 'x', label: { en: 'X', pl: 'X' }, type: 'text', required: false },
        { name: 'x', label: { en: 'Y', pl: 'Y' }, type: 'text', required: false },
      ],
      'Field name "x" appears twice: give each field a unique name.',
      'Nazwa pola "x" występuje dwa razy: nadaj każdemu polu inną nazwę.',
    ],
    [
      'options on a text field',
      [{ name: 'x', label: { en: 'X', pl: 'X' }, type: 'text', required: false, options: ['a'] }],
      'Field "x" of type text cannot have options: remove `options` or use type choice.',
      'Pole "x" typu text nie może mieć opcji: usuń `options` albo użyj typu choice.',
    ],
  ])('explains a form with %s in Polish', async (_name, fields, englishMessage, polishMessage) => {
    const team = (await call('GET', '/api/v1/admin/teams')).json()[0];

    const english = await call('PUT', `/api/v1/admin/teams/${team.id}/form`, { fields });
    const polish = await callInPolish('PUT', `/api/v1/admin/teams/${team.id}/form`, { fields });

    expect(english.statusCode).toBe(400);
    expect(english.headers['content-language']).toBe('en');
    expect(english.json()).toEqual({ code: 'WORKLINK_FORM_INVALID', message: englishMessage });
    expect(polish.statusCode).toBe(400);
    expect(polish.headers['content-language']).toBe('pl');
    expect(polish.json()).toEqual({ code: 'WORKLINK_FORM_INVALID', message: polishMessage });
  });

  it('rejects a form of an unknown team with 404', async () => {
    const response = await call('PUT', '/api/v1/admin/teams/987654/form', { fields: [] });
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('WORKLINK_TEAM_NOT_FOUND');
  });

  it('records an audit entry for each kind of change', async () => {
    const audit = await call('GET', '/api/v1/admin/audit');
    const actions = new Set(audit.json().map((entry: { action: string }) => entry.action));
    expect([...actions].sort()).toEqual(
      ['agent.create', 'mailbox.create', 'settings.update', 'team.create', 'team.form.update'].sort(),
    );
  });

  it('lists no unrouted messages on a fresh install', async () => {
    const response = await call('GET', '/api/v1/admin/unrouted');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([]);
  });

  it('returns 403 to an agent who is not an admin', async () => {
    const token = await test.tokenFor('new.agent@contoso.example');
    const response = await call('POST', '/api/v1/admin/teams', { name: 'Sneaky' }, token);
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('WORKLINK_ADMIN_REQUIRED');
  });

  it('returns 401 without a token', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/api/v1/admin/teams' });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('WORKLINK_AUTH_MISSING');
  });
});
