import { isIPv4, isIPv6 } from 'node:net';

/**
 * The one check for URLs a user gives us for Retell to call (custom tool endpoints, MCP servers). Retell calls them
 * from its cloud with our account, so a URL naming a loopback, private, link-local or cloud-metadata address is at
 * best useless and at worst a way to make a trusted caller reach internal services (OWASP API7, SSRF).
 *
 * Pure and synchronous: it judges the URL text only. WHATWG URL parsing first turns every spelling of an IPv4 address
 * (`2130706433`, `0x7f.1`, `0177.0.0.1`) into dotted decimal and every IPv6 literal into one canonical form, so the
 * range checks see what a resolver would. It does not resolve DNS names: a public name pointing at a private
 * address is not caught here (names of well-known "resolves to any IP" services are refused as a partial defence).
 */
export interface UrlPolicy {
  /** Development only: also allow http and private, loopback and link-local hosts. */
  allowPrivate: boolean;
}

export const MAX_URL_LENGTH = 2048;

/** Returns what is wrong with the URL, or undefined when it may be used. */
export function publicUrlProblem(raw: unknown, policy: UrlPolicy): string | undefined {
  if (typeof raw !== 'string' || raw.length === 0) return 'must be a URL';
  if (raw.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  // Backslashes are read as "/" in http(s) URLs by WHATWG parsers but not by every other one: refuse the ambiguity.
  if (/[\s\\\u0000-\u001f\u007f]/.test(raw)) return 'must not contain spaces, backslashes or control characters';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be a valid absolute URL';
  }
  const allowedProtocols = policy.allowPrivate ? ['https:', 'http:'] : ['https:'];
  if (!allowedProtocols.includes(url.protocol)) return policy.allowPrivate ? 'must use http or https' : 'must use https';
  if (url.username !== '' || url.password !== '') return 'must not contain credentials (user:password@)';
  if (policy.allowPrivate) return undefined;

  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.+$/, '');
  if (host === '') return 'must name a host';
  if (isIPv4(host)) return ipv4Problem(host);
  if (isIPv6(host)) return ipv6Problem(host);
  return hostnameProblem(host);
}

/**
 * What is wrong with connecting to this resolved IP address (v4 or v6), or undefined when it is a public unicast
 * address: the same ranges the URL check refuses, for use after DNS resolution (partner webhooks).
 */
export function addressProblem(address: string): string | undefined {
  if (isIPv4(address)) return ipv4Problem(address);
  if (isIPv6(address)) return ipv6Problem(address.replace(/%.*$/, ''));
  return 'must be an IP address';
}

// ---------------------------------------------------------------------------------------------------------------

type Cidr4 = readonly [base: string, prefix: number, what: string];

/** IANA special-purpose IPv4 ranges (RFC 6890 and successors) that are not reachable public unicast addresses. */
const BLOCKED_V4: readonly Cidr4[] = [
  ['0.0.0.0', 8, 'a "this network" address'],
  ['10.0.0.0', 8, 'a private address'],
  ['100.64.0.0', 10, 'a carrier-grade NAT address'],
  ['127.0.0.0', 8, 'a loopback address'],
  ['169.254.0.0', 16, 'a link-local or cloud metadata address'],
  ['172.16.0.0', 12, 'a private address'],
  ['192.0.0.0', 24, 'an IETF protocol address'],
  ['192.0.2.0', 24, 'a documentation address'],
  ['192.88.99.0', 24, 'a 6to4 relay address'],
  ['192.168.0.0', 16, 'a private address'],
  ['198.18.0.0', 15, 'a benchmarking address'],
  ['198.51.100.0', 24, 'a documentation address'],
  ['203.0.113.0', 24, 'a documentation address'],
  ['224.0.0.0', 4, 'a multicast address'],
  ['240.0.0.0', 4, 'a reserved or broadcast address'],
];

function ipv4ToInt(address: string): number {
  return address.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function ipv4Problem(address: string): string | undefined {
  return v4IntProblem(ipv4ToInt(address));
}

function v4IntProblem(value: number): string | undefined {
  for (const [base, prefix, what] of BLOCKED_V4) {
    const size = 2 ** (32 - prefix);
    const start = ipv4ToInt(base);
    if (value >= start && value < start + size) return `must not point at ${what}`;
  }
  return undefined;
}

/** Eight 16-bit groups; undefined if the text is not an IPv6 address. */
export function parseIPv6(text: string): number[] | undefined {
  if (!isIPv6(text)) return undefined;
  let body = text.toLowerCase();
  let tail: number[] = [];
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(body);
  if (dotted) {
    const v4 = ipv4ToInt(dotted[2]!);
    tail = [Math.floor(v4 / 65536), v4 % 65536];
    body = dotted[1]!.endsWith('::') ? dotted[1]! : dotted[1]!.slice(0, -1);
  }
  const groups = (part: string): number[] => (part === '' ? [] : part.split(':').map((hex) => parseInt(hex, 16)));
  const gap = body.indexOf('::');
  const left = groups(gap < 0 ? body : body.slice(0, gap));
  const right = gap < 0 ? [] : groups(body.slice(gap + 2));
  const fill = 8 - left.length - right.length - tail.length;
  if (fill < 0 || (gap < 0 && fill !== 0)) return undefined;
  return [...left, ...Array<number>(fill).fill(0), ...right, ...tail];
}

function embeddedV4(groups: number[], firstGroup: number): number {
  return groups[firstGroup]! * 65536 + groups[firstGroup + 1]!;
}

function ipv6Problem(address: string): string | undefined {
  const g = parseIPv6(address);
  if (!g) return 'must be a valid IPv6 address';
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(8)) return 'must not point at the unspecified address';
  if (zeroUpTo(7) && g[7] === 1) return 'must not point at a loopback address';
  // ::ffff:a.b.c.d and the deprecated ::a.b.c.d reach IPv4 hosts through the IPv6 stack: refused whatever they embed.
  if (zeroUpTo(5) && g[5] === 0xffff) return 'must not use an IPv4-mapped IPv6 address';
  if (zeroUpTo(6)) return 'must not use an IPv4-compatible IPv6 address';
  if (g[0] === 0x0064 && g[1] === 0xff9b) return v4IntProblem(embeddedV4(g, 6)); // NAT64
  if (g[0] === 0x2002) return v4IntProblem(embeddedV4(g, 1)); // 6to4
  const first = g[0]!;
  if ((first & 0xfe00) === 0xfc00) return 'must not point at a unique-local (private) address';
  if ((first & 0xffc0) === 0xfe80) return 'must not point at a link-local address';
  if ((first & 0xffc0) === 0xfec0) return 'must not point at a site-local address';
  if ((first & 0xff00) === 0xff00) return 'must not point at a multicast address';
  if (first === 0x2001 && g[1] === 0x0db8) return 'must not point at a documentation address';
  if (first === 0x2001 && g[1] === 0x0000) return 'must not use a Teredo address';
  if (first === 0x0100 && g[1] === 0 && g[2] === 0 && g[3] === 0) return 'must not point at a discard-only address';
  return undefined;
}

/** Names that resolve to the local machine or a private network by convention, and "any IP in the name" services. */
const BLOCKED_SUFFIXES = ['localhost', 'local', 'localdomain', 'internal', 'intranet', 'lan', 'home.arpa', 'nip.io', 'sslip.io', 'xip.io', 'localtest.me', 'lvh.me'];

function hostnameProblem(host: string): string | undefined {
  if (!host.includes('.')) return host === 'localhost' ? 'must not point at localhost' : 'must use a fully qualified host name';
  for (const suffix of BLOCKED_SUFFIXES) {
    if (host === suffix || host.endsWith(`.${suffix}`)) return `must not point at a local or internal host (*.${suffix})`;
  }
  return undefined;
}
