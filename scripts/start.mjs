#!/usr/bin/env node
// `npm start`: builds when dist/ is missing or older than the sources, then
// runs the server with the local defaults (SQLite in ./data, demo seed, dev
// authentication, HTTPS with a generated certificate) and prints where to go.
import { spawn, spawnSync } from 'node:child_process';
import console from 'node:console';
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'node:timers';
import { URL, fileURLToPath } from 'node:url';
import { parse as parseDotenv } from 'dotenv';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const serverEntry = path.join(root, 'dist', 'server', 'server.js');
/** Origin that `npm run build` writes into the add-in when WORKLINK_PUBLIC_ORIGIN is not an https origin. */
const defaultOrigin = 'https://localhost:3000';
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

function oldestOutputMtime(addinDir) {
  const outputs = [serverEntry, path.join(addinDir, 'launchevent.js'), path.join(addinDir, 'taskpane.html')];
  if (outputs.some((file) => !fs.existsSync(file))) {
    return 0;
  }
  return Math.min(...outputs.map((file) => fs.statSync(file).mtimeMs));
}

/** True when the built manifest names `origin`, which the build writes into it and into the add-in's scripts. */
function builtFor(addinDir, origin) {
  const manifest = path.join(addinDir, 'manifest.xml');
  return fs.existsSync(manifest) && fs.readFileSync(manifest, 'utf8').includes(`${origin}/`);
}

/**
 * Returns the origin that the build writes into the add-in: `env`'s WORKLINK_PUBLIC_ORIGIN when it
 * is an https one, because Outlook loads add-ins only over HTTPS, and the default origin otherwise.
 */
function addinOrigin(env) {
  return /^https:\/\//.test(env.WORKLINK_PUBLIC_ORIGIN ?? '') ? env.WORKLINK_PUBLIC_ORIGIN : defaultOrigin;
}

/**
 * Returns the folder of the add-in built for `origin`: dist/addin for the default origin, and a folder
 * of its own for any other, so that `npm start` on another port leaves the add-in of the first one alone.
 */
function addinDirFor(origin) {
  if (origin === defaultOrigin) {
    return path.join(root, 'dist', 'addin');
  }
  const url = new URL(origin);
  return path.join(root, 'dist', `addin-${url.hostname}-${url.port || '443'}`);
}

/** Builds when dist/ is missing, older than the sources, or when `addinDir` was built for another origin. */
function buildIfStale(env, addinDir) {
  const sources = Math.max(...[...sourceDirs, ...sourceFiles].map(newestMtime));
  const built = oldestOutputMtime(addinDir);
  const origin = addinOrigin(env);
  const buildEnv = { ...env };
  if (origin === defaultOrigin) {
    delete buildEnv.WORKLINK_PUBLIC_ORIGIN;
  }
  let reason;
  if (built === 0) {
    reason = `${path.relative(root, addinDir)} or dist/server is missing`;
  } else if (built < sources) {
    reason = 'sources changed';
  } else if (!builtFor(addinDir, origin)) {
    reason = `the add-in was built for another origin than ${origin}`;
  } else {
    return;
  }
  console.log(`${reason}: running npm run build`);
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, env: buildEnv, stdio: 'inherit' });
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
  };
  const env = { ...process.env };
  for (const [name, value] of Object.entries(defaults)) {
    if (env[name] === undefined && fromFile[name] === undefined) {
      env[name] = value;
    }
  }
  return { env, setting: (name, fallback) => env[name] ?? fromFile[name] ?? fallback };
}

/**
 * Time in milliseconds that the server gets to report a stop signal of its own before this script
 * sends it the signal that this script received. A terminal's Ctrl+C reaches the server directly.
 */
const forwardDelayMs = 1000;

/** Time in milliseconds between the server's report that it listens and the banner. */
const bannerDelayMs = 200;

/** Prints where to go, with the port and settings that the server reported once it listens. */
function printBanner({ port, auth, tls, certificate }, addinDir) {
  const origin = `${tls === 'on' ? 'https' : 'http'}://localhost:${port}`;
  const dev = auth === 'dev';
  const manifest = fs.existsSync(path.join(addinDir, 'manifest.xml'))
    ? path.join(addinDir, 'manifest.xml')
    : path.join(root, 'manifest.xml');
  console.log(
    [
      '',
      'Worklink is running.',
      `  Start page:           ${origin}/ (redirects to ${dev ? 'the Outlook simulator' : 'the API documentation'})`,
      ...(dev ? [`  Outlook simulator:    ${origin}/dev/outlook`] : []),
      `  API documentation:    ${origin}/docs`,
      `  Health check:         ${origin}/healthz`,
      `  Manifest to sideload: ${manifest}`,
      ...(dev
        ? [`  Dev sign-in:          POST ${origin}/api/v1/dev/tokens {"email": "uk.agent@contoso.example"}`]
        : []),
      tls === 'on'
        ? `  The certificate is self-signed (${certificate}); trust it before sideloading.`
        : '  TLS is off (WORKLINK_TLS=off): Outlook only loads add-ins over HTTPS.',
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
}

const { env, setting } = serverEnvironment();
const port = setting('WORKLINK_PORT', '3000');

// The manifest and the well-known file name the add-in's origin; default it to this port on localhost.
// An invalid port is left to the server, whose configuration error names WORKLINK_PORT. The build
// reads the origin from its environment, so a value from .env is passed on as well.
const configuredOrigin = setting('WORKLINK_PUBLIC_ORIGIN', undefined);
const portNumber = /^[0-9]{1,5}$/.test(port) ? Number(port) : Number.NaN;
if (portNumber === 0) {
  // The server would listen on a free port, but the add-in, its manifest and the banner need the port before the start.
  console.error(
    'WORKLINK_CONFIG_INVALID: WORKLINK_PORT=0 lets the server pick a free port, which npm start cannot name in the ' +
      'add-in it builds: set WORKLINK_PORT to a fixed port such as 3000.',
  );
  process.exit(1);
}
if (configuredOrigin !== undefined) {
  env.WORKLINK_PUBLIC_ORIGIN = configuredOrigin;
} else if (portNumber <= 65535) {
  const scheme = setting('WORKLINK_TLS', 'on') === 'off' ? 'http' : 'https';
  env.WORKLINK_PUBLIC_ORIGIN = `${scheme}://localhost:${port}`;
}
// The build writes the add-in into WORKLINK_ADDIN_DIR, and the server serves that folder.
const addinDir = path.resolve(root, setting('WORKLINK_ADDIN_DIR', addinDirFor(addinOrigin(env))));
env.WORKLINK_ADDIN_DIR = addinDir;
buildIfStale(env, addinDir);

// The IPC channel carries the server's reports (see ParentMessage in src/server/server.ts). Only this
// child's report counts as "running", because a health check would also reach another process on the port.
const child = spawn(process.execPath, [serverEntry], {
  cwd: root,
  env,
  stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
});
const notListening = setTimeout(() => {
  console.error('Worklink has not reported that it listens after 60 s; see the log above.');
}, 60_000);
notListening.unref();

let childStopping = false;
let forwardAll = false;
let pendingForward;
child.on('message', (message) => {
  if (message?.type === 'worklink-listening') {
    clearTimeout(notListening);
    // pino writes the server's log lines asynchronously, so the short wait usually puts the banner after them.
    setTimeout(() => printBanner(message, addinDir), bannerDelayMs);
  } else if (message?.type === 'worklink-stopping') {
    childStopping = true;
  }
});

// A terminal sends Ctrl+C to its whole process group, so the server gets the signal itself (and npm sends
// this script a second copy). Sending it on as well would make the server see two signals. This script
// therefore waits for the server to report the signal, and forwards signals only when no report arrives,
// as after `kill <pid of this script>`. From then on it forwards every signal.
function onSignal(signal) {
  if (forwardAll) {
    child.kill(signal);
    return;
  }
  if (childStopping || pendingForward !== undefined) {
    return;
  }
  pendingForward = setTimeout(() => {
    pendingForward = undefined;
    if (!childStopping) {
      forwardAll = true;
      child.kill(signal);
    }
  }, forwardDelayMs);
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, onSignal);
}

// npm runs this script through a shell, and neither passes on a SIGTERM sent to npm itself: npm ends and this
// script is left without its parent. It then stops the server as if it had received SIGTERM.
const parentPid = process.ppid;
const orphanCheck = setInterval(() => {
  if (process.ppid !== parentPid) {
    clearInterval(orphanCheck);
    forwardAll = true;
    child.kill('SIGTERM');
  }
}, 1000);
orphanCheck.unref();

child.on('exit', (code, signal) => {
  process.exit(code ?? (signal === null ? 0 : 1));
});
