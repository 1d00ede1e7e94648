import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Directory } from '../../src/core/api-types.js';
import { readDirectoryVersion } from '../../src/server/repositories/directory-version.js';
import { availableDialects } from '../support/databases.js';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';

describe.each(await availableDialects())('admin team changes on %s', (dialect) => {
  let test: TestApp;
  let admin: string;
  let ukAgent: string;
  let teamA: number;

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown, token = admin) =>
    test.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  const createTeam = async (name: string): Promise<number> => {
    const response = await call('POST', '/api/v1/admin/teams', { name });
    expect(response.statusCode).toBe(201);
    return response.json().id as number;
  };

  const teamNames = async (): Promise<string[]> =>
    (await call('GET', '/api/v1/admin/teams')).json().map((team: { name: string }) => team.name);

  const directory = (etag?: string) =>
    test.app.inject({
      method: 'GET',
      url: '/api/v1/directory',
      headers: { authorization: `Bearer ${ukAgent}`, ...(etag === undefined ? {} : { 'if-none-match': etag }) },
    });

  beforeAll(async () => {
    test = await createTestApp(dialect, { seed: 'demo' });
    admin = await test.tokenFor('admin@contoso.example');
    ukAgent = await test.tokenFor('uk.agent@contoso.example');
    const teams = (await call('GET', '/api/v1/admin/teams')).json() as { id: number; name: string }[];
    teamA = teams.find((team) => team.name === 'Team A (UK)')!.id;
  });

  afterAll(async () => {
    await test.close();
  });

  it('renames a team and audits it', async () => {
    const response = await call('PATCH', `/api/v1/admin/teams/${teamA}`, { name: '  Team A (United Kingdom) ' });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: teamA, name: 'Team A (United Kingdom)' });
    expect(await teamNames()).toContain('Team A (United Kingdom)');
    expect((await call('GET', '/api/v1/admin/audit')).json()[0]).toMatchObject({
      action: 'team.update',
      subjectType: 'team',
      subjectId: String(teamA),
      detail: { changes: { name: { from: 'Team A (UK)', to: 'Team A (United Kingdom)' } } },
    });
  });

  it('shows the new name in the directory', async () => {
    const etagBefore = String((await directory()).headers.etag);
    const versionBefore = await readDirectoryVersion(test.database.db);

    await call('PATCH', `/api/v1/admin/teams/${teamA}`, { name: 'Team A (UK)' });

    const response = await directory(etagBefore);
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).not.toBe(etagBefore);
    expect(await readDirectoryVersion(test.database.db)).not.toBe(versionBefore);
    const uk = (response.json() as Directory).mailboxes.find((entry) => entry.teamId === teamA);
    expect(uk?.teamName).toBe('Team A (UK)');
  });

  it('keeps the version for the same name', async () => {
    const versionBefore = await readDirectoryVersion(test.database.db);

    const response = await call('PATCH', `/api/v1/admin/teams/${teamA}`, { name: 'Team A (UK)' });

    expect(response.statusCode).toBe(200);
    expect(await readDirectoryVersion(test.database.db)).toBe(versionBefore);
  });

  it('reads one team by id', async () => {
    const response = await call('GET', `/api/v1/admin/teams/${teamA}`);

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: teamA, name: 'Team A (UK)' });
  });

  it('answers 404 for a team id that does not exist', async () => {
    const response = await call('GET', '/api/v1/admin/teams/987654');

    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('WORKLINK_TEAM_NOT_FOUND');
  });

  it('rejects a taken name in another case', async () => {
    const response = await call('PATCH', `/api/v1/admin/teams/${teamA}`, { name: 'TEAM B (PL)' });

    expect(response.statusCode).toBe(409);
    expect(response.json().message).toContain('"Team B (PL)"');
  });

  it('changes the case of its own name', async () => {
    const response = await call('PATCH', `/api/v1/admin/teams/${teamA}`, { name: 'TEAM A (UK)' });

    expect(response.statusCode).toBe(200);
    expect(await teamNames()).toContain('TEAM A (UK)');
    await call('PATCH', `/api/v1/admin/teams/${teamA}`, { name: 'Team A (UK)' });
  });

  it('rejects a taken name with 409', async () => {
    const response = await call('PATCH', `/api/v1/admin/teams/${teamA}`, { name: 'Team B (PL)' });

    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('WORKLINK_TEAM_NAME_TAKEN');
    expect(response.json().message).toContain('Team B (PL)');
    expect(await teamNames()).toContain('Team A (UK)');
  });

  it.each([
    ['a blank name', { name: '  ' }, 'WORKLINK_VALIDATION_FAILED'],
    ['no name', {}, 'WORKLINK_VALIDATION_FAILED'],
    ['an unknown field', { name: 'X', colour: 'red' }, 'WORKLINK_UNKNOWN_FIELD'],
  ])('rejects %s with 400', async (_name, body, code) => {
    const response = await call('PATCH', `/api/v1/admin/teams/${teamA}`, body);

    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe(code);
  });

  it('returns 404 for an unknown team', async () => {
    const patch = await call('PATCH', '/api/v1/admin/teams/987654', { name: 'Nobody' });
    const remove = await call('DELETE', '/api/v1/admin/teams/987654');

    expect(patch.statusCode).toBe(404);
    expect(patch.json().code).toBe('WORKLINK_TEAM_NOT_FOUND');
    expect(remove.statusCode).toBe(404);
    expect(remove.json().code).toBe('WORKLINK_TEAM_NOT_FOUND');
  });

  it('rejects deleting a team in use', async () => {
    const response = await call('DELETE', `/api/v1/admin/teams/${teamA}`);

    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('WORKLINK_TEAM_NOT_EMPTY');
    expect(response.json().message).toContain('Team A (UK)');
    expect(response.json().message).toContain('1 connected mailbox,');
    expect(response.json().details).toEqual([
      { mailboxes: 1, workItems: expect.any(Number), agents: expect.any(Number) },
    ]);
    expect(response.json().details[0].workItems).toBeGreaterThan(0);
    expect(await teamNames()).toContain('Team A (UK)');
  });

  it('rejects deleting a team with an agent', async () => {
    const team = await createTeam('Night shift');
    const agent = await call('POST', '/api/v1/admin/agents', {
      email: 'night@contoso.example',
      displayName: 'Night Agent',
      teamIds: [team],
    });
    expect(agent.statusCode).toBe(201);

    const rejected = await call('DELETE', `/api/v1/admin/teams/${team}`);
    expect(rejected.statusCode).toBe(409);
    expect(rejected.json().details).toEqual([{ mailboxes: 0, workItems: 0, agents: 1 }]);

    await call('PATCH', `/api/v1/admin/agents/${agent.json().id}`, { teamIds: [] });
    const deleted = await call('DELETE', `/api/v1/admin/teams/${team}`);
    expect(deleted.statusCode).toBe(204);
  });

  it('rejects deleting a team with a work item', async () => {
    const team = await createTeam('Archive');
    await call('POST', '/api/v1/admin/agents', {
      email: 'archivist@contoso.example',
      displayName: 'Archivist',
      teamIds: [team],
    });
    const archivist = await test.tokenFor('archivist@contoso.example');
    const item = await call(
      'POST',
      '/api/v1/work-items',
      { teamId: team, type: 'ticket', title: 'Old invoices' },
      archivist,
    );
    expect(item.statusCode).toBe(201);
    const agentId = (await call('GET', '/api/v1/admin/agents'))
      .json()
      .find((agent: { email: string }) => agent.email === 'archivist@contoso.example').id;
    await call('DELETE', `/api/v1/admin/agents/${agentId}`);

    const response = await call('DELETE', `/api/v1/admin/teams/${team}`);

    expect(response.statusCode).toBe(409);
    expect(response.json().details).toEqual([{ mailboxes: 0, workItems: 1, agents: 0 }]);
    expect(response.json().message).toContain('can only be renamed');
  });

  it('deletes an empty team', async () => {
    const team = await createTeam('Temporary');
    await call('PUT', `/api/v1/admin/teams/${team}/form`, {
      fields: [{ name: 'ref', label: { en: 'Ref', pl: 'Ref' }, type: 'text', required: false }],
    });
    const versionBefore = await readDirectoryVersion(test.database.db);

    const response = await call('DELETE', `/api/v1/admin/teams/${team}`);

    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect(await teamNames()).not.toContain('Temporary');
    expect(await readDirectoryVersion(test.database.db)).not.toBe(versionBefore);
    expect((await call('GET', `/api/v1/admin/teams/${team}/form`)).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/admin/audit')).json()[0]).toMatchObject({
      action: 'team.delete',
      subjectId: String(team),
      detail: { name: 'Temporary' },
    });
    expect((await call('DELETE', `/api/v1/admin/teams/${team}`)).statusCode).toBe(404);
  });

  it('rejects a body on a delete', async () => {
    const team = await createTeam('Kept by its body');

    const response = await call('DELETE', `/api/v1/admin/teams/${team}`, { force: true });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      code: 'WORKLINK_UNKNOWN_FIELD',
      message:
        'DELETE /api/v1/admin/teams/:id takes no request body, but this one has the field "force": send the request without a body.',
      details: [{ field: 'force' }],
    });
    expect(await teamNames()).toContain('Kept by its body');
  });

  it('rejects a JSON null on a delete', async () => {
    const team = await createTeam('Kept by its null');

    const response = await test.app.inject({
      method: 'DELETE',
      url: `/api/v1/admin/teams/${team}`,
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      payload: 'null',
    });

    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('WORKLINK_UNKNOWN_FIELD');
    expect(await teamNames()).toContain('Kept by its null');
  });

  it('rejects a query parameter that the list does not take', async () => {
    const response = await call('GET', '/api/v1/admin/teams?limit=1');

    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      code: 'WORKLINK_UNKNOWN_FIELD',
      message: 'Unknown query parameter "limit": GET /api/v1/admin/teams takes no query parameters, so remove it.',
      details: [{ field: 'limit' }],
    });
  });

  it('accepts an empty object as no body', async () => {
    const team = await createTeam('Gone with braces');

    const response = await call('DELETE', `/api/v1/admin/teams/${team}`, {});

    expect(response.statusCode).toBe(204);
  });

  it('deletes a team with a disconnected mailbox', async () => {
    const team = await createTeam('Returns');
    const mailbox = await call('POST', '/api/v1/admin/mailboxes', {
      address: 'returns@contoso.example',
      teamId: team,
      defaultType: 'ticket',
    });
    const id = mailbox.json().id as number;
    expect((await call('DELETE', `/api/v1/admin/teams/${team}`)).statusCode).toBe(409);
    await call('DELETE', `/api/v1/admin/mailboxes/${id}`);

    const response = await call('DELETE', `/api/v1/admin/teams/${team}`);

    expect(response.statusCode).toBe(204);
    const disconnected = (await call('GET', '/api/v1/admin/mailboxes?includeDisconnected=true'))
      .json()
      .find((entry: { id: number }) => entry.id === id);
    expect(disconnected).toMatchObject({ address: 'returns@contoso.example', teamId: null, teamName: null });
    const reconnected = await call('POST', '/api/v1/admin/mailboxes', {
      address: 'returns@contoso.example',
      teamId: teamA,
      defaultType: 'case',
    });
    expect(reconnected.statusCode).toBe(201);
    expect(reconnected.json()).toMatchObject({ id, teamId: teamA, teamName: 'Team A (UK)', defaultType: 'case' });
  });

  it('counts a team in use in Polish', async () => {
    const team = await createTeam('Zespół liczony');
    const mailbox = await call('POST', '/api/v1/admin/mailboxes', {
      address: 'liczony@contoso.example',
      teamId: team,
      defaultType: 'ticket',
    });
    expect(mailbox.statusCode).toBe(201);
    for (const email of ['liczony.1@contoso.example', 'liczony.2@contoso.example']) {
      const agent = await call('POST', '/api/v1/admin/agents', { email, displayName: email, teamIds: [team] });
      expect(agent.statusCode).toBe(201);
    }
    const agentToken = await test.tokenFor('liczony.1@contoso.example');
    for (let index = 1; index <= 5; index += 1) {
      const item = await call(
        'POST',
        '/api/v1/work-items',
        { teamId: team, type: 'ticket', title: `Item ${index}` },
        agentToken,
      );
      expect(item.statusCode).toBe(201);
    }

    const english = await call('DELETE', `/api/v1/admin/teams/${team}`);
    const polish = await test.app.inject({
      method: 'DELETE',
      url: `/api/v1/admin/teams/${team}`,
      headers: { authorization: `Bearer ${admin}`, 'accept-language': 'pl' },
    });

    const details = [{ mailboxes: 1, workItems: 5, agents: 2 }];
    expect(english.statusCode).toBe(409);
    expect(english.json()).toEqual({
      code: 'WORKLINK_TEAM_NOT_EMPTY',
      message:
        `Team ${team} "Zespół liczony" still has 1 connected mailbox, 5 work items, 2 agents: ` +
        'move or disconnect its mailboxes and move its agents to other teams first. ' +
        'Work items stay with their team, so a team that has any can only be renamed.',
      details,
    });
    expect(polish.statusCode).toBe(409);
    expect(polish.json()).toEqual({
      code: 'WORKLINK_TEAM_NOT_EMPTY',
      message:
        `Zespół ${team} "Zespół liczony" ma jeszcze 1 połączoną skrzynkę, 5 zgłoszeń, 2 agentów: ` +
        'najpierw przenieś lub odłącz jego skrzynki i przenieś jego agentów do innych zespołów. ' +
        'Zgłoszenia zostają w swoim zespole, więc zespołowi, który je ma, można tylko zmienić nazwę.',
      details,
    });
  });

  it('is for admins only', async () => {
    const patch = await call('PATCH', `/api/v1/admin/teams/${teamA}`, { name: 'Mine' }, ukAgent);
    const remove = await call('DELETE', `/api/v1/admin/teams/${teamA}`, undefined, ukAgent);

    expect(patch.statusCode).toBe(403);
    expect(remove.statusCode).toBe(403);
  });
});
