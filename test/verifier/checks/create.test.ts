/** create_validation and created_endpoint, each failure path fed a hand-built exchange. */
import { EVENT_TYPES } from '../../../core/inklink';
import {
  createdEndpointProblems,
  judgeCreatedEndpoints,
  CREATED_AT_TOLERANCE_MS,
} from '../../../src/verifier/checks/created_endpoint';
import { judgeCreateValidation } from '../../../src/verifier/checks/create_validation';
import { describe as describeExchange } from '../../../src/verifier/judge/evidence';
import { exchange, refusal } from '../../helpers/check-build';

const detail = (field: string) => ({ field, message: 'is invalid' });

describe('create_validation', () => {
  it('passes when every bad body got 400 naming each failing field once', () => {
    const cases = [
      { what: 'no url', fields: ['url'], exchange: refusal('invalid_input', [detail('url')]) },
      {
        what: 'an unknown type',
        fields: ['event_types'],
        exchange: refusal('invalid_input', [detail('event_types[0]')]),
      },
      { what: 'nested', fields: ['data'], exchange: refusal('invalid_input', [detail('data.inquiry_id')]) },
      { what: 'malformed JSON', fields: [''], exchange: refusal('invalid_input', [detail('')]) },
      {
        what: 'two fields',
        fields: ['url', 'name'],
        exchange: refusal('invalid_input', [detail('url'), detail('name')]),
      },
    ];
    expect(judgeCreateValidation(cases)).toEqual({
      status: 'pass',
      summary: '5 bad bodies got 400 VALIDATION_ERROR naming each failing field once',
      evidence: [],
    });
  });

  it('fails on a body that was not refused with 400 VALIDATION_ERROR', () => {
    const ex = exchange({ status: 200, path: '/webhook/endpoints' });
    expect(judgeCreateValidation([{ what: 'no url', fields: ['url'], exchange: ex }]).evidence).toEqual([
      { message: `no url: expected 400 VALIDATION_ERROR, got 200 [${describeExchange(ex)}]`, exchange: ex.seq },
    ]);
  });

  it('fails when no details item names a failing field, or the body as a whole', () => {
    const urlx = refusal('invalid_input', [detail('urlx'), detail('name')]);
    const root = refusal('invalid_input', [detail('body')]);
    const none = refusal('invalid_input', [{ field: 5, message: 'x' } as never]);
    const r = judgeCreateValidation([
      { what: 'two fields', fields: ['url', 'name'], exchange: urlx },
      { what: 'malformed JSON', fields: [''], exchange: root },
      { what: 'no url', fields: ['url'], exchange: none },
    ]);
    expect(r.evidence.map((e) => e.message)).toEqual([
      `two fields: no details item names "url" [${describeExchange(urlx)}]`,
      `malformed JSON: no details item names the body (field "") [${describeExchange(root)}]`,
      `no url: no details item names "url" [${describeExchange(none)}]`,
    ]);
  });

  it('does not take a field with a prefix for the body, and skips details items that are not objects', () => {
    const nested = refusal('invalid_input', [detail('.x'), detail('[0]')]);
    expect(judgeCreateValidation([{ what: 'malformed JSON', fields: [''], exchange: nested }]).summary).toMatch(
      /^malformed JSON: no details item names the body/,
    );
    const sparse = refusal('invalid_input', [null as never, detail('url')]);
    expect(judgeCreateValidation([{ what: 'no url', fields: ['url'], exchange: sparse }]).status).toBe('pass');
  });

  it('fails when details is not a list', () => {
    const ex = refusal('invalid_input');
    (ex.response!.json as any).error.details = { field: 'url' };
    expect(judgeCreateValidation([{ what: 'no url', fields: ['url'], exchange: ex }]).summary).toMatch(
      /^no url: no details item names "url"/,
    );
  });

  it('fails when a field has more than one details item', () => {
    const ex = refusal('invalid_input', [detail('url'), detail('url'), detail('name')]);
    expect(
      judgeCreateValidation([{ what: 'x', fields: ['url'], exchange: ex }]).evidence.map((e) => e.message),
    ).toEqual([`x: 2 details items for "url", not one per failing field [${describeExchange(ex)}]`]);
  });
});

describe('created_endpoint', () => {
  const url = 'https://example.com/hooks';
  const created = (sent: unknown, got: Record<string, unknown>, spec: { startedAt?: number; status?: number } = {}) =>
    exchange({
      path: '/webhook/endpoints',
      requestBody: sent,
      status: spec.status ?? 200,
      json: got,
      startedAt: spec.startedAt,
    });
  const answer = (over: Record<string, unknown> = {}) => ({
    id: 'wh_end_abc',
    url,
    name: null,
    enabled: true,
    event_types: [...EVENT_TYPES],
    created_at: new Date().toISOString(),
    secret: 'whsec_x',
    ...over,
  });

  it('finds nothing wrong with the defaults, or with what was sent', () => {
    expect(createdEndpointProblems(created({ url }, answer()))).toEqual([]);
    const sent = {
      url,
      name: 'n',
      enabled: false,
      event_types: ['web.result.approved', 'kyc.result.failed', 'web.result.approved'],
    };
    expect(
      createdEndpointProblems(
        created(sent, answer({ name: 'n', enabled: false, event_types: ['kyc.result.failed', 'web.result.approved'] })),
      ),
    ).toEqual([]);
  });

  it('names each field that is not what was asked for', () => {
    expect(createdEndpointProblems(created({ url }, answer({ id: 'ep_abc' })))).toEqual([
      'id "ep_abc" is not a wh_end_… id',
    ]);
    expect(createdEndpointProblems(created({ url }, answer({ url: 'https://example.com/other' })))).toEqual([
      'url is not the url sent',
    ]);
    expect(createdEndpointProblems(created({ url }, answer({ name: '' })))).toEqual([
      'name is not null though none was sent',
    ]);
    expect(createdEndpointProblems(created({ url, name: 'n' }, answer({ name: 'm' })))).toEqual([
      'name is not the name sent',
    ]);
    expect(createdEndpointProblems(created({ url }, answer({ enabled: false })))).toEqual([
      'enabled is false, expected true (the default)',
    ]);
    expect(createdEndpointProblems(created({ url, enabled: false }, answer({ enabled: true })))).toEqual([
      'enabled is true, expected false',
    ]);
    expect(createdEndpointProblems(created({ url }, answer({ event_types: EVENT_TYPES.slice(0, 5) })))).toEqual([
      'event_types are not every type (the default): got 5 of 10',
    ]);
    expect(createdEndpointProblems(created({ url, event_types: ['kyc.result.failed'] }, answer()))).toEqual([
      'event_types are not the types sent',
    ]);
  });

  it('allows 5 minutes between clocks', () => {
    const now = Date.now();
    expect(CREATED_AT_TOLERANCE_MS).toBe(300_000);
    expect(
      createdEndpointProblems(
        created({ url }, answer({ created_at: new Date(now + 4 * 60_000).toISOString() }), { startedAt: now }),
      ),
    ).toEqual([]);
  });

  it('wants created_at within 5 minutes of the request, either way', () => {
    const now = Date.now();
    const at = (ms: number) => answer({ created_at: new Date(now + ms).toISOString() });
    expect(createdEndpointProblems(created({ url }, at(CREATED_AT_TOLERANCE_MS), { startedAt: now }))).toEqual([]);
    expect(createdEndpointProblems(created({ url }, at(-CREATED_AT_TOLERANCE_MS), { startedAt: now }))).toEqual([]);
    const late = new Date(now + CREATED_AT_TOLERANCE_MS + 1000).toISOString();
    expect(createdEndpointProblems(created({ url }, answer({ created_at: late }), { startedAt: now }))).toEqual([
      `created_at ${late} is not the time of creation`,
    ]);
    expect(
      createdEndpointProblems(created({ url }, at(-CREATED_AT_TOLERANCE_MS - 1000), { startedAt: now })),
    ).toHaveLength(1);
  });

  it('leaves absent or mistyped fields to the schema check', () => {
    expect(createdEndpointProblems(created({ url }, { id: 5, event_types: 'all', created_at: 'yesterday' }))).toEqual(
      [],
    );
    expect(createdEndpointProblems(created({ url }, {}))).toEqual([]);
    expect(createdEndpointProblems(created('{not json', answer({ id: 'x' })))).toEqual([]);
    expect(createdEndpointProblems(created({ url }, 'text' as never))).toEqual([]);
    expect(createdEndpointProblems(created(null, answer({ id: 'x' })))).toEqual([]);
    expect(createdEndpointProblems(created('"text"', answer({ id: 'x' })))).toEqual([]);
    expect(createdEndpointProblems(created({ url }, answer({ created_at: 5 })))).toEqual([]);
    const noBody = exchange({ path: '/webhook/endpoints', json: answer({ id: 'x' }) });
    expect(createdEndpointProblems(noBody)).toEqual([]);
  });

  it('judges the successful creates only, and wants ids of their own', () => {
    const a = created({ url }, answer());
    const b = created({ url }, answer({ url: 'https://example.com/other' }));
    const same = created({ url }, answer());
    const refused = created({ url }, answer({ id: 'x' }), { status: 500 });
    const rotate = exchange({ status: 200, json: { id: 'wh_end_abc' } });
    const notJson = exchange({ path: '/webhook/endpoints', requestBody: { url }, status: 200, body: 'created' });
    const numbered = [created({ url }, answer({ id: 7 })), created({ url }, answer({ id: 7 }))];
    const r = judgeCreatedEndpoints([a, b, same, refused, rotate, notJson, ...numbered]);
    expect(r.evidence.map((e) => e.message)).toEqual([
      `url is not the url sent [${describeExchange(b)}]`,
      `the same id as the endpoint created by #${a.seq} [${describeExchange(b)}]`,
      `the same id as the endpoint created by #${a.seq} [${describeExchange(same)}]`,
    ]);
    expect(
      judgeCreatedEndpoints([a, created({ url }, answer({ id: 'wh_end_other' })), created({ url }, answer({ id: 7 }))]),
    ).toEqual({
      status: 'pass',
      summary: '3 created endpoints are what was asked for, with the documented defaults',
      evidence: [],
    });
  });

  it('fails when the endpoint created with the url only got no delivery (enabled by default)', () => {
    const a = created({ url }, answer());
    const missed = { exchange: a, delivered: false, error: 'no delivery arrived within 2000 ms' };
    expect(judgeCreatedEndpoints([a], missed).evidence.map((e) => e.message)).toEqual([
      `an endpoint created with the url only (enabled by default) received no delivery: ${missed.error} ` +
        `[${describeExchange(a)}]`,
    ]);
    expect(judgeCreatedEndpoints([a], { exchange: a, delivered: true }).status).toBe('pass');
  });

  it('fails when there is no successful create to judge', () => {
    expect(judgeCreatedEndpoints([refusal('forbidden', [], { path: '/webhook/endpoints' })])).toEqual({
      status: 'fail',
      summary: 'no create succeeded: there is no created endpoint to judge',
      evidence: [{ message: 'no create succeeded: there is no created endpoint to judge' }],
    });
  });
});
