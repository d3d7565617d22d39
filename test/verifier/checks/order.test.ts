/** The refusal order, derived from the refusal table, and its judgement. */
import { OPERATION_REFUSALS, describeRefusal } from '../../../core/refusals';
import { CHECKS } from '../../../src/verifier/run';
import {
  describeProbe,
  judgeRefusalOrder,
  orderProbes,
  PROVOKE,
  REFUSAL_CHECK,
  type OrderProbe,
} from '../../../src/verifier/checks/refusal_order';
import { describe as describeExchange } from '../../../src/verifier/judge/evidence';
import { exchange, refusal } from '../../helpers/check-build';

describe('orderProbes', () => {
  it('derives from the table: a key, then the body, then the role and the endpoint', () => {
    expect(orderProbes(OPERATION_REFUSALS)).toEqual(orderProbes());
    expect(orderProbes()).toEqual([
      {
        operationId: 'rotateWebhookEndpointSecret',
        first: 'unauthenticated',
        second: 'endpoint_not_found',
        provocation: { key: 'none', endpoint: 'unknown' },
      },
      {
        operationId: 'createWebhookEndpoint',
        first: 'unauthenticated',
        second: 'invalid_input',
        provocation: { key: 'none', body: 'invalid' },
      },
      {
        operationId: 'createWebhookEndpoint',
        first: 'invalid_input',
        second: 'forbidden',
        provocation: { body: 'invalid', key: 'member' },
      },
    ]);
  });

  it('skips pairs that answer alike, pairs needing the same part of a request, and refusals it cannot provoke', () => {
    // forbidden and endpoint_not_found are both 500 INTERNAL_ERROR; unauthenticated and forbidden both need the key.
    expect(orderProbes({ op: ['forbidden', 'endpoint_not_found'] })).toEqual([]);
    expect(orderProbes({ op: ['unauthenticated', 'forbidden'] })).toEqual([]);
    expect(orderProbes({ op: ['body_too_large', 'unauthenticated'] })).toEqual([]);
    expect(orderProbes({ op: ['unauthenticated', 'body_too_large'] })).toEqual([]);
    // Order follows the table: the one listed first is expected.
    expect(orderProbes({ op: ['invalid_input', 'unauthenticated'] })).toEqual([
      {
        operationId: 'op',
        first: 'invalid_input',
        second: 'unauthenticated',
        provocation: { body: 'invalid', key: 'none' },
      },
    ]);
  });

  it('skips pairs whose provocations share any part of the request', () => {
    const provoke = {
      unauthenticated: { key: 'none', body: 'invalid' },
      forbidden: { key: 'member' },
      endpoint_not_found: { endpoint: 'unknown' },
    } as const;
    expect(orderProbes({ op: ['unauthenticated', 'forbidden'] }, provoke)).toEqual([]);
    expect(orderProbes({ op: ['unauthenticated', 'endpoint_not_found'] }, provoke)).toEqual([
      {
        operationId: 'op',
        first: 'unauthenticated',
        second: 'endpoint_not_found',
        provocation: { key: 'none', body: 'invalid', endpoint: 'unknown' },
      },
    ]);
  });

  it('can provoke every refusal an operation of the spec may give, each owned by the check that expects it', () => {
    for (const kinds of Object.values(OPERATION_REFUSALS)) {
      for (const k of kinds) {
        const owner = CHECKS.find((c) => c.name === REFUSAL_CHECK[k]);
        expect([k, PROVOKE[k] !== undefined, owner?.description.includes(describeRefusal(k))]).toEqual([k, true, true]);
      }
    }
  });

  it('describes a probe by its operation and what it breaks', () => {
    expect(orderProbes().map(describeProbe)).toEqual([
      'rotateWebhookEndpointSecret with no key and an unknown endpoint id',
      'createWebhookEndpoint with no key and an invalid body',
      'createWebhookEndpoint with an invalid body and a member key',
    ]);
  });
});

describe('refusal_order', () => {
  const [rotate, noKey, member] = orderProbes();

  it('passes when each probe got the refusal checked first', () => {
    const r = judgeRefusalOrder([
      { probe: rotate, exchange: refusal('unauthenticated') },
      { probe: noKey, exchange: refusal('unauthenticated') },
      { probe: member, exchange: refusal('invalid_input') },
    ]);
    expect(r).toEqual({
      status: 'pass',
      summary:
        '3 requests provoking two refusals each got the one checked first (401 UNAUTHORIZED, 401 ' +
        'UNAUTHORIZED, 400 VALIDATION_ERROR)',
      evidence: [],
    });
  });

  it('relies, for each probe, on the check that owns its first refusal', () => {
    const custom = orderProbes({ a: ['forbidden', 'invalid_input'], b: ['endpoint_not_found', 'unauthenticated'] });
    const r = judgeRefusalOrder(
      [...orderProbes(), ...custom].map((probe) => ({ probe, exchange: exchange({ status: 200 }) })),
    );
    expect(r.evidence.map((e) => e.reliesOn)).toEqual([
      ['auth_required'],
      ['auth_required'],
      ['create_validation'],
      ['role_enforced'],
      ['unknown_endpoint'],
    ]);
  });

  it("fails on the refusal checked second, relying on the first refusal's own check", () => {
    const got = refusal('forbidden');
    const r = judgeRefusalOrder([
      { probe: noKey, exchange: refusal('unauthenticated') },
      { probe: member, exchange: got },
    ]);
    expect(r.evidence).toEqual([
      {
        message:
          `createWebhookEndpoint with an invalid body and a member key: expected 400 VALIDATION_ERROR, got ` +
          `500 (invalid_input is checked before forbidden) [${describeExchange(got)}]`,
        exchange: got.seq,
        reliesOn: ['create_validation'],
      },
    ]);
  });

  it('relies on nothing for a refusal no check owns', () => {
    const probe: OrderProbe = {
      operationId: 'op',
      first: 'body_too_large',
      second: 'unauthenticated',
      provocation: {},
    };
    expect(judgeRefusalOrder([{ probe, exchange: exchange({ status: 200 }) }]).evidence[0].reliesOn).toBeUndefined();
  });
});
