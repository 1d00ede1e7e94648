#!/usr/bin/env node
// `npm start`: builds when dist/ is missing or older than the sources, then
// runs the server with the local defaults (SQLite in ./data, demo seed, dev
// authentication, HTTPS with a generated certificate) and prints where to go.
import { spawn, spawnSync } from 'node:child_process';
import console from 'node:console';
import fs from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import path from 'node:path';
import process from 'node:process';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parse as parseDotenv } from 'dotenv';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const serverEntry = path.join(root, 'dist', 'server', 'server.js');
const addinDir = path.join(root, 'dist', 'addin');
const sourceDirs = ['src', 'assets'].map((dir) => path.join(root, dir));
const sourceFiles = ['manifest.xml', 'webpack.config.js', 'tsconfig.json', 'tsconfig.server.json', 'package.json'].map(
  (file) => path.join(root, file),
);

/** Newest modification time under `target`, in milliseconds; 0 when it does not exist. */
function newestMtime(target) {
  if (!fs.existsSync(target)) {
    return 0;
  }
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) {
    return stat.mtimeMs;
  }
  let newest = 0;
  for (const entry of fs.readdirSync(target)) {
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

function oldestOutputMtime() {
  const outputs = [serverEntry, path.join(addinDir, 'launchevent.js'), path.join(addinDir, 'taskpane.html')];
  if (outputs.some((file) => !fs.existsSync(file))) {
    return 0;
  }
  return Math.min(...outputs.map((file) => fs.statSync(file).mtimeMs));
}

function buildIfStale() {
  const sources = Math.max(...[...sourceDirs, ...sourceFiles].map(newestMtime));
  const built = oldestOutputMtime();
  if (built >= sources) {
    return;
  }
  console.log(built === 0 ? 'dist/ is missing: running npm run build' : 'sources changed: running npm run build');
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('npm run build failed; fix the errors above and run npm start again.');
    process.exit(result.status ?? 1);
  }
}

/** Local defaults; a value from the environment or from .env wins. */
function serverEnvironment() {
  const envFile = path.join(root, '.env');
  const fromFile = fs.existsSync(envFile) ? parseDotenv(fs.readFileSync(envFile)) : {};
  const defaults = {
    WORKLINK_DATA_DIR: path.join(root, 'data'),
    WORKLINK_SEED: 'demo',
    WORKLINK_AUTH: 'dev',
    WORKLINK_ADDIN_DIR: addinDir,
  };
  const env = { ...process.env };
  for (const [name, value] of Object.entries(defaults)) {
    if (env[name] === undefined && fromFile[name] === undefined) {
      env[name] = value;
    }
  }
  return { env, setting: (name, fallback) => env[name] ?? fromFile[name] ?? fallback };
}

/** Polls /healthz on loopback until it returns 200 or `timeoutMs` passes. */
async function waitForHealth(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const client = url.startsWith('https:') ? https : http;
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      // The certificate is self-signed and the request stays on this machine.
      const request = client.get(url, { rejectUnauthorized: false, timeout: 1000 }, (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      });
      request.on('error', () => resolve(false));
      request.on('timeout', () => request.destroy());
    });
    if (ok) {
      return true;
    }
    await delay(250);
  }
  return false;
}

buildIfStale();

const { env, setting } = serverEnvironment();
const scheme = setting('WORKLINK_TLS', 'on') === 'off' ? 'http' : 'https';
const port = setting('WORKLINK_PORT', '3000');
const host = setting('WORKLINK_HOST', '127.0.0.1');
const probeHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

// The manifest and the well-known file name the add-in's origin; default it to this port on localhost.
if (setting('WORKLINK_PUBLIC_ORIGIN', undefined) === undefined) {
  env.WORKLINK_PUBLIC_ORIGIN = `${scheme}://localhost:${port}`;
}

const child = spawn(process.execPath, [serverEntry], { cwd: root, env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal === null ? 0 : 1));
});

if (await waitForHealth(`${scheme}://${probeHost}:${port}/healthz`, 60_000)) {
  const origin = `${scheme}://localhost:${port}`;
  const manifest = fs.existsSync(path.join(addinDir, 'manifest.xml'))
    ? path.join(addinDir, 'manifest.xml')
    : path.join(root, 'manifest.xml');
  console.log(
    [
      '',
      'Worklink is running.',
      `  API and add-in files: ${origin}/`,
      `  API documentation:    ${origin}/docs`,
      `  Health check:         ${origin}/healthz`,
      `  Manifest to sideload: ${manifest}`,
      `  Dev sign-in:          POST ${origin}/api/v1/dev/tokens {"email": "uk.agent@contoso.example"}`,
      ...(setting('WORKLINK_AUTH', 'dev') === 'dev' ? [`  Outlook simulator:    ${origin}/dev/outlook`] : []),
      scheme === 'https'
        ? `  The certificate is self-signed (${path.join(setting('WORKLINK_DATA_DIR', ''), 'tls', 'localhost.crt')}); trust it before sideloading.`
        : '  TLS is off (WORKLINK_TLS=off): Outlook only loads add-ins over HTTPS.',
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
} else {
  console.error(`Worklink did not respond at ${scheme}://${probeHost}:${port}/healthz within 60 s; see the log above.`);
}
