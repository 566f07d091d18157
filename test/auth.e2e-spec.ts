import { createHmac } from 'node:crypto';
import { bootTestApp, type TestApp } from './support/app.js';
import { createUser, PASSWORD, uniqueName } from './support/factories.js';

const SECRET = process.env.JWT_SECRET!;

function b64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A JWT signed with the app's own secret, so only the property under test is wrong. */
function forgeJwt(payload: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
  const head = `${b64url(header)}.${b64url(payload)}`;
  if (header.alg === 'none') return `${head}.`;
  return `${head}.${createHmac('sha256', SECRET).update(head).digest('base64url')}`;
}

describe('auth and users (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('registers a user and never returns the password hash', async () => {
    const username = uniqueName();
    const response = await t.http
      .post('/auth/register')
      .send({ username, email: `${username.toUpperCase()}@Example.test`, password: PASSWORD, firstName: 'Ada' })
      .expect(201);
    expect(response.body).toMatchObject({ username, email: `${username}@example.test`, firstName: 'Ada', lastName: null, isActive: true });
    expect(JSON.stringify(response.body)).not.toMatch(/password|argon/i);
    const [row] = await t.db.query<{ password_hash: string }>('select password_hash from users where username = $1', [username]);
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('answers 409 for a duplicate username or e-mail, case-insensitively for e-mail', async () => {
    const user = await createUser(t.http);
    const dupName = await t.http.post('/auth/register').send({ username: user.username, email: `${uniqueName()}@example.test`, password: PASSWORD }).expect(409);
    expect(dupName.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
    await t.http.post('/auth/register').send({ username: uniqueName(), email: user.email.toUpperCase(), password: PASSWORD }).expect(409);
  });

  it('rejects weak, oversized and malformed registrations with per-field messages', async () => {
    const response = await t.http.post('/auth/register').send({ username: 'a b', email: 'not-an-email', password: 'short' }).expect(400);
    const fields = response.body.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(['email', 'password', 'username']);
    await t.http.post('/auth/register').send({ username: uniqueName(), email: `${uniqueName()}@example.test`, password: 'x'.repeat(129) }).expect(400);
  });

  it('logs in by username or e-mail; wrong password and unknown user give the same 401', async () => {
    const user = await createUser(t.http);
    const byEmail = await t.http.post('/auth/login').send({ login: user.email, password: PASSWORD }).expect(200);
    expect(byEmail.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    const wrong = await t.http.post('/auth/login').send({ login: user.username, password: 'wrong password!!' }).expect(401);
    const unknown = await t.http.post('/auth/login').send({ login: uniqueName(), password: 'wrong password!!' }).expect(401);
    expect(wrong.body.message).toBe(unknown.body.message);
    expect(wrong.body.error).toBe(unknown.body.error);
  });

  it('throttles repeated failed logins with 429 and retry-after', async () => {
    const user = await createUser(t.http);
    for (let i = 0; i < 5; i++) await t.http.post('/auth/login').send({ login: user.username, password: 'wrong password!!' }).expect(401);
    const blocked = await t.http.post('/auth/login').send({ login: user.username, password: PASSWORD }).expect(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.body.statusCode).toBe(429);
  });

  it('GET/PATCH /users/me for the caller', async () => {
    const user = await createUser(t.http);
    const me = await t.http.get('/users/me').set('authorization', user.bearer).expect(200);
    expect(me.body).toMatchObject({ id: user.id, username: user.username });
    const patched = await t.http.patch('/users/me').set('authorization', user.bearer).send({ firstName: 'Grace', lastName: 'Hopper' }).expect(200);
    expect(patched.body).toMatchObject({ firstName: 'Grace', lastName: 'Hopper' });
    expect(new Date(patched.body.updatedAt).getTime()).toBeGreaterThan(new Date(me.body.updatedAt).getTime());
  });

  it('changing the password needs the current one and revokes refresh tokens', async () => {
    const user = await createUser(t.http);
    const missing = await t.http.patch('/users/me').set('authorization', user.bearer).send({ newPassword: 'another long password' }).expect(400);
    expect(missing.body.details[0].field).toBe('currentPassword');
    await t.http.patch('/users/me').set('authorization', user.bearer).send({ newPassword: 'another long password', currentPassword: 'wrong' }).expect(400);
    await t.http.patch('/users/me').set('authorization', user.bearer).send({ newPassword: 'another long password', currentPassword: PASSWORD }).expect(200);
    await t.http.post('/auth/refresh').send({ refreshToken: user.refreshToken }).expect(401);
    await t.http.post('/auth/login').send({ login: user.username, password: 'another long password' }).expect(200);
  });

  it('rejects unknown fields on PATCH /users/me (no mass assignment)', async () => {
    const user = await createUser(t.http);
    const response = await t.http.patch('/users/me').set('authorization', user.bearer).send({ isActive: false, id: 999, passwordHash: 'x' }).expect(400);
    expect(response.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['id', 'isActive', 'passwordHash']);
    const [row] = await t.db.query<{ is_active: boolean }>('select is_active from users where id = $1', [user.id]);
    expect(row.is_active).toBe(true);
  });

  it('rotates refresh tokens and refuses a used one, revoking its family', async () => {
    const user = await createUser(t.http);
    const first = await t.http.post('/auth/refresh').send({ refreshToken: user.refreshToken }).expect(200);
    expect(first.body.refreshToken).not.toBe(user.refreshToken);
    await t.http.get('/users/me').set('authorization', `Bearer ${first.body.accessToken}`).expect(200);
    // Replaying the spent token is refused, and the stolen-token family is revoked with it.
    await t.http.post('/auth/refresh').send({ refreshToken: user.refreshToken }).expect(401);
    await t.http.post('/auth/refresh').send({ refreshToken: first.body.refreshToken }).expect(401);
  });

  it('lets only one of two concurrent refreshes with the same token succeed', async () => {
    const user = await createUser(t.http);
    const results = await Promise.all([1, 2].map(() => t.http.post('/auth/refresh').send({ refreshToken: user.refreshToken })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('deactivation stops login, access tokens, refresh tokens and API keys', async () => {
    const user = await createUser(t.http);
    const key = await t.http.post('/api-keys').set('authorization', user.bearer).send({ keyName: 'k' }).expect(201);
    await t.http.get('/users/me').set('x-api-key', key.body.key).expect(200);
    await t.http.delete('/users/me').set('authorization', user.bearer).expect(204);
    await t.http.get('/users/me').set('authorization', user.bearer).expect(401);
    await t.http.get('/users/me').set('x-api-key', key.body.key).expect(401);
    await t.http.post('/auth/refresh').send({ refreshToken: user.refreshToken }).expect(401);
    await t.http.post('/auth/login').send({ login: user.username, password: PASSWORD }).expect(401);
  });

  describe('JWT verification', () => {
    let userId: number;
    const now = () => Math.floor(Date.now() / 1000);
    const valid = () => ({ sub: String(userId), typ: 'access', iss: 'retell-agents-backend', aud: 'retell-agents-api', iat: now(), exp: now() + 600 });

    beforeAll(async () => {
      userId = (await createUser(t.http)).id;
    });

    it('accepts a well-formed token (control for the cases below)', async () => {
      await t.http.get('/users/me').set('authorization', `Bearer ${forgeJwt(valid())}`).expect(200);
    });

    it.each([
      ['alg none', () => forgeJwt(valid(), { alg: 'none', typ: 'JWT' })],
      ['HS512 instead of the pinned HS256', () => forgeJwt(valid(), { alg: 'HS512', typ: 'JWT' })],
      ['expired', () => forgeJwt({ ...valid(), iat: now() - 7200, exp: now() - 3600 })],
      ['no exp (RFC 8725: a token that never expires is refused)', () => forgeJwt({ ...valid(), exp: undefined })],
      ['no exp and alg none', () => forgeJwt({ ...valid(), exp: undefined }, { alg: 'none', typ: 'JWT' })],
      ['no exp and HS384', () => forgeJwt({ ...valid(), exp: undefined }, { alg: 'HS384', typ: 'JWT' })],
      ['wrong issuer', () => forgeJwt({ ...valid(), iss: 'someone-else' })],
      ['wrong audience', () => forgeJwt({ ...valid(), aud: 'other-api' })],
      ['not an access token', () => forgeJwt({ ...valid(), typ: 'refresh' })],
      ['unknown user', () => forgeJwt({ ...valid(), sub: '987654' })],
      ['tampered payload', () => {
        const [head, , signature] = forgeJwt(valid()).split('.');
        return `${head}.${b64url({ ...valid(), sub: String(userId + 1) })}.${signature}`;
      }],
      ['garbage', () => 'not.a.jwt'],
    ])('refuses a token with %s (401 envelope)', async (_case, token) => {
      const response = await t.http.get('/users/me').set('authorization', `Bearer ${token()}`).expect(401);
      expect(response.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    });

    it('refuses requests without credentials', async () => {
      await t.http.get('/users/me').expect(401);
    });
  });
});
