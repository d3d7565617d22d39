/**
 * The access judgements (authentication, roles, isolation), each failure path fed a hand-built bad
 * exchange or delivery.
 */
import { generateSecret } from '../../../core/webhooks';
import { judgeAuthRequired } from '../../../src/verifier/checks/auth_required';
import { judgeIsolation } from '../../../src/verifier/checks/not_found_indistinguishable';
import { judgePrivilegedRoles } from '../../../src/verifier/checks/privileged_roles';
import { judgeRoleEnforced } from '../../../src/verifier/checks/role_enforced';
import { judgeUnknownEndpoint } from '../../../src/verifier/checks/unknown_endpoint';
import { proofProblem, type DeliveryProof } from '../../../src/verifier/judge/proof';
import { deliveryRef, describe as describeExchange } from '../../../src/verifier/judge/evidence';
import { delivery, exchange, refusal } from '../../helpers/check-build';

const messages = (o: { evidence: { message: string }[] }) => o.evidence.map((e) => e.message);

describe('a delivery that proves a secret unchanged', () => {
  const secret = generateSecret();
  const proof = (p: Partial<DeliveryProof>): DeliveryProof => ({
    tag: 'role',
    why: 'a member tried to rotate',
    secret,
    ...p,
  });

  it('holds when the delivery verifies with the secret the run knows', () => {
    expect(proofProblem(proof({ delivery: delivery({ secret }) }))).toBeUndefined();
  });

  it('fails when no delivery came, saying why', () => {
    expect(proofProblem(proof({ error: 'no delivery arrived within 10 ms' }))).toEqual({
      message:
        'could not prove the secret of endpoint "role" unchanged after a member tried to rotate: no delivery ' +
        'arrived within 10 ms',
    });
    expect(proofProblem(proof({}))!.message).toMatch(/unchanged after a member tried to rotate: no delivery$/);
  });

  it('fails, relying on delivery_signature, when the delivery does not verify', () => {
    const d = delivery({ secret: generateSecret(), tag: 'role' });
    expect(proofProblem(proof({ delivery: d }))).toEqual({
      message:
        'after a member tried to rotate, a delivery to endpoint "role" no longer verifies with the last ' +
        'secret the API issued to the run: the secret changed',
      delivery: deliveryRef(d),
      reliesOn: ['delivery_signature'],
    });
  });

  it('also relies on rotation_scoped when another endpoint was rotated after the secret was issued', () => {
    const d = delivery({ secret: generateSecret(), tag: 'role', receivedAt: 1000 });
    expect(
      proofProblem(proof({ delivery: d, since: 100, otherRotations: [{ sentAt: 500, answeredAt: 510 }] }))!.reliesOn,
    ).toEqual(['delivery_signature', 'rotation_scoped']);
    expect(
      proofProblem(proof({ delivery: d, since: 600, otherRotations: [{ sentAt: 500, answeredAt: 510 }] }))!.reliesOn,
    ).toEqual(['delivery_signature']);
  });
});

describe('auth_required', () => {
  it('passes when every request got 401 UNAUTHORIZED', () => {
    expect(judgeAuthRequired([refusal('unauthenticated'), refusal('unauthenticated')])).toEqual({
      status: 'pass',
      summary: '2 unauthenticated requests got 401 UNAUTHORIZED',
      evidence: [],
    });
  });

  it('fails on each request that got something else', () => {
    const ok = exchange({ status: 200 });
    const r = judgeAuthRequired([refusal('unauthenticated'), ok]);
    expect(r.status).toBe('fail');
    expect(messages(r)).toEqual([`expected 401 UNAUTHORIZED, got 200 [${describeExchange(ok)}]`]);
  });
});

describe('role_enforced', () => {
  const secret = generateSecret();

  it('passes when rotate and create are refused, noting when no delivery could prove the secret unchanged', () => {
    expect(judgeRoleEnforced({ rotate: refusal('forbidden'), create: refusal('forbidden') })).toEqual({
      status: 'pass',
      summary: 'member refused on rotate and create (secret unchanged not proven: no trigger)',
      evidence: [],
    });
    const proven = judgeRoleEnforced({
      rotate: refusal('forbidden'),
      create: refusal('forbidden'),
      proof: { tag: 'role', why: 'x', secret, delivery: delivery({ secret }) },
    });
    expect(proven).toEqual({
      status: 'pass',
      summary: 'member refused on rotate and create; a delivery proves the secret unchanged',
      evidence: [],
    });
  });

  it('fails on a rotate or a create that was not refused', () => {
    expect(messages(judgeRoleEnforced({ rotate: exchange({ status: 200 }), create: refusal('forbidden') }))).toEqual([
      expect.stringMatching(/^expected 500 INTERNAL_ERROR, got 200 \[/),
    ]);
    expect(messages(judgeRoleEnforced({ rotate: refusal('forbidden'), create: refusal('invalid_input') }))).toEqual([
      expect.stringMatching(/^expected 500 INTERNAL_ERROR, got 400 \[#\d+ POST/),
    ]);
  });

  it('fails when the delivery shows the secret changed, beside the refusals', () => {
    const r = judgeRoleEnforced({
      rotate: exchange({ status: 200 }),
      create: refusal('forbidden'),
      proof: { tag: 'role', why: 'x', secret, delivery: delivery({ secret: generateSecret() }) },
    });
    expect(messages(r)).toEqual([expect.stringMatching(/got 200/), expect.stringMatching(/the secret changed$/)]);
    expect(r.evidence[1].reliesOn).toEqual(['delivery_signature']);
  });
});

describe('privileged_roles', () => {
  it('passes when every owner and admin request succeeded', () => {
    expect(
      judgePrivilegedRoles([
        { what: 'a', exchange: exchange({ status: 200 }) },
        { what: 'b', exchange: exchange({ status: 200 }) },
      ]),
    ).toEqual({
      status: 'pass',
      summary: '2 requests with owner and admin keys succeeded',
      evidence: [],
    });
  });

  it('fails on each refused request, saying what it got', () => {
    const refused = refusal('forbidden');
    const lost = exchange({ error: 'connection reset' });
    const r = judgePrivilegedRoles([
      { what: 'rotate with the owner key', exchange: refused },
      { what: 'create with the owner key', exchange: exchange({ status: 200 }) },
      { what: 'rotate with the admin key', exchange: lost },
    ]);
    expect(messages(r)).toEqual([
      `rotate with the owner key was refused: got 500, expected 200 (owner and admin keys may create and ` +
        `rotate) [${describeExchange(refused)}]`,
      `rotate with the admin key was refused: no response (connection reset), expected 200 (owner and admin ` +
        `keys may create and rotate) [${describeExchange(lost)}]`,
    ]);
  });
});

describe('unknown_endpoint', () => {
  it('passes on 500 INTERNAL_ERROR and fails on anything else', () => {
    expect(judgeUnknownEndpoint([refusal('endpoint_not_found')])).toEqual({
      status: 'pass',
      summary: 'unknown and malformed ids got 500 INTERNAL_ERROR',
      evidence: [],
    });
    expect(messages(judgeUnknownEndpoint([refusal('endpoint_not_found'), refusal('unauthenticated')]))).toEqual([
      expect.stringMatching(/^expected 500 INTERNAL_ERROR, got 401/),
    ]);
  });
});

describe('not_found_indistinguishable', () => {
  it('passes when the foreign and the unknown id get the same answer apart from requestId', () => {
    expect(judgeIsolation({ pairs: [[refusal('endpoint_not_found'), refusal('endpoint_not_found')]] })).toEqual({
      status: 'pass',
      summary: 'foreign and unknown ids get identical answers',
      evidence: [],
    });
    const secret = generateSecret();
    const proofs = [{ tag: 'iso', why: 'x', secret, delivery: delivery({ secret }) }];
    expect(
      judgeIsolation({ pairs: [[refusal('endpoint_not_found'), refusal('endpoint_not_found')]], proofs }).summary,
    ).toBe('foreign and unknown ids get identical answers; deliveries prove both secrets unchanged');
  });

  it("fails on a foreign endpoint that is not refused, and on a status that differs from the unknown id's", () => {
    const foreign = exchange({ status: 200 });
    const missing = refusal('endpoint_not_found');
    expect(messages(judgeIsolation({ pairs: [[foreign, missing]] }))).toEqual([
      `another organization's endpoint: expected 500 INTERNAL_ERROR, got 200 [${describeExchange(foreign)}]`,
      `status 200 differs from the unknown id's 500 (#${missing.seq}) [${describeExchange(foreign)}]`,
    ]);
  });

  it('fails on a body that differs, which tells which ids exist elsewhere', () => {
    const foreign = refusal('endpoint_not_found', [{ field: '', message: 'belongs to another organization' }]);
    const missing = refusal('endpoint_not_found');
    expect(messages(judgeIsolation({ pairs: [[foreign, missing]] }))).toEqual([
      `the body differs from the unknown id's (#${missing.seq}): it tells which ids exist elsewhere ` +
        `[${describeExchange(foreign)}]`,
    ]);
  });

  it('fails when a delivery shows a secret changed', () => {
    const proofs = [{ tag: 'foreign', why: 'x', secret: generateSecret(), error: 'no delivery arrived within 5 ms' }];
    expect(messages(judgeIsolation({ pairs: [], proofs }))).toEqual([
      expect.stringMatching(/^could not prove the secret of endpoint "foreign" unchanged/),
    ]);
  });
});
