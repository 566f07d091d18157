/**
 * Runs a command (the MikroORM CLI) with DATABASE_URL set: the configured one, or an embedded PostgreSQL started
 * for the duration of the command and stopped afterwards.
 *   node --import @swc-node/register/esm-register src/database/cli.ts mikro-orm migration:up
 */
import { spawn } from 'node:child_process';
import { readDatabaseConfig } from '../config/database.config.js';
import { openDatabase } from './database.js';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: cli.ts <command> [args...]');
  process.exit(2);
}

const database = await openDatabase(readDatabaseConfig(), {
  log: (message) => console.error(message),
  production: process.env.NODE_ENV === 'production',
}).catch((error: Error) => {
  console.error(error.name === 'ConfigError' || error.name === 'StartupError' ? error.message : error);
  process.exit(1);
});
const url = database.url;

const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, DATABASE_URL: url }, shell: false });
const code: number = await new Promise((resolve) => child.on('exit', (exitCode) => resolve(exitCode ?? 1)));
await database.stop();
process.exit(code);
