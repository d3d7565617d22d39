/**
 * The control API's browser guards as pure rules, in one place: the mock's control API
 * (mock/http/control-api.ts) and the validating proxy (src/proxy/server.ts, for what it forwards to
 * `/__mock/…`) both apply them, so a DNS-rebinding or cross-site page is refused by either.
 */
import { normalizeIp } from './ip';

/** A loopback name (`localhost`, `*.localhost`) or address, as a Host header names it (port stripped). */
export function isLoopbackHost(host: string): boolean {
  const m = /^(\[[^\]]*\]|[^:]*)(?::\d*)?$/.exec(host.trim());
  if (!m) return false;
  const name = m[1].replace(/\.$/, '').toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  const ip = normalizeIp(name);
  return ip === '::1' || /^127\.\d+\.\d+\.\d+$/.test(ip);
}

/** Why a request is one a foreign web page sent, as a refusal kind of core/refusals.ts and the field. */
export interface BrowserGuardViolation {
  kind: 'control_foreign_host' | 'control_cross_site';
  field: 'host' | 'origin' | 'sec-fetch-site';
  message: string;
}

type Headers = Record<string, string | string[] | undefined>;

/**
 * The Host and Origin rules (docs/security.md): when `checkHost`, a request must be addressed to a
 * loopback name (DNS rebinding); never from another site (an `Origin` other than the Host's own, or
 * `Sec-Fetch-Site` other than same-origin or none).
 */
export function browserGuardViolation(h: Headers, checkHost: boolean): BrowserGuardViolation | undefined {
  const host = typeof h.host === 'string' ? h.host : undefined;
  if (checkHost && host !== undefined && !isLoopbackHost(host))
    return { kind: 'control_foreign_host', field: 'host', message: 'is not a loopback name or address' };
  const origin = h.origin;
  if (origin !== undefined && (host === undefined || (origin !== `http://${host}` && origin !== `https://${host}`)))
    return { kind: 'control_cross_site', field: 'origin', message: "is not this mock's own origin" };
  const site = h['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    return { kind: 'control_cross_site', field: 'sec-fetch-site', message: 'must be same-origin or none' };
  return undefined;
}
