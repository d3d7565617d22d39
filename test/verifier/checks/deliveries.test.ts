/** The delivery judgements, each failure path fed a hand-built delivery. */
import { EVENT_TYPES } from '../../../core/inklink';
import { generateSecret } from '../../../core/webhooks';
import { deliveryProblems, judgeDeliveryConformance } from '../../../src/verifier/checks/delivery_conformance';
import { judgeDeliverySignature } from '../../../src/verifier/checks/delivery_signature';
import { judgeDisabledEndpoint } from '../../../src/verifier/checks/disabled_endpoint';
import { judgeImmediateInvalidation, type RotationRound } from '../../../src/verifier/checks/immediate_invalidation';
import { judgeRotationScoped, type ScopeObservation } from '../../../src/verifier/checks/rotation_scoped';
import { judgeSubscriptions } from '../../../src/verifier/checks/subscriptions';
import { deliveryRef, describe as describeExchange, payloadType } from '../../../src/verifier/judge/evidence';
import { delivery, exchange, issued, payload } from '../../helpers/check-build';

describe('payloadType', () => {
  it("is the payload's type, or undefined", () => {
    expect(payloadType(delivery({ payload: payload('web.result.failed') }))).toBe('web.result.failed');
    expect(payloadType(delivery({ body: 'not json' }))).toBeUndefined();
    expect(payloadType(delivery({ body: '{"type": 5}' }))).toBeUndefined();
    expect(payloadType(delivery({ body: 'null' }))).toBeUndefined();
  });
});

describe('deliveryProblems', () => {
  it('finds nothing wrong with a delivery as InkLink sends it, of either family', () => {
    expect(deliveryProblems(delivery())).toEqual([]);
    expect(
      deliveryProblems(
        delivery({
          payload: payload('web.result.approved'),
          headers: { 'content-type': 'Application/JSON; charset=utf-8' },
        }),
      ),
    ).toEqual([]);
    expect(deliveryProblems(delivery({ headers: { 'content-type': 'application/json ; charset=utf-8' } }))).toEqual([]);
    expect(
      deliveryProblems(delivery({ headers: { 'webhook-signature': 'v1,bad v1,' + 'A'.repeat(43) + '=' } })),
    ).toEqual([]);
  });

  it.each([
    ['a method other than POST', { method: 'PUT' }, 'method PUT, not POST'],
    [
      'another content type',
      { headers: { 'content-type': 'text/plain' } },
      'Content-Type "text/plain", not application/json',
    ],
    [
      'a JSON-like content type',
      { headers: { 'content-type': 'application/jsonx' } },
      'Content-Type "application/jsonx", not application/json',
    ],
    [
      'JSON under another type',
      { headers: { 'content-type': 'text/application/json' } },
      'Content-Type "text/application/json", not application/json',
    ],
    [
      'a signature with a prefix',
      { headers: { 'webhook-signature': 'xv1,' + 'A'.repeat(43) + '=' } },
      'webhook-signature has no v1,<base64 HMAC-SHA256> signature',
    ],
    [
      'a signature with a suffix',
      { headers: { 'webhook-signature': 'v1,' + 'A'.repeat(43) + '=x' } },
      'webhook-signature has no v1,<base64 HMAC-SHA256> signature',
    ],
    [
      'a payload timestamp that is a year',
      { payload: { ...payload(), timestamp: 2025 } },
      'payload timestamp is not an ISO 8601 date-time',
    ],
    ['data that is text', { payload: { ...payload(), data: 'x' } }, 'payload data is not an object'],
    ['data that is null', { payload: { ...payload(), data: null } }, 'payload data is not an object'],
    ['no content type', { headers: { 'content-type': undefined } }, 'Content-Type undefined, not application/json'],
    ['another User-Agent', { headers: { 'user-agent': 'node' } }, 'User-Agent "node", not InkLink-Webhooks/1.0'],
    ['no webhook-id', { headers: { 'webhook-id': undefined } }, 'webhook-id undefined is not a wh_evt_… id'],
    ['a webhook-id of another kind', { headers: { 'webhook-id': 'msg_1' } }, 'webhook-id "msg_1" is not a wh_evt_… id'],
    [
      'a bare prefix as webhook-id',
      { headers: { 'webhook-id': 'wh_evt_' } },
      'webhook-id "wh_evt_" is not a wh_evt_… id',
    ],
    [
      'no timestamp',
      { headers: { 'webhook-timestamp': undefined } },
      'webhook-timestamp undefined is not decimal Unix seconds',
    ],
    [
      'an ISO timestamp',
      { headers: { 'webhook-timestamp': '2026-01-01T00:00:00Z' } },
      'webhook-timestamp "2026-01-01T00:00:00Z" is not decimal Unix seconds',
    ],
    [
      'a timestamp with a fraction',
      { headers: { 'webhook-timestamp': '1700000000.5' } },
      'webhook-timestamp "1700000000.5" is not decimal Unix seconds',
    ],
    ['no signature', { headers: { 'webhook-signature': undefined } }, 'no webhook-signature'],
    ['a blank signature', { headers: { 'webhook-signature': '  ' } }, 'no webhook-signature'],
    [
      'a v2 signature',
      { headers: { 'webhook-signature': 'v2,' + 'A'.repeat(43) + '=' } },
      'webhook-signature has no v1,<base64 HMAC-SHA256> signature',
    ],
    [
      'a truncated signature',
      { headers: { 'webhook-signature': 'v1,' + 'A'.repeat(42) + '=' } },
      'webhook-signature has no v1,<base64 HMAC-SHA256> signature',
    ],
    [
      'an unpadded signature',
      { headers: { 'webhook-signature': 'v1,' + 'A'.repeat(44) } },
      'webhook-signature has no v1,<base64 HMAC-SHA256> signature',
    ],
    [
      'a payload of an undocumented type',
      { payload: { ...payload(), type: 'kyc.result.approved.v2' } },
      'type "kyc.result.approved.v2" is not a documented event type',
    ],
    [
      'a payload timestamp that is not a date',
      { payload: { ...payload(), timestamp: 'yesterday' } },
      'payload timestamp is not an ISO 8601 date-time',
    ],
    [
      'a payload timestamp that is a number',
      { payload: { ...payload(), timestamp: 1700000000 } },
      'payload timestamp is not an ISO 8601 date-time',
    ],
    ['data that is a list', { payload: { ...payload(), data: [] } }, 'payload data is not an object'],
    [
      'no data',
      { payload: { type: 'kyc.result.approved', timestamp: new Date().toISOString() } },
      'payload data is not an object',
    ],
    [
      'an inquiry of the other family',
      { payload: { ...payload('kyc.result.approved'), data: { inquiry_id: 'web_iq_1', subject_id: 'u' } } },
      'data.inquiry_id is not a kyc_iq_… id',
    ],
    [
      'no inquiry id',
      { payload: { ...payload('web.result.approved'), data: { subject_id: 'u' } } },
      'data.inquiry_id is not a web_iq_… id',
    ],
    [
      'a subject id that is not a string',
      { payload: { ...payload(), data: { inquiry_id: 'kyc_iq_1', subject_id: 1 } } },
      'data.subject_id is not a string',
    ],
    [
      'a payload that is not thin',
      { payload: { ...payload(), inquiry: {}, id: 'x' } },
      'the payload is not thin: unexpected inquiry, id',
    ],
    [
      'data that is not thin',
      { payload: { ...payload(), data: { ...payload().data, status: 'approved', document: 'X1' } } },
      "the payload's data is not thin: unexpected status, document",
    ],
    [
      'a payload timestamp that is an HTTP date',
      { payload: { ...payload(), timestamp: new Date().toUTCString() } },
      'payload timestamp is not an ISO 8601 date-time',
    ],
    [
      'a payload timestamp that is a date only',
      { payload: { ...payload(), timestamp: '2025-06-11' } },
      'payload timestamp is not an ISO 8601 date-time',
    ],
    [
      'a payload timestamp without a time zone',
      { payload: { ...payload(), timestamp: '2025-06-11T14:30:00' } },
      'payload timestamp is not an ISO 8601 date-time',
    ],
  ])('finds %s', (_what, spec, problem) => {
    expect(deliveryProblems(delivery(spec as never))).toEqual([problem]);
  });

  it('finds a stale or a future timestamp, and accepts one at the 5-minute edge', () => {
    const seconds = Math.floor(Date.now() / 1000);
    const at = (offset: number) => delivery({ receivedAt: seconds * 1000, timestamp: seconds + offset });
    expect(deliveryProblems(at(-300))).toEqual([]);
    expect(deliveryProblems(at(300))).toEqual([]);
    expect(deliveryProblems(at(-301))).toEqual([
      `webhook-timestamp ${seconds - 301} is not fresh (more than 5 minutes from its arrival)`,
    ]);
    expect(deliveryProblems(at(301))).toEqual([
      `webhook-timestamp ${seconds + 301} is not fresh (more than 5 minutes from its arrival)`,
    ]);
  });

  it('stops at a body that is not a JSON object', () => {
    expect(deliveryProblems(delivery({ body: 'not json' }))).toEqual(['the body is not JSON']);
    expect(deliveryProblems(delivery({ body: '[1]' }))).toEqual(['the payload is not an object']);
    expect(deliveryProblems(delivery({ body: 'null' }))).toEqual(['the payload is not an object']);
    expect(deliveryProblems(delivery({ body: '"text"' }))).toEqual(['the payload is not an object']);
  });

  it('finds a type that is not a string without guessing a family', () => {
    expect(
      deliveryProblems(
        delivery({ payload: { ...payload(), type: 5, data: { inquiry_id: 'x_iq_1', subject_id: 'u' } } }),
      ),
    ).toEqual(['type 5 is not a documented event type', 'data.inquiry_id is not a _iq_… id']);
  });
});

describe('delivery_conformance', () => {
  it('passes on conforming deliveries, fails on each problem of each, and on no delivery at all', () => {
    expect(judgeDeliveryConformance([delivery(), delivery()])).toEqual({
      status: 'pass',
      summary: '2 deliveries conform',
      evidence: [],
    });
    const bad = delivery({ method: 'GET', headers: { 'user-agent': 'x' } });
    expect(judgeDeliveryConformance([delivery(), bad]).evidence).toEqual([
      { message: 'method GET, not POST', delivery: deliveryRef(bad) },
      { message: 'User-Agent "x", not InkLink-Webhooks/1.0', delivery: deliveryRef(bad) },
    ]);
    expect(judgeDeliveryConformance([])).toEqual({
      status: 'fail',
      summary: 'no delivery arrived to judge',
      evidence: [{ message: 'no delivery arrived to judge' }],
    });
  });

  it('accepts a webhook-id repeated with the same body (a retry), fails once on an id reused for another event', () => {
    const first = delivery({ id: 'wh_evt_1', tag: 'a' });
    const retry = delivery({ id: 'wh_evt_1', tag: 'a', body: first.body });
    expect(judgeDeliveryConformance([first, retry]).status).toBe('pass');
    const other = delivery({ id: 'wh_evt_1', tag: 'b', payload: payload('web.result.failed') });
    const again = delivery({ id: 'wh_evt_1', tag: 'b', payload: payload('web.result.pending') });
    expect(judgeDeliveryConformance([first, retry, other, again]).evidence).toEqual([
      {
        message:
          'webhook-id wh_evt_1 names another event too (a delivery to endpoint "a" had it with another ' +
          'body): it must identify one event',
        delivery: deliveryRef(other),
      },
    ]);
  });
});

describe('delivery_signature', () => {
  it('passes when the delivery verifies with the secret create returned', () => {
    const secret = generateSecret();
    expect(judgeDeliverySignature({ delivery: delivery({ secret }), secret })).toEqual({
      status: 'pass',
      summary: 'a delivery verifies (standardwebhooks) with the secret its endpoint was created with',
      evidence: [],
    });
  });

  it('fails when it does not, and relies on one_time_secret when create returned no secret', () => {
    const d = delivery();
    expect(judgeDeliverySignature({ delivery: d, secret: generateSecret() }).evidence).toEqual([
      {
        message: 'the delivery does not verify (standardwebhooks) with the secret its endpoint was created with',
        delivery: deliveryRef(d),
      },
    ]);
    expect(judgeDeliverySignature({ delivery: d, secret: undefined }).evidence).toEqual([
      {
        message: 'create returned no secret to verify the delivery with',
        delivery: deliveryRef(d),
        reliesOn: ['one_time_secret'],
      },
    ]);
  });
});

describe('immediate_invalidation', () => {
  const s0 = generateSecret();
  const s1 = generateSecret();
  const s2 = generateSecret();
  const t = Date.now();
  const round = (
    secret: unknown,
    signer: string | undefined,
    sentAt = t,
    over: Partial<RotationRound> = {},
  ): RotationRound => ({
    rotation: issued(secret),
    sentAt,
    secret,
    after: signer ? delivery({ secret: signer, receivedAt: sentAt + 10 }) : undefined,
    ...over,
  });
  const messages = (o: { evidence: { message: string; reliesOn?: string[] }[] }) =>
    o.evidence.map((e) => [e.message.replace(/ \[#.*\]$/, ''), e.reliesOn]);

  it('passes when each rotation takes effect at once', () => {
    const before = delivery({ secret: s0, receivedAt: t - 100 });
    const r = judgeImmediateInvalidation({
      initialSecret: s0,
      before,
      rounds: [round(s1, s1), round(s2, s2)],
      received: [before],
    });
    expect(r).toEqual({
      status: 'pass',
      summary: '2 rotations: each old secret stopped verifying at once, each new one verified',
      evidence: [],
    });
  });

  it('fails when no delivery came before rotating', () => {
    expect(
      judgeImmediateInvalidation({
        initialSecret: s0,
        beforeError: 'the trigger failed: 500',
        rounds: [],
        received: [],
      }).evidence,
    ).toEqual([{ message: 'before rotating: the trigger failed: 500' }]);
    expect(judgeImmediateInvalidation({ initialSecret: s0, rounds: [], received: [] }).summary).toBe(
      'before rotating: no delivery',
    );
  });

  it('relies on delivery_signature when a delivery before any rotation does not verify', () => {
    const before = delivery({ secret: s1 });
    expect(messages(judgeImmediateInvalidation({ initialSecret: s0, before, rounds: [], received: [] }))).toEqual([
      ['a delivery signed before any rotation does not verify with the current secret', ['delivery_signature']],
    ]);
  });

  it('relies on one_time_secret and privileged_roles when a rotation returned no secret, and stops there', () => {
    const before = delivery({ secret: s0 });
    const refused = round(undefined, undefined, t, { rotation: exchange({ status: 500 }) });
    expect(
      messages(
        judgeImmediateInvalidation({ initialSecret: s0, before, rounds: [refused, round(s2, s2)], received: [] }),
      ),
    ).toEqual([['rotation 1 did not return a secret', ['one_time_secret', 'privileged_roles']]]);
    expect(
      messages(
        judgeImmediateInvalidation({ initialSecret: s0, before, rounds: [round(12345, undefined)], received: [] }),
      ),
    ).toEqual([['rotation 1 did not return a secret', ['one_time_secret', 'privileged_roles']]]);
  });

  it('relies on one_time_secret when a rotation returned a secret already in use', () => {
    const before = delivery({ secret: s0 });
    expect(
      messages(
        judgeImmediateInvalidation({ initialSecret: s0, before, rounds: [round(s1, s1), round(s0, s0)], received: [] }),
      ),
    ).toEqual([['rotation 2 returned a secret already in use', ['one_time_secret']]]);
  });

  it('fails when a delivery received before a rotation verifies with none of the earlier secrets', () => {
    const before = delivery({ secret: s0, receivedAt: t - 100 });
    const stray = delivery({ secret: generateSecret(), receivedAt: t - 50 });
    const atOnce = delivery({ secret: generateSecret(), receivedAt: t });
    const late = delivery({ secret: generateSecret(), receivedAt: t + 50 });
    const r = judgeImmediateInvalidation({
      initialSecret: s0,
      before,
      rounds: [round(s1, s1)],
      received: [before, stray, atOnce, late],
    });
    expect(messages(r)).toEqual([
      ['a delivery received before rotation 1 verifies with none of the earlier secrets', ['delivery_signature']],
    ]);
    expect(r.evidence[0].delivery).toEqual(deliveryRef(stray));
  });

  it('fails when no delivery came after a rotation, and goes on to the next', () => {
    const before = delivery({ secret: s0 });
    expect(
      messages(
        judgeImmediateInvalidation({
          initialSecret: s0,
          before,
          rounds: [round(s1, undefined, t, { afterError: 'no delivery arrived within 5 ms' }), round(s2, s2)],
          received: [],
        }),
      ),
    ).toEqual([['after rotation 1: no delivery arrived within 5 ms', undefined]]);
    expect(
      judgeImmediateInvalidation({ initialSecret: s0, before, rounds: [round(s1, undefined)], received: [] }).summary,
    ).toBe('after rotation 1: no delivery');
  });

  it("also relies on rotation_scoped for each delivery that another endpoint's rotation may have re-keyed", () => {
    const other = [{ sentAt: t + 5, answeredAt: t + 6 }];
    const before = delivery({ secret: s1, receivedAt: t + 7 });
    const stray = delivery({ secret: generateSecret(), receivedAt: t + 8 });
    const r = judgeImmediateInvalidation({
      initialSecret: s0,
      before,
      rounds: [round(s1, s2, t + 9)],
      received: [stray],
      initialSince: t,
      otherRotations: other,
    });
    expect(messages(r)).toEqual([
      [
        'a delivery signed before any rotation does not verify with the current secret',
        ['delivery_signature', 'rotation_scoped'],
      ],
      [
        'a delivery received before rotation 1 verifies with none of the earlier secrets',
        ['delivery_signature', 'rotation_scoped'],
      ],
      ['a delivery signed after rotation 1 does not verify with the new secret', ['delivery_signature']],
    ]);
    // Between rotation 1 and its delivery: the delivery after it relies on rotation_scoped too.
    expect(
      messages(
        judgeImmediateInvalidation({
          initialSecret: s0,
          before: delivery({ secret: s0 }),
          rounds: [round(s1, s2, t)],
          received: [],
          initialSince: t - 100,
          otherRotations: other,
        }),
      ),
    ).toEqual([
      [
        'a delivery signed after rotation 1 does not verify with the new secret',
        ['delivery_signature', 'rotation_scoped'],
      ],
    ]);
  });

  it('fails when a delivery after a rotation does not verify with the new secret, or verifies with an old one', () => {
    const before = delivery({ secret: s0 });
    expect(
      messages(judgeImmediateInvalidation({ initialSecret: s0, before, rounds: [round(s1, s0)], received: [] })),
    ).toEqual([
      ['a delivery signed after rotation 1 does not verify with the new secret', ['delivery_signature']],
      ['a delivery signed after rotation 1 still verifies with the previous secret', undefined],
    ]);
    // Signed with both the newest and the first secret: an overlap that reaches back two rotations.
    const both = round(s2, s2);
    both.after!.headers['webhook-signature'] +=
      ' ' +
      delivery({
        secret: s0,
        id: both.after!.headers['webhook-id'],
        timestamp: Number(both.after!.headers['webhook-timestamp']),
        body: both.after!.body,
      }).headers['webhook-signature'];
    expect(
      messages(judgeImmediateInvalidation({ initialSecret: s0, before, rounds: [round(s1, s1), both], received: [] })),
    ).toEqual([['a delivery signed after rotation 2 still verifies with an earlier secret', undefined]]);
  });
});

describe('subscriptions', () => {
  const narrow = (over = {}) => ({
    tag: 'narrow',
    subscribed: 'web.result.approved',
    delivery: delivery({ tag: 'narrow', payload: payload('web.result.approved') }),
    ...over,
  });
  const wide = (types: readonly string[] = EVENT_TYPES) => ({
    tag: 'wide',
    triggered: EVENT_TYPES,
    received: types.map((t) => delivery({ tag: 'wide', payload: payload(t) })),
  });

  it('passes when the subscribed event came, the wide endpoint got every type, nothing unsubscribed arrived', () => {
    const all = [
      { delivery: delivery({ payload: payload('web.result.approved') }), subscribed: ['web.result.approved'] },
    ];
    expect(judgeSubscriptions({ narrow: narrow(), wide: wide(), all })).toEqual({
      status: 'pass',
      summary: '1 deliveries all of subscribed types; an endpoint created without event_types received all 10',
      evidence: [],
    });
  });

  it('fails when the subscribed event did not come', () => {
    expect(
      judgeSubscriptions({
        narrow: narrow({ delivery: undefined, error: 'the trigger failed: 500' }),
        wide: wide(),
        all: [],
      }).evidence,
    ).toEqual([
      {
        message:
          'a subscribed event (web.result.approved) did not arrive at endpoint "narrow": the trigger failed: 500',
      },
    ]);
    expect(judgeSubscriptions({ narrow: narrow({ delivery: undefined }), wide: wide(), all: [] }).summary).toMatch(
      /: no delivery$/,
    );
  });

  it('fails when an endpoint created without event_types missed types', () => {
    expect(
      judgeSubscriptions({ narrow: narrow(), wide: wide(EVENT_TYPES.filter((t) => t.startsWith('kyc.'))), all: [] })
        .evidence,
    ).toEqual([
      {
        message:
          `endpoint "wide", created without event_types, did not receive ` +
          `${EVENT_TYPES.filter((t) => t.startsWith('web.')).join(', ')}: the default is every type`,
      },
    ]);
  });

  it('fails when a delivery says another type than the event triggered, to an endpoint subscribed to both', () => {
    const [asked, said] = EVENT_TYPES;
    const swapped = delivery({ tag: 'wide', payload: payload(said) });
    const right = delivery({ tag: 'wide', payload: payload(asked) });
    const answered = [
      { asked, delivery: swapped },
      { asked: said, delivery: delivery({ tag: 'wide', payload: payload(said) }) },
    ];
    const got = judgeSubscriptions({ narrow: narrow(), wide: { ...wide(), answered }, all: [] });
    expect(got.status).toBe('fail');
    expect(got.evidence).toEqual([
      {
        message: `an event of type ${asked} was triggered for endpoint "wide", and its delivery says type ${said}`,
        delivery: deliveryRef(swapped),
      },
    ]);
    // Each delivery matched with its own event, and one that did not come, are no finding here.
    const fine = [{ asked, delivery: right }, { asked: said }];
    expect(judgeSubscriptions({ narrow: narrow(), wide: { ...wide(), answered: fine }, all: [] }).status).toBe('pass');
  });

  it('fails on a delivery of a type its endpoint is not subscribed to (undocumented: delivery_conformance)', () => {
    const d = delivery({ tag: 'narrow', payload: payload('kyc.result.approved') });
    const odd = delivery({ tag: 'narrow', body: '{"type": 5}' });
    expect(
      judgeSubscriptions({
        narrow: narrow(),
        wide: wide(),
        all: [
          { delivery: d, subscribed: ['web.result.approved'] },
          { delivery: odd, subscribed: ['web.result.approved'] },
        ],
      }).evidence,
    ).toEqual([
      {
        message: 'type kyc.result.approved was delivered to endpoint "narrow", which is not subscribed to it',
        delivery: deliveryRef(d),
      },
    ]);
  });
});

describe('disabled_endpoint', () => {
  it('passes when the disabled endpoint got nothing and its sibling got the event', () => {
    expect(
      judgeDisabledEndpoint({
        off: { tag: 'off', received: [] },
        on: { tag: 'on', delivery: delivery({ tag: 'on' }) },
      }),
    ).toEqual({
      status: 'pass',
      summary: 'a disabled endpoint received nothing while its enabled sibling received the event',
      evidence: [],
    });
  });

  it('fails on each delivery to the disabled endpoint, and when the sibling got nothing', () => {
    const d = delivery({ tag: 'off' });
    expect(
      judgeDisabledEndpoint({
        off: { tag: 'off', received: [d] },
        on: { tag: 'on', error: 'no delivery arrived within 5 ms' },
      }).evidence,
    ).toEqual([
      { message: 'the enabled sibling "on" received nothing: no delivery arrived within 5 ms' },
      { message: 'endpoint "off", created with enabled: false, received a delivery', delivery: deliveryRef(d) },
    ]);
    expect(judgeDisabledEndpoint({ off: { tag: 'off', received: [] }, on: { tag: 'on' } }).summary).toBe(
      'the enabled sibling "on" received nothing: no delivery',
    );
  });
});

it('names rotations by their exchange', () => {
  const ex = exchange({ status: 500 });
  const r = judgeImmediateInvalidation({
    initialSecret: 'x',
    before: delivery({ secret: generateSecret() }),
    rounds: [{ rotation: ex, sentAt: 0, secret: undefined }],
    received: [],
  });
  expect(r.evidence[1]).toEqual({
    message: `rotation 1 did not return a secret [${describeExchange(ex)}]`,
    exchange: ex.seq,
    reliesOn: ['one_time_secret', 'privileged_roles'],
  });
});

describe('rotation_scoped', () => {
  const own = generateSecret();
  const fresh = generateSecret();
  const observe = (
    sibling: Partial<ScopeObservation['sibling']> = {},
    rotated: Partial<ScopeObservation['rotated']> = {},
  ): ScopeObservation => ({
    rotated: { tag: 'rotated', rotation: issued(fresh), secret: fresh, ...rotated },
    sibling: { tag: 'sibling', secret: own, delivery: delivery({ tag: 'sibling', secret: own }), ...sibling },
  });
  const findings = (o: ScopeObservation) =>
    judgeRotationScoped(o).evidence.map((e) => [e.message.replace(/ \[#.*\]$/, ''), e.reliesOn]);

  it("passes when the sibling's delivery verifies with its own secret", () => {
    expect(judgeRotationScoped(observe())).toEqual({
      status: 'pass',
      summary: 'rotating endpoint "rotated" left its sibling\'s secret as it was',
      evidence: [],
    });
    // A rotation that answered 200 without a secret still rotated: the sibling is judged all the same.
    expect(judgeRotationScoped(observe({}, { secret: undefined })).status).toBe('pass');
  });

  it("fails when the sibling's delivery no longer verifies with its own secret (the sibling was re-keyed)", () => {
    const d = delivery({ tag: 'sibling', secret: generateSecret() });
    expect(judgeRotationScoped(observe({ delivery: d })).evidence).toEqual([
      {
        message:
          'after the run rotated endpoint "rotated", a delivery to its sibling "sibling" of the same ' +
          'organization, which nobody rotated, no longer verifies with the secret it was created with: the ' +
          'rotation re-keyed the sibling too',
        delivery: deliveryRef(d),
        reliesOn: ['delivery_signature'],
      },
    ]);
  });

  it('fails when the sibling was given the secret the rotation returned (the new one, not its own)', () => {
    expect(findings(observe({ delivery: delivery({ tag: 'sibling', secret: fresh }) }))).toEqual([
      [
        'after the run rotated endpoint "rotated", a delivery to its sibling "sibling" of the same ' +
          'organization, which nobody rotated, verifies with the secret the rotation returned: the rotation ' +
          're-keyed the sibling too',
        undefined,
      ],
    ]);
  });

  it('fails, relying on privileged_roles, when the rotation was refused, and does not ask for a delivery', () => {
    const refused = exchange({ status: 500 });
    expect(judgeRotationScoped(observe({ delivery: undefined }, { rotation: refused })).evidence).toEqual([
      {
        message: `rotating endpoint "rotated" was refused [${describeExchange(refused)}]`,
        exchange: refused.seq,
        reliesOn: ['privileged_roles'],
      },
    ]);
  });

  it('fails, relying on one_time_secret, when create returned no secret for the sibling', () => {
    expect(findings(observe({ secret: undefined }))).toEqual([
      ['create returned no secret for endpoint "sibling" to verify its delivery with', ['one_time_secret']],
    ]);
  });

  it('fails when nothing arrived at the sibling, saying why', () => {
    expect(findings(observe({ delivery: undefined, error: 'no delivery arrived within 5 ms' }))).toEqual([
      [
        'after endpoint "rotated" was rotated, nothing arrived at its sibling "sibling": no delivery arrived ' +
          'within 5 ms',
        undefined,
      ],
    ]);
    expect(judgeRotationScoped(observe({ delivery: undefined })).summary).toBe(
      'after endpoint "rotated" was rotated, nothing arrived at its sibling "sibling": no delivery',
    );
  });
});
