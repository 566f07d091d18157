import { createServer, type Server } from 'node:http';
import type { LookupAddress } from 'node:dns';
import type { AddressInfo } from 'node:net';
import { postWebhook, publicOnlyLookup, WebhookAgents } from './webhook-http.js';
import { SecretBox } from './webhook-secrets.js';

/** A resolver that answers `answers` for every name, the way dns.lookup(…, { all: true }) does. */
function fakeResolver(answers: LookupAddress[]) {
  return ((_host: string, _options: unknown, callback: (error: null, addresses: LookupAddress[]) => void) => callback(null, answers)) as never;
}

function lookupWith(answers: LookupAddress[], all: boolean): Promise<{ error: (Error & { code?: string }) | null; result: unknown }> {
  return new Promise((resolve) => {
    publicOnlyLookup(fakeResolver(answers))('hooks.example.com', { all } as never, ((error: Error | null, address: unknown, family?: number) =>
      resolve({ error, result: all ? address : { address, family } })) as never);
  });
}

describe('publicOnlyLookup (delivery-time address filter)', () => {
  it.each([
    ['loopback', '127.0.0.1', 4],
    ['private 10/8', '10.1.2.3', 4],
    ['private 192.168/16', '192.168.1.10', 4],
    ['cloud metadata', '169.254.169.254', 4],
    ['carrier NAT', '100.64.0.1', 4],
    ['IPv6 loopback', '::1', 6],
    ['IPv6 unique-local', 'fd00::1', 6],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1', 6],
  ])('refuses a public name that resolves only to a %s address', async (_what, address, family) => {
    const { error } = await lookupWith([{ address, family }], true);
    expect(error?.code).toBe('ENOTPUBLIC');
    expect(error?.message).toContain(address);
  });

  it('hands out only the public addresses of a mixed answer, in both lookup forms', async () => {
    const answers = [
      { address: '10.0.0.5', family: 4 },
      { address: '93.184.216.34', family: 4 },
      { address: 'fe80::1', family: 6 },
      { address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 },
    ];
    expect(await lookupWith(answers, true)).toEqual({
      error: null,
      result: [
        { address: '93.184.216.34', family: 4 },
        { address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 },
      ],
    });
    expect(await lookupWith(answers, false)).toEqual({ error: null, result: { address: '93.184.216.34', family: 4 } });
  });
});

describe('postWebhook', () => {
  let server: Server;
  let url: string;
  let answer: (path: string) => [number, Record<string, string>?];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const [status, headers] = answer(request.url ?? '/');
      request.resume();
      request.on('end', () => {
        if (status === 0) return; // never answers: the client's time limit must end it
        response.writeHead(status, headers).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (target: string, options = { timeoutMs: 2000, allowPrivate: true }) => postWebhook(target, { 'webhook-id': '1' }, '{}', options);

  it('counts 2xx as success and anything else as a failure with the status', async () => {
    answer = () => [204];
    expect(await post(`${url}/ok`)).toMatchObject({ ok: true, statusCode: 204, error: null });
    answer = () => [500];
    expect(await post(`${url}/fail`)).toMatchObject({ ok: false, statusCode: 500, error: 'HTTP 500' });
  });

  it('does not follow redirects', async () => {
    let hits = 0;
    answer = (path) => {
      hits += 1;
      return path === '/moved' ? [302, { location: `${url}/ok` }] : [200];
    };
    expect(await post(`${url}/moved`)).toMatchObject({ ok: false, statusCode: 302 });
    expect(hits).toBe(1);
  });

  it('gives up after the time limit', async () => {
    answer = () => [0];
    expect(await post(`${url}/slow`, { timeoutMs: 300, allowPrivate: true })).toMatchObject({ ok: false, statusCode: null, error: 'timed out after 300 ms' });
  });

  it('refuses private and plain-http URLs without the development switch, before connecting', async () => {
    let hits = 0;
    answer = () => {
      hits += 1;
      return [200];
    };
    expect(await post(`${url}/ok`, { timeoutMs: 2000, allowPrivate: false })).toMatchObject({ ok: false, statusCode: null, error: 'url must use https' });
    expect(await post('https://127.0.0.1/ok', { timeoutMs: 2000, allowPrivate: false })).toMatchObject({ ok: false, error: expect.stringContaining('loopback') });
    expect(await post('https://localhost/ok', { timeoutMs: 2000, allowPrivate: false })).toMatchObject({ ok: false, error: expect.stringContaining('localhost') });
    expect(hits).toBe(0);
  });

  it('keeps a connection alive between deliveries with agents, and opens one per delivery without', async () => {
    const ports: number[] = [];
    answer = () => [204];
    const seen = (request: import('node:http').IncomingMessage) => ports.push(request.socket.remotePort!);
    server.on('request', seen);
    const agents = new WebhookAgents(4);
    try {
      for (let i = 0; i < 3; i++) expect(await postWebhook(`${url}/ok`, {}, '{}', { timeoutMs: 2000, allowPrivate: true, agents })).toMatchObject({ ok: true });
      expect(new Set(ports).size).toBe(1);
      ports.length = 0;
      for (let i = 0; i < 2; i++) expect(await post(`${url}/ok`)).toMatchObject({ ok: true });
      expect(new Set(ports).size).toBe(2);
    } finally {
      server.off('request', seen);
      agents.destroy();
    }
  });

  it('a pooled connection is opened through the same checked lookup: a name resolving to loopback is refused', async () => {
    const agents = new WebhookAgents(4);
    try {
      const resolve = fakeResolver([{ address: '127.0.0.1', family: 4 }]);
      const outcome = await postWebhook('https://hooks.example.com/x', {}, '{}', { timeoutMs: 2000, allowPrivate: false, resolve, agents });
      expect(outcome).toMatchObject({ ok: false, statusCode: null, error: expect.stringContaining('resolves only to non-public addresses (127.0.0.1)') });
    } finally {
      agents.destroy();
    }
  });

  it('connects only to a checked address: a public name that resolves to loopback is refused at connect time', async () => {
    const resolve = fakeResolver([{ address: '127.0.0.1', family: 4 }]);
    const outcome = await postWebhook('https://hooks.example.com/x', {}, '{}', { timeoutMs: 2000, allowPrivate: false, resolve });
    expect(outcome).toMatchObject({ ok: false, statusCode: null, error: expect.stringContaining('resolves only to non-public addresses (127.0.0.1)') });
  });
});

describe('SecretBox', () => {
  it('round-trips, never stores the plain text, and refuses a tampered or foreign ciphertext', () => {
    const box = new SecretBox('a-master-secret-that-is-long-enough-0123456789');
    const sealed = box.seal('whsec_abc');
    expect(sealed).not.toContain('whsec_abc');
    expect(box.open(sealed)).toBe('whsec_abc');
    expect(box.seal('whsec_abc')).not.toBe(sealed);
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
    expect(() => box.open(tampered)).toThrow();
    expect(() => new SecretBox('another-master-secret-0123456789-0123456789').open(sealed)).toThrow();
  });
});
