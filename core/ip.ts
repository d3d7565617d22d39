/**
 * IP addresses compared as what they are, not as text: node:net validates them (its address
 * checks only; nothing here opens a socket), IPv6 is read into its 16 bytes and written back in one
 * spelling. Used by the mock's self check (mock/domain/urls.ts) and the control API's Host rule.
 */
import net from 'node:net';

/**
 * An IP address in one spelling: no brackets or zone, IPv6 as RFC 5952 writes it (lower case,
 * longest run of zero groups as `::`), IPv4-mapped IPv6 (`::ffff:a.b.c.d`) as IPv4. Not an IP
 * address (a name): lower-cased, as is.
 */
export function normalizeIp(ip: string): string {
  const a = ip.replace(/^\[|\]$/g, '').toLowerCase();
  if (net.isIPv4(a)) return a;
  const bytes = ipv6Bytes(a);
  if (!bytes) return a;
  if (isZero(bytes, 0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return ipv4Text(bytes);
  return ipv6Text(bytes);
}

/**
 * An IPv6 address with IPv4 embedded in it, in any of its forms (IPv4-compatible `::a.b.c.d`,
 * IPv4-translated `::ffff:0:a.b.c.d`), as that IPv4 address; anything else (`::`, `::1` included)
 * as given. Takes `normalizeIp`'s output (mapped addresses are IPv4 already).
 */
export function embeddedIpv4(ip: string): string {
  const bytes = ipv6Bytes(ip);
  if (!bytes) return ip;
  const compatible = isZero(bytes, 0, 12) && !isZero(bytes, 12, 15);
  const translated = isZero(bytes, 0, 8) && bytes[8] === 0xff && bytes[9] === 0xff && isZero(bytes, 10, 12);
  return compatible || translated ? ipv4Text(bytes) : ip;
}

/** The 16 bytes of a valid IPv6 address (zone id ignored), or undefined. */
function ipv6Bytes(ip: string): number[] | undefined {
  if (!net.isIPv6(ip)) return undefined;
  let a = ip.split('%')[0];
  // A dotted IPv4 tail is two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (v4) {
    const [b0, b1, b2, b3] = v4.slice(1).map(Number);
    a = a.slice(0, v4.index) + ((b0 << 8) | b1).toString(16) + ':' + ((b2 << 8) | b3).toString(16);
  }
  const halves = a.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const all =
    halves.length === 2 ? [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail] : head;
  if (all.length !== 8) return undefined;
  return all.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

function isZero(bytes: readonly number[], from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}

function ipv4Text(bytes: readonly number[]): string {
  return bytes.slice(12).join('.');
}

/** RFC 5952: lower-case hex groups without leading zeros, the first longest run of 2+ zero groups as `::`. */
function ipv6Text(bytes: readonly number[]): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] << 8) | bytes[2 * i + 1]).toString(16));
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.length) best = { at: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.at < 0) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.length).join(':')}`;
}
