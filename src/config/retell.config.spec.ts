import { readRetellConfig } from './retell.config.js';

describe('Retell mode (RETELL_MODE, RETELL_API_KEY)', () => {
  it.each([
    ['no key, outside production: the emulator', {}, 'emulator'],
    ['no key in development', { NODE_ENV: 'development' }, 'emulator'],
    ['a key: Retell', { RETELL_API_KEY: 'key_live' }, 'retell'],
    ['a key in production: Retell', { NODE_ENV: 'production', RETELL_API_KEY: 'key_live' }, 'retell'],
    ['RETELL_MODE=retell with a key', { RETELL_MODE: 'retell', RETELL_API_KEY: 'key_live' }, 'retell'],
    ['the emulator asked for in production', { NODE_ENV: 'production', RETELL_MODE: 'emulator' }, 'emulator'],
    ['the emulator asked for in development', { RETELL_MODE: 'emulator' }, 'emulator'],
  ])('%s', (_case, env, mode) => {
    expect(readRetellConfig(env).mode).toBe(mode);
  });

  it.each([
    [
      'production without a key and without RETELL_MODE',
      { NODE_ENV: 'production' },
      'Invalid configuration: RETELL_API_KEY is required when NODE_ENV=production (or set RETELL_MODE=emulator to run on the local Retell emulator on purpose)',
    ],
    ['RETELL_MODE=retell without a key', { RETELL_MODE: 'retell' }, 'Invalid configuration: RETELL_API_KEY is required when RETELL_MODE=retell'],
    ['RETELL_MODE=retell without a key, in production', { RETELL_MODE: 'retell', NODE_ENV: 'production' }, 'Invalid configuration: RETELL_API_KEY is required when RETELL_MODE=retell'],
    [
      'RETELL_MODE=emulator with a key (it would not be used)',
      { RETELL_MODE: 'emulator', RETELL_API_KEY: 'key_live' },
      'Invalid configuration: RETELL_API_KEY must not be set when RETELL_MODE=emulator (the emulator accepts and signs with its own key)',
    ],
    ['an unknown mode', { RETELL_MODE: 'sandbox' }, 'Invalid configuration: RETELL_MODE must be one of retell, emulator (got "sandbox")'],
  ])('refuses %s, naming the variable in one line', (_case, env, message) => {
    expect(() => readRetellConfig(env)).toThrow(message);
    expect(message).not.toContain('\n');
  });
});

describe('the in-process emulator (RETELL_EMULATOR_PORT, RETELL_EMULATOR_PERSIST, RETELL_EMULATOR_STATE_DIR)', () => {
  it('listens on a fixed port and keeps its state under .data/ by default, so a restarted app finds its agents', () => {
    expect(readRetellConfig({})).toMatchObject({ emulatorPort: 3199, emulatorStateDir: '.data/retell-emulator' });
    expect(readRetellConfig({ NODE_ENV: 'production', RETELL_MODE: 'emulator' })).toMatchObject({ emulatorPort: 3199, emulatorStateDir: '.data/retell-emulator' });
  });

  it('uses a free port and memory only under NODE_ENV=test, so parallel test apps never share a port or a file', () => {
    expect(readRetellConfig({ NODE_ENV: 'test' })).toMatchObject({ emulatorPort: 0, emulatorStateDir: undefined });
  });

  it('takes an explicit port, folder or no persistence (e.g. two instances side by side)', () => {
    expect(readRetellConfig({ RETELL_EMULATOR_PORT: '0', RETELL_EMULATOR_STATE_DIR: '/tmp/instance-a' })).toMatchObject({
      emulatorPort: 0,
      emulatorStateDir: '/tmp/instance-a',
    });
    expect(readRetellConfig({ RETELL_EMULATOR_PERSIST: 'false' }).emulatorStateDir).toBeUndefined();
    expect(readRetellConfig({ NODE_ENV: 'test', RETELL_EMULATOR_PERSIST: 'true', RETELL_EMULATOR_STATE_DIR: '/tmp/t' }).emulatorStateDir).toBe('/tmp/t');
  });

  it.each([
    [{ RETELL_EMULATOR_PORT: '70000' }, 'Invalid configuration: RETELL_EMULATOR_PORT must be <= 65535 (got 70000)'],
    [{ RETELL_EMULATOR_PERSIST: 'sometimes' }, 'Invalid configuration: RETELL_EMULATOR_PERSIST must be true or false (got "sometimes")'],
  ])('refuses a bad value (%#)', (env, message) => {
    expect(() => readRetellConfig(env)).toThrow(message);
  });
});
