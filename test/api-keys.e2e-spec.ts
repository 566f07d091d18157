import { bootTestApp, type TestApp } from './support/app.js';
import { createApiKey, createUser } from './support/factories.js';

describe('API keys (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates a key shown once, with a recognisable prefix, storing only its hash', async () => {
    const user = await createUser(t.http);
    const created = await t.http.post('/api-keys').set('authorization', user.bearer).send({ keyName: 'CRM' }).expect(201);
    expect(created.body.key).toMatch(/^rtm_live_[0-9A-Za-z]{36}$/);
    expect(created.body).toMatchObject({ keyName: 'CRM', isActive: true, lastUsedAt: null, keyPrefix: created.body.key.slice(0, 13), lastFour: created.body.key.slice(-4) });

    const rows = await t.db.query<Record<string, unknown>>('select * from api_keys where id = $1', [created.body.id]);
    expect(JSON.stringify(rows)).not.toContain(created.body.key);
    expect(rows[0].api_key).toMatch(/^[0-9a-f]{64}$/);

    const list = await t.http.get('/api-keys').set('authorization', user.bearer).expect(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).not.toHaveProperty('key');
    expect(JSON.stringify(list.body)).not.toContain(created.body.key);
    expect(JSON.stringify(list.body)).not.toContain(rows[0].api_key as string);
    const one = await t.http.get(`/api-keys/${created.body.id}`).set('authorization', user.bearer).expect(200);
    expect(one.body).not.toHaveProperty('key');
  });

  it('authenticates with x-api-key, keeps last_used_at without writing on every request, and revokes', async () => {
    const user = await createUser(t.http);
    const { id, key } = await createApiKey(t.http, user);
    const me = await t.http.get('/users/me').set('x-api-key', key).expect(200);
    expect(me.body.id).toBe(user.id);
    const [first] = await t.db.query<{ last_used_at: Date }>('select last_used_at from api_keys where id = $1', [id]);
    expect(first.last_used_at).not.toBeNull();
    await t.http.get('/users/me').set('x-api-key', key).expect(200);
    const [second] = await t.db.query<{ last_used_at: Date }>('select last_used_at from api_keys where id = $1', [id]);
    expect(second.last_used_at.getTime()).toBe(first.last_used_at.getTime());

    // Once the stored value is older than the interval, the next use moves it.
    await t.db.query(`update api_keys set last_used_at = now() - interval '2 hours' where id = $1`, [id]);
    await t.http.get('/users/me').set('x-api-key', key).expect(200);
    const [third] = await t.db.query<{ last_used_at: Date }>('select last_used_at from api_keys where id = $1', [id]);
    expect(Date.now() - third.last_used_at.getTime()).toBeLessThan(60_000);

    await t.http.delete(`/api-keys/${id}`).set('authorization', user.bearer).expect(204);
    const revoked = await t.http.get('/users/me').set('x-api-key', key).expect(401);
    expect(revoked.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    const listed = await t.http.get(`/api-keys/${id}`).set('authorization', user.bearer).expect(200);
    expect(listed.body.isActive).toBe(false);
  });

  it('refuses an expired key', async () => {
    const user = await createUser(t.http);
    const future = new Date(Date.now() + 3600_000).toISOString();
    const created = await t.http.post('/api-keys').set('authorization', user.bearer).send({ keyName: 'short-lived', expiresAt: future }).expect(201);
    await t.http.get('/users/me').set('x-api-key', created.body.key).expect(200);
    await t.db.query(`update api_keys set expires_at = now() - interval '1 minute' where id = $1`, [created.body.id]);
    await t.http.get('/users/me').set('x-api-key', created.body.key).expect(401);
  });

  it('refuses an expiry in the past at creation', async () => {
    const user = await createUser(t.http);
    const response = await t.http.post('/api-keys').set('authorization', user.bearer).send({ keyName: 'k', expiresAt: '2001-01-01T00:00:00Z' }).expect(400);
    expect(response.body.details).toEqual([{ field: 'expiresAt', messages: ['must be in the future'] }]);
  });

  it.each([
    ['random text', 'hello'],
    ['the right shape with a wrong checksum', 'rtm_live_' + 'A'.repeat(36)],
    ['a well-formed key that does not exist', undefined],
  ])('refuses %s with the same 401', async (_case, presented) => {
    const user = await createUser(t.http);
    const { key } = await createApiKey(t.http, user);
    const unknown = presented ?? (await (async () => {
      await t.db.query('delete from api_keys where api_key is not null and user_id = $1', [user.id]);
      return key;
    })());
    const response = await t.http.get('/users/me').set('x-api-key', unknown).expect(401);
    expect(response.body.message).toBe('Invalid API key');
  });

  it('does not let an API key manage keys or the account (403)', async () => {
    const user = await createUser(t.http);
    const { id, key } = await createApiKey(t.http, user);
    await t.http.post('/api-keys').set('x-api-key', key).send({ keyName: 'escalate' }).expect(403);
    await t.http.get('/api-keys').set('x-api-key', key).expect(403);
    await t.http.delete(`/api-keys/${id}`).set('x-api-key', key).expect(403);
    await t.http.delete('/users/me').set('x-api-key', key).expect(403);
  });

  it("cannot see or revoke another user's key (404, like a missing one)", async () => {
    const alice = await createUser(t.http);
    const bob = await createUser(t.http);
    const { id, key } = await createApiKey(t.http, alice);
    const foreign = await t.http.get(`/api-keys/${id}`).set('authorization', bob.bearer).expect(404);
    const missing = await t.http.get('/api-keys/2147483000').set('authorization', bob.bearer).expect(404);
    expect(foreign.body.message).toBe(missing.body.message);
    await t.http.delete(`/api-keys/${id}`).set('authorization', bob.bearer).expect(404);
    const bobsList = await t.http.get('/api-keys').set('authorization', bob.bearer).expect(200);
    expect(bobsList.body.items).toEqual([]);
    // Alice's key still works.
    const me = await t.http.get('/users/me').set('x-api-key', key).expect(200);
    expect(me.body.id).toBe(alice.id);
  });

  it('pages the list with a cursor, newest first', async () => {
    const user = await createUser(t.http);
    for (let i = 0; i < 5; i++) await createApiKey(t.http, user, `key ${i}`);
    const first = await t.http.get('/api-keys?limit=2').set('authorization', user.bearer).expect(200);
    expect(first.body.items.map((k: { keyName: string }) => k.keyName)).toEqual(['key 4', 'key 3']);
    const second = await t.http.get(`/api-keys?limit=2&cursor=${first.body.nextCursor}`).set('authorization', user.bearer).expect(200);
    expect(second.body.items.map((k: { keyName: string }) => k.keyName)).toEqual(['key 2', 'key 1']);
    const third = await t.http.get(`/api-keys?limit=2&cursor=${second.body.nextCursor}`).set('authorization', user.bearer).expect(200);
    expect(third.body.items.map((k: { keyName: string }) => k.keyName)).toEqual(['key 0']);
    expect(third.body.nextCursor).toBeNull();
    await t.http.get('/api-keys?limit=101').set('authorization', user.bearer).expect(400);
    await t.http.get('/api-keys?limit=0').set('authorization', user.bearer).expect(400);
    await t.http.get('/api-keys?cursor=%7Bnot-a-cursor').set('authorization', user.bearer).expect(400);
  });
});
