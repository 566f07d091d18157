import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../src/database/embedded-postgres.js';
import { bootTestApp, type TestApp } from './support/app.js';
import { authHeader, createAgent, type AgentBody } from './support/agents.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createUser, type TestUser } from './support/factories.js';

/**
 * `npm start` twice on the same data: the in-process emulator keeps its workspace in RETELL_EMULATOR_STATE_DIR on a
 * fixed RETELL_EMULATOR_PORT, so what the database refers to still exists at "Retell" after a restart.
 */
describe('the emulator across an app restart (e2e)', () => {
  let db: TestDatabase;
  let stateDir: string;
  let env: Record<string, string>;
  let port: number;
  let t: TestApp | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    stateDir = mkdtempSync(join(tmpdir(), 'retell-emulator-restart-'));
    port = await freePort();
    env = { RETELL_EMULATOR_PERSIST: 'true', RETELL_EMULATOR_STATE_DIR: stateDir, RETELL_EMULATOR_PORT: String(await freePort()) };
  });
  afterAll(async () => {
    await t?.close();
    await db.drop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function restart(): Promise<TestApp> {
    await t?.close();
    t = await bootTestApp(env, { db, port });
    return t;
  }

  it('renames, calls and refreshes on an agent and a call made before the restart', async () => {
    let app = await restart();
    const alice: TestUser = await createUser(app.http);
    const agent: AgentBody = await createAgent(app.http, alice);
    await app.http.post(`/agents/${agent.id}/phone-numbers`).set(...authHeader(alice)).send({}).expect(201);
    const before = await app.http.post(`/agents/${agent.id}/calls`).set(...authHeader(alice)).send({ toNumber: '+14155550100' }).expect(201);
    await app.emulator.waitForIdle();
    const ended = await app.http.get(`/calls/${before.body.id}`).set(...authHeader(alice)).expect(200);
    expect(ended.body.status).toBe('ended');

    app = await restart();
    expect(existsSync(join(stateDir, 'state.json'))).toBe(true);
    expect((await app.http.get('/health').expect(200)).body.retell).toBe('emulator');

    const renamed = await app.http.patch(`/agents/${agent.id}`).set(...authHeader(alice)).send({ name: 'Renamed after restart' }).expect(200);
    expect(renamed.body.name).toBe('Renamed after restart');
    expect(app.emulator.state.agents.get(agent.retellAgentId)).toBeDefined();

    const refreshed = await app.http.post(`/calls/${before.body.id}/refresh`).set(...authHeader(alice)).expect(200);
    expect(refreshed.body).toMatchObject({ status: 'ended', recordingUrl: ended.body.recordingUrl, transcript: ended.body.transcript });
    // The recording URL saved before the restart still answers: same port, and the call is still known.
    const recording = await fetch(ended.body.recordingUrl);
    expect(recording.status).toBe(200);
    expect(recording.headers.get('content-type')).toBe('audio/wav');

    const after = await app.http.post(`/agents/${agent.id}/calls`).set(...authHeader(alice)).send({ toNumber: '+14155550101' }).expect(201);
    await app.emulator.waitForIdle();
    const completed = await app.http.get(`/calls/${after.body.id}`).set(...authHeader(alice)).expect(200);
    expect(completed.body).toMatchObject({ status: 'ended', disconnectionReason: 'agent_hangup' });
  });
});
