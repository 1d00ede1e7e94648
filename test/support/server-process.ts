/**
 * The real Worklink server as a child process, for tests that kill it,
 * stop it with a signal or restart it on the same database. The sources
 * are transpiled once per test file with esbuild, file by file and without
 * type checks, so a run tests the working tree and not a stale `dist/`.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import nodemailer from 'nodemailer';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Time a server gets to return 200 on `/healthz` and greet on SMTP, long enough for a loaded CI machine. */
const startTimeoutMs = 30_000;

/** Returns a loopback port that was free a moment ago, for a listener that must keep its port across restarts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

export interface ServerBuild {
  /** `server/server.js` of the build. */
  entry: string;
  /** Deletes the build directory. */
  remove(): void;
}

/**
 * Transpiles `src/server` and `src/core` to ES modules in a private
 * directory under `node_modules/.cache`, where Node finds the project's
 * packages. Each file is emitted on its own because the server loads the
 * SMTP listener by a computed import path, which a bundle would miss.
 */
export async function buildServer(): Promise<ServerBuild> {
  const cache = path.join(root, 'node_modules', '.cache');
  fs.mkdirSync(cache, { recursive: true });
  const outdir = fs.mkdtempSync(path.join(cache, 'worklink-server-process-'));
  const sources = fs
    .readdirSync(path.join(root, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((file) => /^(server|core)[/\\].*\.ts$/.test(file) && !file.endsWith('.d.ts'))
    .map((file) => path.join(root, 'src', file));

  await build({
    entryPoints: sources,
    outdir,
    outbase: path.join(root, 'src'),
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  // Node reads the module type from the nearest package.json, and the project's own is above node_modules.
  fs.writeFileSync(path.join(outdir, 'package.json'), '{ "type": "module" }\n');

  return {
    entry: path.join(outdir, 'server', 'server.js'),
    remove: () => fs.rmSync(outdir, { recursive: true, force: true }),
  };
}

export interface ServerProcessOptions {
  /** `server/server.js` from `buildServer`. */
  entry: string;
  dataDir: string;
  databaseUrl: string;
  httpPort: number;
  smtpPort: number;
  /** More `WORKLINK_*` variables, which win over the defaults here. */
  env?: Record<string, string>;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface DeliveryOptions {
  /** Envelope sender; `sender@fabrikam.example` when absent. */
  from?: string;
  to: string[];
}

/** A failed SMTP delivery as nodemailer reports it: `responseCode` for a server reply, `code` for a socket error. */
export interface SmtpFailure extends Error {
  responseCode?: number;
  code?: string;
}

export interface ServerProcess {
  pid: number;
  httpPort: number;
  smtpPort: number;
  /** Settles when the process has exited, however it ended. */
  exited: Promise<ProcessExit>;
  /** Everything the process wrote to stdout and stderr so far, for failure messages. */
  output(): string;
  /** Sends `signal` to the process; does nothing after it has exited. */
  signal(signal: NodeJS.Signals): void;
  /** Sends one raw message over a new SMTP connection; resolves with the `250` reply. */
  deliver(raw: Buffer, envelope: DeliveryOptions): Promise<string>;
  /** Sends SIGTERM, waits up to `timeoutMs`, and sends SIGKILL if the process is still running. */
  stop(timeoutMs?: number): Promise<ProcessExit>;
}

/** Options of every nodemailer transport that talks to a test server: plain SMTP on loopback, bounded waits. */
export function smtpTransportOptions(port: number): {
  host: string;
  port: number;
  secure: false;
  ignoreTLS: true;
  name: string;
  connectionTimeout: number;
  greetingTimeout: number;
  socketTimeout: number;
} {
  return {
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    name: 'client.test',
    connectionTimeout: 5_000,
    greetingTimeout: 5_000,
    socketTimeout: 15_000,
  };
}

function processEnvironment(options: ServerProcessOptions): NodeJS.ProcessEnv {
  // Only what Node needs from the test's environment: no WORKLINK_* variable of the caller may leak in.
  const inherited: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    if (process.env[name] !== undefined) {
      inherited[name] = process.env[name];
    }
  }
  return {
    ...inherited,
    NODE_ENV: 'test',
    WORKLINK_HOST: '127.0.0.1',
    WORKLINK_PORT: String(options.httpPort),
    WORKLINK_SMTP_PORT: String(options.smtpPort),
    WORKLINK_TLS: 'off',
    WORKLINK_AUTH: 'dev',
    WORKLINK_SEED: 'demo',
    WORKLINK_DATA_DIR: options.dataDir,
    WORKLINK_DATABASE_URL: options.databaseUrl,
    WORKLINK_GRAPH_SYNC: 'off',
    WORKLINK_LOG_LEVEL: 'info',
    ...options.env,
  };
}

function waitForExit(child: ChildProcess): Promise<ProcessExit> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

async function healthzAnswers(httpPort: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${httpPort}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Resolves true once the SMTP listener sends its 220 greeting, which it sends only after binding its port. */
function smtpGreets(smtpPort: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(smtpPort, '127.0.0.1');
    let received = '';
    const finish = (greeted: boolean): void => {
      socket.destroy();
      resolve(greeted);
    };
    socket.setEncoding('utf8');
    socket.setTimeout(2_000, () => finish(false));
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.includes('\r\n')) {
        socket.end('QUIT\r\n');
        finish(received.startsWith('220'));
      }
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
  });
}

/**
 * Starts the server and resolves once `/healthz` returns `200` and the SMTP
 * listener greets, because `/healthz` may return 200 before the SMTP port is
 * bound. The working directory is the data directory, so no `.env` of the
 * repository is read. Rejects with the process output when the process
 * exits or is not ready within 30 seconds, after killing it.
 */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const child = spawn(process.execPath, [options.entry], {
    cwd: options.dataDir,
    env: processEnvironment(options),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = waitForExit(child);
  let output = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk: string) => {
    output += chunk;
  });
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error(`The server process did not start: ${options.entry} could not be spawned.`);
  }

  const signal = (name: NodeJS.Signals): void => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(name);
    }
  };
  let exitedEarly = false;
  void exited.then(() => {
    exitedEarly = true;
  });

  const deadline = Date.now() + startTimeoutMs;
  while (!((await healthzAnswers(options.httpPort)) && (await smtpGreets(options.smtpPort)))) {
    if (exitedEarly || Date.now() > deadline) {
      const timedOut = !exitedEarly;
      signal('SIGKILL');
      const exit = await exited;
      const reason = timedOut ? 'timed out' : `exited (code ${exit.code}, signal ${exit.signal})`;
      throw new Error(`The server process ${reason} before it was ready. Its output:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  return {
    pid,
    httpPort: options.httpPort,
    smtpPort: options.smtpPort,
    exited,
    output: () => output,
    signal,
    async deliver(raw, envelope) {
      const transport = nodemailer.createTransport(smtpTransportOptions(options.smtpPort));
      try {
        const info = await transport.sendMail({
          envelope: { from: envelope.from ?? 'sender@fabrikam.example', to: envelope.to },
          raw,
        });
        return info.response;
      } finally {
        transport.close();
      }
    },
    async stop(timeoutMs = 15_000) {
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
