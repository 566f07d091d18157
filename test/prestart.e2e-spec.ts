import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';

const REPO = resolve('.');

/**
 * Issue 12, item 4 (and item 2's "second npm start"): `npm start`'s prestart step checks the configuration first,
 * names a running instance, and builds only when an input changed. It runs here in a small copy of the project whose
 * `npm run build` is a stand-in that records each build, so the decisions are observed without a real build.
 */
describe('scripts/prestart.mjs', () => {
  let project: string;
  const builds = () => (existsSync(join(project, 'builds.log')) ? readFileSync(join(project, 'builds.log'), 'utf8').split('\n').filter(Boolean).length : 0);

  function prestart(env: Record<string, string | undefined> = {}, ...args: string[]) {
    const merged: Record<string, string | undefined> = { ...process.env, ...env };
    for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
    const result = spawnSync(process.execPath, ['scripts/prestart.mjs', ...args], { cwd: project, env: merged as NodeJS.ProcessEnv, encoding: 'utf8' });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'prestart-spec-'));
    chmodSync(project, 0o755);
    mkdirSync(join(project, 'src/database'), { recursive: true });
    mkdirSync(join(project, 'scripts'));
    cpSync(join(REPO, 'scripts/prestart.mjs'), join(project, 'scripts/prestart.mjs'));
    for (const file of readdirSync(join(REPO, 'src/config'))) {
      if (!file.endsWith('.spec.ts')) cpSync(join(REPO, 'src/config', file), join(project, 'src/config', file));
    }
    cpSync(join(REPO, 'src/database/postgres-lock.ts'), join(project, 'src/database/postgres-lock.ts'));
    symlinkSync(join(REPO, 'node_modules'), join(project, 'node_modules'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'copy', private: true, type: 'module', scripts: { build: 'node build.mjs && node scripts/prestart.mjs --stamp' } }));
    writeFileSync(
      join(project, 'build.mjs'),
      `import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
       mkdirSync('dist/src', { recursive: true });
       writeFileSync('dist/src/main.js', '');
       appendFileSync('builds.log', 'built\\n');`,
    );
  });

  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('stops at a wrong PORT, naming it, before building anything', () => {
    const result = prestart({ PORT: 'eighty' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('Invalid configuration: PORT must be an integer (got "eighty")');
    expect(result.stdout).not.toContain('Building');
    expect(builds()).toBe(0);
    expect(existsSync(join(project, 'dist'))).toBe(false);
  });

  it('names a running instance on the data folder instead of rebuilding under it', async () => {
    const dir = join(project, '.data/postgres');
    const running = await startEmbeddedPostgres({ dir, fast: true });
    try {
      const pid = readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0];
      const result = prestart({ DATABASE_URL: undefined, EMBEDDED_PG_DIR: dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`is in use by PostgreSQL pid ${pid}, started by pid ${process.pid}`);
      expect(result.stderr).toContain('is another `npm start` running?');
      expect(builds()).toBe(0);
    } finally {
      await running.stop();
      rmSync(join(project, '.data'), { recursive: true, force: true });
    }
  }, 120_000);

  it('builds when there is no build, then only when an input changed', () => {
    expect(prestart({}, '--check')).toMatchObject({ code: 3, stdout: 'a build is due: no build yet\n' });

    const first = prestart();
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Building (no build yet)');
    expect(builds()).toBe(1);
    expect(prestart({}, '--check')).toMatchObject({ code: 0, stdout: 'dist/ is up to date\n' });

    const again = prestart();
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('Building');
    expect(builds()).toBe(1);

    // A spec file is not part of the build.
    writeFileSync(join(project, 'src/config/extra.spec.ts'), 'export {};\n');
    expect(prestart().stdout).not.toContain('Building');
    expect(builds()).toBe(1);

    appendFileSync(join(project, 'src/config/app.config.ts'), '\n// changed\n');
    const changed = prestart();
    expect(changed.code).toBe(0);
    expect(changed.stdout).toContain('Building (src/config/app.config.ts changed since the last build)');
    expect(builds()).toBe(2);
    expect(prestart().stdout).not.toContain('Building');
    expect(builds()).toBe(2);

    // A build run by hand (`npm run build`, as the benchmark does) counts too.
    appendFileSync(join(project, 'src/config/app.config.ts'), '\n// changed again\n');
    expect(spawnSync('npm', ['run', 'build'], { cwd: project, encoding: 'utf8' }).status).toBe(0);
    expect(builds()).toBe(3);
    expect(prestart().stdout).not.toContain('Building');
    expect(builds()).toBe(3);
  }, 60_000);
});
