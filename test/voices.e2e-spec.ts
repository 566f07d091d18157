import { bootTestApp, type TestApp } from './support/app.js';
import { agentBody } from './support/agents.js';
import { createApiKey, createUser, type TestUser } from './support/factories.js';

describe('Voices (e2e)', () => {
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    t = await bootTestApp({ RETELL_MAX_RETRIES: '0' });
    user = await createUser(t.http);
  });
  afterEach(() => {
    t.emulator.clearFaults();
  });
  afterAll(async () => {
    await t.close();
  });

  /** A zero-latency fault changes nothing but counts the requests Retell gets on a path. */
  function countRequests(path: string): () => number {
    const fault = t.emulator.injectFault({ path, kind: 'latency', latencyMs: 0, times: 1000 });
    return () => 1000 - fault.remaining;
  }

  it('answers a clean retryable error while Retell is down and nothing is cached yet', async () => {
    t.emulator.injectFault({ path: '/list-voices', kind: 'status', status: 500 });
    const response = await t.http.get('/voices').set('authorization', user.bearer).expect(502);
    expect(response.body).toMatchObject({ statusCode: 502, retryAfterSeconds: 5 });
  });

  it('lists Retell’s voices by id, in cursor pages', async () => {
    const first = await t.http.get('/voices?limit=5').set('authorization', user.bearer).expect(200);
    expect(first.body.items).toHaveLength(5);
    expect(first.body.items[0]).toEqual({
      voiceId: '11labs-Adrian',
      voiceName: 'Adrian',
      provider: 'elevenlabs',
      gender: 'male',
      accent: 'American',
      age: 'Young',
      previewAudioUrl: expect.stringMatching(/^https:\/\//),
    });
    const ids: string[] = first.body.items.map((voice: { voiceId: string }) => voice.voiceId);
    let cursor: string | null = first.body.nextCursor;
    while (cursor) {
      const page = await t.http.get(`/voices?limit=5&cursor=${cursor}`).set('authorization', user.bearer).expect(200);
      ids.push(...page.body.items.map((voice: { voiceId: string }) => voice.voiceId));
      cursor = page.body.nextCursor;
    }
    expect(ids).toEqual([...ids].sort());
    expect(ids).toHaveLength(21); // the emulator's catalogue
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('serves the cached catalogue without asking Retell again, for listing and for checking voices', async () => {
    const { key } = await createApiKey(t.http, user);
    const requests = countRequests('/list-voices');
    await t.http.get('/voices').set('x-api-key', key).expect(200);
    await t.http.post('/agents').set('x-api-key', key).send(agentBody()).expect(201);
    await t.http.get('/voices?limit=1').set('authorization', user.bearer).expect(200);
    expect(requests()).toBe(0);
  });

  it('keeps answering from the cache while Retell is failing', async () => {
    t.emulator.injectFault({ path: '/list-voices', kind: 'status', status: 500, times: 10 });
    await t.http.get('/voices').set('authorization', user.bearer).expect(200);
  });

  it('checks a voice id against the catalogue: an unknown one is a 400 naming the field, and Retell is not asked', async () => {
    const creates = countRequests('/create-');
    const response = await t.http.post('/agents').set('authorization', user.bearer).send(agentBody({ voiceId: '11labs-Nobody' })).expect(400);
    expect(response.body.details).toEqual([{ field: 'voiceId', messages: ['is not a voice Retell offers (see GET /voices)'] }]);
    expect(creates()).toBe(0);
  });
});

describe('Voices with an expired cache (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp({ RETELL_VOICES_CACHE_TTL_SECONDS: '0', RETELL_MAX_RETRIES: '0' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('asks Retell again once the TTL has passed, and falls back to the last catalogue if that fails', async () => {
    const user = await createUser(t.http);
    await t.http.get('/voices').set('authorization', user.bearer).expect(200);
    const fault = t.emulator.injectFault({ path: '/list-voices', kind: 'latency', latencyMs: 0, times: 100 });
    await t.http.get('/voices').set('authorization', user.bearer).expect(200);
    await t.http.get('/voices').set('authorization', user.bearer).expect(200);
    expect(100 - fault.remaining).toBe(2);
    t.emulator.clearFaults();
    t.emulator.injectFault({ path: '/list-voices', kind: 'reset', times: 5 });
    const stale = await t.http.get('/voices').set('authorization', user.bearer).expect(200);
    expect(stale.body.items.length).toBeGreaterThan(0);
  });
});
