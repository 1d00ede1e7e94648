/**
 * How Worklink starts and stops as a process: `src/server/server.ts` on its own, and under
 * `scripts/start.mjs` as `npm start` runs it. Ctrl+C is simulated by sending SIGINT to the
 * whole process group, as a terminal does. Every process runs on loopback ports that the test
 * picked, and every process group that a test starts is killed when it ends.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, freePort } from '../support/server-process.js';
import type { ServerBuild } from '../support/server-process.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Time a process gets to start or to exit, long enough for a loaded CI machine. */
const processTimeoutMs = 30_000;

interface Launched {
  child: ChildProcess;
  /** Everything the process group wrote to stdout and stderr so far. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` to the process group, as a terminal does on Ctrl+C. */
  signalGroup(signal: NodeJS.Signals): void;
}

const launched: Launched[] = [];
const cleanups: Array<() => void | Promise<void>> = [];

/** Environment of the test runner without any WORKLINK_* variable, plus `env`. */
function childEnvironment(env: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('WORKLINK_')));
  return { ...inherited, NODE_ENV: 'test', WORKLINK_LOG_LEVEL: 'info', WORKLINK_GRAPH_SYNC: 'off', ...env };
}

/** Starts `node <script>` as the leader of a new process group, so that the test can signal the whole group. */
function launch(script: string, cwd: string, env: Record<string, string>): Launched {
  const child = spawn(process.execPath, [script], {
    cwd,
    env: childEnvironment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => (output += chunk));
  child.stderr?.on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error(`${script} could not be spawned.`);
  }
  const result: Launched = {
    child,
    output: () => output,
    exited,
    signalGroup(signal) {
      try {
        process.kill(-pid, signal);
      } catch {
        // The group has no process left.
      }
    },
  };
  launched.push(result);
  return result;
}

async function waitForOutput(target: Launched, text: string | RegExp, timeoutMs = processTimeoutMs): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const found = (): boolean => (typeof text === 'string' ? target.output().includes(text) : text.test(target.output()));
  while (!found()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${String(text)}; output so far:\n${target.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves with the exit, or rejects with the output when the process is still running after `timeoutMs`. */
async function exitWithin(target: Launched, timeoutMs = processTimeoutMs) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the process did not exit within ${timeoutMs} ms; output:\n${target.output()}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([target.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Holds `port` on 127.0.0.1 with an HTTP server that returns 200 to every request, like another running instance. */
async function occupyPort(port: number): Promise<void> {
  const server = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"status":"ok"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
}

/**
 * Opens an SMTP session and sends MAIL FROM, so that the listener has a transaction in progress and
 * its close waits for it. `quit()` ends the session.
 */
async function openSmtpTransaction(port: number): Promise<{ quit(): void }> {
  const socket = net.connect(port, '127.0.0.1');
  cleanups.push(() => {
    socket.destroy();
  });
  socket.setEncoding('utf8');
  let received = '';
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => undefined);
  const reply = async (code: string): Promise<void> => {
    const deadline = Date.now() + processTimeoutMs;
    while (!new RegExp(`^${code} `, 'm').test(received)) {
      if (Date.now() > deadline) {
        throw new Error(`SMTP reply ${code} not received; received:\n${received}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    received = '';
  };
  await reply('220');
  socket.write('EHLO client.test\r\n');
  await reply('250');
  socket.write('MAIL FROM:<sender@fabrikam.example>\r\n');
  await reply('250');
  return { quit: () => socket.end('QUIT\r\n') };
}

/** Requests a dev token for the demo agent and opens its event stream; resolves once the stream's headers arrive. */
async function openEventStream(origin: string): Promise<{ ended: () => boolean; closed: Promise<void> }> {
  const tokenResponse = await fetch(`${origin}/api/v1/dev/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'uk.agent@contoso.example' }),
  });
  const { accessToken } = (await tokenResponse.json()) as { accessToken: string };

  let ended = false;
  let settle: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (settle = resolve));
  await new Promise<void>((resolve, reject) => {
    const request = http.get(`${origin}/api/v1/events`, { headers: { authorization: `Bearer ${accessToken}` } });
    request.on('response', (response) => {
      response.resume();
      // `end` fires only when the server finished the chunked body, not when the connection was cut.
      response.on('end', () => (ended = true));
      response.on('close', () => settle());
      response.on('error', () => settle());
      resolve();
    });
    request.on('error', reject);
    cleanups.push(() => {
      request.destroy();
    });
  });
  return { ended: () => ended, closed };
}

let build: ServerBuild;

beforeAll(async () => {
  build = await buildServer();
});

afterAll(() => {
  build?.remove();
});

afterEach(async () => {
  for (const target of launched.splice(0)) {
    target.signalGroup('SIGKILL');
  }
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
});

describe('server process lifecycle', { timeout: 90_000 }, () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'worklink-lifecycle-'));
  });

  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** Starts the server directly on free loopback ports, with its database in a fresh folder under `dataDir`. */
  async function startServer(env: Record<string, string> = {}) {
    const dir = fs.mkdtempSync(path.join(dataDir, 'run-'));
    const ports = { http: await freePort(), smtp: await freePort() };
    const server = launch(build.entry, dir, {
      WORKLINK_DATA_DIR: dir,
      WORKLINK_HOST: '127.0.0.1',
      WORKLINK_PORT: String(ports.http),
      WORKLINK_SMTP_PORT: String(ports.smtp),
      WORKLINK_TLS: 'off',
      WORKLINK_ADDIN_DIR: path.join(dir, 'addin'),
      ...env,
    });
    return { server, dir, ports };
  }

  it('logs a repeated SIGINT and still stops cleanly', async () => {
    const { server, dir, ports } = await startServer();
    await waitForOutput(server, 'worklink started');
    // The open transaction keeps the shutdown waiting, so the second signal arrives during it.
    const smtp = await openSmtpTransaction(ports.smtp);

    server.child.kill('SIGINT');
    await waitForOutput(server, 'worklink stopping');
    server.child.kill('SIGINT');
    await waitForOutput(server, 'shutdown already in progress');
    smtp.quit();
    const exit = await exitWithin(server);

    expect(exit).toEqual({ code: 0, signal: null });
    expect(server.output()).toContain('worklink stopped');
    expect(server.output().match(/worklink stopping/g)).toHaveLength(1);
    expect(fs.existsSync(path.join(dir, 'worklink.sqlite-wal'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'worklink.sqlite-shm'))).toBe(false);
  });

  it('exits at once on a third signal', async () => {
    const { server, ports } = await startServer();
    await waitForOutput(server, 'worklink started');
    await openSmtpTransaction(ports.smtp);

    server.child.kill('SIGTERM');
    await waitForOutput(server, 'worklink stopping');
    server.child.kill('SIGTERM');
    await waitForOutput(server, 'shutdown already in progress');
    server.child.kill('SIGTERM');
    const exit = await exitWithin(server, 10_000);

    expect(exit).toEqual({ code: 1, signal: null });
    expect(server.output()).toContain('shutdown forced');
    expect(server.output()).not.toContain('worklink stopped');
  });

  it('names the HTTP port in use and exits', async () => {
    const port = await freePort();
    await occupyPort(port);
    const { server } = await startServer({ WORKLINK_PORT: String(port) });

    const exit = await exitWithin(server);

    expect(exit).toEqual({ code: 1, signal: null });
    expect(server.output()).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(server.output()).toContain('set WORKLINK_PORT to a free port');
    expect(server.output()).not.toMatch(/^\s+at /m);
    expect(server.output()).toContain('smtp listener stopped');
  });

  it('names the SMTP port in use and exits', async () => {
    const port = await freePort();
    await occupyPort(port);
    const { server } = await startServer({ WORKLINK_SMTP_PORT: String(port) });

    const exit = await exitWithin(server);

    expect(exit).toEqual({ code: 1, signal: null });
    expect(server.output()).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(server.output()).toContain('set WORKLINK_SMTP_PORT to a free port');
    expect(server.output()).not.toMatch(/^\s+at /m);
  });
});

describe('npm start', { timeout: 90_000 }, () => {
  let projectDir: string;

  /**
   * Lays out a project with this working tree's `scripts/start.mjs`, the server build as
   * `dist/server` and a stub add-in, all newer than its (absent) sources, so that start.mjs
   * runs no build. It lives under node_modules/.cache, where Node finds the project's packages.
   */
  beforeAll(() => {
    const cache = path.join(root, 'node_modules', '.cache');
    fs.mkdirSync(cache, { recursive: true });
    projectDir = fs.mkdtempSync(path.join(cache, 'worklink-start-'));
    fs.mkdirSync(path.join(projectDir, 'scripts'));
    fs.copyFileSync(path.join(root, 'scripts', 'start.mjs'), path.join(projectDir, 'scripts', 'start.mjs'));
    // A build that only reports its origin, so that npm finds no other project's build script above this folder.
    // Its time is set to the epoch, because start.mjs builds when package.json is newer than the outputs.
    const manifestFile = path.join(projectDir, 'package.json');
    fs.writeFileSync(
      manifestFile,
      JSON.stringify({
        private: true,
        scripts: {
          build: `node -e "console.log('stub build for ' + process.env.WORKLINK_PUBLIC_ORIGIN + ' into ' + process.env.WORKLINK_ADDIN_DIR); process.exit(3)"`,
        },
      }),
    );
    fs.utimesSync(manifestFile, new Date(0), new Date(0));
    const buildDir = path.dirname(path.dirname(build.entry));
    fs.symlinkSync(buildDir, path.join(projectDir, 'dist'), 'dir');
    fs.mkdirSync(path.join(buildDir, 'addin'), { recursive: true });
    for (const file of ['launchevent.js', 'taskpane.html']) {
      fs.writeFileSync(path.join(buildDir, 'addin', file), '');
    }
    // The origin that the build writes into the manifest, here the build's default.
    fs.writeFileSync(
      path.join(buildDir, 'addin', 'manifest.xml'),
      '<IconUrl DefaultValue="https://localhost:3000/a.png"/>',
    );
  });

  afterAll(() => {
    fs.rmSync(projectDir, { recursive: true, force: true });
  });

  /** Runs start.mjs, or `script` when given, with free ports, TLS off and `env`. */
  async function npmStart(env: Record<string, string> = {}, script = path.join(projectDir, 'scripts', 'start.mjs')) {
    const ports = { http: await freePort(), smtp: await freePort() };
    fs.rmSync(path.join(projectDir, 'data'), { recursive: true, force: true });
    const start = launch(script, projectDir, {
      WORKLINK_PORT: String(ports.http),
      WORKLINK_SMTP_PORT: String(ports.smtp),
      WORKLINK_TLS: 'off',
      ...env,
    });
    return { start, ports };
  }

  it('stops cleanly on Ctrl+C with an event stream open', async () => {
    const { start, ports } = await npmStart();
    await waitForOutput(start, 'Worklink is running.');
    const stream = await openEventStream(`http://127.0.0.1:${ports.http}`);

    start.signalGroup('SIGINT');
    const exit = await exitWithin(start);
    await stream.closed;

    expect(exit).toEqual({ code: 0, signal: null });
    expect(start.output()).toContain('worklink stopped');
    expect(start.output()).not.toContain('shutdown already in progress');
    expect(stream.ended()).toBe(true);
    expect(fs.existsSync(path.join(projectDir, 'data', 'worklink.sqlite-wal'))).toBe(false);
    expect(fs.existsSync(path.join(projectDir, 'data', 'worklink.sqlite-shm'))).toBe(false);
  });

  it('forwards SIGTERM sent to start.mjs alone', async () => {
    const { start } = await npmStart();
    await waitForOutput(start, 'Worklink is running.');

    start.child.kill('SIGTERM');
    const exit = await exitWithin(start);

    expect(exit).toEqual({ code: 0, signal: null });
    expect(start.output()).toContain('worklink stopped');
  });

  it('stops the server when its parent process ends', async () => {
    // npm runs start.mjs through a shell, and a SIGTERM sent to npm reaches neither of them.
    const parent = path.join(projectDir, 'scripts', 'parent.mjs');
    const startScript = path.join(projectDir, 'scripts', 'start.mjs');
    fs.writeFileSync(
      parent,
      `import { spawn } from 'node:child_process';\nspawn(process.execPath, [${JSON.stringify(startScript)}], { stdio: 'inherit' });\n`,
    );
    const { start, ports } = await npmStart({}, parent);
    await waitForOutput(start, 'Worklink is running.');

    start.child.kill('SIGKILL');
    await waitForOutput(start, 'worklink stopped');

    await expect(fetch(`http://127.0.0.1:${ports.http}/healthz`)).rejects.toThrow();
  });

  it('prints the port the server listens on', async () => {
    const { start, ports } = await npmStart();
    await waitForOutput(start, 'Worklink is running.');

    expect(start.output()).toContain(`Outlook simulator:    http://localhost:${ports.http}/dev/outlook`);
  });

  it('exits with the server when the port is taken', async () => {
    const port = await freePort();
    await occupyPort(port);
    const { start } = await npmStart({ WORKLINK_PORT: String(port) });

    const exit = await exitWithin(start);

    expect(exit).toEqual({ code: 1, signal: null });
    expect(start.output()).not.toContain('Worklink is running.');
    expect(start.output()).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(start.output()).toContain('WORKLINK_PORT');
  });

  it('builds another origin into its own folder', async () => {
    const { start } = await npmStart({ WORKLINK_PUBLIC_ORIGIN: 'https://localhost:4123' });

    const exit = await exitWithin(start);

    // dist/addin keeps the add-in of the default origin, which another instance may be serving.
    const folder = path.join(projectDir, 'dist', 'addin-localhost-4123');
    expect(start.output()).toContain(
      `${path.join('dist', 'addin-localhost-4123')} or dist/server is missing: running npm run build`,
    );
    expect(start.output()).toContain(`stub build for https://localhost:4123 into ${folder}`);
    expect(exit).toEqual({ code: 3, signal: null });
  });

  it('builds again when the folder has another origin', async () => {
    const { start } = await npmStart({
      WORKLINK_PUBLIC_ORIGIN: 'https://localhost:4123',
      WORKLINK_ADDIN_DIR: path.join(projectDir, 'dist', 'addin'),
    });

    const exit = await exitWithin(start);

    expect(start.output()).toContain(
      'the add-in was built for another origin than https://localhost:4123: running npm run build',
    );
    expect(start.output()).toContain(
      `stub build for https://localhost:4123 into ${path.join(projectDir, 'dist', 'addin')}`,
    );
    expect(exit).toEqual({ code: 3, signal: null });
  });

  it('lets the server reject a port above 65535', async () => {
    const { start } = await npmStart({ WORKLINK_PORT: '70000' });

    const exit = await exitWithin(start);

    expect(exit).toEqual({ code: 1, signal: null });
    expect(start.output()).toContain('WORKLINK_CONFIG_INVALID');
    expect(start.output()).toContain('WORKLINK_PORT');
    expect(start.output()).not.toContain('TypeError');
  });

  it('refuses WORKLINK_PORT=0, which the add-in cannot name', async () => {
    const { start } = await npmStart({ WORKLINK_PORT: '0' });

    const exit = await exitWithin(start);

    expect(exit).toEqual({ code: 1, signal: null });
    expect(start.output()).toContain('WORKLINK_PORT=0 lets the server pick a free port');
    expect(start.output()).not.toContain('running npm run build');
  });

  it('lets the server reject an invalid WORKLINK_PORT', async () => {
    const { start } = await npmStart({ WORKLINK_PORT: 'abc' });

    const exit = await exitWithin(start);

    expect(exit).toEqual({ code: 1, signal: null });
    expect(start.output()).toContain('WORKLINK_CONFIG_INVALID: Invalid configuration. WORKLINK_PORT="abc" is invalid');
    expect(start.output()).not.toContain('TypeError');
    expect(start.output()).not.toContain('WORKLINK_PUBLIC_ORIGIN');
  });
});
