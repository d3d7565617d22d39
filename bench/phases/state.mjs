/**
 * state: the mock with its state persisted (`--state-file`, the LMDB database), at two sizes of
 * state: 100 endpoints and 50,000. Rotate latency (p50, p99) at a fixed concurrency, and endpoints
 * created per second, at each size. The target (issue 11): the cost of a change does not depend on
 * the size of the state, so rotate p50 and p99 with 50,000 endpoints stay within 1.5x of those with
 * 100 (writing the whole state on every change took 21 ms per rotation with 5,000 endpoints
 * against 2.5 ms with 100).
 *
 * Each size starts from a generated JSON fixture (`--fixture`, written into a new database at
 * start-up), with organizations of at most 500 endpoints (the per-organization limit is 1,000, so
 * each has room for the creates) and one owner key each.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { closedLoop } from '../lib/load.mjs';
import { stop } from '../lib/procs.mjs';
import { fmt, ratio, target } from '../lib/report.mjs';
import { startReadyMock } from '../lib/servers.mjs';

export const SIZES = [100, 50_000];
const PER_ORG = 500;
const CONCURRENCY = 10;
const EVENT_TYPES = ['kyc.result.approved'];

/** A fixture with `n` endpoints, and the raw owner key of each organization. */
function fixture(n) {
  const orgs = Math.max(5, Math.ceil(n / PER_ORG));
  const at = '2026-01-01T00:00:00.000Z';
  const doc = { format: 'inklink-mock-state', version: 1, organizations: [], apiKeys: [], endpoints: [] };
  const keys = [];
  for (let o = 0; o < orgs; o++) {
    const id = `org_bench${String(o).padStart(6, '0')}`;
    const key = `secret_live_bench${String(o).padStart(6, '0')}${randomBytes(8).toString('hex')}`;
    doc.organizations.push({ id, name: `Bench ${o}`, createdAt: at });
    doc.apiKeys.push({
      id: `key_bench${o}`,
      organizationId: id,
      role: 'owner',
      hash: createHash('sha256').update(key).digest('hex'),
      hint: key.slice(12, 16),
      createdAt: at,
    });
    keys.push({ org: id, key, endpoints: [] });
  }
  for (let i = 0; i < n; i++) {
    const owner = keys[i % orgs];
    const id = `wh_end_bench${String(i).padStart(8, '0')}`;
    owner.endpoints.push(id);
    doc.endpoints.push({
      id,
      organizationId: owner.org,
      url: `https://receiver.example/hooks/${i}`,
      name: `bench ${i}`,
      enabled: true,
      eventTypes: EVENT_TYPES,
      createdAt: at,
      secret: `whsec_${randomBytes(32).toString('base64')}`,
      secretIssuedAt: at,
      rotations: 0,
    });
  }
  return { doc, keys };
}

/** Rotations spread over the endpoints (each connection cycles through its own share). */
function rotateRequests(keys, count) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const owner = keys[i % keys.length];
    const ep = owner.endpoints[Math.floor(i / keys.length) % owner.endpoints.length];
    out.push({ method: 'POST', path: `/webhook/endpoints/${ep}/rotate-secret`, headers: { 'api-key': owner.key } });
  }
  return out;
}

/** Starts a mock on a new database filled from a generated fixture of `n` endpoints. */
async function startSized(n, dir) {
  const { doc, keys } = fixture(n);
  const file = path.join(dir, `fixture-${n}.json`);
  fs.writeFileSync(file, JSON.stringify(doc));
  const db = path.join(dir, `state-${n}.db`);
  const t0 = Date.now();
  const started = await startReadyMock(['--fixture', file, '--state-file', db, '--log-level', 'warn']);
  return { n, keys, db, started, startMs: Date.now() - t0, rotate: [], create: [] };
}

/**
 * `amount` creates from CONCURRENCY workers over a keep-alive pool, spread over the organizations
 * (each has room for 500 more); timed here (autocannon's rate has a one-second granularity).
 */
async function createLoop(s, amount) {
  const pool = new Pool(s.started.base, { connections: CONCURRENCY });
  const body = JSON.stringify({ url: 'https://receiver.example/created', event_types: EVENT_TYPES });
  let next = 0;
  let ok = true;
  const t0 = performance.now();
  try {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < amount) {
          const k = s.keys[(s.created = (s.created ?? 0) + 1) % s.keys.length];
          next++;
          const res = await pool.request({
            method: 'POST',
            path: '/webhook/endpoints',
            headers: { 'api-key': k.key, 'content-type': 'application/json' },
            body,
          });
          await res.body.dump();
          if (res.statusCode !== 200) ok = false;
        }
      }),
    );
  } finally {
    await pool.close();
  }
  return { rps: amount / ((performance.now() - t0) / 1000), ok };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};

/**
 * Both sizes run at once, measured in alternating windows (100, 50,000, 100, ...), and each
 * figure is the median of its windows: the disk's fsync latency on a shared machine drifts far more
 * than the difference being measured, and alternating spreads the drift over both sizes.
 */
async function run({ options: o, log }) {
  const windows = o.quick ? 4 : 8;
  const windowS = o.quick ? 1 : 2;
  const createsPerWindow = o.quick ? 200 : 400;
  log(
    `state persisted (--state-file; ${CONCURRENCY} connections; ${windows} alternating windows of ${windowS} ` +
      `s of rotations and ${createsPerWindow} creates per size):`,
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-bench-state-'));
  const sizes = [];
  try {
    for (const n of SIZES) sizes.push(await startSized(n, dir));
    for (const s of sizes) {
      s.requests = rotateRequests(s.keys, 1000);
      await closedLoop({
        url: s.started.base,
        requests: s.requests,
        connections: CONCURRENCY,
        durationS: o.warmup,
        record: false,
      });
    }
    for (let w = 0; w < windows; w++) {
      for (const s of sizes) {
        const r = await closedLoop({
          url: s.started.base,
          requests: s.requests,
          connections: CONCURRENCY,
          durationS: windowS,
        });
        s.rotate.push({
          p50: r.latencyMs.p50,
          p99: r.latencyMs.p99,
          rps: r.rps,
          ok: (r.statuses['200'] ?? 0) === r.requests,
        });
        s.create.push(await createLoop(s, createsPerWindow));
      }
    }
    const out = sizes.map((s) => ({
      endpoints: s.n,
      startMs: s.startMs,
      databaseBytes: fs.statSync(s.db).size,
      rotate: {
        p50: median(s.rotate.map((x) => x.p50)),
        p99: median(s.rotate.map((x) => x.p99)),
        rps: median(s.rotate.map((x) => x.rps)),
        allOk: s.rotate.every((x) => x.ok),
      },
      create: {
        rps: median(s.create.map((x) => x.rps)),
        requests: s.create.length * createsPerWindow,
        allOk: s.create.every((x) => x.ok),
      },
      windows: s.rotate.map((x, i) => ({ rotateP50: x.p50, rotateP99: x.p99, createsPerS: s.create[i].rps })),
    }));
    for (const s of out) {
      log(
        `  ${s.endpoints.toLocaleString('en-US')} endpoints (start ${(s.startMs / 1000).toFixed(1)} s, ` +
          `database ${(s.databaseBytes / 2 ** 20).toFixed(1)} MiB): rotate p50 ${fmt(s.rotate.p50, 2)} ms, p99 ` +
          `${fmt(s.rotate.p99, 2)} ms, ${fmt(s.rotate.rps)} rotations/s; ${fmt(s.create.rps)} creates/s ` +
          `(medians of ${windows} windows)`,
      );
    }
    const [small, large] = out;
    return {
      connections: CONCURRENCY,
      windows,
      windowS,
      sizes: out,
      p50Ratio: ratio(large.rotate.p50, small.rotate.p50),
      p99Ratio: ratio(large.rotate.p99, small.rotate.p99),
    };
  } finally {
    for (const s of sizes) await stop(s.started.proc);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function report(x) {
  const lines = [
    '',
    `state persisted (--state-file), ${x.connections} connections, medians of ${x.windows} alternating ` +
      `windows of ${x.windowS} s:`,
  ];
  for (const s of x.sizes) {
    lines.push(
      `  ${s.endpoints.toLocaleString('en-US').padStart(6)} endpoints: rotate p50 ${fmt(s.rotate.p50, 2)} ` +
        `ms, p99 ${fmt(s.rotate.p99, 2)} ms (${fmt(s.rotate.rps)}/s${s.rotate.allOk ? '' : ', NOT all 200'}); ` +
        `${fmt(s.create.rps)} endpoints created/s${s.create.allOk ? '' : ' (NOT all 200)'}; database ` +
        `${(s.databaseBytes / 2 ** 20).toFixed(1)} MiB, start-up ${(s.startMs / 1000).toFixed(1)} s`,
    );
  }
  lines.push(`  50,000 vs 100: p50 ${fmt(x.p50Ratio, 2)}x, p99 ${fmt(x.p99Ratio, 2)}x`);
  return lines;
}

function targets(r) {
  const x = r.state;
  const allOk = x ? x.sizes.every((s) => s.rotate.allOk && s.create.allOk) : false;
  return [
    target('persisted rotate p50, 50,000 vs 100 endpoints', '<= 1.5x', x?.p50Ratio, allOk && x?.p50Ratio <= 1.5),
    target('persisted rotate p99, 50,000 vs 100 endpoints', '<= 1.5x', x?.p99Ratio, allOk && x?.p99Ratio <= 1.5),
  ];
}

export default { name: 'state', key: 'state', run, report, targets };
