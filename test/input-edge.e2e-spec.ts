import request from 'supertest';
import Retell from 'retell-sdk';
import { encodeCursor } from '../src/common/pagination/page.dto.js';
import { UNSTORABLE_MESSAGE } from '../src/common/input/storable-text.js';
import { EMULATOR_API_KEY } from '../src/retell/retell-client.provider.js';
import { bootTestApp, type TestApp } from './support/app.js';
import { agentBody, authHeader, createAgent, type AgentBody } from './support/agents.js';
import { createUser, uniqueName, type TestUser } from './support/factories.js';

const deep = (levels: number, leaf = '1') => '['.repeat(levels) + leaf + ']'.repeat(levels);

describe('input at the edge: text PostgreSQL cannot store, deep JSON, content types, dates (e2e)', () => {
  let t: TestApp;
  let alice: TestUser;
  let agent: AgentBody;
  /** Requests whose responses the contract checker must not see (statuses no operation documents, e.g. a 415 on a bodiless route). */
  let raw: ReturnType<typeof request>;

  beforeAll(async () => {
    t = await bootTestApp();
    raw = request(t.app.getHttpServer());
    alice = await createUser(t.http);
    agent = await createAgent(t.http, alice);
  });
  afterAll(async () => {
    await t.close();
  });

  const usersNamed = async (username: string) => (await t.db.query('select id from users where username = $1', [username])).length;

  describe('NUL and lone surrogates', () => {
    it('refuses them in an unauthenticated body (register, login) with a 400 naming the field, storing nothing', async () => {
      const username = uniqueName();
      const response = await t.http
        .post('/auth/register')
        .send({ username, email: `${username}@example.test`, password: 'correct horse battery staple', firstName: 'Ada\u0000' })
        .expect(400);
      expect(response.body.details).toEqual([{ field: 'firstName', messages: [UNSTORABLE_MESSAGE] }]);
      expect(await usersNamed(username)).toBe(0);
      const login = await t.http.post('/auth/login').send({ login: 'x\ud800', password: 'whatever' }).expect(400);
      expect(login.body.details).toEqual([{ field: 'login', messages: [UNSTORABLE_MESSAGE] }]);
      const low = await t.http.post('/auth/login').send({ login: 'x', password: 'a\udc00b' }).expect(400);
      expect(low.body.details).toEqual([{ field: 'password', messages: [UNSTORABLE_MESSAGE] }]);
    });

    it('finds them at any depth and in keys, before anything reaches Retell', async () => {
      const llmsBefore = t.emulator.state.llms.size;
      const response = await t.http
        .post('/agents')
        .set(...authHeader(alice))
        .send(agentBody({ llmConfiguration: { model: 'gpt-4.1', generalPrompt: 'hello\u0000world' } }))
        .expect(400);
      expect(response.body.details).toEqual([{ field: 'llmConfiguration.generalPrompt', messages: [UNSTORABLE_MESSAGE] }]);
      const keyed = await t.http
        .post(`/agents/${agent.id}/web-calls`)
        .set(...authHeader(alice))
        .send({ metadata: { nested: [{ ['bad\ud83dkey']: 'x' }] } })
        .expect(400);
      expect(keyed.body.details).toEqual([{ field: 'metadata.nested.0.bad\\ud83dkey', messages: [UNSTORABLE_MESSAGE] }]);
      expect(t.emulator.state.llms.size).toBe(llmsBefore);
    });

    it('keeps well-formed surrogate pairs (emoji) and other text', async () => {
      const response = await t.http.patch(`/agents/${agent.id}`).set(...authHeader(alice)).send({ description: 'Front desk 🎧 — ünïcode' }).expect(200);
      expect(response.body.description).toBe('Front desk 🎧 — ünïcode');
    });

    it('refuses them in query and path parameters', async () => {
      const query = await t.http.get('/agents?q=a%00b').set(...authHeader(alice)).expect(400);
      expect(query.body.details).toEqual([{ field: 'q', messages: [UNSTORABLE_MESSAGE] }]);
      const path = await t.http.get('/calls/1%00').set(...authHeader(alice)).expect(400);
      expect(path.body.details).toEqual([{ field: 'id', messages: [UNSTORABLE_MESSAGE] }]);
      // A percent-encoded lone surrogate is not UTF-8 at all, and Fastify refuses a path segment over 100 characters
      // before routing: still a 400 with the envelope.
      for (const url of ['/calls/%ED%A0%80', `/calls/${'9'.repeat(200)}`]) {
        const response = await t.http.get(url).set(...authHeader(alice)).expect(400);
        expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request', details: [{ field: 'path', messages: [expect.any(String)] }] });
        expect(response.body.requestId).toBe(response.headers['x-request-id']);
      }
    });

    it('leaves Retell webhook content to the webhook service: the signature is checked, not the text', async () => {
      // An unsigned event: the edge would answer 400 for the NUL; the webhook route's own check answers 401 instead.
      const response = await t.http
        .post('/webhooks/retell')
        .set('content-type', 'application/json')
        .set('x-retell-signature', 'v=1,d=0')
        .send(JSON.stringify({ event: 'call_started', call: { call_id: 'c\u0000', transcript: 'a\ud800' } }));
      expect(response.status).toBe(401);
    });
  });

  describe('deeply nested JSON', () => {
    it('refuses 10,000 levels with a 400 on public and authenticated routes alike', async () => {
      const body = `{"login":"x","password":"y","extra":${deep(10_000)}}`;
      expect(body.length).toBeGreaterThan(20_000);
      const login = await t.http.post('/auth/login').set('content-type', 'application/json').send(body).expect(400);
      expect(login.body.details).toEqual([{ field: 'body', messages: ['must not be nested deeper than 32 levels'] }]);
      await t.http.post('/agents').set(...authHeader(alice)).set('content-type', 'application/json').send(`{"name":${deep(10_000)}}`).expect(400);
      const signed = `{"event":"call_started","call":${deep(10_000)}}`;
      await t.http
        .post('/webhooks/retell')
        .set('content-type', 'application/json')
        .set('x-retell-signature', await Retell.sign(signed, EMULATOR_API_KEY))
        .send(signed)
        .expect(400);
    });

    it('gives a Retell event room for a partner metadata as deep as a call request may carry', async () => {
      // 31 levels inside `metadata` is the most a call request can carry; Retell echoes it two levels further down.
      const metadata = JSON.parse(`{"m":${deep(30)}}`) as unknown;
      const accepted = await t.http.post(`/agents/${agent.id}/web-calls`).set(...authHeader(alice)).send({ metadata });
      expect(accepted.body.details ?? []).not.toContainEqual(expect.objectContaining({ field: 'body' }));
      const event = JSON.stringify({ event: 'call_started', call: { call_id: `call_deep_${Date.now()}`, agent_id: agent.retellAgentId, call_type: 'web_call', metadata } });
      const response = await t.http
        .post('/webhooks/retell')
        .set('content-type', 'application/json')
        .set('x-retell-signature', await Retell.sign(event, EMULATOR_API_KEY))
        .send(event);
      expect(response.status).toBe(204);
    });

    it('accepts 32 levels, counts brackets inside strings as text, and refuses 33', async () => {
      const ok = await t.http.post('/auth/login').set('content-type', 'application/json').send(`{"login":"${'['.repeat(200)}","password":${deep(31)}}`).expect(400);
      expect(ok.body.details).not.toContainEqual(expect.objectContaining({ field: 'body' }));
      const tooDeep = await t.http.post('/auth/login').set('content-type', 'application/json').send(`{"login":"x","password":${deep(32)}}`).expect(400);
      expect(tooDeep.body.details).toEqual([{ field: 'body', messages: ['must not be nested deeper than 32 levels'] }]);
    });
  });

  describe('content types', () => {
    it('answers form-encoded, multipart and text bodies with 415 and the envelope, on every route', async () => {
      const cases: Array<[string, string]> = [
        ['application/x-www-form-urlencoded', 'login=acme&password=secret'],
        ['multipart/form-data; boundary=x', '--x\r\ncontent-disposition: form-data; name="login"\r\n\r\nacme\r\n--x--\r\n'],
        ['text/plain', '{"login":"acme","password":"secret"}'],
        ['application/json; charset=latin1', '{"login":"acme","password":"secret"}'],
      ];
      for (const [type, body] of cases) {
        for (const path of ['/auth/login', '/auth/register']) {
          const response = await t.http.post(path).set('content-type', type).send(body).expect(415);
          expect(response.body).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type' });
        }
        await t.http.post('/agents').set(...authHeader(alice)).set('content-type', type).send(body).expect(415);
      }
      // A body without any content type is refused the same way.
      const untyped = await raw.post('/auth/login').set('content-type', '').send(Buffer.from('{"login":"a"}'));
      expect(untyped.status).toBe(415);
    });

    it('takes application/json with a UTF-8 charset', async () => {
      await t.http.post('/auth/login').set('content-type', 'application/json; charset=UTF-8').send('{"login":"nobody","password":"wrong"}').expect(401);
    });

    it('accepts an empty body sent as application/json where the body is optional', async () => {
      const published = await t.http.post(`/agents/${agent.id}/publish`).set(...authHeader(alice)).set('content-type', 'application/json').send('');
      expect(published.status).toBe(200);
      // The body parser lets it through: the answer is the route's own (no such call), not a parse error.
      await t.http.post('/calls/999999/refresh').set(...authHeader(alice)).set('content-type', 'application/json').send('').expect(404);
      // Where a body is required, an empty one is a validation error naming the fields.
      const login = await t.http.post('/auth/login').set('content-type', 'application/json').send('').expect(400);
      expect(login.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['login', 'password']);
    });

    it('keeps bodiless requests working whatever their headers', async () => {
      await t.http.get('/agents').set(...authHeader(alice)).set('content-type', 'text/plain').expect(200);
      await t.http.post(`/agents/${agent.id}/publish`).set(...authHeader(alice)).expect(200);
    });
  });

  describe('dates', () => {
    it.each(['+275760-09-13T00:00:00.000Z', '20260101', '20260101T000000Z', '2026-W01', '2026-02-30T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01', '2026-01-01T00:00:00', '10000-01-01T00:00:00Z', '9999-12-31T23:59:59.999-14:00', '0001-01-01T00:00:00+01:00'])(
      'refuses %s as from and as to on GET /calls with a 400 naming the field',
      async (value) => {
        const from = await t.http.get(`/calls?from=${encodeURIComponent(value)}`).set(...authHeader(alice)).expect(400);
        expect(from.body.details).toEqual([{ field: 'from', messages: [expect.stringMatching(/ISO 8601 date-time/)] }]);
        const to = await t.http.get(`/calls?to=${encodeURIComponent(value)}`).set(...authHeader(alice)).expect(400);
        expect(to.body.details).toEqual([{ field: 'to', messages: [expect.stringMatching(/ISO 8601 date-time/)] }]);
      },
    );

    it('accepts real date-times with any offset and fractions', async () => {
      for (const value of ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00.123456+05:30', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '2026-06-30T12:00:00-14:00']) {
        const response = await t.http.get(`/calls?from=${encodeURIComponent(value)}`).set(...authHeader(alice));
        expect([value, response.status]).toEqual([value, 200]);
      }
    });

    it('refuses a cursor whose createdAt PostgreSQL cannot hold', async () => {
      for (const createdAt of ['+275760-09-13T00:00:00.000Z', '20260101', '2026-W01']) {
        const cursor = encodeCursor({ createdAt, id: 5 });
        for (const path of ['/calls', '/agents']) {
          const response = await t.http.get(`${path}?cursor=${cursor}`).set(...authHeader(alice)).expect(400);
          expect(response.body.details).toEqual([{ field: 'cursor', messages: ['is not a valid cursor'] }]);
        }
      }
    });

    it('refuses an odd expiresAt in a body', async () => {
      const response = await t.http.post('/api-keys').set('authorization', alice.bearer).send({ keyName: 'k', expiresAt: '+275760-09-13T00:00:00.000Z' }).expect(400);
      expect(response.body.details).toEqual([{ field: 'expiresAt', messages: [expect.stringMatching(/ISO 8601 date-time/)] }]);
    });
  });
});
