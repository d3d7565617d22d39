/**
 * generated_requests' generator: the expected answer of each case derived from the refusal table's
 * order (never from an implementation), the forms each part takes, the seed, shrinking, and the
 * curl command (its keys env vars, its near misses the shell expressions that make them).
 */
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { OPERATION_REFUSALS, describeRefusal, type RefusalKind } from '../../../core/refusals';
import { getSpec } from '../../../core/spec';
import {
  applyEdit,
  changedParts,
  defaultCase,
  describeCase,
  expectedAnswer,
  fieldEdits,
  generateCases,
  idForms,
  keyForms,
  operationModels,
  pairCases,
  provoked,
  shrinkCandidates,
  singleCases,
  wholeBodies,
  type CaseValues,
  type Edit,
  type GeneratedCase,
  type OperationModel,
} from '../../../src/verifier/generate/cases';
import { seededRandom } from '../../../src/verifier/generate/random';
import { curlOf, keyExpression, requestOf, shellQuote } from '../../../src/verifier/generate/request';
import {
  judgeGeneratedRequests,
  mismatch,
  shrink,
  type GeneratedResult,
} from '../../../src/verifier/checks/generated_requests';
import { exchange, refusal } from '../../helpers/check-build';

const values: CaseValues = {
  keys: {
    admin: 'secret_live_4ZLc0OHJL4m7RCk3jkJDTt7ILyLuwq16',
    member: 'secret_live_NbTxOTj6eqOR0vpd7kWkwHmYXfuih2Bv',
    otherOrg: 'secret_live_JYwkNgr41XPHpa9fyIEhXJyBqfmK0722',
  },
  ownId: 'wh_end_Ab3dE5gH7jK9mN1pQ3sT5vX7',
  foreignId: 'wh_end_Zy9xW7vU5tS3rQ1pO9nM7lK5',
  validUrl: 'https://example.invalid/hooks',
  runId: 'abcd1234',
};
const ops = operationModels(getSpec());
const op = (id: string) => ops.find((o) => o.operationId === id)!;
const create = op('createWebhookEndpoint');
const rotate = op('rotateWebhookEndpointSecret');
const r = () => seededRandom(7);
const edit = (field: string, what: string) =>
  fieldEdits(r(), create.body!, values).find((e) => e.field === field && e.what === what)!;
const whole = (what: string) => wholeBodies(r(), create.body!, values).find((w) => w.what === what)!;

describe('operationModels', () => {
  it("takes every operation of the refusal table from the spec, with its parts and its body's schema", () => {
    expect(ops.map((o) => o.operationId).sort()).toEqual(Object.keys(OPERATION_REFUSALS).sort());
    expect(rotate).toMatchObject({
      hasId: true,
      body: undefined,
      refusals: OPERATION_REFUSALS.rotateWebhookEndpointSecret,
    });
    expect(create.hasId).toBe(false);
    expect(create.body).toMatchObject({ required: true, requiredFields: ['url'], additionalProperties: true });
    expect(create.body!.properties.name.maxLength).toBe(120);
    // The event type's reference is resolved: its enum is the items'.
    expect(create.body!.properties.event_types.items!.enum).toContain('kyc.result.approved');
  });
});

describe('expectedAnswer: the first refusal a case provokes, in the documented order', () => {
  const cases: [string, GeneratedCase, RefusalKind | 'success'][] = [
    ['a request that breaks nothing', defaultCase(create), 'success'],
    ['no key', { ...defaultCase(create), key: { kind: 'absent' } }, 'unauthenticated'],
    ['a member key', { ...defaultCase(create), key: { kind: 'valid', role: 'member' } }, 'forbidden'],
    [
      'no key and a bad body: the key first',
      { ...defaultCase(create), key: { kind: 'absent' }, body: { kind: 'whole', body: whole('an array') } },
      'unauthenticated',
    ],
    [
      'a member key and a bad body: the body first',
      {
        ...defaultCase(create),
        key: { kind: 'valid', role: 'member' },
        body: { kind: 'fields', edits: [edit('url', 'absent')] },
      },
      'invalid_input',
    ],
    [
      "another organization's owner key creates",
      { ...defaultCase(create), key: { kind: 'valid', role: 'otherOrg' } },
      'success',
    ],
    [
      "another organization's key on the organization's endpoint",
      { ...defaultCase(rotate), key: { kind: 'valid', role: 'otherOrg' } },
      'endpoint_not_found',
    ],
    [
      "another organization's key on its own endpoint",
      { ...defaultCase(rotate), key: { kind: 'valid', role: 'otherOrg' }, id: { kind: 'foreign' } },
      'success',
    ],
    ["another organization's endpoint", { ...defaultCase(rotate), id: { kind: 'foreign' } }, 'endpoint_not_found'],
    [
      'a near miss of the key and an unknown id: the key first',
      {
        ...defaultCase(rotate),
        key: { kind: 'near', role: 'admin', edit: { op: 'cut', keep: 20 }, what: 'cut short' },
        id: { kind: 'literal', value: 'x', what: 'one character long' },
      },
      'unauthenticated',
    ],
    [
      'a valid key in the query only',
      { ...defaultCase(rotate), key: { kind: 'elsewhere', role: 'admin', where: 'query api-key' } },
      'unauthenticated',
    ],
    [
      'an extra field (the schema allows them)',
      { ...defaultCase(create), body: { kind: 'fields', edits: [edit('url', 'valid')] } },
      'success',
    ],
    [
      'name at its limit',
      { ...defaultCase(create), body: { kind: 'fields', edits: [edit('name', '120 characters long (its limit)')] } },
      'success',
    ],
    [
      'name over its limit',
      {
        ...defaultCase(create),
        body: { kind: 'fields', edits: [edit('name', '121 characters long (over its limit)')] },
      },
      'invalid_input',
    ],
    [
      'name null (not nullable)',
      { ...defaultCase(create), body: { kind: 'fields', edits: [edit('name', 'null')] } },
      'invalid_input',
    ],
    [
      'no name (optional)',
      { ...defaultCase(create), body: { kind: 'fields', edits: [edit('name', 'absent')] } },
      'success',
    ],
    [
      'the body as text/plain',
      { ...defaultCase(create), body: { kind: 'whole', body: whole('the body as text/plain') } },
      'invalid_input',
    ],
    [
      'JSON with a charset',
      { ...defaultCase(create), body: { kind: 'whole', body: whole('the body with a charset') } },
      'success',
    ],
    [
      'no body (required)',
      { ...defaultCase(create), body: { kind: 'whole', body: whole('no body') } },
      'invalid_input',
    ],
  ];
  it.each(cases)('%s', (_what, c, expected) => {
    expect(expectedAnswer(c, OPERATION_REFUSALS[c.operationId])).toBe(expected);
  });

  it('follows the table: with the body checked before the key, no key and a bad body gets the 400', () => {
    const c: GeneratedCase = {
      ...defaultCase(create),
      key: { kind: 'absent' },
      body: { kind: 'whole', body: whole('null') },
    };
    expect(expectedAnswer(c, ['invalid_input', 'unauthenticated', 'forbidden'])).toBe('invalid_input');
  });

  it('is, for any generated case and any order of the table, the first kind it provokes in that order', () => {
    const all = generateCases(seededRandom(3), ops, values, 400);
    fc.assert(
      fc.property(fc.constantFrom(...all), fc.boolean(), (c, reversed) => {
        const table = [...OPERATION_REFUSALS[c.operationId]];
        if (reversed) table.reverse();
        const kinds = provoked(c);
        const expected = expectedAnswer(c, table);
        if (kinds.length === 0) return expected === 'success';
        return (
          expected === table.find((k) => kinds.includes(k)) &&
          kinds.every((k) => table.indexOf(k) >= table.indexOf(expected))
        );
      }),
      { seed: 42 },
    );
  });

  it('refuses a case that provokes a refusal its operation does not list', () => {
    const c: GeneratedCase = { ...defaultCase(create), body: { kind: 'whole', body: whole('null') } };
    expect(() => expectedAnswer(c, ['unauthenticated', 'forbidden'])).toThrow(/does not list invalid_input/);
  });
});

describe('the forms of each part', () => {
  it('makes every near miss of the key and of the id differ from it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const keys = keyForms(seededRandom(seed), values).flatMap((k) =>
          k.kind === 'near' ? [applyEdit(values.keys.admin, k.edit)] : [],
        );
        const ids = idForms(seededRandom(seed), values).flatMap((i) =>
          i.kind === 'near' ? [applyEdit(values.ownId, i.edit)] : [],
        );
        return keys.length >= 6 && keys.every((k) => k !== values.keys.admin) && ids.every((i) => i !== values.ownId);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('sends a key, an absent key, and a key elsewhere as the case says', () => {
    const near = requestOf(
      { ...defaultCase(rotate), key: { kind: 'near', role: 'admin', edit: { op: 'swapcase' }, what: 'x' } },
      rotate,
      values,
    );
    expect(near.apiKey).toBe(
      values.keys.admin.replace(/[a-z]/gi, (ch) => (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase())),
    );
    expect(requestOf({ ...defaultCase(rotate), key: { kind: 'absent' } }, rotate, values).apiKey).toBeUndefined();
    const query = requestOf(
      { ...defaultCase(rotate), key: { kind: 'elsewhere', role: 'admin', where: 'query api-key' } },
      rotate,
      values,
    );
    expect([query.apiKey, query.query]).toEqual([undefined, `api-key=${values.keys.admin}`]);
    const bearer = requestOf(
      { ...defaultCase(rotate), key: { kind: 'elsewhere', role: 'admin', where: 'Authorization: Bearer' } },
      rotate,
      values,
    );
    expect([bearer.apiKey, bearer.headers.authorization]).toEqual([undefined, `Bearer ${values.keys.admin}`]);
    expect(requestOf(defaultCase(rotate), rotate, values)).toMatchObject({
      apiKey: values.keys.admin,
      keyLabel: 'admin key',
      parts: { endpointId: values.ownId },
    });
  });

  it('has every form of every part in the first cases of a run, in an order the seed decides', () => {
    const singles = ops.flatMap((o) => singleCases(seededRandom(1), o, values));
    const pairs = ops.flatMap((o) => pairCases(seededRandom(1), o, values));
    const cases = generateCases(seededRandom(5), ops, values, singles.length + pairs.length);
    const names = (cs: GeneratedCase[]) =>
      new Set(cs.map((c) => describeCase(c).replace(/x_generated_\w+/, 'x_generated')));
    expect(names(singles).size).toBeGreaterThan(100);
    expect(names(cases.filter((c) => changedParts(c).length <= 1))).toEqual(names(singles));
    expect(cases.filter((c) => changedParts(c).length === 2)).toHaveLength(pairs.length);
    expect(generateCases(seededRandom(5), ops, values, 200)).toEqual(generateCases(seededRandom(5), ops, values, 200));
    expect(generateCases(seededRandom(6), ops, values, 200)).not.toEqual(
      generateCases(seededRandom(5), ops, values, 200),
    );
    expect(generateCases(seededRandom(5), ops, values, 10)).toHaveLength(10);
  });

  it('has cases for every two refusals that answer differently and meet in one request', () => {
    const kinds = (o: OperationModel) => pairCases(r(), o, values).map((c) => provoked(c).sort().join('+'));
    expect(new Set(kinds(create))).toEqual(new Set(['invalid_input+unauthenticated', 'forbidden+invalid_input']));
    expect(new Set(kinds(rotate))).toEqual(new Set(['endpoint_not_found+unauthenticated']));
  });

  it('meets every field of a bad body with each refusal it can meet, whatever the seed', () => {
    // A member key with a bad url is what a provider checking the role before the body answers 500.
    for (const seed of [1, 2, 3, 4, 5]) {
      const cases = pairCases(seededRandom(seed), create, values);
      const fields = (pair: string) =>
        new Set(
          cases
            .filter((c) => provoked(c).sort().join('+') === pair && c.body?.kind === 'fields')
            .flatMap((c) => (c.body as { edits: { field: string }[] }).edits.map((e) => e.field)),
        );
      for (const pair of ['forbidden+invalid_input', 'invalid_input+unauthenticated'])
        expect([seed, pair, fields(pair).has('url')]).toEqual([seed, pair, true]);
    }
  });
});

describe('the curl command', () => {
  const bash = (expr: string) =>
    execFileSync('bash', ['-c', `printf %s ${expr}`], { env: { INKLINK_ADMIN_KEY: values.keys.admin } }).toString(
      'latin1',
    );

  const edits: Edit[] = [
    { op: 'swapcase' },
    { op: 'swapcaseAt', at: 14 },
    { op: 'cut', keep: 30 },
    { op: 'extend', add: 'Q9' },
    { op: 'replaceAt', at: 20, with: 'z' },
    { op: 'prefix', add: 'Bearer ' },
    { op: 'double' },
  ];
  it.each(edits)('makes the near miss %j from the env var in bash, without the key', (e) => {
    const expr = keyExpression('admin', e);
    expect(expr).not.toContain(values.keys.admin.slice(12));
    expect(bash(expr)).toBe(applyEdit(values.keys.admin, e));
  });

  it('quotes bytes exactly', () => {
    for (const [s, enc] of [
      ["it's", 'utf8'],
      ['\u00e9\t"x"', 'latin1'],
      ['\u00e9', 'utf8'],
    ] as const)
      expect(Buffer.from(bash(shellQuote(s, enc)), 'latin1')).toEqual(Buffer.from(s, enc));
  });

  it('names the key by its env var and sends the body as it is', () => {
    const c: GeneratedCase = {
      ...defaultCase(create),
      key: { kind: 'elsewhere', role: 'admin', where: 'query api-key' },
      body: { kind: 'whole', body: whole('the body as text/plain') },
    };
    const curl = curlOf(c, create, values, 'http://127.0.0.1:1/webhook/endpoints');
    expect(curl).toBe(
      `curl -i -X POST 'http://127.0.0.1:1/webhook/endpoints''?api-key='"$INKLINK_ADMIN_KEY" ` +
        `-H 'content-type: ''text/plain' --data-binary '{"url":"https://example.invalid/hooks"}'`,
    );
    expect(curl).not.toContain(values.keys.admin);
  });
});

describe('judging and shrinking', () => {
  const result = (c: GeneratedCase, answer: RefusalKind | 'success'): GeneratedResult => {
    const expected = expectedAnswer(c, OPERATION_REFUSALS[c.operationId]);
    return {
      case: c,
      expected,
      exchange: answer === 'success' ? exchange({ status: 200, json: { secret: 'whsec_x' } }) : refusal(answer),
      success: [200],
    };
  };

  it('expects the refusal of the table, or a success', () => {
    const ok = rotate.successStatuses;
    expect(ok).toEqual([200]);
    expect(mismatch(refusal('unauthenticated'), 'unauthenticated', ok)).toBeUndefined();
    expect(mismatch(exchange({ status: 200 }), 'unauthenticated', ok)).toBe('expected 401 UNAUTHORIZED, got 200');
    expect(mismatch(exchange({ status: 200 }), 'success', ok)).toBeUndefined();
    // Only the success the operation declares: a 201 is not one.
    expect(mismatch(exchange({ status: 201 }), 'success', ok)).toBe('expected success (200), got 201');
    expect(mismatch(refusal('invalid_input'), 'success', ok)).toBe('expected success (200), got 400 VALIDATION_ERROR');
    expect(mismatch(exchange({ error: 'connection reset (ECONNRESET)' }), 'success', ok)).toMatch(/^no response/);
  });

  it('shrinks a failing case to the smallest that fails the same way', async () => {
    // A provider that accepts any key cut short: the id and the body are not what fails.
    const c: GeneratedCase = {
      ...defaultCase(rotate),
      key: { kind: 'near', role: 'admin', edit: { op: 'cut', keep: 30 }, what: 'the admin key cut short' },
      id: { kind: 'literal', value: 'wh_end_' + 'q'.repeat(200), what: 'too long' },
    };
    const provider = (x: GeneratedCase): RefusalKind | 'success' =>
      x.key.kind === 'near' || x.key.kind === 'valid'
        ? x.id?.kind === 'own'
          ? 'success'
          : 'endpoint_not_found'
        : 'unauthenticated';
    const sent: GeneratedCase[] = [];
    const send = async (x: GeneratedCase) => {
      sent.push(x);
      return result(x, provider(x));
    };
    const start = await send(c);
    expect(mismatch(start.exchange, start.expected, start.success)).toBe('expected 401 UNAUTHORIZED, got 500');
    const best = await shrink(start, send, rotate, values);
    // The key cut short stays (the id's refusal answers for it); the id shrinks to one character.
    expect(best.case.key).toEqual(c.key);
    expect(best.case.id).toEqual({ kind: 'literal', value: 'x', what: 'one character long' });
    expect(sent.length).toBeLessThan(20);
    expect(shrinkCandidates(best.case, rotate, values).length).toBeGreaterThan(0);
  });

  it('stops shrinking when the budget is spent', async () => {
    const c: GeneratedCase = {
      ...defaultCase(rotate),
      key: { kind: 'literal', value: 'k'.repeat(2000), what: 'long' },
    };
    let n = 0;
    const send = async (x: GeneratedCase) => (n++, result(x, 'success'));
    const start = await send(c);
    expect(await shrink(start, send, rotate, values, 1)).toBe(start);
    expect(n).toBe(1 + 1);
  });

  it('passes with the seed and the counts, and fails with the smallest case first and its curl command', () => {
    const good = result({ ...defaultCase(rotate), key: { kind: 'absent' } }, 'unauthenticated');
    const judgement = {
      seed: 9,
      shrunk: [] as GeneratedResult[],
      curl: () => 'curl …',
      refusals: (id: string) => OPERATION_REFUSALS[id],
    };
    expect(judgeGeneratedRequests([good], judgement)).toEqual({
      status: 'pass',
      summary:
        '1 generated requests (seed 9, --seed 9 replays it) got the documented answer: ' +
        `1 ${describeRefusal('unauthenticated')}`,
      evidence: [],
    });
    const bad = result(
      {
        ...defaultCase(rotate),
        key: { kind: 'near', role: 'admin', edit: { op: 'swapcase' }, what: 'the admin key with its case changed' },
      },
      'success',
    );
    const out = judgeGeneratedRequests([good, bad], {
      ...judgement,
      shrunk: [bad],
      curl: () => 'curl -H "api-key: $INKLINK_ADMIN_KEY"',
    });
    expect(out.status).toBe('fail');
    expect(out.evidence).toHaveLength(1);
    expect(out.summary).toMatch(/^1 of 2 generated requests failed \(seed 9, --seed 9 replays it\); smallest: /);
    expect(out.summary).toMatch(
      /: rotateWebhookEndpointSecret with the admin key with its case changed: expected 401 UNAUTHORIZED, got 200/,
    );
    expect(out.evidence[0].reproduce).toBe('curl -H "api-key: $INKLINK_ADMIN_KEY"');
  });
});
