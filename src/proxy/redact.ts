/**
 * What the proxy records (HAR, report, log) never holds a secret or a key: credentials headers are
 * replaced, a body's `secret` values and anything shaped like a secret or a key are redacted, and
 * so is any run of text that is a secret handed out earlier. What the client receives is untouched.
 */
import { API_KEY_HEADER, ID_PREFIX } from '../../core/inklink';
import { jsonOrUndefined } from '../../core/json';
import { redact } from '../../core/log';
import { SECRET_PREFIX } from '../../core/webhooks';
import { SECRET_LIKE, type ExchangeMemory } from './rules';

const CREDENTIAL_HEADERS = new Set([API_KEY_HEADER, 'authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
export const REDACTED = '[redacted]';

/** A text with the secrets and keys in it redacted, those shaped like them and those known to be secrets. */
export function redactText(text: string, memory: ExchangeMemory): string {
  return redact(text).replace(SECRET_LIKE, (run) => (memory.isKnownSecret(run) ? REDACTED : run));
}

function redactString(s: string, isSecretField: boolean, memory: ExchangeMemory): string {
  if (isSecretField || s.startsWith(SECRET_PREFIX) || memory.isKnownSecret(s))
    return s.startsWith(SECRET_PREFIX) ? `${SECRET_PREFIX}${REDACTED}` : REDACTED;
  if (s.startsWith(ID_PREFIX.apiKey)) return `${ID_PREFIX.apiKey}${REDACTED}`;
  return redactText(s, memory);
}

/**
 * A body as it may be recorded. JSON stays JSON of the same shape (a string stays a string), so a
 * recording validates against the spec as the real body did.
 */
export function redactBody(text: string, memory: ExchangeMemory): string {
  const json = jsonOrUndefined(text);
  if (json === undefined || typeof json !== 'object' || json === null) return redactText(text, memory);
  const walk = (v: unknown, key: string | undefined, depth: number): unknown => {
    if (typeof v === 'string') return redactString(v, key !== undefined && /secret/i.test(key), memory);
    if (!v || typeof v !== 'object' || depth > 64) return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, key, depth + 1));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k, depth + 1)]));
  };
  return JSON.stringify(walk(json, undefined, 0));
}

/** Headers as they may be recorded: credentials replaced, anything else redacted as text. */
export function redactHeaders(
  headers: Record<string, string | undefined>,
  memory: ExchangeMemory,
): { name: string; value: string }[] {
  return Object.entries(headers)
    .filter((e): e is [string, string] => typeof e[1] === 'string')
    .map(([name, value]) => ({
      name,
      value: CREDENTIAL_HEADERS.has(name.toLowerCase()) ? REDACTED : redactText(value, memory),
    }));
}
