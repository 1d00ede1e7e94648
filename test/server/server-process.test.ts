import { spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { availableDialects } from '../support/databases.js';

const serverEntry = path.resolve('src/server/server.ts');
const dialects = await availableDialects();
// Resolved here because the child runs in an empty directory, where `tsx` is not installed.
const tsxLoader = import.meta.resolve('tsx');

interface RunningServer {
  output: () => string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts `server.ts` in a child process with only the given WORKLINK_* variables. */
function startServer(env: Record<string, string>): RunningServer {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('WORKLINK_')));
  const child = spawn(process.execPath, ['--import', tsxLoader, serverEntry], {
    // An empty working directory, so that no .env of the repository is read.
    cwd: env.WORKLINK_DATA_DIR,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return {
    output: () => output,
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    kill: (signal) => child.kill(signal),
  };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('timed out waiting for the server');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function getHealth(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // The generated certificate is self-signed; the request stays on loopback.
    https
      .get(url, { rejectUnauthorized: false }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

// Each test compiles the server with tsx in a child process, which takes several seconds.
describe('server process', { timeout: 120_000 }, () => {
  it('serves HTTPS on loopback and stops on SIGTERM', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'worklink-process-'));
    const server = startServer({
      WORKLINK_DATA_DIR: dataDir,
      WORKLINK_HOST: '127.0.0.1',
      WORKLINK_PORT: '0',
      WORKLINK_SMTP_PORT: '0',
      WORKLINK_SEED: 'demo',
      WORKLINK_ADDIN_DIR: path.join(dataDir, 'addin'),
    });
    try {
      await waitFor(() => server.output().includes('worklink started'), 60_000);
      const url = /Server listening at (https:\/\/127\.0\.0\.1:\d+)/.exec(server.output())?.[1];
      expect(url).toBeDefined();

      const health = await getHealth(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body)).toEqual({ status: 'ok', database: 'sqlite' });
      expect(fs.existsSync(path.join(dataDir, 'tls', 'localhost.crt'))).toBe(true);
      expect(fs.existsSync(path.join(dataDir, 'worklink.sqlite'))).toBe(true);

      server.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(server.output()).toContain('worklink stopped');
    } finally {
      server.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses dev auth on a non-loopback host', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'worklink-process-'));
    try {
      const server = startServer({ WORKLINK_DATA_DIR: dataDir, WORKLINK_HOST: '0.0.0.0', WORKLINK_SMTP_PORT: '0' });
      expect(await server.exited).toBe(1);
      expect(server.output()).toContain('WORKLINK_DEV_AUTH_NOT_LOOPBACK');
      expect(server.output()).not.toContain('Server listening');
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  const unreachableDatabases = [
    {
      name: 'a SQLite file under a regular file',
      url: (dataDir: string) => {
        fs.writeFileSync(path.join(dataDir, 'not-a-folder'), '');
        return `sqlite:${path.join(dataDir, 'not-a-folder', 'worklink.sqlite')}`;
      },
      expected: 'remove or rename the file that is in the way of a folder in that path',
    },
    {
      name: 'a file that is not a SQLite database',
      url: (dataDir: string) => {
        fs.writeFileSync(
          path.join(dataDir, 'notes.txt'),
          'Not a database, but a note that is long enough. '.repeat(40),
        );
        return `sqlite:${path.join(dataDir, 'notes.txt')}`;
      },
      expected: 'point it at a Worklink SQLite file, or at a path where no file exists yet',
    },
    ...(dialects.includes('postgres')
      ? [
          {
            name: 'a PostgreSQL role that does not exist',
            url: () => 'postgres://no_such_worklink_role:secret@127.0.0.1:5432/test',
            expected: 'role "no_such_worklink_role" does not exist',
          },
        ]
      : []),
  ];

  it.each(unreachableDatabases)('names the database and the fix for $name', async ({ url, expected }) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'worklink-process-'));
    try {
      const databaseUrl = url(dataDir);
      const server = startServer({ WORKLINK_DATA_DIR: dataDir, WORKLINK_DATABASE_URL: databaseUrl });
      expect(await server.exited).toBe(1);
      const output = server.output();
      expect(output).toContain('Worklink could not open its database');
      expect(output).toContain(expected);
      expect(output).toContain('Correct WORKLINK_DATABASE_URL');
      // The password stays out of the output, and so does the driver's stack trace.
      expect(output).not.toContain('secret');
      expect(output).not.toMatch(/^\s+at /m);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('names the invalid variable and exits', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'worklink-process-'));
    try {
      const server = startServer({ WORKLINK_DATA_DIR: dataDir, WORKLINK_PORT: 'eighty' });
      expect(await server.exited).toBe(1);
      expect(server.output()).toContain(
        'WORKLINK_CONFIG_INVALID: Invalid configuration. WORKLINK_PORT="eighty" is invalid',
      );
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
