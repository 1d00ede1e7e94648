import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Directory } from '../../src/core/api-types.js';
import { availableDialects } from '../support/databases.js';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';

describe.each(await availableDialects())('directory route on %s', (dialect) => {
  let testApp: TestApp;
  let agentToken: string;
  let adminToken: string;

  beforeAll(async () => {
    testApp = await createTestApp(dialect, { seed: 'demo' });
    agentToken = await testApp.tokenFor('uk.agent@contoso.example');
    adminToken = await testApp.tokenFor('admin@contoso.example');
  });

  afterAll(async () => {
    await testApp.close();
  });

  function getDirectory(headers: Record<string, string> = {}) {
    return testApp.app.inject({
      method: 'GET',
      url: '/api/v1/directory',
      headers: { authorization: `Bearer ${agentToken}`, ...headers },
    });
  }

  it('requires a token', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/v1/directory' });

    expect(response.statusCode).toBe(401);
  });

  it('lists mailboxes, aliases and settings', async () => {
    const response = await getDirectory();

    expect(response.statusCode).toBe(200);
    const directory = response.json() as Directory;
    expect(directory.mailboxes).toEqual([
      {
        address: 'pl.support@contoso.example',
        aliases: ['wsparcie.pl@contoso.example'],
        teamId: expect.any(Number),
        teamName: 'Team B (PL)',
        displayName: 'Wsparcie PL',
      },
      {
        address: 'uk.support@contoso.example',
        aliases: [],
        teamId: expect.any(Number),
        teamName: 'Team A (UK)',
        displayName: 'UK Support',
      },
    ]);
    expect(directory.settings).toEqual({
      plusAddressing: { mode: 'mixed', separator: '+' },
      internalDomains: ['contoso.example'],
      failurePolicy: 'allow',
    });
    expect(response.headers['cache-control']).toBe('private, no-cache');
  });

  it('sends a stable strong ETag', async () => {
    const first = await getDirectory();
    const second = await getDirectory();

    expect(first.headers.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(second.headers.etag).toBe(first.headers.etag);
  });

  it('answers 304 for a matching If-None-Match', async () => {
    const etag = String((await getDirectory()).headers.etag);

    const exact = await getDirectory({ 'if-none-match': etag });
    const weak = await getDirectory({ 'if-none-match': `"other", W/${etag}` });
    const star = await getDirectory({ 'if-none-match': '*' });

    expect(exact.statusCode).toBe(304);
    expect(exact.body).toBe('');
    expect(exact.headers.etag).toBe(etag);
    expect(weak.statusCode).toBe(304);
    expect(star.statusCode).toBe(304);
  });

  it('answers 200 for a stale ETag', async () => {
    const response = await getDirectory({ 'if-none-match': '"stale"' });

    expect(response.statusCode).toBe(200);
    expect((response.json() as Directory).mailboxes.length).toBeGreaterThan(0);
  });

  it('changes the ETag when a mailbox is added', async () => {
    const before = String((await getDirectory()).headers.etag);
    const team = await testApp.app.inject({
      method: 'POST',
      url: '/api/v1/admin/teams',
      headers: { authorization: `Bearer ${adminToken}` },
      payload: { name: 'Team D (DE)' },
    });
    expect(team.statusCode).toBe(201);
    const created = await testApp.app.inject({
      method: 'POST',
      url: '/api/v1/admin/mailboxes',
      headers: { authorization: `Bearer ${adminToken}` },
      payload: {
        address: 'de.support@contoso.example',
        aliases: ['hilfe@contoso.example'],
        teamId: (team.json() as { id: number }).id,
        defaultType: 'ticket',
      },
    });
    expect(created.statusCode).toBe(201);

    const after = await getDirectory({ 'if-none-match': before });

    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(before);
    const added = (after.json() as Directory).mailboxes.find(
      (mailbox) => mailbox.address === 'de.support@contoso.example',
    );
    expect(added).toEqual({
      address: 'de.support@contoso.example',
      aliases: ['hilfe@contoso.example'],
      teamId: (team.json() as { id: number }).id,
      teamName: 'Team D (DE)',
    });
  });
});
