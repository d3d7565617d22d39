/** Endpoint URLs and the mock's own address. (URLs as the mock shows them: `maskUrl`, core/log.ts.) */

/**
 * Where the mock itself can be reached: a URL or a connected address that reaches it gets no
 * delivery, because a delivery would drive the mock's own API (an endpoint whose URL is
 * `http://127.0.0.1:4010/__mock/reset` once reset the whole mock). Built from the address the
 * server listens on (and, for a wildcard bind, the machine's interface addresses).
 *
 * The rule (docs/security.md): the port is the mock's, and the host is an address the mock listens
 * on, in any spelling the URL parser accepts (`127.1`, `0x7f000001`, `2130706433`,
 * `[::ffff:127.0.0.1]`, with or without `user:pass@`), a loopback name (`localhost`,
 * `*.localhost`) that resolves to one, or the unspecified address (`0`, `0.0.0.0`, `[::]`), which
 * connects to the local host. A receiver on 127.0.0.1 at another port is not the mock.
 */
export class SelfAddress {
  private readonly wildcard: boolean;
  private readonly addresses: ReadonlySet<string>;

  /**
   * @param bound the address the server listens on (`127.0.0.1`, `::1`, `0.0.0.0`, `::`, or another)
   * @param interfaces the machine's interface addresses (used when `bound` is a wildcard)
   */
  constructor(
    bound: string,
    readonly port: number,
    interfaces: readonly string[] = [],
  ) {
    const b = normalizeIp(bound);
    this.wildcard = b === '0.0.0.0' || b === '::';
    const set = new Set<string>([b]);
    if (this.wildcard) for (const a of interfaces) set.add(normalizeIp(a));
    // Connecting to the unspecified address reaches the loopback address of its family.
    if (b === '127.0.0.1') set.add('0.0.0.0');
    if (b === '::1') set.add('::');
    this.addresses = set;
  }

  /** True when a connection to `ip`:`port` reaches the mock. */
  isSelf(ip: string, port: number): boolean {
    if (port !== this.port) return false;
    const a = normalizeIp(ip);
    if (this.addresses.has(a)) return true;
    return this.wildcard && (isLoopbackIp(a) || a === '0.0.0.0' || a === '::');
  }

  /** True when a delivery to this URL would reach the mock. */
  reachedBy(url: string): boolean {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return false;
    }
    const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
    const host = u.hostname
      .replace(/^\[|\]$/g, '')
      .replace(/\.$/, '')
      .toLowerCase();
    if (host === 'localhost' || host.endsWith('.localhost'))
      return this.isSelf('127.0.0.1', port) || this.isSelf('::1', port);
    return this.isSelf(host, port);
  }
}

/** An IP address in one spelling: lower case, no brackets, IPv4-mapped IPv6 as IPv4. */
export function normalizeIp(ip: string): string {
  const a = ip.replace(/^\[|\]$/g, '').toLowerCase();
  const mapped = /^(?:0{0,4}:){0,4}:?(?:0{0,4}:)?ffff:(.+)$/.exec(a);
  if (!mapped) return a === '0:0:0:0:0:0:0:1' ? '::1' : a;
  const tail = mapped[1];
  if (/^\d+\.\d+\.\d+\.\d+$/.test(tail)) return tail;
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(tail);
  if (!hex) return a;
  const hi = parseInt(hex[1], 16);
  const lo = parseInt(hex[2], 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

function isLoopbackIp(a: string): boolean {
  return a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a);
}
