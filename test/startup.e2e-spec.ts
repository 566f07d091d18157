import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { checkDatabaseUrl } from '../src/database/database.js';
import { freePort } from '../src/database/embedded-postgres.js';

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real start-up path (src/main.ts) with `env` on top of the test environment, until it exits by itself. */
function start(env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=retell-agents-source', '--import', '@swc-node/register/esm-register', 'src/main.ts'], {
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // A start that gets past the failure it should stop at would run on: give up on it (by its own pid).
    const limit = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(limit);
      resolve({ code, stdout, stderr });
    });
  });
}

function adminUrl(): URL {
  return new URL(process.env.TEST_ADMIN_DATABASE_URL!);
}

/** Issue 12, item 3: a bad DATABASE_URL stops the start with one line naming the variable, the host and the cause. */
describe('start-up with a bad DATABASE_URL', () => {
  const password = 'n0t-in-any-log';

  function expectOneLine(result: Exit, ...parts: (string | RegExp)[]): void {
    expect(result.code).toBe(1);
    const line = result.stderr.trim();
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toContain('DATABASE_URL');
    for (const part of parts) expect(line).toMatch(part);
    expect(result.stderr + result.stdout).not.toContain(password);
  }

  it('a refused port', async () => {
    const port = await freePort();
    const result = await start({ DATABASE_URL: `postgres://app:${password}@127.0.0.1:${port}/app` });
    expectOneLine(result, `127.0.0.1:${port}`, /connection refused/);
  }, 90_000);

  it('a host that does not resolve', async () => {
    const result = await start({ DATABASE_URL: `postgres://app:${password}@db.invalid:5432/app` });
    expectOneLine(result, 'db.invalid', /cannot resolve/);
  }, 90_000);

  describe('a server that never answers', () => {
    let silent: Server;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      // Accepts the TCP connection and then says nothing, as an unroutable host or a black-holing firewall would.
      silent = createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });

    it('fails after DB_CONNECT_TIMEOUT_MS, naming it', async () => {
      const port = (silent.address() as { port: number }).port;
      const result = await start({ DATABASE_URL: `postgres://app:${password}@127.0.0.1:${port}/app`, DB_CONNECT_TIMEOUT_MS: '1000' });
      expectOneLine(result, `127.0.0.1:${port}`, /no answer .* within 1 s \(DB_CONNECT_TIMEOUT_MS\)/);
    }, 90_000);
  });

  it('credentials the server refuses', async () => {
    const url = adminUrl();
    url.username = `nobody_${randomBytes(3).toString('hex')}`;
    url.password = password;
    const result = await start({ DATABASE_URL: url.toString() });
    expectOneLine(result, `${url.hostname}:${url.port || 5432}`, /refused the credentials/, new RegExp(url.username));
  }, 90_000);

  it('a malformed URL', async () => {
    const result = await start({ DATABASE_URL: `postgres://app:${password}@db.example:port/app` });
    expectOneLine(result, /DATABASE_URL must be a valid URL/);
  }, 90_000);

  it('a database that does not exist, in production: refused', async () => {
    const url = adminUrl();
    url.pathname = `/missing_${randomBytes(4).toString('hex')}`;
    const result = await start({ DATABASE_URL: url.toString(), NODE_ENV: 'production', RETELL_MODE: 'emulator' });
    expectOneLine(result, `database "${url.pathname.slice(1)}"`, /does not exist .* never created/);
  }, 90_000);
});

describe('checkDatabaseUrl with a database that does not exist (outside production)', () => {
  it('creates it and says so', async () => {
    const url = adminUrl();
    const name = `created_${randomBytes(4).toString('hex')}`;
    url.pathname = `/${name}`;
    const logged: string[] = [];
    await checkDatabaseUrl(url.toString(), { timeoutMs: 10_000, createMissing: true, log: (line) => logged.push(line) });
    expect(logged).toEqual([`DATABASE_URL: database "${name}" did not exist on ${url.hostname}:${url.port || 5432}; created it`]);
    const admin = new pg.Client({ connectionString: adminUrl().toString() });
    await admin.connect();
    try {
      expect((await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount).toBe(1);
      await admin.query(`drop database "${name}"`);
    } finally {
      await admin.end();
    }
  });
});
