/**
 * The simulator's routes: served only under dev authentication, built add-in pages with the
 * Office.js shim in place, and the relay's guards. Runs through `inject` on both databases.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';
import { availableDialects } from '../support/databases.js';
import { readSampleRequest } from '../../src/server/routes/dev-outlook/sample-request.js';

const OFFICE_JS_TAG =
  '<script type="text/javascript" src="https://appsforoffice.microsoft.com/lib/1/hosted/office.js"></script>';

function writeAddin(dir: string, files: Record<string, string>): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
}

describe.each(await availableDialects())('simulator routes on %s', (dialect) => {
  let test: TestApp;

  beforeAll(async () => {
    test = await createTestApp(dialect, { seed: 'demo' });
    writeAddin(test.config.addinDir, {
      'taskpane.html': `<!doctype html><html><head><title>x</title>${OFFICE_JS_TAG}</head><body><script src="taskpane.js"></script></body></html>`,
      'launchevent.html': '<!doctype html><html><head><title>no office</title></head><body></body></html>',
      'manifest.xml':
        '<OfficeApp><LaunchEvent Type="OnMessageSend" FunctionName="onMessageSendHandler" SendMode="SoftBlock"/></OfficeApp>',
    });
  });

  afterAll(async () => {
    await test.close();
  });

  it('serves the page with its script from this origin', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/dev/outlook', headers: { host: 'localhost:3000' } });

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.body).toContain('<script src="/dev/outlook/simulator.js"></script>');
    expect(response.body).not.toMatch(/<script>(?!<)/);
  });

  it.each(['127.0.0.1:3000', 'localhost:3001', '[::1]:3000'])('redirects the page from %s', async (host) => {
    const response = await test.app.inject({
      method: 'GET',
      url: '/dev/outlook?launchevent=%2Fx.html',
      headers: { host },
    });

    // The built add-in calls the API at the public origin, so the page must run there.
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('https://localhost:3000/dev/outlook?launchevent=%2Fx.html');
  });

  it('serves its scripts under any host', async () => {
    const response = await test.app.inject({
      method: 'GET',
      url: '/dev/outlook/office-shim.js',
      headers: { host: '127.0.0.1:3000' },
    });

    expect(response.statusCode).toBe(200);
  }, 30_000);

  it('puts the shim in place of Office.js', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/dev/outlook/taskpane.html' });

    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<script src="/dev/outlook/office-shim.js"></script>');
    expect(response.body).toContain('<base href="/" />');
    expect(response.body).not.toContain('appsforoffice.microsoft.com');
    expect(response.body).toContain('<script src="taskpane.js"></script>');
  });

  it('rejects a built page without Office.js', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/dev/outlook/launchevent.html' });

    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ code: 'WORKLINK_DEV_SIMULATOR_UNAVAILABLE' });
  });

  it('returns 404 for a file it does not serve', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/dev/outlook/manifest.xml' });

    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'WORKLINK_ROUTE_NOT_FOUND' });
  });

  it('reads the send mode and the demo agents', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/dev/outlook/api/setup' });
    const setup = response.json() as { sendMode: string; agents: { email: string }[] };

    expect(setup.sendMode).toBe('SoftBlock');
    expect(setup.agents.map((agent) => agent.email)).toEqual(
      expect.arrayContaining(['uk.agent@contoso.example', 'pl.agent@contoso.example']),
    );
  });

  it('bundles the simulator scripts', async () => {
    const host = await test.app.inject({ method: 'GET', url: '/dev/outlook/simulator.js' });
    const shim = await test.app.inject({ method: 'GET', url: '/dev/outlook/office-shim.js' });

    expect(host.statusCode).toBe(200);
    expect(host.headers['content-type']).toContain('text/javascript');
    expect(host.body).toContain('worklinkSimulator');
    expect(shim.statusCode).toBe(200);
    expect(shim.body).toContain('WORKLINK_SIMULATOR_NO_HOST');
  }, 30_000);

  it('relays only for a signed-in agent', async () => {
    const response = await test.app.inject({
      method: 'POST',
      url: '/dev/outlook/api/relay',
      payload: { raw: 'Subject: x\r\n\r\nx\r\n', envelope: { from: 'uk.agent@contoso.example', to: ['a@b.example'] } },
    });

    expect(response.statusCode).toBe(401);
  });

  it('rejects sending as another agent', async () => {
    const token = await test.tokenFor('uk.agent@contoso.example');
    const response = await test.app.inject({
      method: 'POST',
      url: '/dev/outlook/api/relay',
      headers: { authorization: `Bearer ${token}` },
      payload: { raw: 'Subject: x\r\n\r\nx\r\n', envelope: { from: 'pl.agent@contoso.example', to: ['a@b.example'] } },
    });

    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'WORKLINK_DEV_RELAY_SENDER_MISMATCH' });
  });

  it('reports a relay with the SMTP listener off', async () => {
    const token = await test.tokenFor('uk.agent@contoso.example');
    const response = await test.app.inject({
      method: 'POST',
      url: '/dev/outlook/api/relay',
      headers: { authorization: `Bearer ${token}` },
      payload: { raw: 'Subject: x\r\n\r\nx\r\n', envelope: { from: 'uk.agent@contoso.example', to: ['a@b.example'] } },
    });

    expect(response.statusCode).toBe(502);
    expect(response.json()).toMatchObject({ code: 'WORKLINK_DEV_RELAY_FAILED' });
  });

  it('delivers the sample request only for a signed-in agent', async () => {
    const response = await test.app.inject({ method: 'POST', url: '/dev/outlook/api/sample-request' });

    expect(response.statusCode).toBe(401);
  });

  it('reports a sample request with the SMTP listener off', async () => {
    const token = await test.tokenFor('uk.agent@contoso.example');
    const response = await test.app.inject({
      method: 'POST',
      url: '/dev/outlook/api/sample-request',
      headers: { authorization: `Bearer ${token}` },
    });

    expect(response.statusCode).toBe(502);
    expect(response.json()).toMatchObject({ code: 'WORKLINK_DEV_RELAY_FAILED' });
  });

  it('rejects an envelope without recipients', async () => {
    const token = await test.tokenFor('uk.agent@contoso.example');
    const response = await test.app.inject({
      method: 'POST',
      url: '/dev/outlook/api/relay',
      headers: { authorization: `Bearer ${token}` },
      payload: { raw: 'Subject: x\r\n\r\nx\r\n', envelope: { from: 'uk.agent@contoso.example', to: [] } },
    });

    expect(response.statusCode).toBe(400);
  });
});

describe.each(await availableDialects())('simulator under Entra ID on %s', (dialect) => {
  let test: TestApp;

  beforeAll(async () => {
    test = await createTestApp(dialect, {
      config: {
        auth: 'entra',
        entraTenantId: '00000000-0000-4000-8000-000000000001',
        entraClientId: '00000000-0000-4000-8000-000000000002',
        entraAudience: '00000000-0000-4000-8000-000000000002',
        // Never fetched: no request here carries a token to verify.
        entraJwksUrl: 'http://127.0.0.1:9/keys',
      },
    });
  });

  afterAll(async () => {
    await test.close();
  });

  it.each(['/dev/outlook', '/dev/outlook/simulator.js', '/dev/outlook/api/setup'])('does not serve %s', async (url) => {
    const response = await test.app.inject({ method: 'GET', url });

    expect(response.statusCode).toBe(404);
  });
});

describe('sample request', () => {
  it('gets a new Message-ID and Date each time', async () => {
    const first = await readSampleRequest(new Date('2026-12-04T10:00:00Z'));
    const second = await readSampleRequest(new Date('2026-12-04T10:00:00Z'));
    const messageIdOf = (raw: string) => /^Message-ID: (.*)$/im.exec(raw)?.[1];

    expect(messageIdOf(first)).toMatch(/^<sample\.[0-9a-f-]+@mail\.fabrikam\.example>\r?$/);
    expect(messageIdOf(first)).not.toBe(messageIdOf(second));
    expect(first).toContain('Date: Fri, 04 Dec 2026 10:00:00 +0000\r\n');
    expect(first).toContain('Subject: Invoice 2024/11/0457 - payment status (UK and PL entities)\r\n');
    expect(first).not.toMatch(/[^\r]\n/);
  });
});
