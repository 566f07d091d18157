import { RetellEmulator, type TimingMode } from './emulator.js';

/**
 * `npm run emulator`: the Retell emulator as its own process, paced like real calls.
 *
 *   RETELL_EMULATOR_PORT         port to listen on (default 8787; 0 = any free port)
 *   RETELL_EMULATOR_HOST         interface to bind (default 127.0.0.1; the control API must stay private)
 *   RETELL_API_KEY               the key clients must send and webhooks are signed with (default: a fixed dev key)
 *   RETELL_EMULATOR_WEBHOOK_URL  account-level webhook URL for agents without their own
 *   RETELL_EMULATOR_TIMING       human (default) or fast
 *   RETELL_EMULATOR_STATE_DIR    keep the workspace in this folder across restarts (default: memory only)
 *   RETELL_EMULATOR_CONCURRENCY_LIMIT  the workspace's concurrent-call limit (default 20)
 *   RETELL_EMULATOR_CALL_DURATION_MS   how long a connected call talks (default: the timing's own)
 */

const DEV_API_KEY = 'key_retell_emulator_dev_0000000000';

function readPort(raw: string | undefined): number {
  const port = Number(raw ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`RETELL_EMULATOR_PORT must be a port number, got "${raw}".`);
  return port;
}

function readTiming(raw: string | undefined): TimingMode {
  if (raw === undefined || raw === 'human' || raw === 'fast') return raw ?? 'human';
  throw new Error(`RETELL_EMULATOR_TIMING must be human or fast, got "${raw}".`);
}

function readInt(name: string, raw: string | undefined, max: number): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) throw new Error(`${name} must be an integer from 0 to ${max}, got "${raw}".`);
  return value;
}

async function main(): Promise<void> {
  const env = process.env;
  const apiKey = env.RETELL_API_KEY || DEV_API_KEY;
  const accountWebhookUrl = env.RETELL_EMULATOR_WEBHOOK_URL || undefined;
  const log = (message: string): void => console.log(`[retell-emulator] ${message}`);
  const stateDir = env.RETELL_EMULATOR_STATE_DIR || undefined;
  const emulator = new RetellEmulator({
    apiKey,
    accountWebhookUrl,
    timing: readTiming(env.RETELL_EMULATOR_TIMING),
    logger: log,
    stateDir,
    concurrencyLimit: readInt('RETELL_EMULATOR_CONCURRENCY_LIMIT', env.RETELL_EMULATOR_CONCURRENCY_LIMIT, 100_000),
    callDurationMs: readInt('RETELL_EMULATOR_CALL_DURATION_MS', env.RETELL_EMULATOR_CALL_DURATION_MS, 7_200_000),
  });
  const url = await emulator.start(readPort(env.RETELL_EMULATOR_PORT), env.RETELL_EMULATOR_HOST || '127.0.0.1');

  log(`Retell emulator listening on ${url} (point the SDK's baseURL or RETELL_BASE_URL here)`);
  log(env.RETELL_API_KEY ? 'API key: taken from RETELL_API_KEY' : `API key: ${apiKey} (set RETELL_API_KEY to choose another)`);
  log(`Account webhook URL: ${accountWebhookUrl ?? 'none (set RETELL_EMULATOR_WEBHOOK_URL)'}`);
  log(`State: ${stateDir ? `kept in ${stateDir}` : 'in memory only (set RETELL_EMULATOR_STATE_DIR to keep it across restarts)'}`);
  log(`Concurrency limit: ${emulator.concurrency.concurrency_limit} (set RETELL_EMULATOR_CONCURRENCY_LIMIT to change it)`);
  log(`Control API (unauthenticated, keep it private): ${url}/__emulator/`);

  const shutdown = (signal: string): void => {
    log(`${signal} received, shutting down`);
    emulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`[retell-emulator] failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
