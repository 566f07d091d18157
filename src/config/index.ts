export * from './app.config.js';
export * from './auth.config.js';
export * from './calls.config.js';
export * from './database.config.js';
export * from './retell.config.js';
export { ConfigError, StartupError } from './env.js';
export * from './jobs.config.js';
export * from './campaigns.config.js';
