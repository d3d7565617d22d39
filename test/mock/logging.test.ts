/**
 * The log a developer follows, from `inklink-mock serve` as a real process at its default level:
 * a line per API request (method, operation, status, time, request id), a line per failed
 * delivery attempt (endpoint, event, attempt n of N, status or error, when the next is due), and
 * the same as JSON objects with `--log-format json`. Secrets and keys never appear (the full sweep
 * is test/reliability/secret-hygiene.test.ts).
 */
import { createMockServer } from '../../src';
import { call, waitFor } from '../helpers/http';
import { startCli, type Running } from '../helpers/cli';
import { startReceiver, type Receiver } from '../helpers/receiver';

const seeded = createMockServer({ seed: 42, logLevel: 'silent' }).seeded;
const owner = seeded[0].apiKeys.find((k) => k.role === 'owner')!.key;
const endpoint = seeded[0].endpoints[0];

let failing: Receiver;
beforeAll(async () => {
  failing = await startReceiver(() => ({ status: 503, body: 'down for maintenance' }));
});
afterAll(() => failing.close());

async function serve(extra: string[] = []): Promise<Running> {
  // No --log-level: the default. Three attempts, 200 ms and 400 ms apart.
  return startCli(['--port', '0', '--retry-schedule', '0,200ms,400ms', '--webhook-url', failing.url, ...extra]);
}

const lines = (text: string) => text.split('\n').filter(Boolean);

describe('the log at the default level', () => {
  it('one line per API request: method, operation, status, milliseconds and the request id', async () => {
    const run = await serve();
    try {
      const rotated = await call(run.url, 'POST', `/webhook/endpoints/${endpoint.id}/rotate-secret`, {
        headers: { 'api-key': owner },
      });
      const refused = await call(run.url, 'POST', `/webhook/endpoints/${endpoint.id}/rotate-secret`);
      const unrouted = await call(run.url, 'GET', '/no/such/route');
      for (const [res, what] of [
        [rotated, 'POST rotateWebhookEndpointSecret 200'],
        [refused, 'POST rotateWebhookEndpointSecret 401'],
        // An unmatched path is never logged: a path may carry anything a client typed.
        [unrouted, 'GET (no route) 404'],
      ] as const) {
        const id = res.headers.get('x-request-id')!;
        const line = await waitFor(
          () => lines(run.stderr()).find((l) => l.endsWith(`request=${id}`)),
          3000,
          `the line of ${what}`,
        );
        expect(line).toMatch(
          new RegExp(
            `^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z INFO  ${what.replace(/[()]/g, '\\$&')} \\d+\\.\\d ms request=${id}$`,
          ),
        );
      }
      expect(run.stderr()).not.toMatch(/whsec_[A-Za-z0-9]|secret_live_[A-Za-z0-9]/);
    } finally {
      await run.stop();
    }
  });

  it('one line per failed delivery attempt, with when the next is due; the last says none is', async () => {
    const run = await serve();
    try {
      const emitted = await call(run.url, 'POST', '/__mock/events', {
        body: { type: 'kyc.result.approved', endpoint_id: endpoint.id },
      });
      const event = emitted.json.event_id;
      const failures = await waitFor(
        () => {
          const found = lines(run.stderr()).filter(
            (l) => l.includes(' WARN  delivery attempt ') && l.includes(`event=${event}`),
          );
          return found.length === 3 ? found : undefined;
        },
        10_000,
        'three failed attempts',
      );
      const fields =
        `endpoint=${endpoint.id} url=${failing.url} event=${event} type=kyc.result.approved ` + `status=503 ms=\\d+`;
      expect(failures[0]).toMatch(
        new RegExp(`WARN  delivery attempt 1 of 3 failed ${fields} next=\\S+Z \\(in 200ms\\)$`),
      );
      expect(failures[1]).toMatch(
        new RegExp(`WARN  delivery attempt 2 of 3 failed ${fields} next=\\S+Z \\(in 400ms\\)$`),
      );
      expect(failures[2]).toMatch(
        new RegExp(`WARN  delivery attempt 3 of 3 failed ${fields} next=none: the delivery failed after 3 attempts$`),
      );
      // When the next attempt is due is when it happens (the journal agrees with the line).
      const due = Date.parse(/next=(\S+Z)/.exec(failures[0])![1]);
      const journal = (await call(run.url, 'GET', `/__mock/deliveries?event_id=${event}`)).json.deliveries[0];
      expect(Math.abs(Date.parse(journal.attempts[1].started_at) - due)).toBeLessThan(1000);
    } finally {
      await run.stop();
    }
  });

  it('a refused connection is the error of its line', async () => {
    const run = await serve(['--webhook-url', 'http://127.0.0.1:1/hooks', '--retry-schedule', '0']);
    try {
      await call(run.url, 'POST', '/__mock/events', { body: { type: 'web.result.failed', endpoint_id: endpoint.id } });
      const line = await waitFor(
        () => lines(run.stderr()).find((l) => l.includes('delivery attempt 1 of 1 failed')),
        10_000,
        'the failed attempt',
      );
      expect(line).toMatch(
        / url=http:\/\/127\.0\.0\.1:1\/hooks .* error=\S.* next=none: the delivery failed after 1 attempt$/,
      );
      expect(line).not.toMatch(/ status=/);
    } finally {
      await run.stop();
    }
  });
});

it(
  'an endpoint URL with credentials (issue 22, point 5): the banner and the failed attempt line show it masked; ' +
    'the receiver got them',
  async () => {
    const target = new URL(failing.url);
    const given = `http://hook-user:pw-4f3e2d1c@${target.host}${target.pathname}?token=tk-9a8b7c6d`;
    const run = await serve(['--webhook-url', given, '--retry-schedule', '0']);
    try {
      const from = failing.received.length;
      await call(run.url, 'POST', '/__mock/events', {
        body: { type: 'kyc.result.approved', endpoint_id: endpoint.id },
      });
      const line = await waitFor(
        () => lines(run.stderr()).find((l) => l.includes('delivery attempt 1 of 1 failed')),
        10_000,
        'the failed attempt',
      );
      expect(line).toContain(` url=http://hook-user:***@${target.host}${target.pathname} event=`);
      expect(run.stdout()).toContain(`-> http://hook-user:***@${target.host}${target.pathname}?token=***\n`);
      for (const text of [run.stdout(), run.stderr()]) {
        expect(text).not.toContain('pw-4f3e2d1c');
        expect(text).not.toContain('tk-9a8b7c6d');
      }
      const got = failing.received[from];
      expect(got.path).toBe(`${target.pathname}?token=tk-9a8b7c6d`);
      expect(got.headers.authorization).toBe(`Basic ${Buffer.from('hook-user:pw-4f3e2d1c').toString('base64')}`);
    } finally {
      await run.stop();
    }
  },
);

describe('--log-format json', () => {
  it('every log line is one JSON object: time, level, msg and the fields', async () => {
    const run = await serve(['--log-format', 'json']);
    try {
      const rotated = await call(run.url, 'POST', `/webhook/endpoints/${endpoint.id}/rotate-secret`, {
        headers: { 'api-key': owner },
      });
      await call(run.url, 'POST', '/__mock/events', {
        body: { type: 'kyc.result.approved', endpoint_id: endpoint.id },
      });
      await waitFor(
        () => (run.stderr().includes('"delivery attempt 1 of 3 failed"') ? true : undefined),
        10_000,
        'a failed attempt',
      );
      const records = lines(run.stderr()).map((l) => JSON.parse(l));
      for (const r of records)
        expect(r).toEqual(
          expect.objectContaining({
            time: expect.stringMatching(/Z$/),
            level: expect.any(String),
            msg: expect.any(String),
          }),
        );
      expect(records[0]).toEqual(expect.objectContaining({ level: 'info', msg: 'listening', url: run.url }));
      expect(records).toContainEqual({
        time: expect.any(String),
        level: 'info',
        msg: 'request',
        method: 'POST',
        operation: 'rotateWebhookEndpointSecret',
        status: 200,
        ms: expect.any(Number),
        requestId: rotated.headers.get('x-request-id'),
      });
      expect(records).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          msg: 'delivery attempt 1 of 3 failed',
          endpoint: endpoint.id,
          status: 503,
          next: expect.stringMatching(/\(in 200ms\)$/),
        }),
      );
      expect(run.stderr()).not.toContain(rotated.json.secret);
    } finally {
      await run.stop();
    }
  });
});
