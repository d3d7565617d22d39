import { Webhook } from 'standardwebhooks';
import { fingerprint, generateSecret, secretKey, secretProblem, sign, signedHeaders, verify } from '../core/webhooks';

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
    body:
      '{"type": "example.created", "timestamp":"2023-09-28T19:20:22+00:00", ' +
      '"data":{"str":"string","bool":true,"int":42}}',
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
    const r = verify(v.secret, v.body, headers, at);
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

describe('secret format, at its edges', () => {
  const of = (bytes: number) => `whsec_${Buffer.alloc(bytes, 7).toString('base64')}`;

  it('accepts 24 and 64 bytes, refuses 23 and 65, saying how many', () => {
    expect(secretProblem(of(24))).toBeUndefined();
    expect(secretProblem(of(64))).toBeUndefined();
    expect(secretProblem(of(23))).toBe('secret decodes to 23 bytes, expected 24 to 64');
    expect(secretProblem(of(65))).toBe('secret decodes to 65 bytes, expected 24 to 64');
  });

  it('checks the base64 alone: its alphabet, and padding to a multiple of 4', () => {
    const valid = of(32).slice(6);
    expect(secretProblem(`whsec_${valid.slice(0, -1)}`)).toBe('secret is not padded base64 after whsec_');
    expect(secretProblem(`whsec_${valid.replace(/.$/, '$')}`)).toBe('secret is not padded base64 after whsec_');
    expect(secretProblem(`whsec_${valid.replace(/^./, '-')}`)).toBe('secret is not padded base64 after whsec_');
    expect(secretProblem(`whsec_${valid}=`)).toBe('secret is not padded base64 after whsec_');
    expect(secretProblem('whsec_')).toBe('secret is empty after whsec_');
    expect(secretProblem(valid)).toBe('secret does not start with whsec_');
    expect(secretProblem(null)).toBe('secret is not a string');
  });

  it('generates secrets of other sizes on request', () => {
    for (const n of [24, 64]) {
      const s = generateSecret(n);
      expect(secretProblem(s)).toBeUndefined();
      expect(Buffer.from(s.slice(6), 'base64')).toHaveLength(n);
      expect(generateSecret(n)).not.toBe(s);
    }
  });

  it('derives the key from the base64 with or without whsec_, and refuses anything else', () => {
    const s = of(32);
    expect(secretKey(s)).toEqual(Buffer.alloc(32, 7));
    expect(secretKey(s.slice(6))).toEqual(Buffer.alloc(32, 7));
    expect(() => secretKey('whsec_%%%%')).toThrow('Webhook secret is not base64');
    expect(() => secretKey('')).toThrow('Webhook secret is empty');
    expect(sign(Buffer.alloc(32, 7), 'id', 1, 'b')).toBe(sign(s, 'id', 1, 'b'));
  });
});

describe('verify, header by header', () => {
  const v = VECTORS[0];
  const good = { 'webhook-id': v.id, 'webhook-timestamp': String(v.timestamp), 'webhook-signature': v.signature };
  const at = { now: v.timestamp };

  it('says why, in words, for each failure', () => {
    expect(verify(v.secret, v.body, {}, at)).toEqual({
      ok: false,
      reason: 'missing_headers',
      message: 'missing webhook-id, webhook-timestamp or webhook-signature',
    });
    expect(verify(v.secret, v.body, { ...good, 'webhook-timestamp': '1.5' }, at)).toEqual({
      ok: false,
      reason: 'invalid_timestamp',
      message: 'webhook-timestamp is not a decimal number of seconds',
    });
    expect(verify(v.secret, v.body, good, { now: v.timestamp + 301 })).toEqual({
      ok: false,
      reason: 'timestamp_too_old',
      message: 'webhook-timestamp is too old',
    });
    expect(verify(v.secret, v.body, good, { now: v.timestamp - 301 })).toEqual({
      ok: false,
      reason: 'timestamp_too_new',
      message: 'webhook-timestamp is too far in the future',
    });
    expect(verify('whsec_%%%%', v.body, good, at)).toEqual({
      ok: false,
      reason: 'invalid_secret',
      message: 'Webhook secret is not base64',
    });
    expect(verify(v.secret, v.body, { ...good, 'webhook-signature': 'v1,AAAA' }, at)).toEqual({
      ok: false,
      reason: 'no_matching_signature',
      message: 'no v1 signature matches',
    });
  });

  it('reads headers case-insensitively, joins repeated ones, and ignores values that are not strings', () => {
    const upper = { 'Webhook-Id': v.id, 'WEBHOOK-TIMESTAMP': String(v.timestamp), 'Webhook-Signature': v.signature };
    expect(verify(v.secret, v.body, upper, at)).toEqual({ ok: true });
    expect(verify(v.secret, v.body, { ...good, 'webhook-signature': ['v1,AAAA', v.signature] }, at)).toEqual({
      ok: true,
    });
    expect(verify(v.secret, v.body, { ...good, 'webhook-timestamp': v.timestamp }, at)).toMatchObject({
      reason: 'missing_headers',
    });
    expect(verify(v.secret, v.body, { ...good, 'webhook-id': '' }, at)).toMatchObject({ reason: 'missing_headers' });
  });

  it('takes timestamps of up to 15 digits, and the tolerance and the time it is given', () => {
    expect(verify(v.secret, v.body, { ...good, 'webhook-timestamp': '1'.repeat(16) }, at)).toMatchObject({
      reason: 'invalid_timestamp',
    });
    expect(verify(v.secret, v.body, { ...good, 'webhook-timestamp': '1'.repeat(15) }, at)).toMatchObject({
      reason: 'timestamp_too_new',
    });
    expect(verify(v.secret, v.body, good, { now: v.timestamp + 10, toleranceSeconds: 10 })).toEqual({ ok: true });
    expect(verify(v.secret, v.body, good, { now: v.timestamp + 11, toleranceSeconds: 10 })).toMatchObject({
      reason: 'timestamp_too_old',
    });
    expect(verify(v.secret, v.body, good, { now: v.timestamp - 10, toleranceSeconds: 10 })).toEqual({ ok: true });
    expect(verify(v.secret, v.body, good, { now: v.timestamp - 11, toleranceSeconds: 10 })).toMatchObject({
      reason: 'timestamp_too_new',
    });
    // Without `now`, the current time: a fresh signature verifies, the vector's (2021) is too old.
    const secret = generateSecret();
    const now = Math.floor(Date.now() / 1000);
    expect(verify(secret, 'b', signedHeaders(secret, 'id', now, 'b') as never)).toEqual({ ok: true });
    expect(verify(v.secret, v.body, good)).toMatchObject({ reason: 'timestamp_too_old' });
  });

  it('skips candidates that are not `v1,` signatures', () => {
    for (const sig of [
      v.signature.slice(3),
      `v1${v.signature.slice(3)}`,
      `,${v.signature.slice(3)}`,
      `v11,${v.signature.slice(3)}`,
    ]) {
      expect(verify(v.secret, v.body, { ...good, 'webhook-signature': sig }, at)).toMatchObject({
        reason: 'no_matching_signature',
      });
    }
  });

  it('builds the three headers', () => {
    expect(signedHeaders(v.secret, v.id, v.timestamp, v.body)).toEqual({
      'webhook-id': v.id,
      'webhook-timestamp': String(v.timestamp),
      'webhook-signature': v.signature,
    });
  });
});
