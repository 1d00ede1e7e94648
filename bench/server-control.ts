/** Starts, queries and stops bench server processes (`server-process.ts`) from the runner. */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ChildMessage, ServerInfo, ServerSpec, StoreCounts } from './server-protocol.js';

const entry = path.join(import.meta.dirname, 'server-process.ts');

/** Maximum wait for one reply of a server process, long enough for a bulk fill of 200,000 messages. */
const replyTimeoutMs = 180_000;

export interface ServerHandle {
  info: ServerInfo;
  /** Process id, for the report and for stopping it. */
  pid: number;
  counts(): Promise<StoreCounts>;
  /** Stops the server, removes its data and waits for the process to exit. */
  stop(): Promise<void>;
}

function nextReply(child: ChildProcess, expected: ChildMessage['type']): Promise<ChildMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Bench server ${child.pid} sent no "${expected}" within ${replyTimeoutMs / 1000} s.`));
    }, replyTimeoutMs);
    const onMessage = (message: ChildMessage): void => {
      cleanup();
      if (message.type === 'error') {
        reject(new Error(`Bench server ${child.pid} failed: ${message.message}`));
      } else if (message.type !== expected) {
        reject(new Error(`Bench server ${child.pid} sent "${message.type}" instead of "${expected}".`));
      } else {
        resolve(message);
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`Bench server ${child.pid} exited with code ${code} before sending "${expected}".`));
    };
    function cleanup(): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Forks a server process, starts `spec` in it and resolves once it listens. */
export async function startServer(spec: ServerSpec): Promise<ServerHandle> {
  // tsx runs the TypeScript entry; stdout and stderr pass through so that a crash is visible.
  const execArgv = ['--import', 'tsx'];
  // `BENCH_PROFILE_DIR` makes each server process write a V8 CPU profile there when it exits.
  const profileDir = process.env.BENCH_PROFILE_DIR;
  if (profileDir !== undefined && profileDir !== '') {
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`);
  }
  const child = fork(entry, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid ?? -1;

  let ready: ChildMessage;
  try {
    const reply = nextReply(child, 'ready');
    child.send({ type: 'start', spec });
    ready = await reply;
  } catch (error) {
    child.kill();
    await exited;
    throw error;
  }
  const info = (ready as Extract<ChildMessage, { type: 'ready' }>).info;

  return {
    info,
    pid,
    async counts() {
      const reply = nextReply(child, 'counts');
      child.send({ type: 'counts' });
      return ((await reply) as Extract<ChildMessage, { type: 'counts' }>).counts;
    },
    async stop() {
      if (child.exitCode !== null) {
        return;
      }
      const reply = nextReply(child, 'stopped');
      child.send({ type: 'stop' });
      try {
        await reply;
      } finally {
        // The process exits by itself after "stopped"; one that hangs is killed.
        const grace = new Promise<void>((resolve) => setTimeout(resolve, 5_000).unref());
        await Promise.race([exited, grace]);
        if (child.exitCode === null && child.signalCode === null) {
          child.kill();
          await exited;
        }
      }
    },
  };
}
