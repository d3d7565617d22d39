/**
 * check-receiver's pure parts, without HTTP: deliveries built as InkLink sends them, the judgement
 * of an answer, the drill's arithmetic, the curl line, and the shared check reporter.
 */
import { execFileSync } from 'node:child_process';
import { XMLParser } from 'fast-xml-parser';
import { Webhook } from 'standardwebhooks';
import { countStatuses, exitStatus, formatCheckJUnit, formatCheckTable, type CheckRun } from '../../core/check-report';
import { EVENT_TYPES, WEBHOOK_USER_AGENT } from '../../core/inklink';
import { secretRedactor } from '../../core/log';
import { generateSecret } from '../../core/webhooks';
import { PROBE_TYPE, UNKNOWN_TYPE } from '../../src/receiver-check/battery';
import {
  attempt,
  changedValue,
  newEvent,
  reformatted,
  withHeader,
  withoutHeader,
} from '../../src/receiver-check/deliveries';
import { retryAttemptAfter } from '../../src/receiver-check/drill';
import { latencyOf, RECEIVER_CHECKS, receiverCheckOptionsProblem } from '../../src/receiver-check/engine';
import { curlFor, shellQuote } from '../../src/receiver-check/http';
import { judge, ms } from '../../src/receiver-check/judge';
import type { DeliveryExchange } from '../../src/receiver-check/types';

const secret = generateSecret();

describe('deliveries, as InkLink sends them', () => {
  it("carry exactly InkLink's headers, wh_evt_ id, fresh timestamp, v1 signature the reference library checks", () => {
    const event = newEvent('web.result.approved');
    const d = attempt(event, secret);
    expect(Object.keys(d.headers)).toEqual([
      'content-type',
      'user-agent',
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
    ]);
    expect(d.headers['content-type']).toBe('application/json');
    expect(d.headers['user-agent']).toBe(WEBHOOK_USER_AGENT);
    expect(d.headers['webhook-id']).toMatch(/^wh_evt_[A-Za-z0-9]{24}$/);
    expect(Math.abs(Number(d.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(2);
    expect(d.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(d.body, d.headers)).toEqual(JSON.parse(d.body));
    expect(() => new Webhook(generateSecret()).verify(d.body, d.headers)).toThrow();
  });

  it("carry the thin payload {type, timestamp, data: {inquiry_id, subject_id}}, with the type's inquiry prefix", () => {
    for (const type of EVENT_TYPES) {
      const p = JSON.parse(newEvent(type).body);
      expect(Object.keys(p)).toEqual(['type', 'timestamp', 'data']);
      expect(p.type).toBe(type);
      expect(new Date(p.timestamp).toISOString()).toBe(p.timestamp);
      expect(Object.keys(p.data)).toEqual(['inquiry_id', 'subject_id']);
      expect(p.data.inquiry_id.startsWith(type.startsWith('kyc.') ? 'kyc_iq_' : 'web_iq_')).toBe(true);
    }
  });

  it('a retry of an event keeps its id and body and is signed anew; tamperings change one thing', () => {
    const event = newEvent(PROBE_TYPE);
    const a = attempt(event, secret, 1_700_000_000);
    const b = attempt(event, secret, 1_700_000_005);
    expect([b.headers['webhook-id'], b.body]).toEqual([a.headers['webhook-id'], a.body]);
    expect(b.headers['webhook-signature']).not.toBe(a.headers['webhook-signature']);
    expect(withoutHeader(a, 'webhook-id').headers).not.toHaveProperty('webhook-id');
    expect(withHeader(a, 'webhook-id', 'x').headers['webhook-signature']).toBe(a.headers['webhook-signature']);
    expect(JSON.parse(reformatted(a.body))).toEqual(JSON.parse(a.body));
    expect(reformatted(a.body)).not.toBe(a.body);
    expect(JSON.parse(changedValue(a.body)).data.subject_id).not.toBe(JSON.parse(a.body).data.subject_id);
  });

  it('the unknown event type is not one InkLink documents', () => {
    expect(EVENT_TYPES).not.toContain(UNKNOWN_TYPE);
    expect(EVENT_TYPES).toContain(PROBE_TYPE);
  });
});

describe('the judgement of an answer', () => {
  const a = (status: number | undefined, durationMs = 1, extra = {}) => ({
    status,
    durationMs,
    ...(status === undefined ? { error: 'ECONNRESET' } : {}),
    ...extra,
  });
  it.each([
    ['accept', a(200), true],
    ['accept', a(204), true],
    ['accept', a(302), false],
    ['accept', a(401), false],
    ['accept', a(undefined), false],
    ['accept', a(200, 20_000), false],
    ['refuse', a(400), true],
    ['refuse', a(401), true],
    ['refuse', a(301), true],
    ['refuse', a(500), true],
    ['refuse', a(204), false],
    ['refuse', a(undefined), false],
    ['not_5xx', a(204), true],
    ['not_5xx', a(400), true],
    ['not_5xx', a(500), false],
    ['not_5xx', a(503), false],
    ['not_5xx', a(undefined), false],
    ['observe', a(undefined), true],
  ] as const)('%s of %j: %p', (expect_, answer, ok) => {
    expect(judge(expect_, answer, 15_000).ok).toBe(ok);
  });

  it('says why a wrong answer matters', () => {
    expect(judge('accept', a(302), 15_000).message).toMatch(/answered 302 .*3xx included/);
    expect(judge('refuse', a(204), 15_000).message).toMatch(/answered 204 in 1 ms: accepted/);
    expect(
      judge('accept', { error: 'timed out after 15000 ms', timedOut: true, durationMs: 15_000 }, 15_000).message,
    ).toMatch(/no answer: timed out .*retries/);
    expect(judge('not_5xx', a(500), 15_000).message).toMatch(/retry an event the receiver will never take/);
  });

  it('durations read as people write them', () => {
    expect([0.42, 12.4, 1250, 15_000, 300_000, 7_200_000].map(ms)).toEqual([
      '0.4 ms',
      '12 ms',
      '1.25 s',
      '15 s',
      '5 min',
      '2 h',
    ]);
  });
});

describe('the drill and latency arithmetic', () => {
  it("finds the attempt of InkLink's retry schedule that comes after the window", () => {
    expect(retryAttemptAfter(0)).toBe(1);
    expect(retryAttemptAfter(300)).toBe(2); // the retry 5 s after the first attempt
    expect(retryAttemptAfter(5_000)).toBe(2);
    expect(retryAttemptAfter(5_001)).toBe(3); // 5 s + 5 min
    expect(retryAttemptAfter(10 * 24 * 3_600_000)).toBeUndefined();
  });

  it('median, p95 and max of the answers, deliveries without one left out', () => {
    const ex = (durationMs: number, status?: number) => ({ answer: { status, durationMs } }) as DeliveryExchange;
    const all = [...Array.from({ length: 19 }, (_, i) => ex(i + 1, 204)), ex(100, 401), ex(5000)];
    expect(latencyOf(all)).toEqual({ answers: 20, medianMs: 10, p95Ms: 19, maxMs: 100 });
    expect(latencyOf([])).toEqual({ answers: 0 });
  });
});

describe('options', () => {
  it('are refused with a reason that never shows a secret', () => {
    const bad = 'whsec_not-base64!!';
    for (const o of [
      { secret: bad },
      { secret, oldSecret: bad },
      { secret, oldSecret: secret },
      { secret, drill: { updateSecret: async () => ({ ok: true, detail: '' }), newSecret: bad } },
    ]) {
      const problem = receiverCheckOptionsProblem(o);
      expect(problem).toBeDefined();
      expect(problem).not.toContain(bad.slice(6));
      expect(problem).not.toContain(secret.slice(6));
    }
    expect(receiverCheckOptionsProblem({ secret, toleranceSeconds: 30 })).toMatch(/at least 60/);
    expect(receiverCheckOptionsProblem({ secret, only: ['nope'] })).toMatch(/unknown check\(s\): nope/);
    expect(
      receiverCheckOptionsProblem({ secret, oldSecret: generateSecret(), only: RECEIVER_CHECKS.map((c) => c.name) }),
    ).toBeUndefined();
  });
});

describe('redaction', () => {
  it('removes each secret with or without its prefix, and anything shaped like one', () => {
    const s = generateSecret();
    const scrub = secretRedactor([s, undefined]);
    const out = scrub(`a ${s} b ${s.slice(6)} c whsec_Zm9vYmFyYmF6cXV4cXV1eA== d`);
    expect(out).not.toContain(s.slice(6));
    expect(out).toBe('a [redacted secret] b [redacted secret] c whsec_[redacted] d');
  });
});

describe('the curl line', () => {
  it('quotes every part for the shell, so it sends the delivery byte for byte', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    const d = attempt(newEvent(PROBE_TYPE), secret);
    const tricky = { ...d, body: `{"a":"it's \\"quoted\\" $HOME \`x\`"}` };
    const line = curlFor('http://127.0.0.1:9/hook', tricky);
    // `sh` parses it back into exactly these arguments (echoed one a line instead of run).
    const args = execFileSync('/bin/sh', ['-c', `printf '%s\\n' ${line.replace(/^curl /, '')}`], {
      encoding: 'utf8',
    }).split('\n');
    expect(args).toContain(tricky.body);
    expect(args).toContain('http://127.0.0.1:9/hook');
    expect(args).toContain(`webhook-signature: ${d.headers['webhook-signature']}`);
  });
});

describe('the shared check reporter', () => {
  type E = { message: string; n?: number };
  const run: CheckRun<E> = {
    heading: 'tool http://x',
    tool: 'inklink-mock tool',
    suite: 'tool http://x',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1500,
    results: [
      { name: 'a_check', description: 'A.', status: 'pass', summary: 'fine', evidence: [], durationMs: 1 },
      {
        name: 'b_check',
        description: 'B <b>.',
        status: 'fail',
        summary: 'bad & worse',
        evidence: [{ message: 'm1', n: 1 }, ...Array.from({ length: 21 }, (_, i) => ({ message: `x${i}` }))],
        durationMs: 2,
      },
      { name: 'c_check', description: 'C.', status: 'skip', summary: 'not run', evidence: [], durationMs: 0 },
    ],
    counts: { pass: 1, fail: 1, skip: 1, blocked: 0 },
    tableLines: (e) => (e.n ? [`detail ${e.n}`] : []),
    junitLines: (e) => (e.n ? [`junit detail ${e.n}`] : []),
    footer: ['latency: fine'],
  };

  it('a table: one row a check, each failure with its evidence (20 at most), the footer and the counts', () => {
    const t = formatCheckTable(run);
    expect(t).toMatch(
      /^tool http:\/\/x\n\n {2}CHECK {4}RESULT {2}SUMMARY\n {2}a_check {2}PASS {4}fine\n {2}b_check {2}FAIL/,
    );
    expect(t).toContain('b_check: FAIL\n  B <b>.\n  - m1\n      detail 1\n  - x0');
    expect(t).toContain('  … and 2 more (see the JSON report)');
    expect(t).toMatch(/latency: fine\n\n1 passed, 1 failed, 1 skipped in 1\.5 s\n$/);
    expect(t).not.toContain('\x1b[');
    expect(formatCheckTable(run, true)).toContain('\x1b[31mFAIL\x1b[0m');
  });

  it('JUnit: a test case a check, failures with their evidence, skips', () => {
    const x = new XMLParser({ ignoreAttributes: false }).parse(formatCheckJUnit(run));
    expect(x.testsuites['@_name']).toBe('inklink-mock tool');
    expect([x.testsuites['@_tests'], x.testsuites['@_failures'], x.testsuites['@_skipped']]).toEqual(['3', '1', '1']);
    const [a, b, c] = x.testsuites.testsuite.testcase;
    expect(a['@_classname']).toBe('inklink-mock.tool');
    expect(b.failure['@_message']).toBe('bad & worse');
    expect(b.failure['#text']).toContain('m1\n  junit detail 1');
    expect(c.skipped['@_message']).toBe('not run');
  });

  it('counts and the exit status', () => {
    const counts = countStatuses(run.results);
    expect(counts).toEqual({ pass: 1, fail: 1, skip: 1, blocked: 0 });
    expect(exitStatus(counts)).toBe(1);
    expect(exitStatus({ pass: 3, fail: 0, skip: 2, blocked: 0 })).toBe(0);
  });
});
