/**
 * `checkReceiver(handler, options)` in-process: every broken receiver fails exactly its checks, the
 * correct ones (standardwebhooks, receiveWebhook) pass every check, the rotation drill measures the
 * window, and no secret reaches the report in any format.
 */
import { generateSecret } from '../../core/webhooks';
import {
  checkReceiver,
  formatReceiverJson,
  formatReceiverJUnit,
  formatReceiverTable,
  RECEIVER_CHECKS,
  type ReceiverHandler,
  type ReceiverReport,
} from '../../src/receiver-check';
import { RECEIVERS, type Secrets } from '../helpers/receivers';

// Generous: on a loaded machine an in-process answer can take a while; only the slow receiver waits for it.
const TIMEOUT_MS = 3_000;
const BATTERY = RECEIVER_CHECKS.map((c) => c.name).filter((n) => !n.startsWith('drill_'));
const failedChecks = (r: ReceiverReport) =>
  r.results
    .filter((x) => x.status === 'fail')
    .map((x) => x.name)
    .sort();
const notPassed = (r: ReceiverReport) =>
  r.results.filter((x) => x.status !== 'pass').map((x) => `${x.name} ${x.status}: ${x.summary}`);

describe('checkReceiver against in-process handlers', () => {
  const secret = generateSecret();
  const oldSecret = generateSecret();

  it.each(Object.entries(RECEIVERS))('%s fails exactly the checks it should', async (_name, variant) => {
    const report = await checkReceiver(
      variant.make({ current: secret, previous: oldSecret }, { slowMs: TIMEOUT_MS * 2 }),
      { secret, oldSecret, timeoutMs: TIMEOUT_MS },
    );
    expect(report.results.map((r) => r.name)).toEqual(BATTERY);
    expect(failedChecks(report)).toEqual([...variant.fails].sort());
    // Everything else passes: no false alarm, nothing skipped.
    expect(report.results.filter((r) => r.status === 'skip')).toEqual([]);
    expect(report.ok).toBe(variant.fails.length === 0);
    for (const r of report.results.filter((x) => x.status === 'fail')) {
      expect(r.evidence.length).toBeGreaterThan(0);
      for (const ev of r.evidence) expect(report.exchanges[ev.exchange! - 1].reproduce).toMatch(/^await handler\(/);
    }
  });

  it('the slow receiver: the late answer is named, with its latency, and the timeout is the one given', async () => {
    const report = await checkReceiver(RECEIVERS.slow.make({ current: secret }, { slowMs: TIMEOUT_MS * 2 }), {
      secret,
      timeoutMs: TIMEOUT_MS,
    });
    const timing = report.results.find((r) => r.name === 'answers_within_timeout')!;
    expect(timing.summary).toMatch(/a valid web\.result\.failed delivery: no answer: timed out after 3000 ms/);
    expect(report.latency.answers).toBe(report.exchanges.length - 1);
    expect(report.latency.maxMs).toBeLessThan(TIMEOUT_MS);
  });

  it('without oldSecret, old_secret_refused is skipped and says what it needs', async () => {
    const report = await checkReceiver(RECEIVERS['standard-webhooks'].make({ current: secret }, {}), { secret });
    expect(notPassed(report)).toEqual([
      expect.stringMatching(/^old_secret_refused skip: needs the secret the receiver held before its last rotation/),
    ]);
    expect(report.timeoutMs).toBe(15_000);
    expect(report.toleranceSeconds).toBe(300);
  });

  it('a receiver with another secret fails the valid deliveries; refusal checks say they prove nothing', async () => {
    const report = await checkReceiver(RECEIVERS['standard-webhooks'].make({ current: generateSecret() }, {}), {
      secret,
    });
    expect(failedChecks(report)).toEqual([
      'duplicate_accepted',
      'multiple_signatures_accepted',
      'timestamp_inside_tolerance_accepted',
      'valid_deliveries_accepted',
    ]);
    const refusals = report.results.filter((r) => /_refused$/.test(r.name) && r.name !== 'old_secret_refused');
    expect(refusals.map((r) => r.status)).toEqual(refusals.map(() => 'skip'));
    expect(refusals[0].summary).toMatch(/^inconclusive: the control \(a valid delivery\) got answered 401/);
  });

  it('a handler that throws answers 500; one that resolves to no status is no answer', async () => {
    const throws: ReceiverHandler = () => {
      throw new Error('boom');
    };
    const r1 = await checkReceiver(throws, {
      secret,
      only: ['valid_deliveries_accepted', 'unknown_event_type_not_5xx'],
    });
    expect(r1.exchanges[0].answer).toMatchObject({ status: 500, body: 'the handler threw: boom' });
    expect(failedChecks(r1)).toEqual(['unknown_event_type_not_5xx', 'valid_deliveries_accepted']);
    const nothing = (() => undefined) as unknown as ReceiverHandler;
    const r2 = await checkReceiver(nothing, { secret, only: ['unknown_event_type_not_5xx'] });
    expect(r2.exchanges[0].answer.error).toBe('the handler resolved to undefined, not an HTTP status');
    const objects: ReceiverHandler = async () => ({ status: 202 });
    expect((await checkReceiver(objects, { secret, only: ['valid_deliveries_accepted'] })).ok).toBe(true);
  });

  it('the handler gets the exact body and the headers InkLink sends', async () => {
    const seen: [string, Record<string, string>][] = [];
    await checkReceiver((body, headers) => (seen.push([body, headers]), 204), {
      secret,
      only: ['valid_deliveries_accepted'],
    });
    expect(seen).toHaveLength(10);
    for (const [body, headers] of seen) {
      expect(Object.keys(headers)).toEqual([
        'content-type',
        'user-agent',
        'webhook-id',
        'webhook-timestamp',
        'webhook-signature',
      ]);
      expect(JSON.stringify(JSON.parse(body))).toBe(body);
    }
  });

  it('only runs the checks named; unknown names and bad secrets are refused before anything is sent', async () => {
    let calls = 0;
    const count: ReceiverHandler = () => (calls++, 204);
    const report = await checkReceiver(count, { secret, only: ['wrong_secret_refused'] });
    expect(report.results.map((r) => r.name)).toEqual(['wrong_secret_refused']);
    expect(calls).toBe(2); // the control and the probe
    await expect(checkReceiver(count, { secret, only: ['nope'] })).rejects.toThrow('unknown check(s): nope');
    await expect(checkReceiver(count, { secret: 'whsec_c2hvcnQ=' })).rejects.toThrow(
      /^secret: secret decodes to 5 bytes/,
    );
    expect(calls).toBe(2);
  });

  it('never puts a secret in the report, whatever the receiver answers', async () => {
    const newSecret = generateSecret();
    const leaky: ReceiverHandler = async (body, headers) => {
      const inner = RECEIVERS['standard-webhooks'].make(holder, {});
      const status = await inner(body, headers);
      if (status === 401)
        throw new Error(
          `expected a signature with ${holder.current} (or ${holder.current.slice(6)}), old ${oldSecret}, ` +
            `next ${newSecret.slice(6)}`,
        );
      return status;
    };
    const holder: Secrets = { current: secret };
    const report = await checkReceiver(leaky, {
      secret,
      oldSecret,
      drill: {
        newSecret,
        updateSecret: async (s) => {
          holder.current = s;
          return { ok: false, detail: `stored ${s}` };
        },
      },
    });
    const everything = formatReceiverTable(report) + formatReceiverJUnit(report) + formatReceiverJson(report);
    expect(everything).toContain('[redacted secret]');
    for (const s of [secret, oldSecret, newSecret]) expect(everything).not.toContain(s.slice(6));
    expect(everything).not.toMatch(/whsec_[A-Za-z0-9+/]{8}/);
  });
});

describe('the rotation drill, in-process', () => {
  /** A receiver whose secret a drill can change, after `switchMs` (never with `never`). */
  function rotatable(name: string, switchMs: number | 'never') {
    const secrets: Secrets = { current: generateSecret() };
    const first = secrets.current;
    const handler = RECEIVERS[name].make(secrets, {});
    const updateSecret = async (s: string) => {
      if (switchMs === 'never') return { ok: true, detail: 'ignored' };
      setTimeout(() => {
        secrets.previous = secrets.current;
        secrets.current = s;
      }, switchMs);
      return { ok: true, detail: 'stored' };
    };
    return { secrets, first, handler, updateSecret };
  }

  it('measures how long new-secret deliveries were refused, then checks the old secret is refused', async () => {
    const r = rotatable('standard-webhooks', 300);
    const report = await checkReceiver(r.handler, {
      secret: r.first,
      only: ['drill_before_rotation', 'drill_secret_updated', 'drill_new_secret_accepted', 'drill_old_secret_refused'],
      drill: { updateSecret: r.updateSecret, timeoutMs: 5_000 },
    });
    expect(notPassed(report)).toEqual([]);
    expect(report.drill!.windowMs).toBeGreaterThanOrEqual(300);
    expect(report.drill!.windowMs).toBeLessThan(3_000);
    expect(report.drill!.refusedAttempts).toBeGreaterThan(0);
    expect(report.drill!.retryAttempt).toBe(2);
    const accepted = report.results.find((x) => x.name === 'drill_new_secret_accepted')!;
    expect(accepted.summary).toMatch(
      new RegExp(
        /^new-secret deliveries refused for \d+ ms \(\d+ attempts\), then accepted; /.source +
          /InkLink's attempt 2 \(5 s after the first\)/.source,
      ),
    );
    // The attempts are one event, re-signed each time, as InkLink's retries are.
    const attempts = report.exchanges.filter((e) => e.check === 'drill_new_secret_accepted');
    expect(new Set(attempts.map((e) => e.request.headers['webhook-id'])).size).toBe(1);
    expect(new Set(attempts.map((e) => e.request.body)).size).toBe(1);
    expect(report.drill!.newSecretFingerprint).toMatch(/^[0-9a-f]{12}$/);
  });

  it('a receiver that keeps the old secret after the update fails drill_old_secret_refused only', async () => {
    const r = rotatable('accepts-old-secret', 0);
    const report = await checkReceiver(r.handler, { secret: r.first, drill: { updateSecret: r.updateSecret } });
    expect(failedChecks(report)).toEqual(['drill_old_secret_refused']);
  });

  it('a receiver that never takes the new secret fails within the drill timeout', async () => {
    const r = rotatable('standard-webhooks', 'never');
    const t0 = Date.now();
    const report = await checkReceiver(r.handler, {
      secret: r.first,
      only: ['drill_new_secret_accepted', 'drill_old_secret_refused'],
      drill: { updateSecret: r.updateSecret, timeoutMs: 600 },
    });
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(notPassed(report)).toEqual([
      expect.stringMatching(
        new RegExp(
          /^drill_new_secret_accepted fail: no new-secret delivery was accepted /.source +
            /within 600 ms of the rotation \(\d+ attempts refused\)/.source,
        ),
      ),
      'drill_old_secret_refused skip: not judged: the receiver never accepted the new secret',
    ]);
  });

  it('a failed update fails drill_secret_updated and stops the attempts', async () => {
    const secrets: Secrets = { current: generateSecret() };
    const first = secrets.current;
    const report = await checkReceiver(RECEIVERS['standard-webhooks'].make(secrets, {}), {
      secret: first,
      drill: { updateSecret: async () => ({ ok: false, detail: 'the update command exited 3' }), timeoutMs: 10_000 },
    });
    expect(report.durationMs).toBeLessThan(5_000);
    expect(notPassed(report).filter((x) => x.startsWith('drill_'))).toEqual([
      'drill_secret_updated fail: the update command exited 3',
      'drill_new_secret_accepted skip: not judged: the secret update failed (the update command exited 3)',
      'drill_old_secret_refused skip: not judged: the receiver never accepted the new secret',
    ]);
  });

  it('drill checks asked for without a drill are skipped and say what they need', async () => {
    const secret = generateSecret();
    const report = await checkReceiver(RECEIVERS['standard-webhooks'].make({ current: secret }, {}), {
      secret,
      only: ['drill_secret_updated'],
    });
    expect(notPassed(report)).toEqual([expect.stringMatching(/^drill_secret_updated skip: needs the rotation drill/)]);
  });
});
