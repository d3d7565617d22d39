/**
 * `inklink-mock trigger` and `inklink-mock deliveries`, the built CLI as real processes against a
 * mock started here (real HTTP) whose endpoints deliver to a test receiver: where an event goes by
 * default and with --all, --set overrides that reach the payload or are refused before anything is
 * sent, the control token from its env var, the journal as a table and as JSON, --follow from the
 * live stream, and a resend signed with the secret in force (POST /__mock/deliveries/{id}/resend).
 */
import { spawn } from 'node:child_process';
import { Webhook } from 'standardwebhooks';
import { EVENT_TYPES } from '../../core/inklink';
import { REFUSALS } from '../../core/refusals';
import { fingerprint } from '../../core/webhooks';
import { CLI, runCli } from '../helpers/cli';
import { call, expectEnvelope } from '../helpers/http';
import { mockWithReceiverPerFile, startMock } from '../helpers/mock';
import type { Received } from '../helpers/receiver';

const ctx = mockWithReceiverPerFile({ retrySchedule: [0] });

beforeEach(async () => {
  expect((await call(ctx.m.url, 'POST', '/__mock/reset')).status).toBe(200);
  ctx.receiver.received.length = 0;
  ctx.receiver.answer = () => ({ status: 204 });
});

const cli = (args: string[], env: Record<string, string> = {}) => runCli([...args, '--mock-url', ctx.m.url], env);
const journal = async (q = '') => (await call(ctx.m.url, 'GET', `/__mock/deliveries${q}`)).json.deliveries;
const verifies = (secret: string, r: Received) => {
  try {
    new Webhook(secret).verify(r.body, r.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
};
/** Waits until every delivery of the journal has settled. */
async function settled(n: number): Promise<any[]> {
  for (let i = 0; i < 200; i++) {
    const all = await journal();
    if (all.length >= n && all.every((d: any) => d.state === 'succeeded' || d.state === 'failed')) return all;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the deliveries did not settle');
}

describe('inklink-mock trigger', () => {
  it("without --endpoint: one delivery, to the banner's first endpoint, and it says where it went", async () => {
    const first = ctx.m.endpoint(0, 0);
    const r = await cli(['trigger', 'kyc.result.approved']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const [d] = await ctx.receiver.waitForCount(1);
    await settled(1);
    expect(ctx.receiver.received).toHaveLength(1);
    expect(verifies(first.secret, d)).toBe(true);
    const [entry] = await journal();
    expect(entry).toMatchObject({ endpoint_id: first.id, event_id: d.headers['webhook-id'] });
    expect(r.stdout).toBe(
      `event ${entry.event_id} (kyc.result.approved): 1 delivery\n` +
        `  ${entry.id} -> ${first.id} (${entry.organization_id}) ${ctx.receiver.url}\n`,
    );
  });

  it('--all: every enabled subscribed endpoint of both organizations, one webhook-id, own secrets', async () => {
    const type = 'web.result.pending';
    const endpoints = ctx.m.mock.seeded
      .flatMap((o) => o.endpoints)
      .filter((e) => e.enabled && e.event_types.includes(type));
    expect(ctx.m.mock.seeded.every((o) => endpoints.some((e) => o.endpoints.includes(e)))).toBe(true);
    const r = await cli(['trigger', type, '--all', '--json']);
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout);
    expect(answer.deliveries).toHaveLength(endpoints.length);
    const received = await ctx.receiver.waitForCount(endpoints.length);
    expect(new Set(received.map((x) => x.headers['webhook-id']))).toEqual(new Set([answer.event_id]));
    // Each delivery verifies with exactly one endpoint's secret: its own.
    const signers = received.map((x) => endpoints.filter((e) => verifies(e.secret, x)).map((e) => e.id));
    expect(signers.map((s) => s.length)).toEqual(endpoints.map(() => 1));
    expect(new Set(signers.flat())).toEqual(new Set(endpoints.map((e) => e.id)));
  });

  it('--endpoint and --set: the overrides are in the payload, over the generated data', async () => {
    const target = ctx.m.endpoint(1, 0);
    const r = await cli([
      'trigger',
      'web.result.rejected',
      '--endpoint',
      target.id,
      '--set',
      'data.subject_id=user_9',
      '--set',
      'data.review.score:=0.25',
    ]);
    expect(r.code).toBe(0);
    const [d] = await ctx.receiver.waitForCount(1);
    expect(verifies(target.secret, d)).toBe(true);
    expect(JSON.parse(d.body)).toEqual({
      type: 'web.result.rejected',
      timestamp: expect.any(String),
      data: { inquiry_id: expect.stringMatching(/^web_iq_/), subject_id: 'user_9', review: { score: 0.25 } },
    });
  });

  it.each([
    [['--set', 'data.subject_id:=5'], '--set: data.subject_id must be string; nothing was sent'],
    [['--set', 'data:=[1]'], '--set: data must be object; nothing was sent'],
    [
      ['--set', 'timestamp=2020-01-01'],
      '--set timestamp=2020-01-01: the mock stamps each event with the time it is emitted',
    ],
    [
      ['--set', 'subject_id=user_9'],
      "--set subject_id=user_9: the payload is {type, timestamp, data}: only data's fields",
    ],
    [['--set', 'data.__proto__.x=1'], '--set data.__proto__.x=1: "data.__proto__.x" is not a path'],
    [['--set', 'data.score:=nope'], '--set data.score:=nope: the value after := must be JSON'],
    [['--endpoint', 'wh_end_x', '--all'], '--endpoint and --all do not go together'],
  ])('a bad override or combination %p: one line, exit 2, nothing sent', async (args, message) => {
    const r = await cli(['trigger', 'kyc.result.approved', ...args]);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: '' });
    expect(r.stderr).toMatch(new RegExp(`^inklink-mock trigger: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(await journal()).toEqual([]);
  });

  it('the mock refuses what the schema refuses: data.subject_id must be a string (400, one detail)', async () => {
    const res = await call(ctx.m.url, 'POST', '/__mock/events', {
      body: { type: EVENT_TYPES[0], data: { subject_id: 5 } },
    });
    expectEnvelope(res, REFUSALS.invalid_input.status, REFUSALS.invalid_input.code);
    expect(res.json.error.details).toEqual([{ field: 'data.subject_id', message: expect.stringMatching(/string/) }]);
    expect(await journal()).toEqual([]);
  });

  it('an unknown type names the nearest; a disabled or unsubscribed endpoint delivers nothing: exit 1', async () => {
    const typo = await cli(['trigger', 'kyc.result.aproved']);
    expect(typo).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'inklink-mock trigger: unknown event type "kyc.result.aproved" (did you mean kyc.result.approved?); ' +
        'see "inklink-mock trigger --help"\n',
    });
    const org = ctx.m.mock.seeded[0].id;
    const seeded = await call(ctx.m.url, 'POST', '/__mock/endpoints', {
      body: { organization_id: org, enabled: false },
    });
    const r = await cli(['trigger', 'kyc.result.approved', '--endpoint', seeded.json.id]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`skipped ${seeded.json.id}: endpoint is disabled`);
    expect(r.stderr).toMatch(/^inklink-mock trigger: no endpoint received event wh_evt_/);
    const unknown = await cli(['trigger', 'kyc.result.approved', '--endpoint', 'wh_end_nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      `answered ${REFUSALS.invalid_input.status} ${REFUSALS.invalid_input.code}: ` +
        `${REFUSALS.invalid_input.message} (endpoint_id: no such endpoint)`,
    );
  });

  it('the control token from INKLINK_MOCK_CONTROL_TOKEN; without it, a 401 that says which env var', async () => {
    const token = 'a-control-token-for-this-test';
    const guarded = await startMock({ controlToken: token });
    try {
      const args = ['trigger', 'kyc.result.approved', '--mock-url', guarded.url];
      const without = await runCli(args);
      expect(without.code).toBe(1);
      expect(without.stderr).toContain(
        `answered ${REFUSALS.control_unauthenticated.status} ${REFUSALS.control_unauthenticated.code}`,
      );
      expect(without.stderr).toContain('set INKLINK_MOCK_CONTROL_TOKEN');
      const withToken = await runCli(args, { INKLINK_MOCK_CONTROL_TOKEN: token });
      expect({ code: withToken.code, stderr: withToken.stderr }).toEqual({ code: 0, stderr: '' });
      expect(withToken.stdout + withToken.stderr + without.stderr).not.toContain(token);
    } finally {
      await guarded.close();
    }
  });

  it('no mock at --mock-url: one line naming the address, exit 1', async () => {
    const gone = await startMock();
    const url = gone.url;
    await gone.close();
    const r = await runCli(['trigger', 'kyc.result.approved', '--mock-url', url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^inklink-mock trigger: cannot reach the mock at ${url}: ECONNREFUSED`));
  });
});

describe('inklink-mock deliveries', () => {
  it('lists the journal as a table, oldest first, with the last answer and the signing fingerprint', async () => {
    ctx.receiver.answer = (_r, i) => ({ status: i === 0 ? 503 : 204 });
    await cli(['trigger', 'kyc.result.approved']);
    await settled(1);
    await cli(['trigger', 'kyc.result.pending']);
    const [second, first] = await settled(2);
    const r = await cli(['deliveries']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0].split(/\s+/)).toEqual([
      'CREATED',
      'DELIVERY',
      'EVENT',
      'TYPE',
      'ENDPOINT',
      'STATE',
      'ATTEMPTS',
      'LAST',
      'SECRET',
      'RESENDS',
    ]);
    const fp = fingerprint(ctx.m.endpoint(0, 0).secret);
    expect(lines.slice(1).map((l) => l.split(/\s+/))).toEqual([
      [
        first.created_at,
        first.id,
        first.event_id,
        'kyc.result.approved',
        first.endpoint_id,
        'failed',
        '1',
        '503',
        fp,
        '-',
      ],
      [
        second.created_at,
        second.id,
        second.event_id,
        'kyc.result.pending',
        second.endpoint_id,
        'succeeded',
        '1',
        '204',
        fp,
        '-',
      ],
    ]);
    const json = await cli(['deliveries', '--json', '--limit', '1']);
    expect(JSON.parse(json.stdout)).toEqual({ deliveries: await journal('?limit=1') });
    const filtered = await cli(['deliveries', '--json', '--event', first.event_id]);
    expect(JSON.parse(filtered.stdout).deliveries.map((d: any) => d.id)).toEqual([first.id]);
  });

  it('resend ID: a new delivery naming the old one, same webhook-id and body, signed with the new secret', async () => {
    ctx.receiver.answer = () => ({ status: 500 });
    const ep = ctx.m.endpoint(0, 0);
    await cli(['trigger', 'kyc.result.approved']);
    const [failed] = await settled(1);
    expect(failed.state).toBe('failed');
    const rotated = await call(ctx.m.url, 'POST', `/webhook/endpoints/${ep.id}/rotate-secret`, {
      headers: { 'api-key': ctx.m.key('owner') },
    });
    expect(rotated.status).toBe(200);
    ctx.receiver.answer = () => ({ status: 204 });
    const r = await cli(['deliveries', 'resend', failed.id]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const [newest] = await settled(2);
    expect(r.stdout).toBe(
      `delivery ${newest.id} resends ${failed.id}: event ${failed.event_id} (kyc.result.approved) to ${ep.id} ` +
        `${ctx.receiver.url}, scheduled\n`,
    );
    expect(newest).toMatchObject({ resent_from: failed.id, event_id: failed.event_id, state: 'succeeded' });
    expect(newest.payload).toEqual(failed.payload);
    expect(newest.attempts.map((a: any) => a.secret_fingerprint)).toEqual([fingerprint(rotated.json.secret)]);
    const [original, again] = ctx.receiver.received;
    expect(again.headers['webhook-id']).toBe(original.headers['webhook-id']);
    expect(again.body).toBe(original.body);
    expect([verifies(ep.secret, again), verifies(rotated.json.secret, again)]).toEqual([false, true]);
    // The delivery it resends is unchanged.
    expect((await journal()).find((d: any) => d.id === failed.id)).toEqual(failed);
  });

  it('resend of an id not in the journal: 404 from the control API, exit 1 from the CLI, nothing sent', async () => {
    const res = await call(ctx.m.url, 'POST', '/__mock/deliveries/wh_dlv_nope/resend');
    expectEnvelope(res, REFUSALS.control_not_found.status, REFUSALS.control_not_found.code);
    const r = await cli(['deliveries', 'resend', 'wh_dlv_nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `inklink-mock deliveries: the mock at ${ctx.m.url} answered ${REFUSALS.control_not_found.status} ` +
        `${REFUSALS.control_not_found.code}: No such delivery in the journal.\n`,
    );
    const usage = await cli(['deliveries', 'resend', 'wh_dlv_x', '--follow']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^inklink-mock deliveries: --follow is for listing/);
    expect(await journal()).toEqual([]);
  });

  it('--follow: each change of a delivery as it happens, from the live stream; Ctrl-C ends it with 0', async () => {
    const child = spawn(process.execPath, [CLI, 'deliveries', '--follow', '--mock-url', ctx.m.url], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const waitFor = async (re: RegExp) => {
      for (let i = 0; i < 400 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 25));
      expect([out, err, re.test(out)]).toEqual([out, err, true]);
    };
    try {
      await waitFor(/^CREATED /);
      // The stream is open once the list is printed (it opens first).
      const r = await cli(['trigger', 'kyc.result.approved']);
      expect(r.code).toBe(0);
      const [d] = await settled(1);
      await waitFor(new RegExp(`${d.id} .* succeeded +1 +204 `));
      expect(out).toMatch(new RegExp(`${d.id} .* scheduled +0 `));
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(err).toBe('');
  });

  it('--follow: the mock stopping ends the stream, and the command with 1 and a line that says so', async () => {
    const own = await startMock();
    const child = spawn(process.execPath, [CLI, 'deliveries', '--follow', '--mock-url', own.url], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 400 && !/^CREATED /.test(out); i++) await new Promise((r) => setTimeout(r, 25));
    expect(out).toMatch(/^CREATED /);
    await own.close();
    expect(await exited).toBe(1);
    expect(err).toBe(`inklink-mock deliveries: the mock at ${own.url} closed the stream\n`);
  });
});
