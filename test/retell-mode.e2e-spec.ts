import Retell from 'retell-sdk';
import { EMULATOR_API_KEY } from '../src/retell/retell-client.provider.js';
import { bootTestApp } from './support/app.js';

/**
 * RETELL_MODE: production runs on the emulator only when asked to (the refusals are unit specs of the configuration,
 * src/config/retell.config.spec.ts), and /health says which Retell is in use.
 */
describe('Retell mode (e2e)', () => {
  // Production defaults would put the emulator on the fixed port and write .data/: a test keeps its own.
  const emulatorOfItsOwn = { RETELL_EMULATOR_PORT: '0', RETELL_EMULATOR_PERSIST: 'false' };

  it('runs on the emulator in production when asked to, says so in /health, and checks webhooks with the emulator key', async () => {
    const t = await bootTestApp({ NODE_ENV: 'production', RETELL_MODE: 'emulator', ...emulatorOfItsOwn });
    try {
      expect((await t.http.get('/health').expect(200)).body).toEqual({ status: 'ok', database: 'up', retell: 'emulator' });
      expect(t.emulator).toBeDefined();
      const body = JSON.stringify({ event: 'call_started', call: { call_id: 'prod-emulator-call', agent_id: 'unknown-agent', call_type: 'web_call', call_status: 'ongoing' } });
      const post = async (key: string) =>
        t.http.post('/webhooks/retell').set('content-type', 'application/json').set('x-retell-signature', await Retell.sign(body, key)).send(body);
      expect((await post('key_some_real_retell_key')).status).toBe(401);
      expect((await post(EMULATOR_API_KEY)).status).toBe(204);
    } finally {
      await t.close();
    }
  });

  it('talks to Retell when RETELL_API_KEY is set, and /health says retell', async () => {
    // Nothing reaches this address while the app starts and answers /health.
    const t = await bootTestApp({ RETELL_API_KEY: 'key_test_not_a_real_key', RETELL_BASE_URL: 'http://127.0.0.1:9' });
    try {
      expect((await t.http.get('/health').expect(200)).body).toEqual({ status: 'ok', database: 'up', retell: 'retell' });
      expect(() => t.emulator).toThrow('tests expect the in-process Retell emulator');
    } finally {
      await t.close();
    }
  });
});
