import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../src/database/embedded-postgres.js';

/**
 * The app as a separate process (`src/main.ts` under swc, as `npm start` runs the build) on a given database, for
 * tests of several instances sharing one database. Stopped by its own process group, never by name.
 * (Engineer `edge` is writing test/support/instances.ts for the same purpose; the two are to be unified.)
 */
export interface AppProcess {
  baseUrl: string;
  pid: number;
  output(): string;
  /** SIGKILL to the whole group: an instance that dies mid-work, with no shutdown hooks. */
  kill(): Promise<void>;
  /** SIGTERM, then waits for a clean exit. */
  stop(): Promise<void>;
}

export async function startAppProcess(databaseUrl: string, env: Record<string, string> = {}): Promise<AppProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, ['--conditions=retell-agents-source', '--import', '@swc-node/register/esm-register', 'src/main.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_BASE_URL: baseUrl,
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.APP_PROCESS_LOG_LEVEL ?? 'warn',
      ...env,
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, name);
    } catch {
      // already gone
    }
    await exited;
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`app process exited with ${child.exitCode}:\n${output}`);
    const up = await fetch(`${baseUrl}/health`).then((r) => r.ok).catch(() => false);
    if (up) break;
    if (Date.now() > deadline) {
      await signal('SIGKILL');
      throw new Error(`app process did not answer /health in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { baseUrl, pid: child.pid!, output: () => output, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}
