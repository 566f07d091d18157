import type { DatabaseConfig } from '../config/database.config.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';

export interface DatabaseServer {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** The configured PostgreSQL, or an embedded one kept in `EMBEDDED_PG_DIR` when DATABASE_URL is unset. */
export async function openDatabase(config: DatabaseConfig, log?: (message: string) => void): Promise<DatabaseServer> {
  if (config.url) return { url: config.url, embedded: false, stop: async () => undefined };
  const server = await startEmbeddedPostgres({ dir: config.embeddedDir, port: config.embeddedPort, log });
  return { url: server.url, embedded: true, stop: server.stop };
}
