/** The helpers every judgement uses: outcomes, evidence, refusal expectations, signature verification. */
import { generateSecret } from '../../../core/webhooks';
import {
  collect,
  deliveryEvidence,
  deliveryRef,
  describe as describeExchange,
  evidence,
  failWith,
  isSuccess,
  pass,
  refusalMismatch,
  skip,
  unverifiedReliesOn,
  verdict,
  verifiesWith,
  withoutRequestId,
} from '../../../src/verifier/judge/evidence';
import { delivery, exchange, refusal } from '../../helpers/check-build';

describe('outcomes', () => {
  it('pass, skip and fail carry their summary; a failure is summed up by its first finding', () => {
    expect(pass('fine')).toEqual({ status: 'pass', summary: 'fine', evidence: [] });
    expect(skip('no trigger')).toEqual({ status: 'skip', summary: 'no trigger', evidence: [] });
    expect(failWith([{ message: 'first' }, { message: 'second' }])).toEqual({
      status: 'fail',
      summary: 'first',
      evidence: [{ message: 'first' }, { message: 'second' }],
    });
    expect(failWith([])).toEqual({ status: 'fail', summary: 'failed', evidence: [] });
    expect(verdict([], 'all good')).toEqual(pass('all good'));
    expect(verdict([{ message: 'bad' }], 'all good')).toEqual(failWith([{ message: 'bad' }]));
  });
});

describe('evidence', () => {
  it('names the exchange by number, method, path, key and outcome', () => {
    const ex = exchange({ status: 500, keyLabel: 'member key' });
    expect(describeExchange(ex)).toBe(
      `#${ex.seq} POST /webhook/endpoints/wh_end_abc/rotate-secret (member key) -> 500`,
    );
    const lost = exchange({ error: 'connection reset' });
    expect(describeExchange(lost)).toBe(
      `#${lost.seq} POST /webhook/endpoints/wh_end_abc/rotate-secret -> no response: connection reset`,
    );
  });

  it('points at the exchange, redacts secrets and keys, and says what it relies on only when it does', () => {
    const ex = exchange({ status: 200 });
    expect(evidence(ex, 'leaked whsec_abcdef and secret_live_abcdefgh')).toEqual({
      message: `leaked whsec_[redacted] and secret_live_[redacted] [${describeExchange(ex)}]`,
      exchange: ex.seq,
    });
    expect(evidence(ex, 'x', ['one_time_secret']).reliesOn).toEqual(['one_time_secret']);
  });

  it('points at a delivery by path, webhook-id and arrival', () => {
    const d = delivery({ tag: 'inv', id: 'wh_evt_1', receivedAt: Date.UTC(2026, 0, 2, 3, 4, 5) });
    expect(deliveryRef(d)).toEqual({ tag: 'inv', webhookId: 'wh_evt_1', receivedAt: '2026-01-02T03:04:05.000Z' });
    expect(deliveryEvidence(d, 'secret whsec_abc')).toEqual({
      message: 'secret whsec_[redacted]',
      delivery: deliveryRef(d),
    });
    expect(deliveryEvidence(d, 'x', ['delivery_signature'])).toEqual({
      message: 'x',
      delivery: deliveryRef(d),
      reliesOn: ['delivery_signature'],
    });
  });
});

describe('expectations', () => {
  it('success is any 2xx answer', () => {
    expect([199, 200, 201, 299, 300, 500].map((status) => isSuccess(exchange({ status })))).toEqual([
      false,
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(isSuccess(exchange({ error: 'timed out' }))).toBe(false);
  });

  it("a refusal is the table's status and code", () => {
    expect(refusalMismatch(refusal('unauthenticated'), 'unauthenticated')).toBeUndefined();
    expect(refusalMismatch(exchange({ error: 'connection refused' }), 'unauthenticated')).toBe(
      'no response (connection refused)',
    );
    expect(refusalMismatch(exchange({ status: 200 }), 'unauthenticated')).toBe('expected 401 UNAUTHORIZED, got 200');
    expect(refusalMismatch(refusal('forbidden'), 'endpoint_not_found')).toBeUndefined();
    expect(refusalMismatch(exchange({ status: 401, json: { error: { code: 'FORBIDDEN' } } }), 'unauthenticated')).toBe(
      'expected error code UNAUTHORIZED, got "FORBIDDEN"',
    );
    expect(refusalMismatch(exchange({ status: 401, json: {} }), 'unauthenticated')).toBe(
      'expected error code UNAUTHORIZED, got no error code',
    );
    expect(refusalMismatch(exchange({ status: 401, body: 'Unauthorized' }), 'unauthenticated')).toBe(
      'expected error code UNAUTHORIZED, got no error code',
    );
  });

  it('collects one finding per failed expectation', () => {
    const a = exchange();
    const b = exchange();
    expect(
      collect([
        [a, undefined],
        [b, 'wrong'],
      ]),
    ).toEqual([evidence(b, 'wrong')]);
  });

  it('compares bodies without their requestId', () => {
    const a = refusal('endpoint_not_found');
    const b = refusal('endpoint_not_found');
    expect(withoutRequestId(a)).toBe(withoutRequestId(b));
    expect(withoutRequestId(a)).toContain('"requestId":"<requestId>"');
    expect(withoutRequestId(exchange({ body: 'plain' }))).toBe('plain');
    expect(withoutRequestId(exchange({ json: { error: { requestId: '' } } }))).toBe('{"error":{"requestId":""}}');
    expect(withoutRequestId(exchange({ error: 'lost' }))).toBe('');
    expect(withoutRequestId(exchange({ json: {} }))).toBe('{}');
    expect(withoutRequestId(exchange({ json: { error: { requestId: 5 }, n: 5 } }))).toBe(
      '{"error":{"requestId":5},"n":5}',
    );
  });
});

describe('verifiesWith (standardwebhooks)', () => {
  it('verifies with the secret that signed, and with nothing else', () => {
    const secret = generateSecret();
    const d = delivery({ secret });
    expect(verifiesWith(secret, d)).toBe(true);
    expect(verifiesWith(generateSecret(), d)).toBe(false);
    expect(verifiesWith(undefined, d)).toBe(false);
    expect(verifiesWith(12345, d)).toBe(false);
    expect(verifiesWith('', d)).toBe(false);
    expect(verifiesWith('whsec_!!!', d)).toBe(false);
  });
});

describe('unverifiedReliesOn', () => {
  const d = delivery({ receivedAt: 1000 });
  it(
    'relies on delivery_signature (or what it is told) alone ' +
      'when no other rotation may have taken effect in the window',
    () => {
      expect(unverifiedReliesOn(d, 500)).toEqual(['delivery_signature']);
      expect(unverifiedReliesOn(d, 500, [], ['a', 'b'])).toEqual(['a', 'b']);
      // Answered before the secret was issued, or sent after the delivery arrived: neither could have re-keyed it.
      expect(unverifiedReliesOn(d, 500, [{ sentAt: 100, answeredAt: 499 }, { sentAt: 1001 }])).toEqual([
        'delivery_signature',
      ]);
      expect(unverifiedReliesOn(d, undefined, [{ sentAt: 600, answeredAt: 610 }])).toEqual(['delivery_signature']);
    },
  );

  it('also relies on rotation_scoped when another rotation was in flight between the secret and the delivery', () => {
    for (const r of [
      { sentAt: 600, answeredAt: 610 },
      { sentAt: 400, answeredAt: 500 },
      { sentAt: 1000 },
      { sentAt: 100 },
    ]) {
      expect([r, unverifiedReliesOn(d, 500, [r])]).toEqual([r, ['delivery_signature', 'rotation_scoped']]);
    }
    expect(unverifiedReliesOn(d, 500, [{ sentAt: 600, answeredAt: 610 }], ['a'])).toEqual(['a', 'rotation_scoped']);
  });
});
