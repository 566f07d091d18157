import { bootTestApp, type TestApp } from './support/app.js';
import { createUser } from './support/factories.js';

describe('platform: errors, health, docs (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const envelopeKeys = ['error', 'message', 'requestId', 'statusCode'];

  it('answers an unknown route with the JSON envelope', async () => {
    const response = await t.http.get('/no/such/route').expect(404).expect('content-type', /application\/json/);
    expect(Object.keys(response.body).sort()).toEqual(envelopeKeys);
    expect(response.body.requestId).toBe(response.headers['x-request-id']);
  });

  it('answers malformed JSON with a 400 envelope', async () => {
    const response = await t.http.post('/auth/login').set('content-type', 'application/json').send('{"login": ').expect(400);
    expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/not valid JSON/) });
  });

  it('answers a wrong content type with 415 and an oversized body with 413', async () => {
    await t.http.post('/auth/login').set('content-type', 'application/xml').send('<login/>').expect(415);
    const big = await t.http.post('/auth/login').send({ login: 'x', password: 'y'.repeat(1_100_000) }).expect(413);
    expect(big.body.statusCode).toBe(413);
  });

  it('rejects unknown fields and wrong types with a per-field list', async () => {
    const response = await t.http.post('/auth/login').send({ login: 42, password: 'p', admin: true }).expect(400);
    expect(response.body.message).toBe('Validation failed');
    expect(response.body.details).toEqual(
      expect.arrayContaining([
        { field: 'admin', messages: ['is not allowed'] },
        { field: 'login', messages: expect.arrayContaining(['login must be a string']) },
      ]),
    );
  });

  it('answers a non-numeric or out-of-range id with 400, never a database error', async () => {
    const user = await createUser(t.http);
    for (const id of ['abc', '0', '-1', '99999999999', '1.5']) {
      const response = await t.http.get(`/api-keys/${id}`).set('authorization', user.bearer);
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([{ field: 'id', messages: ['must be a positive integer id'] }]);
    }
  });

  it('never leaks internals: no stack, SQL or server banner in error bodies', async () => {
    const responses = await Promise.all([
      t.http.get('/no/such/route'),
      t.http.post('/auth/login').set('content-type', 'application/json').send('{'),
      t.http.get('/users/me').set('authorization', 'Bearer x'),
    ]);
    for (const response of responses) {
      const text = JSON.stringify(response.body);
      expect(text).not.toMatch(/stack|at \w+ \(|select |insert |node_modules/i);
      expect(response.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('keeps a harmless incoming x-request-id and replaces a hostile one', async () => {
    const kept = await t.http.get('/health').set('x-request-id', 'abc-123');
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const replaced = await t.http.get('/health').set('x-request-id', 'bad id\twith spaces');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports health with a database check', async () => {
    const response = await t.http.get('/health').expect(200);
    expect(response.body).toEqual({ status: 'ok', database: 'up', retell: 'emulator' });
  });

  it('serves Swagger UI and an OpenAPI document with both security schemes', async () => {
    const ui = await t.http.get('/docs').redirects(1).expect(200);
    expect(ui.text).toContain('swagger-ui');
    const doc = await t.http.get('/docs-json').expect(200);
    expect(doc.body.components.securitySchemes).toEqual({
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      'api-key': { type: 'apiKey', in: 'header', name: 'x-api-key' },
    });
    expect(doc.body.paths['/auth/login'].post.security).toEqual([]);
    expect(doc.body.paths['/users/me'].get.security).toEqual([{ bearer: [] }, { 'api-key': [] }]);
    expect(doc.body.paths['/api-keys'].post.security).toEqual([{ bearer: [] }]);
  });

  it('sends security headers', async () => {
    const response = await t.http.get('/health');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
  });
});
