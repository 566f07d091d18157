import { readDatabaseConfig } from './src/config/database.config.js';
import { ormOptions } from './src/database/orm-options.js';

/**
 * Config for the MikroORM CLI. The npm scripts (`migration:*`) run the CLI through src/database/cli.ts, which
 * starts the embedded PostgreSQL when DATABASE_URL is unset and passes its URL on.
 */
const database = readDatabaseConfig();
if (!database.url) {
  throw new Error('DATABASE_URL is not set: run the MikroORM CLI through `npm run migration:*`');
}

export default ormOptions({ url: database.url, debug: database.debugSql });
