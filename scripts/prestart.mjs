// `npm start`'s first step: the configuration is checked before anything else (a wrong PORT fails at once, naming
// it), a running instance on the same data folder is named instead of having dist/ rebuilt under it, and the app is
// built only when one of the build's inputs changed since the last build.
//   node scripts/prestart.mjs           check, then build if needed
//   node scripts/prestart.mjs --check   exit 0 when dist/ is current, 3 when a build is due (nothing is built)
//   node scripts/prestart.mjs --stamp   record the inputs as built (the last step of `npm run build`)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Everything `npm run build` reads, in one place: when any of these changes, dist/ is out of date. Folders are read
 * recursively (their node_modules/ and dist/ and *.spec.ts files aside); entries that do not exist are skipped, so a
 * workspace package under packages/ is covered as soon as it is there.
 */
const BUILD_INPUTS = [
  'src',
  'migrations',
  'packages',
  'scripts/generate-metadata.mjs',
  'mikro-orm.config.ts',
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
  'package.json',
  'package-lock.json',
];
const STAMP = 'dist/.build-inputs.json';
const NO_BUILD = 'no build yet';

function inputFiles() {
  const files = [];
  const walk = (path) => {
    if (!existsSync(join(ROOT, path))) return;
    if (!statSync(join(ROOT, path)).isDirectory()) return void files.push(path);
    for (const entry of readdirSync(join(ROOT, path))) {
      if (entry === 'node_modules' || entry === 'dist' || entry.endsWith('.spec.ts')) continue;
      walk(`${path}/${entry}`);
    }
  };
  BUILD_INPUTS.forEach(walk);
  return files.sort();
}

/** A content hash per input file (contents, not mtimes: a checkout or a copy must not force a build). */
function currentInputs() {
  return Object.fromEntries(inputFiles().map((file) => [file, createHash('sha256').update(readFileSync(join(ROOT, file))).digest('hex')]));
}

function changedInputs() {
  let built;
  try {
    built = JSON.parse(readFileSync(join(ROOT, STAMP), 'utf8')).files;
  } catch {
    return [NO_BUILD];
  }
  const now = currentInputs();
  const changed = [...new Set([...Object.keys(now), ...Object.keys(built)])].filter((file) => now[file] !== built[file]);
  return changed.length > 0 && !existsSync(join(ROOT, 'dist/src/main.js')) ? [NO_BUILD] : changed;
}

/**
 * The configuration readers are TypeScript and dist/ may not exist yet: they are loaded with Node's own type
 * stripping, with `./x.js` imports resolved to the `./x.ts` beside them (they use erasable syntax only).
 */
function loadTypeScriptSources() {
  registerHooks({
    resolve(specifier, context, next) {
      if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
        const ts = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
        if (existsSync(fileURLToPath(ts))) return next(ts.href, context);
      }
      return next(specifier, context);
    },
  });
}

function stop(message) {
  console.error(message);
  process.exit(1);
}

async function checkBeforeBuilding() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  loadTypeScriptSources();
  const source = (path) => import(pathToFileURL(join(ROOT, path)).href);
  const config = await source('src/config/index.ts');
  let database;
  try {
    // The same readers main.ts runs: a wrong value stops here, naming the variable, before a minute of building.
    config.readAppConfig();
    config.readAuthConfig();
    config.readRetellConfig();
    config.readCallsConfig();
    database = config.readDatabaseConfig();
  } catch (error) {
    stop(error?.name === 'ConfigError' ? error.message : error);
  }
  if (!database.url) {
    const { inspectDataDir, describeHolder } = await source('src/database/postgres-lock.ts');
    const holder = inspectDataDir(database.embeddedDir);
    if (holder && !holder.orphaned) stop(`Cannot start: ${describeHolder(holder, database.embeddedDir)}.`);
  }
}

if (process.argv.includes('--stamp')) {
  // Run by `npm run build` itself, so any build (the benchmark's, a developer's) counts; after it, because the build
  // regenerates src/metadata.ts, one of the inputs.
  writeFileSync(join(ROOT, STAMP), JSON.stringify({ builtAt: new Date().toISOString(), files: currentInputs() }, null, 1));
  process.exit(0);
}
const changed = changedInputs();
if (process.argv.includes('--check')) {
  console.log(changed.length === 0 ? 'dist/ is up to date' : `a build is due: ${changed.slice(0, 5).join(', ')}`);
  process.exit(changed.length === 0 ? 0 : 3);
}
await checkBeforeBuilding();
if (changed.length > 0) {
  const more = changed.length > 3 ? ` and ${changed.length - 3} more` : '';
  const why = changed[0] === NO_BUILD ? NO_BUILD : `${changed.slice(0, 3).join(', ')}${more} changed since the last build`;
  console.log(`Building (${why})…`);
  rmSync(join(ROOT, STAMP), { force: true });
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
