import pg from 'pg';
import { StartupError } from '../config/env.js';
import type { DatabaseConfig } from '../config/database.config.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';

export interface DatabaseServer {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** The configured PostgreSQL, or an embedded one kept in `EMBEDDED_PG_DIR` when DATABASE_URL is unset. */
export async function openDatabase(
  config: DatabaseConfig,
  options: { log?: (message: string) => void; production?: boolean } = {},
): Promise<DatabaseServer> {
  if (config.url) {
    await checkDatabaseUrl(config.url, { timeoutMs: config.connectTimeoutMs, createMissing: !options.production, log: options.log });
    return { url: config.url, embedded: false, stop: async () => undefined };
  }
  const server = await startEmbeddedPostgres({ dir: config.embeddedDir, port: config.embeddedPort, log: options.log });
  return { url: server.url, embedded: true, stop: server.stop };
}

/**
 * Connects once before anything else uses DATABASE_URL, so a wrong one stops the start with one line that names the
 * variable, the server (never the password) and the cause, instead of a driver stack from deep inside the ORM.
 * A database that does not exist yet is created (and said so) outside production; in production it is refused, as a
 * misspelt name would otherwise start the app on an empty database.
 */
export async function checkDatabaseUrl(
  url: string,
  options: { timeoutMs: number; createMissing: boolean; log?: (message: string) => void },
): Promise<void> {
  const parsed = new URL(url);
  const host = parsed.hostname || 'localhost';
  const where = `${host}:${parsed.port || 5432}`;
  const database = decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username) || 'postgres';
  const fail = (cause: string) => new StartupError(`DATABASE_URL (${where}, database "${database}"): ${cause.replace(/([^.?])$/, '$1.')}`);
  try {
    await connectAndEnd(url, options.timeoutMs);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== '3D000') throw fail(explain(error, host, where, options.timeoutMs, parsed.password));
    if (!options.createMissing) {
      throw fail('the database does not exist — create it (createdb), or fix the name; with NODE_ENV=production it is never created');
    }
    const maintenance = new URL(url);
    maintenance.pathname = '/postgres';
    const client = new pg.Client({ connectionString: maintenance.toString(), connectionTimeoutMillis: options.timeoutMs });
    try {
      await client.connect();
      await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    } catch (createError) {
      throw fail(`the database does not exist and could not be created: ${explain(createError, host, where, options.timeoutMs, parsed.password)}`);
    } finally {
      await client.end().catch(() => undefined);
    }
    options.log?.(`DATABASE_URL: database "${database}" did not exist on ${where}; created it`);
  }
}

async function connectAndEnd(url: string, timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  // A failed connect also emits 'error'; without a listener that would be an uncaught exception.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } finally {
    await client.end().catch(() => undefined);
  }
}

function explain(error: unknown, host: string, where: string, timeoutMs: number, password: string): string {
  const { code, message = String(error) } = error as { code?: string; message?: string };
  const said = password ? message.split(decodeURIComponent(password)).join('***') : message;
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `cannot resolve the host "${host}" (${code}) — check the host name`;
    case 'ECONNREFUSED':
      return `connection refused by ${where} — is PostgreSQL running and listening there?`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${where} cannot be reached (${code}) — check the host, the port and any firewall`;
    case '28P01':
    case '28000':
      return `the server refused the credentials: ${said}`;
  }
  if (/timeout/i.test(said)) {
    return `no answer from ${where} within ${timeoutMs / 1000} s (DB_CONNECT_TIMEOUT_MS) — check the host, the port and any firewall`;
  }
  return code ? `${said} (${code})` : said;
}
