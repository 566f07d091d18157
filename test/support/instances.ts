import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort } from '../../src/database/embedded-postgres.js';

/** One running app process (src/main.ts, as `npm start` runs it but compiled on the fly by swc). */
export interface AppInstance {
  pid: number;
  port: number;
  baseUrl: string;
  /** The instance's own working folder: its `.data/` (dev secret, emulator state, …) is private to it. */
  dir: string;
  /** The process's stdout and stderr so far (the last 64 KB), for failure messages. */
  output(): string;
  /** SIGTERM to its process group (a graceful shutdown), SIGKILL after 15 s. */
  stop(): Promise<void>;
  /** SIGKILL to its process group at once: an instance that dies mid-work, with no shutdown hooks. */
  kill(): Promise<void>;
}

export interface InstancesOptions {
  /** The shared database: a URL from the test's own createTestDatabase(). */
  databaseUrl: string;
  /** Extra environment for every instance, or per instance (index → env). */
  env?: Record<string, string> | ((index: number) => Record<string, string>);
  /** How long one instance may take to answer /health with 200. Generous: the machine is shared. */
  startTimeoutMs?: number;
}

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const OUTPUT_LIMIT = 64 * 1024;

/**
 * Starts `count` real app processes on one database. The first applies the migrations; the others start once it is
 * healthy, together, with DB_MIGRATE_ON_START=false (two migrators racing on an empty database would fail). Each one
 * listens on its own free port, with PUBLIC_BASE_URL pointing at itself (so its emulator's webhooks come back to it),
 * its in-process Retell emulator on a random port (RETELL_EMULATOR_PORT=0) and its own working folder, so nothing
 * kept under `.data/` is shared and a developer's `.env` is not read. Every process is stopped by its own pid.
 */
export async function startInstances(count: number, options: InstancesOptions): Promise<AppInstance[]> {
  const started: AppInstance[] = [];
  try {
    started.push(await startOne(0, options, true));
    started.push(...(await Promise.all(Array.from({ length: count - 1 }, (_, i) => startOne(i + 1, options, false)))));
    return started;
  } catch (error) {
    await stopInstances(started);
    throw error;
  }
}

/** One more instance on a database that is already migrated (e.g. a worker joining a running deployment). */
export function startInstance(options: InstancesOptions, index = 0): Promise<AppInstance> {
  return startOne(index, options, false);
}

export async function stopInstances(instances: AppInstance[]): Promise<void> {
  await Promise.all(instances.map((instance) => instance.stop()));
}

async function startOne(index: number, options: InstancesOptions, migrate: boolean): Promise<AppInstance> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), `retell-agents-instance-${index}-`));
  const extra = typeof options.env === 'function' ? options.env(index) : (options.env ?? {});
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.INSTANCE_LOG_LEVEL ?? 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_BASE_URL: baseUrl,
    DATABASE_URL: options.databaseUrl,
    DB_MIGRATE_ON_START: String(migrate),
    // One secret for all, so a token issued by one instance is accepted by the others, as behind a load balancer.
    JWT_SECRET: process.env.JWT_SECRET ?? 'test-secret-that-is-long-enough-for-hs256-0123456789',
    RETELL_EMULATOR_PORT: '0',
    RETELL_EMULATOR_TIMING: process.env.RETELL_EMULATOR_TIMING ?? 'fast',
    SWC_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
    ...extra,
  };
  const child = spawn(
    process.execPath,
    ['--conditions=retell-agents-source', '--import', pathToFileURL(join(ROOT, 'test/support/instance-loader.mjs')).href, join(ROOT, 'src/main.ts')],
    // Its own process group: stop() signals exactly this process and whatever it started, by pid.
    { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));

  const instance: AppInstance = {
    pid: child.pid!,
    port,
    baseUrl,
    dir,
    output: () => output,
    stop: async () => {
      await stopProcess(child, exited);
      rmSync(dir, { recursive: true, force: true });
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitHealthy(instance, child, options.startTimeoutMs ?? 90_000);
  } catch (error) {
    await instance.stop();
    throw error;
  }
  return instance;
}

async function waitHealthy(instance: AppInstance, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`instance on port ${instance.port} exited (${child.exitCode ?? child.signalCode}) before it was healthy:\n${instance.output()}`);
    }
    try {
      const response = await fetch(`${instance.baseUrl}/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`instance on port ${instance.port} was not healthy within ${timeoutMs} ms:\n${instance.output()}`);
}

/** SIGTERM to the instance's own process group (a graceful shutdown), SIGKILL if it has not exited in 15 s. */
async function stopProcess(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const killed = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 15_000).unref())]);
  if (!killed) {
    signal('SIGKILL');
    await exited;
  }
}
