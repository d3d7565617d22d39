import { Webhook } from 'standardwebhooks';
import { fingerprint, generateSecret, secretProblem, sign, signedHeaders, verify } from '../src/core/webhooks';

// Test vectors from ../shared/inklink-api.md §4 (both recomputed and confirmed there).
const VECTORS = [
  {
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: 1614265330,
    body: '{"test": 2432232314}',
    signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  },
  {
    secret: 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: 1696200454,
    body: '{"type": "example.created", "timestamp":"2023-09-28T19:20:22+00:00", "data":{"str":"string","bool":true,"int":42}}',
    signature: 'v1,GgjvufBlIj71MBIVQotYGb+xEC3LNXCsIZp0HsDC8qs=',
  },
];

describe('Standard Webhooks signing', () => {
  it.each(VECTORS)('signs the test vector $timestamp exactly', (v) => {
    expect(sign(v.secret, v.id, v.timestamp, v.body)).toBe(v.signature);
    expect(sign(v.secret, v.id, v.timestamp, Buffer.from(v.body))).toBe(v.signature);
  });

  it.each(VECTORS)('verifies the test vector $timestamp and agrees with the reference package', (v) => {
    const headers = { 'webhook-id': v.id, 'webhook-timestamp': String(v.timestamp), 'webhook-signature': v.signature };
    expect(verify(v.secret, v.body, headers, { now: v.timestamp })).toEqual({ ok: true });
    const ref = new Webhook(v.secret);
    expect(ref.sign(v.id, new Date(v.timestamp * 1000), v.body)).toBe(v.signature);
  });

  const v = VECTORS[0];
  const good = { 'webhook-id': v.id, 'webhook-timestamp': String(v.timestamp), 'webhook-signature': v.signature };
  const at = { now: v.timestamp };

  it.each([
    ['no webhook-id', { ...good, 'webhook-id': undefined }, 'missing_headers'],
    ['no webhook-timestamp', { ...good, 'webhook-timestamp': undefined }, 'missing_headers'],
    ['no webhook-signature', { ...good, 'webhook-signature': undefined }, 'missing_headers'],
    ['a non-numeric timestamp', { ...good, 'webhook-timestamp': '16142x5330' }, 'invalid_timestamp'],
    ['a truncated signature', { ...good, 'webhook-signature': v.signature.slice(0, -4) }, 'no_matching_signature'],
    ['a v2 prefix', { ...good, 'webhook-signature': v.signature.replace('v1,', 'v2,') }, 'no_matching_signature'],
  ])('rejects %s', (_name, headers, reason) => {
    const r = verify(v.secret, v.body, headers as Record<string, unknown>, at);
    expect(r).toMatchObject({ ok: false, reason });
  });

  it('rejects a timestamp more than 5 minutes old or ahead, accepts one at the edge', () => {
    expect(verify(v.secret, v.body, good, { now: v.timestamp + 301 })).toMatchObject({ reason: 'timestamp_too_old' });
    expect(verify(v.secret, v.body, good, { now: v.timestamp - 301 })).toMatchObject({ reason: 'timestamp_too_new' });
    expect(verify(v.secret, v.body, good, { now: v.timestamp + 300 })).toEqual({ ok: true });
  });

  it('accepts several signatures when one is valid, and rejects a changed body', () => {
    const several = { ...good, 'webhook-signature': `v1,AAAA v2,${v.signature.slice(3)} ${v.signature}` };
    expect(verify(v.secret, v.body, several, at)).toEqual({ ok: true });
    expect(verify(v.secret, v.body + ' ', good, at)).toMatchObject({ reason: 'no_matching_signature' });
  });

  it('rejects an empty secret', () => {
    expect(verify('whsec_', v.body, good, at)).toMatchObject({ ok: false, reason: 'invalid_secret' });
    expect(() => sign('whsec_', v.id, v.timestamp, v.body)).toThrow(/empty/);
  });

  it('signs what the reference package verifies', () => {
    const secret = generateSecret();
    const now = Math.floor(Date.now() / 1000);
    const body = '{"type":"kyc.result.approved"}';
    const headers = signedHeaders(secret, 'wh_evt_abc', now, body);
    expect(() => new Webhook(secret).verify(body, headers as unknown as Record<string, string>)).not.toThrow();
    expect(() => new Webhook(generateSecret()).verify(body, headers as unknown as Record<string, string>)).toThrow();
  });
});

describe('secrets', () => {
  it('generates whsec_ + base64 of 32 CSPRNG bytes, all different', () => {
    const secrets = new Set(Array.from({ length: 500 }, () => generateSecret()));
    expect(secrets.size).toBe(500);
    for (const s of secrets) {
      expect(s).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from(s.slice(6), 'base64')).toHaveLength(32);
      expect(secretProblem(s)).toBeUndefined();
    }
  });

  it.each([
    ['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', /whsec_/],
    ['whsec_', /empty/],
    ['whsec_not base64!', /base64/],
    [`whsec_${Buffer.alloc(16).toString('base64')}`, /16 bytes/],
    [`whsec_${Buffer.alloc(65).toString('base64')}`, /65 bytes/],
    [42, /not a string/],
  ])('names what is wrong with %p', (secret, why) => {
    expect(secretProblem(secret)).toMatch(why);
  });

  it('fingerprints are the first 12 hex digits of the SHA-256', () => {
    expect(fingerprint('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toMatch(/^[0-9a-f]{12}$/);
    expect(fingerprint('a')).toBe('ca978112ca1b');
  });
});
