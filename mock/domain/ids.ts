/** Identifiers and credentials. Random ones come from the CSPRNG. */
import { createHash, randomFillSync } from 'node:crypto';
import { ID_PREFIX } from '../../core/inklink';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

// CSPRNG bytes drawn 4 KiB at a time (one randomFillSync, not one per id); each byte used once.
const POOL = Buffer.alloc(4096);
let poolOffset = POOL.length;

const CODES = Buffer.from(ALPHABET, 'latin1');

/** `length` characters of [A-Za-z0-9] from the CSPRNG (rejection sampling, no modulo bias). */
export function randomAlphanumeric(length: number): string {
  const out = Buffer.allocUnsafe(length);
  let n = 0;
  while (n < length) {
    if (poolOffset === POOL.length) {
      randomFillSync(POOL);
      poolOffset = 0;
    }
    const b = POOL[poolOffset++];
    if (b < 248) out[n++] = CODES[b % 62];
  }
  return out.toString('latin1');
}

export const newId = (prefix: string, length = 24) => prefix + randomAlphanumeric(length);
export const newEndpointId = () => newId(ID_PREFIX.endpoint);
export const newEventId = () => newId(ID_PREFIX.event);
export const newApiKey = () => newId(ID_PREFIX.apiKey, 32);

/** Lookups go by this hash, so the key is never stored and never compared character by character. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** A key's public hint: its prefix and the first 4 characters after it. */
export function apiKeyHint(key: string): string {
  return key.slice(ID_PREFIX.apiKey.length, ID_PREFIX.apiKey.length + 4);
}

export function maskApiKey(hint: string): string {
  return `${ID_PREFIX.apiKey}${hint}…`;
}

export { ENDPOINT_ID_RE } from '../../core/inklink';
/** Well-formed api keys; anything else is refused before any lookup. */
export const API_KEY_RE = /^secret_live_[A-Za-z0-9_-]{8,200}$/;
