/**
 * compare: inklink-mock, Prism and the bare ceilings (Express, node:http; in a full run also the
 * Express ceiling built as the mock builds requests), one at a time, in rounds: start-up, rotate
 * and 401 throughput, p99 at a fixed rate, peak RSS. Medians over the rounds.
 */
import { closedLoop, fixedRate } from '../lib/load.mjs';
import { cpuSeconds, freePort, memory, stop, waitReady } from '../lib/procs.mjs';
import { fmt, MiB, ratio, table, target } from '../lib/report.mjs';
import { rotateRequest, serverDefs } from '../lib/servers.mjs';

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && !Number.isNaN(x)).sort((a, b) => a - b);
  if (!s.length) return undefined;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Spawns a server; resolves with { proc, r (its rotate request), startupMs: spawn to first 200 }. */
async function spawnReady(def, identity) {
  const port = await freePort();
  const proc = def.spawn(port);
  const r = rotateRequest(identity, port, def);
  try {
    const startupMs = await waitReady(proc, r.url, { method: 'POST', headers: r.authorized, expectStatus: 200 });
    return { proc, port, r, startupMs };
  } catch (e) {
    await stop(proc);
    throw e;
  }
}

/** Spawn to first 200 on the authorized rotate request. */
async function startupOnce(def, identity) {
  const { proc, startupMs } = await spawnReady(def, identity);
  await stop(proc);
  return startupMs;
}

/** One server's full measurement: start-up, rotate and 401 throughput, fixed-rate p99, peak RSS. */
async function measureServer(def, identity, o, log) {
  const { proc, port, r, startupMs } = await spawnReady(def, identity);
  try {
    log(`  ${def.label}: up in ${startupMs.toFixed(0)} ms (pid ${proc.pid})`);
    await closedLoop({
      url: r.url,
      method: 'POST',
      headers: r.authorized,
      connections: o.connections,
      durationS: o.warmup,
      record: false,
    });

    const measure = async (headers) => {
      const cpu0 = cpuSeconds(proc.pid);
      const run = await closedLoop({
        url: r.url,
        method: 'POST',
        headers,
        connections: o.connections,
        durationS: o.duration,
      });
      const cpu1 = cpuSeconds(proc.pid);
      run.serverCpuUsPerRequest =
        cpu0 !== undefined && cpu1 !== undefined ? ((cpu1 - cpu0) * 1e6) / run.requests : undefined;
      return run;
    };
    const rotate = await measure(r.authorized);
    log(
      `  ${def.label}: rotate ${rotate.rps.toFixed(0)} req/s, p99 ${rotate.latencyMs.p99.toFixed(2)} ms ` +
        `${JSON.stringify(rotate.statuses)}`,
    );
    const unauthorized = await measure(r.unauthorized);
    log(
      `  ${def.label}: 401    ${unauthorized.rps.toFixed(0)} req/s, p99 ` +
        `${unauthorized.latencyMs.p99.toFixed(2)} ms ${JSON.stringify(unauthorized.statuses)}`,
    );
    const fixed = await fixedRate({
      origin: `http://127.0.0.1:${port}`,
      path: r.path,
      headers: r.authorized,
      rate: o.rate,
      durationS: o.fixedRateDuration,
      warmupS: o.warmup,
    });
    log(
      `  ${def.label}: ${o.rate} req/s fixed: p99 ${fixed.latencyMs.p99.toFixed(2)} ms (from due time ` +
        `${fixed.correctedMs.p99.toFixed(2)} ms)`,
    );
    const mem = memory(proc.pid);
    return { startupMs, rotate, unauthorized, fixedRate: fixed, peakRssBytes: mem?.hwm, pid: proc.pid };
  } finally {
    await stop(proc);
  }
}

/** Median of a closed-loop path (rotate or 401) over the rounds. */
function closedLoopSummary(runs, pathOf) {
  const pick = (f) => median(runs.map((r) => f(pathOf(r))));
  return {
    rps: pick((x) => x.rps),
    p50Ms: pick((x) => x.latencyMs.p50),
    p99Ms: pick((x) => x.latencyMs.p99),
    cpuUsPerRequest: pick((x) => x.serverCpuUsPerRequest),
    statuses: pathOf(runs.at(-1)).statuses,
    errors: runs.reduce((a, r) => a + pathOf(r).errors, 0),
  };
}

async function run({ options: o, identity, log }) {
  log(
    `servers (one at a time; ${o.connections} connections, ${o.duration} s per path, ${o.rate} req/s fixed ` +
      `for ${o.fixedRateDuration} s):`,
  );
  const defs = serverDefs(identity);
  const rounds = [];
  for (let round = 0; round < o.rounds; round++) {
    if (o.rounds > 1) log(`round ${round + 1} of ${o.rounds}`);
    const res = {};
    // Alternate the order, so a load that drifts during the run does not always favour one server.
    const order = round % 2 ? [...o.servers].reverse() : o.servers;
    for (const key of order) res[key] = await measureServer(defs[key], identity, o, log);
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
      rotate: closedLoopSummary(runs, (r) => r.rotate),
      unauthorized: closedLoopSummary(runs, (r) => r.unauthorized),
      fixedRate: {
        rate: o.rate,
        p50Ms: pick((r) => r.fixedRate.latencyMs.p50),
        p99Ms: pick((r) => r.fixedRate.latencyMs.p99),
        p99FromDueMs: pick((r) => r.fixedRate.correctedMs.p99),
        achievedRps: pick((r) => r.fixedRate.achievedRps),
        statuses: runs.at(-1).fixedRate.statuses,
        errors: runs.reduce((a, r) => a + r.fixedRate.errors, 0),
      },
      startupMs: median(startups),
      startupSamplesMs: startups.map((x) => Number(x.toFixed(1))),
      peakRssBytes: Math.max(...runs.map((r) => r.peakRssBytes ?? 0)) || undefined,
      rounds: runs,
    };
  }
  return out;
}

function report(s, r) {
  const out = [];
  const o = r.options;
  out.push(
    '',
    `Loopback, one server at a time; ${o.connections} connections, ${o.duration} s per path; fixed rate ` +
      `${o.rate} req/s for ${o.fixedRateDuration} s.`,
  );
  const rows = [
    [
      'server',
      'rotate req/s',
      'p50 ms',
      'p99 ms',
      'cpu us/req',
      '401 req/s',
      'p50 ms',
      'p99 ms',
      `p99 @${o.rate}/s ms`,
      'start-up ms',
      'peak RSS MiB',
    ],
  ];
  for (const v of Object.values(s)) {
    rows.push([
      v.label,
      fmt(v.rotate.rps),
      fmt(v.rotate.p50Ms, 2),
      fmt(v.rotate.p99Ms, 2),
      fmt(v.rotate.cpuUsPerRequest),
      fmt(v.unauthorized.rps),
      fmt(v.unauthorized.p50Ms, 2),
      fmt(v.unauthorized.p99Ms, 2),
      fmt(v.fixedRate.p99Ms, 2),
      fmt(v.startupMs),
      fmt(v.peakRssBytes / MiB, 1),
    ]);
  }
  out.push(table(rows));
  const odd = Object.values(s).flatMap((v) => {
    const notes = [];
    const unexpected = (statuses, want) => Object.entries(statuses).filter(([k]) => Number(k) !== want);
    const u1 = unexpected(v.rotate.statuses, 200);
    const u2 = unexpected(v.unauthorized.statuses, 401);
    if (u1.length) notes.push(`${v.label}: rotate answered ${u1.map(([k, n]) => `${n}x ${k}`).join(', ')}`);
    if (u2.length) notes.push(`${v.label}: the 401 path answered ${u2.map(([k, n]) => `${n}x ${k}`).join(', ')}`);
    if (v.rotate.errors || v.unauthorized.errors || v.fixedRate.errors)
      notes.push(`${v.label}: ${v.rotate.errors + v.unauthorized.errors + v.fixedRate.errors} connection errors`);
    return notes;
  });
  if (odd.length) out.push('', 'unexpected answers:', ...odd.map((x) => `  ${x}`));
  if (s.mock) {
    const rr = [['inklink-mock vs', 'rotate req/s', '401 req/s', `p99 @${o.rate}/s`, 'start-up', 'peak RSS']];
    for (const [k, v] of Object.entries(s)) {
      if (k === 'mock') continue;
      const x = (a, b, d = 2) => (ratio(a, b) === undefined ? 'n/a' : `${ratio(a, b).toFixed(d)}x`);
      rr.push([
        v.label,
        x(s.mock.rotate.rps, v.rotate.rps),
        x(s.mock.unauthorized.rps, v.unauthorized.rps),
        x(s.mock.fixedRate.p99Ms, v.fixedRate.p99Ms),
        x(s.mock.startupMs, v.startupMs),
        x(s.mock.peakRssBytes, v.peakRssBytes),
      ]);
    }
    out.push('', table(rr));
  }
  return out;
}

function targets(r) {
  const s = r.servers ?? {};
  const mock = s.mock;
  const vsPrism = ratio(mock?.rotate.rps, s.prism?.rotate.rps);
  const vsExpress = ratio(mock?.rotate.rps, s.express?.rotate.rps);
  const p99 = mock?.fixedRate.p99Ms;
  const startup = ratio(mock?.startupMs, s.prism?.startupMs);
  return [
    target('rotate throughput vs Prism', '>= 4x', vsPrism, vsPrism >= 4),
    target('rotate throughput vs bare Express', '>= 90%', vsExpress, vsExpress >= 0.9),
    target(`p99 at ${mock?.fixedRate.rate ?? 1000} req/s`, '<= 3 ms', p99, p99 <= 3),
    target('start-up vs Prism', '<= 15%', startup, startup <= 0.15),
  ];
}

export default { name: 'compare', key: 'servers', run, report, targets };
