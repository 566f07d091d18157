import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { readAppConfig } from '../config/app.config.js';
import { readRetellConfig } from '../config/retell.config.js';
import { RetellConnection } from './retell-client.provider.js';

/** RetellConnection.open in emulator mode: start-up failures a person can fix are one line naming the variable. */
describe('RetellConnection (emulator mode)', () => {
  let dir: string;
  const opened: RetellConnection[] = [];

  // The connection announces the emulator at warn level; not wanted in the test output.
  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'retell-connection-'));
  });
  afterEach(async () => {
    for (const connection of opened.splice(0)) await connection.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  const connection = (env: Record<string, string>) => {
    const created = new RetellConnection(readRetellConfig({ RETELL_EMULATOR_TIMING: 'fast', ...env }), readAppConfig({}));
    opened.push(created);
    return created;
  };

  it('starts the emulator on the configured port with its state folder', async () => {
    const first = connection({ RETELL_EMULATOR_PORT: '0', RETELL_EMULATOR_STATE_DIR: join(dir, 'state') });
    await first.open();
    expect(first.emulator).toBeDefined();
    expect(first.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('names RETELL_EMULATOR_PORT when the port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(connection({ RETELL_EMULATOR_PORT: String(port), RETELL_EMULATOR_PERSIST: 'false' }).open()).rejects.toThrow(
        `Invalid configuration: RETELL_EMULATOR_PORT is ${port}, which another process is listening on`,
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('names RETELL_EMULATOR_STATE_DIR when another instance holds the folder', async () => {
    const env = { RETELL_EMULATOR_PORT: '0', RETELL_EMULATOR_STATE_DIR: join(dir, 'shared') };
    await connection(env).open();
    await expect(connection(env).open()).rejects.toThrow(/^Invalid configuration: RETELL_EMULATOR_STATE_DIR — .* is in use by process \d+: is another `npm start` running\?/);
  });

  it('names RETELL_EMULATOR_STATE_DIR when the folder cannot be written', async () => {
    writeFileSync(join(dir, 'a-file'), '');
    const stateDir = join(dir, 'a-file', 'state');
    await expect(connection({ RETELL_EMULATOR_PORT: '0', RETELL_EMULATOR_STATE_DIR: stateDir }).open()).rejects.toThrow(
      /^Invalid configuration: RETELL_EMULATOR_STATE_DIR — cannot write .*a-file.* \(ENOTDIR\)/,
    );
  });
});
