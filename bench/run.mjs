#!/usr/bin/env node
/**
 * `npm run bench`: inklink-mock side by side with Prism, a bare Express 5 app and a bare node:http
 * server, in one run, on loopback, under the same load; then deliveries, memory, the validator and
 * `verify`. Prints one table with the ratios and the targets of issue 5, and writes JSON.
 *
 *   npm run bench [-- --quick] [-- --out FILE] [-- --help]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { closedLoop, fixedRate } from './lib/load.mjs';
import { cpuSeconds, freePort, memory, request, start, stop, stopAll, waitReady } from './lib/procs.mjs';
import { evaluateTargets, formatReport } from './lib/report.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NODE = process.execPath;
const CLI = path.join(ROOT, 'dist/src/cli.js');
const PRISM = path.join(ROOT, 'node_modules/@stoplight/prism-cli/dist/index.js');

// ---------------------------------------------------------------------------------------------
// Options

const HELP = `Usage: npm run bench [-- options]

Starts inklink-mock, Prism, a bare Express 5 app and a bare node:http server on loopback, one at a
time, and measures each under the same load; then the mock's deliveries, memory over many
requests, the validator and verify. Prints a table and the targets, writes JSON.

Options:
  --quick                 Short run (under a minute): shorter phases, fewer requests for memory.
  --out FILE              Where to write the JSON results (default bench/results/latest.json).
  --duration S            Seconds per throughput and fixed-rate measurement (default 5; quick 2).
  --connections N         Connections of the throughput runs (default 50).
  --rate N                Requests/s of the fixed-rate latency run (default 1000).
  --rounds N              Measure every server N times, in turns, and keep the medians (default 3;
                          quick 1). Turns spread drifting background load over all servers.
  --startup-samples N     Spawns per server for the start-up time, median kept (default 5; quick 1).
  --memory-requests N     Requests of the memory run (default 1000000; quick 20000).
  --servers LIST          Comma-separated servers (default mock,prism,express,node, and in a
                          full run express-native); also express-json: the Express ceiling
                          written with res.json(); express-native: the Express ceiling with
                          requests born with the app's prototypes, as the mock builds them.
  --skip LIST             Phases to skip: compare,deliveries,memory,validator,verify.
  --strict                Exit with status 1 when a target fails.
  --cpu-prof DIR          Run every mock process with node --cpu-prof, profiles written to DIR
                          (one per spawn, named by phase; summarise with node bench/profile.mjs
                          --summarise FILE). Profiling slows the mock: not for comparisons.
  --help                  This help.
`;

function parseArgs(argv) {
  const o = {
    quick: false,
    out: path.join(ROOT, 'bench/results/latest.json'),
    connections: 50,
    rate: 1000,
    servers: ['mock', 'prism', 'express', 'node'],
    skip: new Set(),
    strict: false,
  };
  const explicit = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const num = () => {
      const n = Number(value());
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${a} needs a positive number`);
      return n;
    };
    if (a === '--help' || a === '-h') {
      process.stdout.write(HELP);
      process.exit(0);
    } else if (a === '--quick') o.quick = true;
    else if (a === '--strict') o.strict = true;
    else if (a === '--cpu-prof') o.cpuProf = path.resolve(value());
    else if (a === '--out') o.out = path.resolve(value());
    else if (a === '--duration') explicit.duration = num();
    else if (a === '--connections') o.connections = Math.round(num());
    else if (a === '--rate') o.rate = num();
    else if (a === '--rounds') explicit.rounds = Math.round(num());
    else if (a === '--startup-samples') explicit.startupSamples = Math.round(num());
    else if (a === '--memory-requests') explicit.memoryRequests = Math.round(num());
    else if (a === '--servers') {
      o.servers = value().split(',').map((s) => s.trim()).filter(Boolean);
      for (const s of o.servers) if (!['mock', 'prism', 'express', 'express-native', 'express-json', 'node'].includes(s)) throw new Error(`unknown server "${s}"`);
    } else if (a === '--skip') {
      for (const s of value().split(',').map((x) => x.trim()).filter(Boolean)) {
        if (!['compare', 'deliveries', 'memory', 'validator', 'verify'].includes(s)) throw new Error(`unknown phase "${s}"`);
        o.skip.add(s);
      }
    } else throw new Error(`unknown option ${a} (see --help)`);
  }
  // A full run also measures the like-for-like Express ceiling (built as the mock builds requests).
  if (!explicit.servers && !o.quick) o.servers = ['mock', 'prism', 'express', 'express-native', 'node'];
  o.rounds = explicit.rounds ?? (o.quick ? 1 : 3);
  o.duration = explicit.duration ?? (o.quick ? 2 : 5);
  o.warmup = o.quick ? 0.5 : 2;
  o.fixedRateDuration = o.duration;
  o.startupSamples = explicit.startupSamples ?? (o.quick ? 1 : 5);
  o.memoryRequests = explicit.memoryRequests ?? (o.quick ? 20_000 : 1_000_000);
  o.deliveryDuration = o.quick ? 1.5 : 10;
  o.validatorIterations = o.quick ? 200_000 : 2_000_000;
  return o;
}

// ---------------------------------------------------------------------------------------------
// The build

/** Builds when dist/ is missing or older than a source file (tsc rewrites every output). */
function ensureBuilt() {
  const newest = (dir) => {
    let t = 0;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) t = Math.max(t, newest(p));
      else if (/\.(ts|json)$/.test(e.name)) t = Math.max(t, fs.statSync(p).mtimeMs);
    }
    return t;
  };
  const sources = Math.max(
    newest(path.join(ROOT, 'src')),
    newest(path.join(ROOT, 'mock')),
    fs.statSync(path.join(ROOT, 'openapi.json')).mtimeMs,
    fs.statSync(path.join(ROOT, 'tsconfig.json')).mtimeMs,
  );
  const built = fs.existsSync(CLI) ? fs.statSync(CLI).mtimeMs : 0;
  if (built >= sources) return false;
  process.stderr.write('bench: dist/ is missing or stale, building (npm run build)...\n');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  return true;
}

// ---------------------------------------------------------------------------------------------
// The four servers

function childEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  // The user's own mock settings must not change what is measured; NODE_ENV=production would
  // switch Prism to multi-process mode.
  for (const k of Object.keys(env)) if (k.startsWith('INKLINK_MOCK_')) delete env[k];
  delete env.NODE_ENV;
  return env;
}

/** Parses the mock's banner: organizations with their keys and endpoints. */
function parseBanner(text) {
  const orgs = [];
  let org;
  for (const line of text.split('\n')) {
    let m;
    if ((m = /^organization (org_\S+)/.exec(line))) orgs.push((org = { id: m[1], keys: {}, endpoints: [] }));
    else if (org && (m = /^\s+(owner|admin|member)\s+api-key: (secret_live_\S+)/.exec(line))) org.keys[m[1]] = m[2];
    else if (org && (m = /^\s+endpoint (wh_end_\S+)( \(disabled\))?/.exec(line))) org.endpoints.push({ id: m[1], enabled: !m[2] });
  }
  return orgs;
}

const SEED = '42';
/** The phase running now (names the mock's CPU profiles). */
let phase = 'discovery';

/** Spawns the mock the way a user does (`serve`, log level info, self-check off). */
let cpuProfDir;
let profiled = 0;

function startMock(port, extraArgs = [], name = 'inklink-mock') {
  const prof = cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir, '--cpu-prof-name', `mock-${String(++profiled).padStart(2, '0')}-${phase}.cpuprofile`] : [];
  return start(name, NODE, [...prof, CLI, 'serve', '--port', String(port), '--host', '127.0.0.1', '--log-level', 'info', '--seed', SEED, ...extraArgs], {
    cwd: ROOT,
    env: childEnv(),
  });
}

async function waitForBanner(proc, timeoutMs = 15_000) {
  const deadline = performance.now() + timeoutMs;
  const complete = () => {
    const orgs = parseBanner(proc.stdout);
    return orgs.length > 0 && orgs.every((org) => org.keys.owner && org.endpoints.length > 0);
  };
  // The banner is one write (well under the pipe's atomic size); the pause covers a split anyway.
  while (!complete() || performance.now() - proc.lastOutputAt < 30) {
    if (proc.exited) throw new Error(`${proc.name} exited (${proc.exitInfo}): ${proc.stderr.trim().slice(-600)}`);
    if (performance.now() > deadline) throw new Error(`${proc.name} printed no banner within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return parseBanner(proc.stdout);
}

/** The keys, org and endpoint every server is driven with (from the mock's deterministic seed). */
async function discoverIdentity() {
  const port = await freePort();
  const proc = startMock(port, [], 'inklink-mock (discovery)');
  try {
    const orgs = await waitForBanner(proc);
    const [a, b = a] = orgs;
    return {
      orgId: a.id,
      ownerKey: a.keys.owner,
      adminKey: a.keys.admin,
      memberKey: a.keys.member,
      otherOrgKey: b.keys.admin,
      otherOrgId: b.id,
      endpointId: a.endpoints.find((e) => e.enabled).id,
    };
  } finally {
    await stop(proc);
  }
}

function serverDefs(identity) {
  const ceilingEnv = childEnv({ BENCH_API_KEY: identity.ownerKey, BENCH_ENDPOINT_ID: identity.endpointId, BENCH_ORG_ID: identity.orgId });
  return {
    mock: { label: 'inklink-mock', spawn: (port) => startMock(port) },
    prism: {
      label: 'Prism 5.14 (mock)',
      // Prism logs every request to stdout; it goes to /dev/null. A 401 is asked for the way
      // Prism users do: Prism accepts any api-key, so the 401 path sends `Prefer: code=401`.
      spawn: (port) =>
        start('prism', NODE, [PRISM, 'mock', '--host', '127.0.0.1', '--port', String(port), 'openapi.json'], { cwd: ROOT, env: childEnv(), quietStdout: true }),
      unauthorizedHeaders: { prefer: 'code=401' },
    },
    express: {
      label: 'bare Express 5',
      spawn: (port) => start('express', NODE, [path.join(ROOT, 'bench/servers/express.cjs'), '--port', String(port)], { cwd: ROOT, env: ceilingEnv }),
    },
    'express-native': {
      label: 'Express 5, born prototypes',
      spawn: (port) =>
        start('express (native classes)', NODE, [path.join(ROOT, 'bench/servers/express.cjs'), '--port', String(port), '--native-classes'], { cwd: ROOT, env: ceilingEnv }),
    },
    'express-json': {
      label: 'Express 5, res.json',
      spawn: (port) => start('express (res.json)', NODE, [path.join(ROOT, 'bench/servers/express.cjs'), '--port', String(port), '--res-json'], { cwd: ROOT, env: ceilingEnv }),
    },
    node: {
      label: 'bare node:http',
      spawn: (port) => start('node:http', NODE, [path.join(ROOT, 'bench/servers/node-http.cjs'), '--port', String(port)], { cwd: ROOT, env: ceilingEnv }),
    },
  };
}

const UNKNOWN_KEY = 'secret_live_0000000000000000000000000000unknown';

function rotateRequest(identity, port, def) {
  return {
    url: `http://127.0.0.1:${port}/webhook/endpoints/${identity.endpointId}/rotate-secret`,
    path: `/webhook/endpoints/${identity.endpointId}/rotate-secret`,
    authorized: { 'api-key': identity.ownerKey },
    unauthorized: { 'api-key': UNKNOWN_KEY, ...(def.unauthorizedHeaders ?? {}) },
  };
}

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && !Number.isNaN(x)).sort((a, b) => a - b);
  if (!s.length) return undefined;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Spawn to first 200 on the authorized rotate request. */
async function startupOnce(def, identity) {
  const port = await freePort();
  const proc = def.spawn(port);
  try {
    const r = rotateRequest(identity, port, def);
    return await waitReady(proc, r.url, { method: 'POST', headers: r.authorized, expectStatus: 200 });
  } finally {
    await stop(proc);
  }
}

/** One server's full measurement: start-up, rotate and 401 throughput, fixed-rate p99, peak RSS. */
async function measureServer(key, def, identity, o, log) {
  const port = await freePort();
  const proc = def.spawn(port);
  const r = rotateRequest(identity, port, def);
  try {
    const startupMs = await waitReady(proc, r.url, { method: 'POST', headers: r.authorized, expectStatus: 200 });
    log(`  ${def.label}: up in ${startupMs.toFixed(0)} ms (pid ${proc.pid})`);
    await closedLoop({ url: r.url, method: 'POST', headers: r.authorized, connections: o.connections, durationS: o.warmup, record: false });

    const measure = async (headers) => {
      const cpu0 = cpuSeconds(proc.pid);
      const run = await closedLoop({ url: r.url, method: 'POST', headers, connections: o.connections, durationS: o.duration });
      const cpu1 = cpuSeconds(proc.pid);
      run.serverCpuUsPerRequest = cpu0 !== undefined && cpu1 !== undefined ? ((cpu1 - cpu0) * 1e6) / run.requests : undefined;
      return run;
    };
    const rotate = await measure(r.authorized);
    log(`  ${def.label}: rotate ${rotate.rps.toFixed(0)} req/s, p99 ${rotate.latencyMs.p99.toFixed(2)} ms ${JSON.stringify(rotate.statuses)}`);
    const unauthorized = await measure(r.unauthorized);
    log(`  ${def.label}: 401    ${unauthorized.rps.toFixed(0)} req/s, p99 ${unauthorized.latencyMs.p99.toFixed(2)} ms ${JSON.stringify(unauthorized.statuses)}`);
    const fixed = await fixedRate({ origin: `http://127.0.0.1:${port}`, path: r.path, headers: r.authorized, rate: o.rate, durationS: o.fixedRateDuration, warmupS: o.warmup });
    log(`  ${def.label}: ${o.rate} req/s fixed: p99 ${fixed.latencyMs.p99.toFixed(2)} ms (from due time ${fixed.correctedMs.p99.toFixed(2)} ms)`);
    const mem = memory(proc.pid);
    return { startupMs, rotate, unauthorized, fixedRate: fixed, peakRssBytes: mem?.hwm, pid: proc.pid };
  } finally {
    await stop(proc);
  }
}

async function comparePhase(identity, o, log) {
  const defs = serverDefs(identity);
  const rounds = [];
  for (let round = 0; round < o.rounds; round++) {
    if (o.rounds > 1) log(`round ${round + 1} of ${o.rounds}`);
    const res = {};
    // Alternate the order, so a load that drifts during the run does not always favour one server.
    const order = round % 2 ? [...o.servers].reverse() : o.servers;
    for (const key of order) res[key] = await measureServer(key, defs[key], identity, o, log);
    rounds.push(res);
  }
  const out = {};
  for (const key of o.servers) {
    const runs = rounds.map((r) => r[key]);
    const pick = (f) => median(runs.map(f));
    const startups = runs.map((r) => r.startupMs);
    for (let i = startups.length; i < o.startupSamples; i++) startups.push(await startupOnce(defs[key], identity));
    out[key] = {
      label: defs[key].label,
      rotate: { rps: pick((r) => r.rotate.rps), p50Ms: pick((r) => r.rotate.latencyMs.p50), p99Ms: pick((r) => r.rotate.latencyMs.p99), cpuUsPerRequest: pick((r) => r.rotate.serverCpuUsPerRequest), statuses: runs.at(-1).rotate.statuses, errors: runs.reduce((a, r) => a + r.rotate.errors, 0) },
      unauthorized: { rps: pick((r) => r.unauthorized.rps), p50Ms: pick((r) => r.unauthorized.latencyMs.p50), p99Ms: pick((r) => r.unauthorized.latencyMs.p99), cpuUsPerRequest: pick((r) => r.unauthorized.serverCpuUsPerRequest), statuses: runs.at(-1).unauthorized.statuses, errors: runs.reduce((a, r) => a + r.unauthorized.errors, 0) },
      fixedRate: { rate: o.rate, p50Ms: pick((r) => r.fixedRate.latencyMs.p50), p99Ms: pick((r) => r.fixedRate.latencyMs.p99), p99FromDueMs: pick((r) => r.fixedRate.correctedMs.p99), achievedRps: pick((r) => r.fixedRate.achievedRps), statuses: runs.at(-1).fixedRate.statuses, errors: runs.reduce((a, r) => a + r.fixedRate.errors, 0) },
      startupMs: median(startups),
      startupSamplesMs: startups.map((x) => Number(x.toFixed(1))),
      peakRssBytes: Math.max(...runs.map((r) => r.peakRssBytes ?? 0)) || undefined,
      rounds: runs,
    };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Deliveries: the mock's delivery rate vs a bare undici loop, against the same receiver

async function receiverCount(port) {
  const r = await request(`http://127.0.0.1:${port}/count`);
  return JSON.parse(r.body);
}

async function deliveriesPhase(identity, o, log) {
  const rport = await freePort();
  const receiver = start('receiver', NODE, [path.join(ROOT, 'bench/servers/receiver.cjs'), '--port', String(rport)], { cwd: ROOT, env: childEnv() });
  const hookUrl = `http://127.0.0.1:${rport}/webhooks`;
  let mock;
  try {
    await waitReady(receiver, `http://127.0.0.1:${rport}/count`);
    // 1. The bare undici loop: as many concurrent POSTs as the mock's delivery agent allows
    //    sockets (64), each a signed-delivery-sized body with the same headers, no signing work.
    const concurrency = 64;
    const body = JSON.stringify({ type: 'kyc.result.approved', timestamp: new Date().toISOString(), data: { inquiry_id: 'kyc_iq_AAAAAAAAAAAAAAAA', subject_id: 'user_AAAAAAAA' } });
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'InkLink-Webhooks/1.0',
      'webhook-id': 'wh_evt_AAAAAAAAAAAAAAAAAAAAAAAA',
      'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };
    const pool = new Pool(`http://127.0.0.1:${rport}`, { connections: concurrency });
    let running = true;
    const loop = async () => {
      while (running) {
        const res = await pool.request({ path: '/webhooks', method: 'POST', headers, body });
        await res.body.dump();
      }
    };
    let loopError;
    const loops = Array.from({ length: concurrency }, () =>
      loop().catch((e) => {
        loopError ??= e;
        running = false;
      }),
    );
    await new Promise((r) => setTimeout(r, 500));
    const u0 = await receiverCount(rport);
    const ut0 = performance.now();
    await new Promise((r) => setTimeout(r, o.deliveryDuration * 1000));
    const u1 = await receiverCount(rport);
    const undiciRate = (u1.count - u0.count) / ((performance.now() - ut0) / 1000);
    running = false;
    await Promise.all(loops);
    await pool.close();
    if (loopError) throw new Error(`the undici loop failed: ${loopError.message}`);
    log(`  undici loop (${concurrency} concurrent): ${undiciRate.toFixed(0)} deliveries/s`);

    // 2. The mock: events emitted through the control API; each fans out to `fanOut` subscribed
    //    endpoints (the 3 seeded ones that take kyc.result.approved, plus endpoints seeded here),
    //    so the emitting requests cost little next to the deliveries. Emitters back off while more
    //    than `window` deliveries are outstanding, below the mock's pending limit.
    const port = await freePort();
    mock = startMock(port, ['--webhook-url', hookUrl]);
    const base = `http://127.0.0.1:${port}`;
    await waitReady(mock, `${base}/__mock/health`);
    const fanOut = 10;
    for (let i = 3; i < fanOut; i++) {
      const r = await request(`${base}/__mock/endpoints`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ organization_id: identity.orgId, url: hookUrl, event_types: ['kyc.result.approved'] }),
      });
      if (r.status !== 201) throw new Error(`seeding an endpoint answered ${r.status}: ${r.body}`);
    }
    const emitPool = new Pool(base, { connections: 4 });
    const window = 2000;
    let emitted = 0;
    let skipped = 0;
    let arrived = (await receiverCount(rport)).count;
    const base0 = arrived;
    let emitting = true;
    const poller = setInterval(async () => {
      try {
        arrived = (await receiverCount(rport)).count;
      } catch {
        /* the next poll will do */
      }
    }, 20);
    const emitter = async () => {
      while (emitting) {
        if (emitted - (arrived - base0) > window) {
          await new Promise((r) => setTimeout(r, 2));
          continue;
        }
        const res = await emitPool.request({ path: '/__mock/events', method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":"kyc.result.approved"}' });
        const text = await res.body.text();
        if (res.statusCode !== 202) throw new Error(`emit answered ${res.statusCode}: ${text}`);
        const j = JSON.parse(text);
        emitted += j.deliveries.length;
        skipped += j.skipped.length;
      }
    };
    let emitError;
    const emitters = Array.from({ length: 2 }, () =>
      emitter().catch((e) => {
        emitError ??= e;
        emitting = false;
      }),
    );
    await new Promise((r) => setTimeout(r, 500));
    const m0 = await receiverCount(rport);
    const mt0 = performance.now();
    const cpu0 = cpuSeconds(mock.pid);
    await new Promise((r) => setTimeout(r, o.deliveryDuration * 1000));
    const m1 = await receiverCount(rport);
    const cpu1 = cpuSeconds(mock.pid);
    const mockRate = (m1.count - m0.count) / ((performance.now() - mt0) / 1000);
    emitting = false;
    await Promise.all(emitters);
    clearInterval(poller);
    await emitPool.close();
    if (emitError) throw new Error(`emitting events failed: ${emitError.message}`);
    // Every arrival was signed, and the journal says they succeeded.
    // The newest deliveries in the journal: succeeded, or still in flight; none failed.
    const journal = JSON.parse((await request(`${base}/__mock/deliveries?limit=50`)).body).deliveries;
    const states = {};
    for (const d of journal) states[d.state] = (states[d.state] ?? 0) + 1;
    const succeeded = states.succeeded ?? 0;
    log(`  inklink-mock (fan-out ${fanOut}): ${mockRate.toFixed(0)} deliveries/s; ${skipped} skipped; newest 50 in the journal: ${JSON.stringify(states)}`);
    return {
      undiciLoop: { concurrency, deliveriesPerSecond: undiciRate },
      mock: {
        fanOut,
        deliveriesPerSecond: mockRate,
        signedShare: m1.count ? m1.signed / m1.count : 0,
        skipped,
        journalSample: { succeeded, total: journal.length, states },
        cpuUsPerDelivery: cpu0 !== undefined ? ((cpu1 - cpu0) * 1e6) / (m1.count - m0.count) : undefined,
      },
      ratio: mockRate / undiciRate,
    };
  } finally {
    if (mock) await stop(mock);
    await stop(receiver);
  }
}

// ---------------------------------------------------------------------------------------------
// Memory: RSS of the mock over many requests (rotate, 401, and events that fill the journal)

async function memoryPhase(identity, o, log) {
  const rport = await freePort();
  const receiver = start('receiver', NODE, [path.join(ROOT, 'bench/servers/receiver.cjs'), '--port', String(rport)], { cwd: ROOT, env: childEnv() });
  const port = await freePort();
  const journalLimit = 1000;
  const mock = startMock(port, ['--webhook-url', `http://127.0.0.1:${rport}/webhooks`, '--journal-limit', String(journalLimit)]);
  try {
    await waitReady(receiver, `http://127.0.0.1:${rport}/count`);
    const base = `http://127.0.0.1:${port}`;
    await waitReady(mock, `${base}/__mock/health`);
    const rotatePath = `/webhook/endpoints/${identity.endpointId}/rotate-secret`;
    // One cycle of 100 requests: 1 event (3 deliveries), 74 rotations, 25 refused keys.
    const requests = [{ method: 'POST', path: '/__mock/events', headers: { 'content-type': 'application/json' }, body: '{"type":"kyc.result.approved"}' }];
    for (let i = 0; i < 74; i++) requests.push({ method: 'POST', path: rotatePath, headers: { 'api-key': identity.ownerKey } });
    for (let i = 0; i < 25; i++) requests.push({ method: 'POST', path: rotatePath, headers: { 'api-key': UNKNOWN_KEY } });

    const warm = o.quick ? 5000 : Math.max(10_000, Math.round(o.memoryRequests * 0.05));
    await closedLoop({ url: base, requests, connections: o.connections, amount: warm, record: false });
    await new Promise((r) => setTimeout(r, 500));
    const startRss = memory(mock.pid).rss;
    const samples = [{ requests: 0, rss: startRss }];
    let done = 0;
    const every = Math.max(1000, Math.round(o.memoryRequests / 40));
    const t0 = performance.now();
    const run = await closedLoop({
      url: base,
      requests,
      connections: o.connections,
      amount: o.memoryRequests,
      record: false,
      onResponse: () => {
        if (++done % every === 0) samples.push({ requests: done, rss: memory(mock.pid).rss });
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 1000));
    const end = memory(mock.pid);
    samples.push({ requests: done, rss: end.rss });
    const mid = samples.reduce((best, s) => (Math.abs(s.requests - done / 2) < Math.abs(best.requests - done / 2) ? s : best), samples[0]);
    const journal = JSON.parse((await request(`${base}/__mock/deliveries?limit=${journalLimit}`)).body).deliveries.length;
    const delivered = (await receiverCount(rport)).count;
    const growth = end.rss - startRss;
    const secondHalfGrowth = end.rss - mid.rss;
    // Bounded: the second half adds no more than 8 MiB or 5% (a leak keeps growing linearly).
    const bounded = secondHalfGrowth <= Math.max(8 * 2 ** 20, 0.05 * mid.rss) && journal <= journalLimit;
    log(
      `  ${done} requests in ${seconds.toFixed(1)} s: RSS ${mb(startRss)} -> ${mb(mid.rss)} (half) -> ${mb(end.rss)} MiB, peak ${mb(end.hwm)} MiB; journal ${journal}/${journalLimit}; ${delivered} deliveries received`,
    );
    return {
      requests: done,
      quick: o.quick,
      seconds,
      statuses: run.statuses,
      rssStartBytes: startRss,
      rssMidBytes: mid.rss,
      rssEndBytes: end.rss,
      peakRssBytes: end.hwm,
      growthBytes: growth,
      secondHalfGrowthBytes: secondHalfGrowth,
      journalEntries: journal,
      journalLimit,
      deliveriesReceived: delivered,
      bounded,
      samples: samples.map((s) => ({ requests: s.requests, rssMiB: Number(mb(s.rss)) })),
    };
  } finally {
    await stop(mock);
    await stop(receiver);
  }
}

const mb = (b) => (b / 2 ** 20).toFixed(1);

// ---------------------------------------------------------------------------------------------
// Validator and verify

function validatorPhase(o) {
  const r = spawnSync(NODE, [path.join(ROOT, 'bench/validator.mjs'), '--json', '--iterations', String(o.validatorIterations)], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`validator benchmark failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** Runs `inklink-mock verify` against a fresh mock (short retry schedule) when the command exists. */
async function verifyPhase(identity, log) {
  const help = spawnSync(NODE, [CLI, 'verify', '--help'], { cwd: ROOT, encoding: 'utf8', env: childEnv() });
  const text = `${help.stdout}${help.stderr}`;
  if (help.status !== 0 || !text.includes('--base-url')) {
    return { available: false, reason: 'inklink-mock verify does not exist in this build' };
  }
  const port = await freePort();
  const mock = startMock(port, ['--retry-schedule', '0,100ms,250ms', '--delivery-timeout', '2s']);
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitReady(mock, `${base}/__mock/health`);
    const args = [CLI, 'verify', '--base-url', base];
    const flag = (name, value) => {
      if (text.includes(name)) args.push(name, value);
    };
    flag('--admin-key', identity.adminKey);
    flag('--member-key', identity.memberKey);
    flag('--other-org-key', identity.otherOrgKey);
    flag('--trigger', 'mock');
    if (text.includes('--receiver-host')) args.push('--receiver-host', '127.0.0.1');
    if (text.includes('--receiver-port')) args.push('--receiver-port', String(await freePort()));
    const t0 = performance.now();
    const r = spawnSync(NODE, args, { cwd: ROOT, encoding: 'utf8', env: childEnv(), timeout: 60_000 });
    const seconds = (performance.now() - t0) / 1000;
    const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-12).join('\n');
    log(`  verify: exit ${r.status} in ${seconds.toFixed(2)} s`);
    return { available: true, exitCode: r.status, seconds, args: args.slice(2).map((a) => (/^secret_live_/.test(a) ? 'secret_live_…' : a)), outputTail: tail.replace(/secret_live_\S+/g, 'secret_live_…').replace(/whsec_\S+/g, 'whsec_…') };
  } finally {
    await stop(mock);
  }
}

// ---------------------------------------------------------------------------------------------

function machine() {
  const cpus = os.cpus();
  let commit;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    commit = undefined;
  }
  return {
    cpu: cpus[0]?.model?.trim(),
    cores: cpus.length,
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    commit,
  };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const log = (s) => process.stderr.write(s + '\n');
  const t0 = performance.now();
  const built = ensureBuilt();
  const results = {
    date: new Date().toISOString(),
    mode: o.quick ? 'quick' : 'full',
    machine: machine(),
    loadAverageAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
    options: { ...o, skip: [...o.skip], out: path.relative(ROOT, o.out) },
    builtBeforeRun: built,
  };
  log(`bench: ${results.mode} run on ${results.machine.cores}x ${results.machine.cpu}, Node ${process.version}, load average ${results.loadAverageAtStart.join(' ')}`);
  if (o.cpuProf) {
    fs.mkdirSync(o.cpuProf, { recursive: true });
    cpuProfDir = o.cpuProf;
    log(`bench: profiling the mock into ${o.cpuProf}: the numbers of this run are not comparable`);
  }
  const identity = await discoverIdentity();

  if (!o.skip.has('compare')) {
    log(`servers (one at a time; ${o.connections} connections, ${o.duration} s per path, ${o.rate} req/s fixed for ${o.fixedRateDuration} s):`);
    phase = 'compare';
    results.servers = await comparePhase(identity, o, log);
  }
  if (!o.skip.has('deliveries')) {
    log('deliveries:');
    phase = 'deliveries';
    results.deliveries = await deliveriesPhase(identity, o, log);
  }
  if (!o.skip.has('memory')) {
    log(`memory (${o.memoryRequests} requests${o.quick ? ', quick run: fewer than the 1,000,000 of a full run' : ''}):`);
    phase = 'memory';
    results.memory = await memoryPhase(identity, o, log);
  }
  if (!o.skip.has('validator')) {
    results.validator = validatorPhase(o);
    log(`validator: validateResponse ${results.validator.validateResponseNs.toFixed(0)} ns/op, compiled body ${results.validator.compiledBodyNs.toFixed(0)} ns/op`);
  }
  if (!o.skip.has('verify')) {
    log('verify:');
    phase = 'verify';
    results.verify = await verifyPhase(identity, log);
  }
  results.loadAverageAtEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
  results.seconds = Number(((performance.now() - t0) / 1000).toFixed(1));
  results.targets = evaluateTargets(results);

  process.stdout.write(formatReport(results));
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  fs.writeFileSync(o.out, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(`\nResults written to ${path.relative(process.cwd(), o.out)} (${results.seconds} s)\n`);
  if (o.strict && results.targets.some((t) => t.pass === false)) process.exitCode = 1;
}

main().catch(async (err) => {
  process.stderr.write(`bench: ${err.stack ?? err.message}\n`);
  // Children (and their pipes) would keep this process alive: stop them, then leave.
  await stopAll();
  process.exit(1);
});
