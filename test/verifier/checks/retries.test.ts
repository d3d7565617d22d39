/** retry_after_rotation and failed_attempts_retried, each failure path fed hand-built deliveries. */
import { generateSecret } from '../../../core/webhooks';
import {
  HOLD_MS,
  judgeRetryAfterRotation,
  type RetryAfterRotationObservation,
} from '../../../src/verifier/checks/retry_after_rotation';
import { judgeFailedAttemptsRetried } from '../../../src/verifier/checks/failed_attempts_retried';
import { deliveryRef, describe as describeExchange } from '../../../src/verifier/judge/evidence';
import { delivery, exchange, issued, payload } from '../../helpers/check-build';

describe('retry_after_rotation', () => {
  const oldSecret = generateSecret();
  const newSecret = generateSecret();
  const t0 = Math.floor(Date.now() / 1000) * 1000;
  const body = JSON.stringify(payload());
  const first = delivery({ tag: 'retry', secret: oldSecret, id: 'wh_evt_1', body, receivedAt: t0 });
  const releasedAt = t0 + HOLD_MS;
  const retryAt = releasedAt + 100;
  const retry = (over: Parameters<typeof delivery>[0] = {}) =>
    delivery({ tag: 'retry', secret: newSecret, id: 'wh_evt_1', body, receivedAt: retryAt, ...over });
  const observe = (over: Partial<RetryAfterRotationObservation> = {}): RetryAfterRotationObservation => ({
    tag: 'retry',
    oldSecret,
    first,
    rotation: issued(newSecret),
    newSecret,
    releasedAt,
    retry: retry(),
    ...over,
  });
  const findings = (o: RetryAfterRotationObservation) =>
    judgeRetryAfterRotation(o).evidence.map((e) => [e.message.replace(/ \[#.*\]$/, ''), e.reliesOn]);

  it('passes when the retry keeps its id and body and is signed afresh with the new secret only', () => {
    expect(judgeRetryAfterRotation(observe())).toEqual({
      status: 'pass',
      summary: 'a retry after a rotation kept its webhook-id and body, and was signed afresh with the new secret only',
      evidence: [],
    });
    // HOLD_MS holds the attempt over a second, so a retry signed afresh has a later timestamp.
    expect(HOLD_MS).toBeGreaterThanOrEqual(1000);
  });

  it('fails when no first attempt came', () => {
    expect(
      judgeRetryAfterRotation(observe({ first: undefined, firstError: 'the trigger failed: 500' })).evidence,
    ).toEqual([{ message: 'no first attempt arrived at endpoint "retry": the trigger failed: 500' }]);
    expect(judgeRetryAfterRotation(observe({ first: undefined })).summary).toBe(
      'no first attempt arrived at endpoint "retry": no delivery',
    );
  });

  it('relies on delivery_signature when the first attempt does not verify with the secret in force', () => {
    expect(findings(observe({ oldSecret: generateSecret() }))).toEqual([
      ['the first attempt does not verify with the secret in force', ['delivery_signature']],
    ]);
    // Another endpoint's rotation after the old secret was issued: rotation_scoped too.
    const rotated = { oldSince: t0 - 1000, otherRotations: [{ sentAt: t0 - 500, answeredAt: t0 - 490 }] };
    expect(findings(observe({ oldSecret: generateSecret(), ...rotated }))).toEqual([
      ['the first attempt does not verify with the secret in force', ['delivery_signature', 'rotation_scoped']],
    ]);
  });

  it('relies on the rotation checks when the rotation returned no new secret', () => {
    const refused = exchange({ status: 500 });
    expect(judgeRetryAfterRotation(observe({ rotation: refused, newSecret: undefined })).evidence).toEqual([
      {
        message: `the rotation between the attempts did not return a secret [${describeExchange(refused)}]`,
        exchange: refused.seq,
        reliesOn: ['one_time_secret', 'privileged_roles'],
      },
    ]);
    expect(findings(observe({ newSecret: 12345 }))).toEqual([
      ['the rotation between the attempts did not return a secret', ['one_time_secret', 'privileged_roles']],
    ]);
    expect(judgeRetryAfterRotation(observe({ rotation: undefined })).evidence).toEqual([
      { message: 'the rotation between the attempts did not return a secret', reliesOn: ['privileged_roles'] },
    ]);
    expect(findings(observe({ newSecret: oldSecret, rotation: issued(oldSecret) }))).toEqual([
      ['the rotation returned the secret already in force', ['one_time_secret']],
    ]);
  });

  it('relies on failed_attempts_retried when no retry came', () => {
    expect(judgeRetryAfterRotation(observe({ retry: undefined })).evidence).toEqual([
      {
        message: 'no retry arrived after the first attempt was answered 500',
        delivery: deliveryRef(first),
        reliesOn: ['failed_attempts_retried'],
      },
    ]);
  });

  it('fails when the retry changed its webhook-id or its body', () => {
    expect(findings(observe({ retry: retry({ id: 'wh_evt_2' }) }))).toEqual([
      ['the retry changed webhook-id (wh_evt_1 -> wh_evt_2): it must be stable for idempotency', undefined],
    ]);
    expect(findings(observe({ retry: retry({ body: JSON.stringify(payload('web.result.failed')) }) }))).toEqual([
      ['the retry changed the body', undefined],
    ]);
  });

  it('fails when the retry does not verify with the new secret, or still verifies with the old one', () => {
    expect(findings(observe({ retry: retry({ secret: oldSecret }) }))).toEqual([
      [
        'the retry, sent after the rotation, does not verify with the new secret',
        ['delivery_signature', 'immediate_invalidation'],
      ],
      ['the retry still verifies with the secret the rotation replaced', ['immediate_invalidation']],
    ]);
  });

  it('also relies on rotation_scoped when another endpoint was rotated between the rotation and the retry', () => {
    const o = observe({
      rotation: issued(newSecret, { startedAt: t0 + 10 }),
      retry: retry({ secret: generateSecret() }),
      otherRotations: [{ sentAt: t0 + 500, answeredAt: t0 + 510 }],
    });
    expect(findings(o)).toEqual([
      [
        'the retry, sent after the rotation, does not verify with the new secret',
        ['delivery_signature', 'immediate_invalidation', 'rotation_scoped'],
      ],
    ]);
    // One answered before this rotation was sent could not have re-keyed the new secret.
    expect(findings({ ...o, otherRotations: [{ sentAt: t0 - 500, answeredAt: t0 }] })[0][1]).toEqual([
      'delivery_signature',
      'immediate_invalidation',
    ]);
  });

  it("fails when the retry repeats the first attempt's signature", () => {
    const replay = retry({ timestamp: Number(first.headers['webhook-timestamp']), secret: oldSecret });
    expect(findings(observe({ retry: replay })).map(([m]) => m)).toEqual([
      'the retry, sent after the rotation, does not verify with the new secret',
      'the retry still verifies with the secret the rotation replaced',
      "the retry repeats the first attempt's signature: it was not signed afresh",
      `the retry's webhook-timestamp (${first.headers['webhook-timestamp']}) is not later than the first ` +
        `attempt's (${first.headers['webhook-timestamp']}) though it was sent over a second later: it was not ` +
        `signed afresh`,
    ]);
  });

  it("fails when a retry sent over a second later keeps the first attempt's timestamp", () => {
    const stale = retry({ timestamp: Number(first.headers['webhook-timestamp']) });
    expect(findings(observe({ retry: stale }))).toEqual([
      [
        expect.stringMatching(/^the retry's webhook-timestamp \(\d+\) is not later than the first attempt's/),
        undefined,
      ],
    ]);
  });

  it('does not judge the timestamp when the attempt was not held a second, or the retry came before the answer', () => {
    const stale = retry({ timestamp: Number(first.headers['webhook-timestamp']) });
    expect(judgeRetryAfterRotation(observe({ retry: stale, releasedAt: undefined })).status).toBe('pass');
    expect(judgeRetryAfterRotation(observe({ retry: stale, releasedAt: t0 + 999 })).status).toBe('pass');
    expect(judgeRetryAfterRotation(observe({ retry: stale, releasedAt: t0 + 1000 })).status).toBe('fail');
    expect(
      judgeRetryAfterRotation(
        observe({
          retry: retry({ timestamp: Number(first.headers['webhook-timestamp']), receivedAt: releasedAt - 1 }),
        }),
      ).status,
    ).toBe('pass');
    expect(
      judgeRetryAfterRotation(
        observe({ retry: retry({ timestamp: Number(first.headers['webhook-timestamp']), receivedAt: releasedAt }) }),
      ).status,
    ).toBe('fail');
  });
});

describe('failed_attempts_retried', () => {
  const first = delivery({ tag: 'redirect' });
  const retry = delivery({ tag: 'redirect' });

  it('passes when every failed attempt was retried and no redirect was followed', () => {
    const cases = [
      { tag: 'redirect', answered: '307 with a Location', first, retry },
      { tag: 'gone', answered: '410', first, retry },
    ];
    expect(judgeFailedAttemptsRetried({ cases, trap: { tag: 'trap', received: [] } })).toEqual({
      status: 'pass',
      summary: 'attempts answered 307 with a Location and 410 were retried; no redirect was followed',
      evidence: [],
    });
  });

  it('fails when no delivery came, when no retry came, and when the redirect was followed', () => {
    const followed = delivery({ tag: 'trap' });
    const r = judgeFailedAttemptsRetried({
      cases: [
        { tag: 'redirect', answered: '307 with a Location', first },
        { tag: 'gone', answered: '410', firstError: 'the trigger failed: 500' },
        { tag: 'other', answered: '503' },
      ],
      trap: { tag: 'trap', received: [followed] },
    });
    expect(r.evidence).toEqual([
      {
        message: 'no retry after the receiver answered 307 with a Location: a non-2xx answer is a failed attempt',
        delivery: deliveryRef(first),
      },
      { message: 'no delivery arrived at endpoint "gone": the trigger failed: 500' },
      { message: 'no delivery arrived at endpoint "other": no delivery' },
      { message: 'the redirect was followed: a request reached its Location (/trap)', delivery: deliveryRef(followed) },
    ]);
  });
});
