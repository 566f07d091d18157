import { bootTestApp, type TestApp } from './support/app.js';
import { createUser, PASSWORD, uniqueName } from './support/factories.js';

const WRONG = 'wrong password!!';
const LIMIT = 5;

describe('login limits and case-insensitive accounts (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const login = (loginName: string, password = WRONG) => t.http.post('/auth/login').send({ login: loginName, password });
  const attemptsRecorded = async () => (await t.db.query<{ total: number }>('select coalesce(sum(attempts), 0)::int as total from login_attempts'))[0].total;

  describe('throttle', () => {
    it(`evaluates at most ${LIMIT} of 20 concurrent wrong guesses; the rest get 429 without a password check`, async () => {
      const user = await createUser(t.http);
      await t.db.query('delete from login_attempts');
      const responses = await Promise.all(Array.from({ length: 20 }, () => login(user.username)));
      const statuses = responses.map((r) => r.status).sort();
      // A 401 is only ever answered after the password was checked: the split is the count of evaluated guesses.
      expect(statuses.filter((s) => s === 401)).toHaveLength(LIMIT);
      expect(statuses.filter((s) => s === 429)).toHaveLength(20 - LIMIT);
      expect(await attemptsRecorded()).toBe(LIMIT);
      for (const response of responses.filter((r) => r.status === 429)) expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('counts the username and the e-mail of one account, in any case, together', async () => {
      const user = await createUser(t.http);
      const spellings = [user.username, user.email, user.username.toUpperCase(), user.email.toUpperCase(), user.username];
      for (const spelling of spellings) await login(spelling).expect(401);
      for (const spelling of [user.email, user.username.toUpperCase(), user.email.toUpperCase()]) await login(spelling, PASSWORD).expect(429);
    });

    it('answers an unknown account exactly like a known one: 401 five times, then 429', async () => {
      const ghost = uniqueName('ghost');
      for (let i = 0; i < LIMIT; i++) {
        const response = await login(ghost).expect(401);
        expect(response.body.message).toBe('Invalid credentials');
      }
      const blocked = await login(ghost).expect(429);
      expect(blocked.body.message).toBe('Too many failed logins; try again later');
    });

    it('clears the counter on success and keeps other accounts unaffected', async () => {
      const user = await createUser(t.http);
      const other = await createUser(t.http);
      for (let i = 0; i < LIMIT - 1; i++) await login(user.username).expect(401);
      await login(user.username, PASSWORD).expect(200);
      for (let i = 0; i < LIMIT; i++) await login(user.username).expect(401);
      await login(user.username).expect(429);
      await login(other.username, PASSWORD).expect(200);
    });

    it('starts a new window once the minute has passed', async () => {
      const user = await createUser(t.http);
      for (let i = 0; i < LIMIT; i++) await login(user.username).expect(401);
      await login(user.username).expect(429);
      // Age the window instead of waiting a minute.
      await t.db.query(`update login_attempts set window_start = window_start - interval '61 seconds'`);
      await login(user.username, PASSWORD).expect(200);
    });

    it('keeps no login string or address in clear', async () => {
      const ghost = uniqueName('cleartext');
      await login(ghost).expect(401);
      const rows = await t.db.query<{ key_hash: string }>('select key_hash from login_attempts');
      expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.key_hash))).toBe(true);
      expect(JSON.stringify(rows)).not.toContain(ghost);
    });

    it('honours LOGIN_ATTEMPTS_PER_MINUTE', async () => {
      const strict = await bootTestApp({ LOGIN_ATTEMPTS_PER_MINUTE: '2' });
      try {
        const user = await createUser(strict.http);
        const responses = await Promise.all(Array.from({ length: 10 }, () => strict.http.post('/auth/login').send({ login: user.email, password: WRONG })));
        expect(responses.filter((r) => r.status === 401)).toHaveLength(2);
        expect(responses.filter((r) => r.status === 429)).toHaveLength(8);
      } finally {
        await strict.close();
      }
    });
  });

  describe('usernames and e-mails ignore case', () => {
    it('refuses Acme when acme exists, and ACME@ when acme@ exists, with 409', async () => {
      const name = uniqueName('acme');
      await t.http.post('/auth/register').send({ username: name, email: `${name}@x.example`, password: PASSWORD }).expect(201);
      const byName = await t.http.post('/auth/register').send({ username: name.toUpperCase(), email: `${uniqueName()}@x.example`, password: PASSWORD }).expect(409);
      expect(byName.body.message).toBe('A user with this username or e-mail already exists');
      await t.http.post('/auth/register').send({ username: uniqueName(), email: `${name.toUpperCase()}@X.EXAMPLE`, password: PASSWORD }).expect(409);
    });

    it('logs in by any case of the username or the e-mail', async () => {
      const name = uniqueName('Mixed');
      await t.http.post('/auth/register').send({ username: name, email: `${name}@X.example`, password: PASSWORD }).expect(201);
      for (const spelling of [name, name.toLowerCase(), name.toUpperCase(), `${name}@x.example`.toUpperCase(), `${name.toLowerCase()}@x.example`]) {
        await login(spelling, PASSWORD).expect(200);
      }
    });

    it('refuses renaming to another account’s username in another case', async () => {
      const first = await createUser(t.http);
      const second = await createUser(t.http);
      await t.http.patch('/users/me').set('authorization', second.bearer).send({ username: first.username.toUpperCase() }).expect(409);
    });

    it('enforces it in the database too (unique indexes on lower())', async () => {
      const name = uniqueName('dbcheck');
      await t.db.query(`insert into users (username, email, password_hash) values ($1, $2, 'x')`, [name, `${name}@example.test`]);
      await expect(t.db.query(`insert into users (username, email, password_hash) values ($1, $2, 'x')`, [name.toUpperCase(), `other-${name}@example.test`])).rejects.toThrow(/users_username_lower_unique/);
      await expect(t.db.query(`insert into users (username, email, password_hash) values ($1, $2, 'x')`, [`other-${name}`, `${name}@EXAMPLE.test`])).rejects.toThrow(/users_email_lower_unique/);
    });
  });
});
