import { parseIPv6, publicUrlProblem } from './public-url.js';

const STRICT = { allowPrivate: false };
const DEV = { allowPrivate: true };

describe('publicUrlProblem (URLs Retell will call for a user)', () => {
  it.each([
    // loopback, every spelling
    ['https://127.0.0.1/hook', 'loopback'],
    ['https://127.1.2.3/', 'loopback'],
    ['https://2130706433/', 'loopback'], // decimal
    ['https://0x7f.1/', 'loopback'], // hex + short form
    ['https://0x7f000001/', 'loopback'], // one hex number
    ['https://0177.0.0.1/', 'loopback'], // octal
    ['https://017700000001/', 'loopback'], // one octal number
    ['https://127.000.000.001/', 'loopback'], // zero-padded
    ['https://[::1]/', 'loopback'],
    ['https://[0:0:0:0:0:0:0:1]/', 'loopback'],
    ['https://localhost/', 'localhost'],
    ['https://localhost./', 'localhost'], // trailing dot
    ['https://LOCALHOST:8443/', 'localhost'],
    ['https://api.localhost/', 'local or internal'],
    // unspecified, private, link-local, metadata
    ['https://0.0.0.0/', '"this network"'],
    ['https://0/', '"this network"'],
    ['https://[::]/', 'unspecified'],
    ['https://10.0.0.5/', 'private'],
    ['https://172.16.0.1/', 'private'],
    ['https://172.31.255.255/', 'private'],
    ['https://192.168.1.1/', 'private'],
    ['https://169.254.169.254/latest/meta-data/', 'metadata'],
    ['https://0xa9fea9fe/', 'metadata'], // 169.254.169.254 in hex
    ['https://2852039166/', 'metadata'], // 169.254.169.254 in decimal
    ['https://metadata.google.internal/computeMetadata/v1/', 'local or internal'],
    ['https://100.64.0.1/', 'carrier-grade NAT'],
    ['https://224.0.0.1/', 'multicast'],
    ['https://255.255.255.255/', 'broadcast'],
    // IPv6 private ranges and IPv4 hidden in IPv6
    ['https://[fc00::1]/', 'unique-local'],
    ['https://[fd00:ec2::254]/', 'unique-local'], // AWS metadata over IPv6
    ['https://[fe80::1]/', 'link-local'],
    ['https://[febf:ffff::1]/', 'link-local'],
    ['https://[::ffff:127.0.0.1]/', 'IPv4-mapped'],
    ['https://[::ffff:7f00:1]/', 'IPv4-mapped'],
    ['https://[::ffff:169.254.169.254]/', 'IPv4-mapped'],
    ['https://[::127.0.0.1]/', 'IPv4-compatible'],
    ['https://[64:ff9b::a9fe:a9fe]/', 'metadata'], // NAT64 of 169.254.169.254
    ['https://[2002:7f00:1::]/', 'loopback'], // 6to4 of 127.0.0.1
    ['https://[ff02::1]/', 'multicast'],
    // userinfo tricks and wrong schemes
    ['https://a@127.0.0.1/', 'credentials'],
    ['https://user:pass@example.com/', 'credentials'],
    ['https://example.com@127.0.0.1/', 'credentials'],
    ['https://example.com\\@127.0.0.1/', 'backslashes'],
    ['http://example.com/hook', 'https'],
    ['file:///etc/passwd', 'https'],
    ['gopher://127.0.0.1:70/', 'https'],
    ['ftp://example.com/', 'https'],
    ['javascript:alert(1)', 'https'],
    ['//example.com/hook', 'valid absolute URL'],
    ['https://exa mple.com/', 'spaces'],
    ['https://example.com/\n', 'control'],
    // names that resolve privately by convention
    ['https://intranet/', 'fully qualified'],
    ['https://printer.local/', 'local or internal'],
    ['https://router.lan/', 'local or internal'],
    ['https://127.0.0.1.nip.io/', 'local or internal'],
    ['https://app.localtest.me/', 'local or internal'],
    ['https://x.home.arpa/', 'local or internal'],
  ])('refuses %s (%s)', (url, reason) => {
    const problem = publicUrlProblem(url, STRICT);
    expect(problem).toBeDefined();
    expect(problem).toContain(reason);
  });

  it.each([
    'https://api.example.com/tools/lookup',
    'https://api.example.com:8443/tools?x=1#frag',
    'https://8.8.8.8/',
    'https://1.1.1.1:443/dns',
    'https://[2606:4700:4700::1111]/',
    'https://[64:ff9b::808:808]/', // NAT64 of a public address
    'https://xn--bcher-kva.example/', // IDN
    'https://example.com./', // trailing dot on a public name
    'https://172.32.0.1/', // just outside 172.16/12
    'https://169.253.255.255/',
  ])('accepts %s', (url) => {
    expect(publicUrlProblem(url, STRICT)).toBeUndefined();
  });

  it('refuses values that are not URLs at all', () => {
    expect(publicUrlProblem(undefined, STRICT)).toBe('must be a URL');
    expect(publicUrlProblem('', STRICT)).toBe('must be a URL');
    expect(publicUrlProblem(42, STRICT)).toBe('must be a URL');
    expect(publicUrlProblem(`https://example.com/${'a'.repeat(2048)}`, STRICT)).toContain('at most 2048');
  });

  it('allows http and private hosts in development, but still no credentials or other schemes', () => {
    expect(publicUrlProblem('http://localhost:4000/hook', DEV)).toBeUndefined();
    expect(publicUrlProblem('https://10.0.0.5/', DEV)).toBeUndefined();
    expect(publicUrlProblem('http://a:b@localhost/', DEV)).toContain('credentials');
    expect(publicUrlProblem('file:///etc/passwd', DEV)).toContain('http or https');
  });
});

describe('parseIPv6', () => {
  it.each([
    ['::1', [0, 0, 0, 0, 0, 0, 0, 1]],
    ['::', [0, 0, 0, 0, 0, 0, 0, 0]],
    ['fe80::1', [0xfe80, 0, 0, 0, 0, 0, 0, 1]],
    ['::ffff:127.0.0.1', [0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]],
    ['::127.0.0.1', [0, 0, 0, 0, 0, 0, 0x7f00, 1]],
    ['1:2:3:4:5:6:7:8', [1, 2, 3, 4, 5, 6, 7, 8]],
    ['1:2:3:4:5:6:1.2.3.4', [1, 2, 3, 4, 5, 6, 0x0102, 0x0304]],
    ['2001:db8::8:800:200c:417a', [0x2001, 0xdb8, 0, 0, 8, 0x800, 0x200c, 0x417a]],
  ])('parses %s', (text, groups) => {
    expect(parseIPv6(text)).toEqual(groups);
  });

  it('refuses what is not IPv6', () => {
    expect(parseIPv6('127.0.0.1')).toBeUndefined();
    expect(parseIPv6('example.com')).toBeUndefined();
  });
});
