import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from '../../src/server/repositories/agents.js';
import { availableDialects } from '../support/databases.js';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';

interface AgentBody {
  id: number;
  email: string;
  displayName: string;
  admin: boolean;
  teamIds: number[];
  removedAt: string | null;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

function caller(test: () => TestApp) {
  return (method: Method, url: string, token: string, payload?: unknown) =>
    test().app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
}

describe.each(await availableDialects())('admin agent changes on %s', (dialect) => {
  let test: TestApp;
  let admin: string;
  let teamA: number;
  let teamB: number;
  const request = caller(() => test);
  const call = (method: Method, url: string, payload?: unknown) => request(method, url, admin, payload);

  const agentOf = async (email: string): Promise<AgentBody> => {
    const agents = (await call('GET', '/api/v1/admin/agents?includeRemoved=true')).json() as AgentBody[];
    const found = agents.find((agent) => agent.email === email);
    if (found === undefined) {
      throw new Error(`No agent ${email} in the admin list.`);
    }
    return found;
  };

  beforeAll(async () => {
    test = await createTestApp(dialect, { seed: 'demo' });
    admin = await test.tokenFor('admin@contoso.example');
    const teams = (await call('GET', '/api/v1/admin/teams')).json() as { id: number; name: string }[];
    teamA = teams.find((team) => team.name === 'Team A (UK)')!.id;
    teamB = teams.find((team) => team.name === 'Team B (PL)')!.id;
  });

  afterAll(async () => {
    await test.close();
  });

  it('changes every agent field', async () => {
    const agent = await agentOf('uk.agent@contoso.example');
    const token = await test.tokenFor('uk.agent@contoso.example');

    const response = await call('PATCH', `/api/v1/admin/agents/${agent.id}`, {
      displayName: ' Ursula King ',
      admin: true,
      teamIds: [teamB, teamA, teamB],
    });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      id: agent.id,
      email: 'uk.agent@contoso.example',
      displayName: 'Ursula King',
      admin: true,
      teamIds: [teamA, teamB].sort((a, b) => a - b),
      removedAt: null,
    });
    const me = (await request('GET', '/api/v1/me', token)).json();
    expect(me).toMatchObject({ displayName: 'Ursula King', isAdmin: true });
    expect((await request('GET', '/api/v1/admin/teams', token)).statusCode).toBe(200);
  });

  it('audits old and new values', async () => {
    const agent = await agentOf('uk.agent@contoso.example');

    await call('PATCH', `/api/v1/admin/agents/${agent.id}`, { admin: false, teamIds: [teamA] });

    expect((await call('GET', '/api/v1/admin/audit')).json()[0]).toMatchObject({
      action: 'agent.update',
      subjectType: 'agent',
      subjectId: String(agent.id),
      detail: {
        email: 'uk.agent@contoso.example',
        changes: { isAdmin: { from: true, to: false }, teamIds: { from: agent.teamIds, to: [teamA] } },
      },
    });
    const token = await test.tokenFor('uk.agent@contoso.example');
    expect((await request('GET', '/api/v1/admin/teams', token)).statusCode).toBe(403);
    const outsideTeam = await request('POST', '/api/v1/work-items', token, {
      teamId: teamB,
      type: 'case',
      title: 'Not my team',
    });
    expect(outsideTeam.statusCode).toBe(403);
    expect(outsideTeam.json().code).toBe('WORKLINK_NOT_TEAM_MEMBER');
  });

  it('returns 404 for an unknown agent', async () => {
    const patch = await call('PATCH', '/api/v1/admin/agents/987654', { displayName: 'Nobody' });
    const remove = await call('DELETE', '/api/v1/admin/agents/987654');

    expect(patch.statusCode).toBe(404);
    expect(patch.json().code).toBe('WORKLINK_AGENT_NOT_FOUND');
    expect(patch.json().message).toContain('987654');
    expect(remove.statusCode).toBe(404);
    expect(remove.json().code).toBe('WORKLINK_AGENT_NOT_FOUND');
  });

  it('returns 404 for an unknown team', async () => {
    const agent = await agentOf('uk.agent@contoso.example');

    const response = await call('PATCH', `/api/v1/admin/agents/${agent.id}`, {
      displayName: 'Changed',
      teamIds: [teamA, 424242],
    });

    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('WORKLINK_TEAM_NOT_FOUND');
    expect(await agentOf('uk.agent@contoso.example')).toEqual(agent);
  });

  it.each([
    ['an admin flag as text', { admin: 'yes' }, 'WORKLINK_VALIDATION_FAILED'],
    ['a blank display name', { displayName: ' ' }, 'WORKLINK_VALIDATION_FAILED'],
    ['teams as a number', { teamIds: 3 }, 'WORKLINK_VALIDATION_FAILED'],
    ['a change of the email', { email: 'other@contoso.example' }, 'WORKLINK_UNKNOWN_FIELD'],
  ])('rejects %s with 400', async (_name, body, code) => {
    const agent = await agentOf('uk.agent@contoso.example');

    const response = await call('PATCH', `/api/v1/admin/agents/${agent.id}`, body);

    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe(code);
    expect(await agentOf('uk.agent@contoso.example')).toEqual(agent);
  });

  it('rejects changing a configured admin', async () => {
    const configured = await agentOf('admin@contoso.example');

    const demote = await call('PATCH', `/api/v1/admin/agents/${configured.id}`, { admin: false });
    const remove = await call('DELETE', `/api/v1/admin/agents/${configured.id}`);

    expect(demote.statusCode).toBe(409);
    expect(demote.json().code).toBe('WORKLINK_CONFIGURED_ADMIN');
    expect(demote.json().message).toContain('WORKLINK_ADMIN_EMAILS');
    expect(remove.statusCode).toBe(409);
    expect(remove.json().code).toBe('WORKLINK_CONFIGURED_ADMIN');
    expect((await agentOf('admin@contoso.example')).admin).toBe(true);
  });

  describe('removal', () => {
    let agent: AgentBody;
    let token: string;

    beforeAll(async () => {
      agent = await agentOf('pl.agent@contoso.example');
      token = await test.tokenFor('pl.agent@contoso.example');
      // An admin action of this agent, so that an audit record names it as the actor.
      await call('PATCH', `/api/v1/admin/agents/${agent.id}`, { admin: true });
      const team = await request('POST', '/api/v1/admin/teams', token, { name: 'Team C (PL)' });
      expect(team.statusCode).toBe(201);
    });

    it('removes the agent and audits it', async () => {
      const response = await call('DELETE', `/api/v1/admin/agents/${agent.id}`);

      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        id: agent.id,
        email: 'pl.agent@contoso.example',
        admin: false,
        teamIds: [],
        removedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      expect((await call('GET', '/api/v1/admin/audit')).json()[0]).toMatchObject({
        action: 'agent.remove',
        subjectId: String(agent.id),
        detail: { email: 'pl.agent@contoso.example', teamIds: [teamB], admin: true },
      });
    });

    it('rejects the agent token with 403', async () => {
      const response = await request('GET', '/api/v1/me', token);

      expect(response.statusCode).toBe(403);
      expect(response.json().code).toBe('WORKLINK_AGENT_REMOVED');
      expect(response.json().message).toContain('pl.agent@contoso.example');
      expect((await request('GET', `/api/v1/work-items?team=${teamB}`, token)).statusCode).toBe(403);
    });

    it('issues no new dev token', async () => {
      const response = await test.app.inject({
        method: 'POST',
        url: '/api/v1/dev/tokens',
        payload: { email: 'pl.agent@contoso.example' },
      });

      expect(response.statusCode).toBe(403);
      expect(response.json().code).toBe('WORKLINK_AGENT_REMOVED');
      expect(response.json().message).toContain('was removed from Worklink');
    });

    it('lists the agent only with includeRemoved', async () => {
      const active = (await call('GET', '/api/v1/admin/agents')).json() as AgentBody[];

      expect(active.map((entry) => entry.email)).not.toContain('pl.agent@contoso.example');
      expect((await agentOf('pl.agent@contoso.example')).removedAt).toEqual(expect.any(String));
    });

    it('keeps audit records that name the agent', async () => {
      const audit = (await call('GET', '/api/v1/admin/audit')).json() as { action: string; actorAgentId: number }[];

      expect(audit.find((entry) => entry.action === 'team.create')?.actorAgentId).toBe(agent.id);
    });

    it('returns 404 once removed', async () => {
      const again = await call('DELETE', `/api/v1/admin/agents/${agent.id}`);
      const patch = await call('PATCH', `/api/v1/admin/agents/${agent.id}`, { displayName: 'Back' });

      expect(again.statusCode).toBe(404);
      expect(again.json().code).toBe('WORKLINK_AGENT_NOT_FOUND');
      expect(again.json().message).toContain('was removed');
      expect(patch.statusCode).toBe(404);
    });

    it('frees its team for deletion', async () => {
      const team = await call('POST', '/api/v1/admin/teams', { name: 'Team D' });
      const added = await call('POST', '/api/v1/admin/agents', {
        email: 'temp@contoso.example',
        displayName: 'Temp',
        teamIds: [team.json().id],
      });
      expect((await call('DELETE', `/api/v1/admin/teams/${team.json().id}`)).statusCode).toBe(409);

      await call('DELETE', `/api/v1/admin/agents/${added.json().id}`);

      expect((await call('DELETE', `/api/v1/admin/teams/${team.json().id}`)).statusCode).toBe(204);
    });

    it('restores on the same id', async () => {
      const response = await call('POST', '/api/v1/admin/agents', {
        email: 'PL.Agent@contoso.example',
        displayName: 'Paweł Lis',
        teamIds: [teamB],
      });

      expect(response.statusCode).toBe(201);
      expect(response.json()).toEqual({
        id: agent.id,
        email: 'pl.agent@contoso.example',
        displayName: 'Paweł Lis',
        admin: false,
        teamIds: [teamB],
        removedAt: null,
      });
      expect((await call('GET', '/api/v1/admin/audit')).json()[0]).toMatchObject({
        action: 'agent.restore',
        subjectId: String(agent.id),
      });
      expect((await request('GET', '/api/v1/me', token)).statusCode).toBe(200);
    });
  });
});

describe.each(await availableDialects())('last admin on %s', (dialect) => {
  let test: TestApp;
  let boss: string;
  let bossId: number;
  const request = caller(() => test);

  beforeAll(async () => {
    // No configured admins, so the admin flag in the database is all that makes an admin.
    test = await createTestApp(dialect, { config: { adminEmails: [] } });
    bossId = (
      await createAgent(test.database.db, {
        email: 'boss@contoso.example',
        displayName: 'Boss',
        isAdmin: true,
        teamIds: [],
      })
    ).id;
    boss = await test.tokenFor('boss@contoso.example');
  });

  afterAll(async () => {
    await test.close();
  });

  it('rejects demoting the last admin', async () => {
    const response = await request('PATCH', `/api/v1/admin/agents/${bossId}`, boss, { admin: false });

    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('WORKLINK_LAST_ADMIN');
    expect(response.json().message).toContain('boss@contoso.example is the last admin');
  });

  it('rejects removing the last admin', async () => {
    const response = await request('DELETE', `/api/v1/admin/agents/${bossId}`, boss);

    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('WORKLINK_LAST_ADMIN');
    expect((await request('GET', '/api/v1/me', boss)).json().isAdmin).toBe(true);
  });

  it('allows it with another admin', async () => {
    const deputy = await request('POST', '/api/v1/admin/agents', boss, {
      email: 'deputy@contoso.example',
      displayName: 'Deputy',
      teamIds: [],
      admin: true,
    });
    const deputyToken = await test.tokenFor('deputy@contoso.example');

    const demoted = await request('PATCH', `/api/v1/admin/agents/${bossId}`, deputyToken, { admin: false });
    const selfRemoval = await request('DELETE', `/api/v1/admin/agents/${deputy.json().id}`, deputyToken);

    expect(demoted.statusCode).toBe(200);
    expect(demoted.json().admin).toBe(false);
    expect(selfRemoval.statusCode).toBe(409);
    expect(selfRemoval.json().code).toBe('WORKLINK_LAST_ADMIN');
  });
});
