import { randomBytes } from 'node:crypto';
import type request from 'supertest';

type TestAgent = ReturnType<typeof request>;

export const PASSWORD = 'correct horse battery staple';

export interface TestUser {
  id: number;
  username: string;
  email: string;
  accessToken: string;
  refreshToken: string;
  /** Authorization header value. */
  bearer: string;
}

export function uniqueName(prefix = 'user'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** Registers and logs in a fresh user through the API. */
export async function createUser(http: TestAgent, overrides: Partial<{ username: string; email: string; password: string }> = {}): Promise<TestUser> {
  const username = overrides.username ?? uniqueName();
  const email = overrides.email ?? `${username}@example.test`;
  const password = overrides.password ?? PASSWORD;
  const registered = await http.post('/auth/register').send({ username, email, password }).expect(201);
  const login = await http.post('/auth/login').send({ login: username, password }).expect(200);
  return {
    id: registered.body.id,
    username,
    email,
    accessToken: login.body.accessToken,
    refreshToken: login.body.refreshToken,
    bearer: `Bearer ${login.body.accessToken}`,
  };
}

/** Creates an API key for the user and returns its secret. */
export async function createApiKey(http: TestAgent, user: TestUser, keyName = 'test key'): Promise<{ id: number; key: string }> {
  const response = await http.post('/api-keys').set('authorization', user.bearer).send({ keyName }).expect(201);
  return { id: response.body.id, key: response.body.key };
}
