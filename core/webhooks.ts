/**
 * Standard Webhooks (`v1`) signing and verification, and InkLink's secret format.
 *
 * Signed content: `${webhook-id}.${webhook-timestamp}.${raw body}`; key: base64-decoded secret
 * without `whsec_`; signature: `v1,` + base64(HMAC-SHA256(key, content)).
 */
import { createHash, createHmac, randomBytes, randomFillSync, timingSafeEqual } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';
export const SECRET_BYTES = 32;
export const MIN_SECRET_BYTES = 24;
export const MAX_SECRET_BYTES = 64;
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

// CSPRNG bytes for 32-byte secrets, drawn 256 secrets at a time (one `randomFillSync` instead of
// one `randomBytes` per rotation, as `crypto.randomUUID` does); each slice is used once.
const POOL = Buffer.alloc(SECRET_BYTES * 256);
let poolOffset = POOL.length;

/** A new secret: `whsec_` + base64 of `bytes` bytes from the CSPRNG. */
export function generateSecret(bytes = SECRET_BYTES): string {
  if (bytes !== SECRET_BYTES) return SECRET_PREFIX + randomBytes(bytes).toString('base64');
  if (poolOffset === POOL.length) {
    randomFillSync(POOL);
    poolOffset = 0;
  }
  const slice = POOL.toString('base64', poolOffset, poolOffset + SECRET_BYTES);
  poolOffset += SECRET_BYTES;
  return SECRET_PREFIX + slice;
}

/** Why a secret is not InkLink-shaped (`whsec_` + base64 of 24 to 64 bytes), or undefined if it is. */
export function secretProblem(secret: unknown): string | undefined {
  if (typeof secret !== 'string') return 'secret is not a string';
  if (!secret.startsWith(SECRET_PREFIX)) return 'secret does not start with whsec_';
  const b64 = secret.slice(SECRET_PREFIX.length);
  if (b64.length === 0) return 'secret is empty after whsec_';
  if (!BASE64.test(b64) || b64.length % 4 !== 0) return 'secret is not padded base64 after whsec_';
  const n = Buffer.from(b64, 'base64').length;
  if (n < MIN_SECRET_BYTES || n > MAX_SECRET_BYTES) {
    return `secret decodes to ${n} bytes, expected ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES}`;
  }
  return undefined;
}

/** The signing key: the bytes of the base64 secret, with or without the `whsec_` prefix. */
export function secretKey(secret: string): Buffer {
  const b64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!BASE64.test(b64)) throw new Error('Webhook secret is not base64');
  const key = Buffer.from(b64, 'base64');
  if (key.length === 0) throw new Error('Webhook secret is empty');
  return key;
}

/**
 * A short, non-reversible fingerprint of a secret (first 12 hex digits of its SHA-256), so a
 * developer can tell which secret is current without the secret being shown.
 */
export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 12);
}

export function sign(secret: string | Buffer, id: string, timestamp: number, body: string | Buffer): string {
  const key = typeof secret === 'string' ? secretKey(secret) : secret;
  const mac = createHmac('sha256', key);
  mac.update(`${id}.${timestamp}.`);
  mac.update(body);
  return `v1,${mac.digest('base64')}`;
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export function signedHeaders(
  secret: string | Buffer,
  id: string,
  timestamp: number,
  body: string | Buffer,
): SignedHeaders {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': sign(secret, id, timestamp, body),
  };
}

export type VerifyFailure =
  | 'missing_headers'
  | 'invalid_timestamp'
  | 'timestamp_too_old'
  | 'timestamp_too_new'
  | 'no_matching_signature'
  | 'invalid_secret';

export type VerifyResult = { ok: true } | { ok: false; reason: VerifyFailure; message: string };

export interface VerifyOptions {
  toleranceSeconds?: number;
  /** Unix seconds; defaults to the current time. */
  now?: number;
}

function pick(headers: Record<string, unknown>, name: string): string | undefined {
  for (const k of Object.keys(headers)) {
    if (k.toLowerCase() === name) {
      const v = headers[k];
      if (Array.isArray(v)) return v.join(' ');
      return typeof v === 'string' ? v : undefined;
    }
  }
  return undefined;
}

/**
 * Verifies a delivery: every header present, a decimal timestamp within the tolerance, and at
 * least one `v1` signature (of several space-separated) equal to ours in constant time.
 */
export function verify(
  secret: string,
  body: string | Buffer,
  headers: Record<string, unknown>,
  options: VerifyOptions = {},
): VerifyResult {
  const id = pick(headers, 'webhook-id');
  const ts = pick(headers, 'webhook-timestamp');
  const sigs = pick(headers, 'webhook-signature');
  if (!id || !ts || !sigs)
    return {
      ok: false,
      reason: 'missing_headers',
      message: 'missing webhook-id, webhook-timestamp or webhook-signature',
    };
  if (!/^\d{1,15}$/.test(ts))
    return { ok: false, reason: 'invalid_timestamp', message: 'webhook-timestamp is not a decimal number of seconds' };
  const timestamp = Number(ts);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (now - timestamp > tolerance)
    return { ok: false, reason: 'timestamp_too_old', message: 'webhook-timestamp is too old' };
  if (timestamp - now > tolerance)
    return { ok: false, reason: 'timestamp_too_new', message: 'webhook-timestamp is too far in the future' };
  let key: Buffer;
  try {
    key = secretKey(secret);
  } catch (e) {
    return { ok: false, reason: 'invalid_secret', message: (e as Error).message };
  }
  const expected = Buffer.from(sign(key, id, timestamp, body).slice(3), 'utf8');
  for (const candidate of sigs.split(' ')) {
    const comma = candidate.indexOf(',');
    if (comma < 0 || candidate.slice(0, comma) !== 'v1') continue;
    const given = Buffer.from(candidate.slice(comma + 1), 'utf8');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true };
  }
  return { ok: false, reason: 'no_matching_signature', message: 'no v1 signature matches' };
}
