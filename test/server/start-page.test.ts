/**
 * `GET /`, which the `npm start` banner lists as the start page: a redirect to the Outlook simulator
 * under dev authentication and to the API documentation under Entra ID, with the built add-in
 * still served next to it. The start page does not touch the database, so SQLite alone runs it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/server/config.js';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';

const entra: Partial<Config> = {
  auth: 'entra',
  entraTenantId: '00000000-0000-4000-8000-000000000001',
  entraClientId: '00000000-0000-4000-8000-000000000002',
  entraAudience: '00000000-0000-4000-8000-000000000002',
  // Never fetched: no request here carries a token to verify.
  entraJwksUrl: 'http://127.0.0.1:9/keys',
};

describe.each([
  { auth: 'dev', config: {}, location: '/dev/outlook' },
  { auth: 'entra', config: entra, location: '/docs' },
])('start page under $auth authentication', ({ config, location }) => {
  let addinDir: string;
  let test: TestApp;

  beforeAll(async () => {
    // The folder exists before the app is built, so that the static files are served at `/` as after npm run build.
    addinDir = fs.mkdtempSync(path.join(os.tmpdir(), 'worklink-addin-'));
    fs.writeFileSync(path.join(addinDir, 'taskpane.html'), '<!doctype html><title>pane</title>');
    test = await createTestApp('sqlite', { config: { ...config, addinDir } });
  });

  afterAll(async () => {
    await test?.close();
    fs.rmSync(addinDir, { recursive: true, force: true });
  });

  it(`redirects / to ${location}`, async () => {
    const response = await test.app.inject({ method: 'GET', url: '/' });

    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe(location);
  });

  it('redirects HEAD / too', async () => {
    const response = await test.app.inject({ method: 'HEAD', url: '/' });

    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe(location);
  });

  it('still serves the add-in files', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/taskpane.html' });

    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<title>pane</title>');
  });
});
