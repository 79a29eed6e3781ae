/**
 * Real components for the lease tests: the lease server (ground truth) in
 * this process, a redis-server on a free loopback port, and a runner that
 * watches the recording while the probed program is still blocked.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PRELOAD, ROOT, exec, readEvents, readEventsSoFar, tempDir, type Finished, type ProbeEvent } from './probe.js';

export interface LeaseServer {
  url: string;
  expiries: Array<{ id: string; name: string; expiredAt: number; detectedAt: number }>;
  close(): Promise<void>;
}

export async function startLeaseServer(options: { renewDelayMs?: number | number[] } = {}): Promise<LeaseServer> {
  const { createLeaseServer } = (await import(join(ROOT, 'fixtures/lease-server/server.mjs'))) as {
    createLeaseServer: (o: object) => { listen(): Promise<string>; close(): Promise<void>; expiries: LeaseServer['expiries'] };
  };
  const server = createLeaseServer(options);
  const url = await server.listen();
  return { url, expiries: server.expiries, close: () => server.close() };
}

export interface WatchedRun extends Finished {
  recording: string;
  events: ProbeEvent[];
  /** Date.now() in this process when each event type was first seen in the file. */
  firstSeenAt: Map<string, number>;
}

/**
 * Runs `script` under the probe. Once `watchFrom` appears on its stderr,
 * the recording is read every 25 ms and the moment each event type first
 * shows up is noted: proof of what was written while the program was
 * still blocked.
 */
export async function runWatched(script: string, env: NodeJS.ProcessEnv, watchFrom: RegExp, timeoutMs = 60_000): Promise<WatchedRun> {
  const recording = join(tempDir(), 'recording.ndjson');
  const firstSeenAt = new Map<string, number>();
  let poll: NodeJS.Timeout | undefined;
  const look = (): void => {
    for (const event of readEventsSoFar(recording)) {
      if (!firstSeenAt.has(event.type)) firstSeenAt.set(event.type, Date.now());
    }
  };
  const result = await exec(process.execPath, ['--import', PRELOAD, script], {
    env: { STARVE_PROBE_OUT: recording, ...env },
    timeoutMs,
    onStderr: (chunk) => {
      if (!poll && watchFrom.test(chunk)) poll = setInterval(look, 25);
    },
  });
  if (poll) clearInterval(poll);
  return { ...result, recording, events: readEvents(recording), firstSeenAt };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/** A throwaway redis-server on 127.0.0.1 with nothing saved to disk. */
export async function startRedis(): Promise<{ port: number; stop(): Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${text}`)), 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk;
      if (/Ready to accept connections/.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${text}`)));
  });
  return {
    port,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
