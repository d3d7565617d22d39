/** Endpoint URLs and the mock's own address. (URLs as the mock shows them: `maskUrl`, core/log.ts.) */
import { embeddedIpv4, normalizeIp } from '../../core/ip';

/** The local host's loopback and unspecified addresses, of both families. */
const LOCAL_HOST = ['127.0.0.1', '0.0.0.0', '::1', '::'];

/**
 * Where the mock itself can be reached: a URL or a connected address that reaches it gets no
 * delivery, because a delivery would drive the mock's own API (an endpoint whose URL is
 * `http://127.0.0.1:4010/__mock/reset` once reset the whole mock). Built from the address the
 * server listens on (and, for a wildcard bind, the machine's interface addresses).
 *
 * The rule (docs/security.md): the port is the mock's, and the host is the local host's loopback or
 * unspecified address of either family (`127.0.0.1`, `::1`, `0.0.0.0`, `::`, whatever family the
 * mock listens on: a dual-stack listener on `::` is reached by both), the address the mock listens
 * on, a loopback name (`localhost`, `*.localhost`), or, for a wildcard bind, any loopback address and
 * any interface address. Addresses are compared as bytes (node:net validates them), so every
 * spelling counts: the URL parser's (`127.1`, `0x7f000001`, `2130706433`), IPv6 with or without
 * `::` compression (`[0:0:0:0:0:0:0:1]`), and IPv4 embedded in IPv6 (mapped `[::ffff:127.0.0.1]`,
 * compatible `[::127.0.0.1]`, translated `[::ffff:0:127.0.0.1]`). A receiver on 127.0.0.1 at
 * another port is not the mock.
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
    const b = selfForm(bound);
    this.wildcard = b === '0.0.0.0' || b === '::';
    // Connecting to the unspecified address reaches the loopback address of its family, and a
    // dual-stack listener answers both families: the local host's own addresses always count.
    const set = new Set<string>([b, ...LOCAL_HOST]);
    if (this.wildcard) for (const a of interfaces) set.add(selfForm(a));
    this.addresses = set;
  }

  /** True when a connection to `ip`:`port` reaches the mock. */
  isSelf(ip: string, port: number): boolean {
    if (port !== this.port) return false;
    const a = selfForm(ip);
    if (this.addresses.has(a)) return true;
    return this.wildcard && isLoopbackIp(a);
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

/**
 * The form the self check compares: `normalizeIp`, and IPv4 embedded in IPv6 in any of its forms
 * (IPv4-compatible `::a.b.c.d`, IPv4-translated `::ffff:0:a.b.c.d`) as IPv4; `::` and `::1` stay.
 */
function selfForm(ip: string): string {
  return embeddedIpv4(normalizeIp(ip));
}

function isLoopbackIp(a: string): boolean {
  return a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a);
}
