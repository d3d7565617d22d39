/**
 * Load generation. Closed-loop throughput runs use autocannon's programmatic API; latencies are
 * recorded here with sub-millisecond precision from its `response` events (autocannon's own
 * histogram keeps whole milliseconds and, by default, only 2xx answers, which would drop the 401
 * path). The fixed-rate run uses an open-loop scheduler over an undici pool, because autocannon's
 * `overallRate` sends each second's quota in a burst at the start of the second.
 */
import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

function summarise(latencies, n) {
  const sorted = Float64Array.from(latencies.subarray(0, n)).sort();
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
  };
}

/**
 * A closed-loop run: `connections` keep-alive connections, each sending the next request when the
 * previous answer arrives, for `durationS` seconds or `amount` requests. `requests` (optional) is
 * autocannon's sequence of requests, cycled per connection.
 */
export async function closedLoop({
  url,
  method = 'GET',
  headers,
  body,
  requests,
  connections = 50,
  durationS,
  amount,
  onResponse,
  record = true,
}) {
  const cap = amount ?? 400_000;
  let latencies = new Float64Array(record ? Math.min(cap, 400_000) : 0);
  let n = 0;
  const statuses = {};
  const opts = { url, method, connections, timeout: 10 };
  if (headers) opts.headers = headers;
  if (body !== undefined) opts.body = body;
  if (requests) opts.requests = requests;
  if (amount) opts.amount = amount;
  else opts.duration = durationS;
  const instance = autocannon(opts);
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    if (record) {
      if (n === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[n++] = responseTime;
    }
    if (onResponse) onResponse(statusCode);
  });
  const started = performance.now();
  const result = await instance;
  const elapsedS = (performance.now() - started) / 1000;
  const total = Object.values(statuses).reduce((a, b) => a + b, 0);
  return {
    requests: total,
    seconds: Number(elapsedS.toFixed(3)),
    rps: total / elapsedS,
    latencyMs: record ? summarise(latencies, n) : undefined,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/**
 * An open-loop run at a fixed rate: request i is due at start + i / rate, sent on time whether or
 * not earlier ones have been answered (a pool of `connections` keeps them from queueing behind
 * each other). `latencyMs` is send-to-answer; `correctedMs` counts from when the request was due,
 * so it also includes any lateness of the scheduler itself (coordinated omission corrected).
 * The first `warmupS` seconds run at the same rate on the same pool and are not recorded, so the
 * window measures the steady state (connections open, the previous burst's garbage collected),
 * the same for every server.
 */
export async function fixedRate({
  origin,
  path,
  method = 'POST',
  headers,
  rate = 1000,
  durationS,
  connections = 32,
  warmupS = 0,
}) {
  const pool = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
  if (warmupS > 0) await runAtRate(pool, { path, method, headers, rate, durationS: warmupS });
  const result = await runAtRate(pool, { path, method, headers, rate, durationS });
  await pool.close();
  return result;
}

async function runAtRate(pool, { path, method, headers, rate, durationS }) {
  const total = Math.max(1, Math.round(rate * durationS));
  const latency = new Float64Array(total);
  const corrected = new Float64Array(total);
  const statuses = {};
  let done = 0;
  let errors = 0;
  const interval = 1000 / rate;
  let i = 0;
  let finish;
  const finished = new Promise((r) => (finish = r));
  const send = (idx, due) => {
    const sent = performance.now();
    pool.request({ path, method, headers }).then(
      async (res) => {
        await res.body.dump();
        const end = performance.now();
        latency[idx] = end - sent;
        corrected[idx] = end - due;
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        if (++done === total) finish();
      },
      () => {
        errors++;
        latency[idx] = corrected[idx] = NaN;
        if (++done === total) finish();
      },
    );
  };
  const start = performance.now() + 5;
  const tick = () => {
    const now = performance.now();
    while (i < total && start + i * interval <= now) {
      send(i, start + i * interval);
      i++;
    }
    if (i < total) setTimeout(tick, 1);
  };
  setTimeout(tick, 5);
  await finished;
  const elapsedS = (performance.now() - start) / 1000;
  const clean = (a) => Float64Array.from(a.filter((x) => !Number.isNaN(x))).sort();
  const l = clean(latency);
  const c = clean(corrected);
  return {
    rate,
    requests: total,
    achievedRps: total / elapsedS,
    latencyMs: { p50: percentile(l, 50), p99: percentile(l, 99), max: l[l.length - 1] },
    correctedMs: { p50: percentile(c, 50), p99: percentile(c, 99), max: c[c.length - 1] },
    statuses,
    errors,
  };
}
