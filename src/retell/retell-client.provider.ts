import { Inject, Injectable, Logger, OnApplicationShutdown, Provider } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import Retell from 'retell-sdk';
import { appConfig } from '../config/app.config.js';
import { ConfigError } from '../config/env.js';
import { retellConfig } from '../config/retell.config.js';
import type { EmulatorStateError, RetellEmulator } from '@retell-agents/retell-emulator';

/** The key the in-process emulator accepts and signs webhooks with; it is not a Retell secret. */
export const EMULATOR_API_KEY = 'key_local_emulator_0000000000000000';

/** Where the app's Retell traffic goes: Retell itself, or the local emulator when no RETELL_API_KEY is set. */
@Injectable()
export class RetellConnection implements OnApplicationShutdown {
  private readonly logger = new Logger('Retell');
  /** Set when this process runs the emulator (no RETELL_API_KEY). */
  emulator?: RetellEmulator;
  apiKey: string;
  baseUrl?: string;

  constructor(
    @Inject(retellConfig.KEY) private readonly config: ConfigType<typeof retellConfig>,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  async open(): Promise<void> {
    if (this.config.mode === 'retell') {
      this.apiKey = this.config.apiKey!;
      this.baseUrl = this.config.baseUrl;
      this.logger.log(`Talking to Retell at ${this.baseUrl ?? 'https://api.retellai.com'}`);
      return;
    }
    this.apiKey = EMULATOR_API_KEY;
    const { emulatorPort: port, emulatorStateDir: stateDir } = this.config;
    this.emulator = new (await loadEmulator())({
      apiKey: EMULATOR_API_KEY,
      accountWebhookUrl: `${this.app.publicBaseUrl}/webhooks/retell`,
      timing: this.config.emulatorTiming,
      concurrencyLimit: this.config.emulatorConcurrencyLimit,
      callDurationMs: this.config.emulatorCallDurationMs,
      logger: (message, level) => (level === 'warn' ? this.logger.warn(message) : this.logger.debug(message)),
      stateDir,
    });
    try {
      this.baseUrl = await this.emulator.start(port);
    } catch (error) {
      throw explainEmulatorStartFailure(error, port);
    }
    this.logger.warn(
      `Retell mode "emulator": using the local Retell emulator at ${this.baseUrl} — no real calls are placed ` +
        `(state ${stateDir ? `kept in ${stateDir}` : 'in memory only'}). Set RETELL_API_KEY to talk to Retell.`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.emulator?.stop();
  }
}

/** Loaded only when used: a deployment talking to Retell never loads the emulator, and its image does not hold it. */
async function loadEmulator(): Promise<typeof RetellEmulator> {
  try {
    return (await import('@retell-agents/retell-emulator')).RetellEmulator;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new ConfigError('RETELL_MODE', 'is emulator, but the emulator package (packages/retell-emulator) is not installed or not built here: set RETELL_API_KEY, or run `npm run build` in a full checkout');
  }
}

/** The start-up failures a person can fix, as one line naming the variable; anything else as it is. */
function explainEmulatorStartFailure(error: unknown, port: number): unknown {
  const { code, path } = error as NodeJS.ErrnoException;
  // A file-system error naming a path while the emulator starts can only come from its state folder.
  if (code !== undefined && path !== undefined) {
    return new ConfigError('RETELL_EMULATOR_STATE_DIR', `— cannot write ${path} (${code}): make it writable, choose another folder, or set RETELL_EMULATOR_PERSIST=false`);
  }
  if (code === 'EADDRINUSE') {
    return new ConfigError('RETELL_EMULATOR_PORT', `is ${port}, which another process is listening on — is another \`npm start\` running? Stop it, or choose another port (0 = any free port)`);
  }
  // Matched by name: a static import of the class would load the emulator package in every mode.
  if (error instanceof Error && error.name === 'EmulatorStateError') {
    const hint = (error as EmulatorStateError).reason === 'in_use' ? ': is another `npm start` running? Stop it, or give this instance its own folder (or RETELL_EMULATOR_PERSIST=false)' : '';
    return new ConfigError('RETELL_EMULATOR_STATE_DIR', `— ${error.message}${hint}`);
  }
  return error;
}

/** The longest wait the SDK may take before retrying on our request path; Retell's `retry-after` has no upper bound. */
export const MAX_SDK_RETRY_WAIT_SECONDS = 5;

/**
 * The SDK honours any `retry-after` before retrying (a 429 asking for an hour would hold the client's request that
 * long). Past our cap we tell it not to retry (`x-should-retry: false`, which the SDK obeys); the error then reaches
 * our error mapping with Retell's `retry-after`, which the client gets as its own retry hint.
 */
export async function cappedRetryFetch(url: string | URL | Request, init?: RequestInit): Promise<Response> {
  const response = await fetch(url, init);
  const afterMs = Number(response.headers.get('retry-after-ms'));
  const afterS = Number(response.headers.get('retry-after'));
  const wait = Number.isFinite(afterMs) && afterMs > 0 ? afterMs / 1000 : Number.isFinite(afterS) ? afterS : 0;
  if (wait <= MAX_SDK_RETRY_WAIT_SECONDS) return response;
  const headers = new Headers(response.headers);
  headers.set('x-should-retry', 'false');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

export const retellClientProvider: Provider = {
  provide: Retell,
  inject: [RetellConnection, retellConfig.KEY],
  useFactory: async (connection: RetellConnection, config: ConfigType<typeof retellConfig>) => {
    await connection.open();
    return new Retell({
      apiKey: connection.apiKey,
      baseURL: connection.baseUrl,
      timeout: config.timeoutMs,
      maxRetries: config.maxRetries,
      fetch: cappedRetryFetch,
    });
  },
};
