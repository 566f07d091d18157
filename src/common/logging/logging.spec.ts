import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { fastifyLoggerOptions } from './logging.js';

function captureLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const options = fastifyLoggerOptions('info');
  const app = Fastify({ ...options, logger: { ...(options.logger as object), stream } });
  return { app, lines };
}

describe('structured logging', () => {
  it('redacts credentials wherever they appear in a log line', async () => {
    const { app, lines } = captureLogger();
    const secrets = ['Bearer eyJ.secret.jwt', 'rtm_live_0123456789abcdefghijABCDEFGHIJ012345', 'hunter2-password', 'rtr_refresh', 'v=1,d=abc'];
    app.log.info({
      req: { headers: { authorization: secrets[0], 'x-api-key': secrets[1], 'x-retell-signature': secrets[4] } },
      body: { password: secrets[2], refreshToken: secrets[3], username: 'visible-user' },
    }, 'request');
    await app.close();
    const output = lines.join('');
    for (const secret of secrets) expect(output).not.toContain(secret);
    expect(output).toContain('[REDACTED]');
    expect(output).toContain('visible-user');
  });

  it('writes JSON lines with a request id per request', async () => {
    const { app, lines } = captureLogger();
    app.get('/ping', async () => ({ ok: true }));
    const response = await app.inject({ method: 'GET', url: '/ping', headers: { 'x-request-id': 'trace-42', authorization: 'Bearer top-secret' } });
    expect(response.statusCode).toBe(200);
    await app.close();
    const entries = lines.map((line) => JSON.parse(line) as { reqId?: string; msg?: string });
    expect(entries.filter((e) => e.reqId === 'trace-42').length).toBeGreaterThanOrEqual(2);
    expect(lines.join('')).not.toContain('top-secret');
  });

  it('redacts credentials in logged URLs: query parameters named like a key, token, secret or password, and userinfo', async () => {
    const { app, lines } = captureLogger();
    app.get('/ping', async () => ({ ok: true }));
    const secrets = ['rtm_live_SECRETKEY1', 'tok-SECRET2', 'pw-SECRET3', 'at-SECRET4', 'k-SECRET5', 'cs-SECRET6', 'sig-SECRET7'];
    const url = `/ping?api_key=${secrets[0]}&token=${secrets[1]}&password=${secrets[2]}&access_token=${secrets[3]}&key=${secrets[4]}&client%5Fsecret=${secrets[5]}&X-Signature=${secrets[6]}&agentId=42`;
    expect((await app.inject({ method: 'GET', url })).statusCode).toBe(200);
    app.log.info({ upstream: { url: `https://user:pass-SECRET8@example.com/x?apiKey=SECRET9` } }, `fetched https://example.com/y?secret=SECRET10&page=2`);
    await app.close();
    const output = lines.join('');
    for (const secret of [...secrets, 'SECRET8', 'SECRET9', 'SECRET10']) expect(output).not.toContain(secret);
    expect(output).toContain('agentId=42');
    expect(output).toContain('page=2');
    expect(output).toContain('api_key=[REDACTED]');
  });
});
