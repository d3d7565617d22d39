/**
 * dashboard: what the dashboard costs the API (issue 13, point 5). One mock, rotated from
 * `--connections` connections in windows that alternate without and with five dashboards
 * connected to its live stream (bench/servers/dashboards.cjs: stream clients in a process of their
 * own, reading everything they are sent). The order alternates too (off-on, on-off, ...) and each
 * figure is the median of the per-pair ratios, so that the drift of a shared machine falls on both
 * sides. Target: rotate throughput with five dashboards >= 90% of the throughput without.
 *
 * Also, in this process: what recording one request in the request journal costs
 * (RequestJournal.record, from dist/), beside the time one rotation takes at the measured rate.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { closedLoop } from '../lib/load.mjs';
import { cpuSeconds, start, stop } from '../lib/procs.mjs';
import { fmt, target } from '../lib/report.mjs';
import { childEnv, NODE, ROOT, startReadyMock } from '../lib/servers.mjs';

const DASHBOARDS = 5;
const require = createRequire(import.meta.url);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Waits until the dashboards' process has printed a line starting with `prefix`; resolves with it. */
async function line(proc, prefix, from, timeoutMs = 10_000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const hit = proc.stdout
      .slice(from)
      .split('\n')
      .find((l) => l.startsWith(prefix));
    if (hit) return hit;
    const error = proc.stdout
      .slice(from)
      .split('\n')
      .find((l) => l.startsWith('error '));
    if (error) throw new Error(`dashboards: ${error}`);
    if (proc.exited) throw new Error(`dashboards exited (${proc.exitInfo}): ${proc.stderr.slice(-400)}`);
    if (performance.now() > deadline) throw new Error(`dashboards printed no "${prefix}" within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function signal(proc, sig, prefix) {
  const from = proc.stdout.length;
  proc.child.kill(sig);
  return line(proc, prefix, from);
}

/** ns per RequestJournal.record of a typical rotate request (the built module, in this process). */
function recordCost() {
  const { RequestJournal } = require(path.join(ROOT, 'dist/mock/domain/request-journal.js'));
  const journal = new RequestJournal({ isKnownId: () => true });
  const input = {
    at: Date.now(),
    method: 'POST',
    path: '/webhook/endpoints/wh_end_TB06F09yGEdIekKEQEz5mgfY/rotate-secret',
    operation: 'rotateWebhookEndpointSecret',
    status: 200,
    durationMs: 0.123,
    requestId: '6f1c2d9e-6d7e-4b7a-9a55-0e0f3a1b2c3d',
    apiKey: 'secret_live_B8imsMcvA2Ba4WXOi6Gr7u2UgFjwxbYM',
    role: 'owner',
    organizationId: 'org_nWJB993RBH1YPdbb',
  };
  // Fresh ids, as requests bring them (the strings a request allocates anyway are made first).
  const n = 300_000;
  const ids = Array.from({ length: n }, () => randomUUID());
  for (let i = 0; i < 50_000; i++) journal.record({ ...input, requestId: ids[i] });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    input.requestId = ids[i];
    journal.record(input);
  }
  return ((performance.now() - t0) * 1e6) / n;
}

async function run({ options: o, identity, log }) {
  const pairs = o.quick ? 3 : 8;
  const windowS = o.quick ? 1.5 : 3;
  log(
    `dashboard: rotate throughput without and with ${DASHBOARDS} dashboards on the live stream ` +
      `(${o.connections} connections, ${pairs} pairs of ${windowS} s windows, order alternating):`,
  );
  const mock = await startReadyMock();
  const dashboards = start(
    'dashboards',
    NODE,
    [path.join(ROOT, 'bench/servers/dashboards.cjs'), '--url', mock.base, '--clients', String(DASHBOARDS)],
    { cwd: ROOT, env: childEnv() },
  );
  try {
    await line(dashboards, 'ready', 0);
    const rotate = {
      url: `${mock.base}/webhook/endpoints/${identity.endpointId}/rotate-secret`,
      method: 'POST',
      headers: { 'api-key': identity.ownerKey },
      connections: o.connections,
    };
    await closedLoop({ ...rotate, durationS: o.warmup, record: false });
    const windows = [];
    const measure = async (withDashboards) => {
      let streamed;
      if (withDashboards) await signal(dashboards, 'SIGUSR1', 'open ');
      const cpu0 = cpuSeconds(mock.proc.pid);
      const r = await closedLoop({ ...rotate, durationS: windowS, record: false });
      const cpuUsPerRequest = ((cpuSeconds(mock.proc.pid) - cpu0) * 1e6) / r.requests;
      if (withDashboards)
        streamed = JSON.parse((await signal(dashboards, 'SIGUSR2', 'closed ')).slice('closed '.length));
      const w = {
        withDashboards,
        rps: r.rps,
        cpuUsPerRequest,
        allOk: (r.statuses['200'] ?? 0) === r.requests && r.errors === 0,
        streamed,
      };
      windows.push(w);
      return w;
    };
    const ratios = [];
    const cpuRatios = [];
    for (let p = 0; p < pairs; p++) {
      const order = p % 2 === 0 ? [false, true] : [true, false];
      const [a, b] = [await measure(order[0]), await measure(order[1])];
      const [off, on] = a.withDashboards ? [b, a] : [a, b];
      ratios.push(on.rps / off.rps);
      cpuRatios.push(on.cpuUsPerRequest / off.cpuUsPerRequest);
      log(
        `  pair ${p + 1}: without ${fmt(off.rps)}/s (${fmt(off.cpuUsPerRequest, 1)} us CPU a request), with ` +
          `${fmt(on.rps)}/s (${fmt(on.cpuUsPerRequest, 1)} us): ${fmt((on.rps / off.rps) * 100, 1)}%; the ` +
          `dashboards got ${on.streamed.events} events, ${(on.streamed.bytes / 2 ** 20).toFixed(1)} MiB, ` +
          `${on.streamed.gaps} gaps`,
      );
    }
    const off = windows.filter((w) => !w.withDashboards);
    const on = windows.filter((w) => w.withDashboards);
    const recordNs = recordCost();
    const withoutRps = median(off.map((w) => w.rps));
    const result = {
      dashboards: DASHBOARDS,
      connections: o.connections,
      pairs,
      windowS,
      withoutRps,
      withRps: median(on.map((w) => w.rps)),
      ratio: median(ratios),
      ratios,
      /** The mock's CPU time per request with the dashboards, over without (steadier on a shared machine). */
      cpuRatio: median(cpuRatios),
      cpuUsWithout: median(off.map((w) => w.cpuUsPerRequest)),
      cpuUsWith: median(on.map((w) => w.cpuUsPerRequest)),
      allOk: windows.every((w) => w.allOk),
      eventsPerWindow: median(on.map((w) => w.streamed.events)),
      bytesPerWindow: median(on.map((w) => w.streamed.bytes)),
      gaps: on.reduce((n, w) => n + w.streamed.gaps, 0),
      dropped: on.reduce((n, w) => n + w.streamed.dropped, 0),
      journalRecordNs: recordNs,
      /** The journal's record as a share of the time one rotation takes at the measured rate (one core). */
      journalShare: (recordNs / 1e9) * withoutRps,
    };
    log(
      `  median ratio ${fmt(result.ratio * 100, 1)}%, CPU per request ${fmt(result.cpuRatio * 100, 1)}%; ` +
        `request journal: ${fmt(recordNs)} ns per record (${fmt(result.journalShare * 100, 2)}% of a rotation ` +
        `at ${fmt(withoutRps)}/s)`,
    );
    return result;
  } finally {
    await stop(dashboards);
    await stop(mock.proc);
  }
}

function report(x) {
  return [
    '',
    `dashboard: rotate throughput with ${x.dashboards} dashboards on the live stream vs none ` +
      `(${x.connections} connections, medians of ${x.pairs} alternating pairs of ${x.windowS} s windows):`,
    `  without ${fmt(x.withoutRps)}/s, with ${fmt(x.withRps)}/s: ${fmt(x.ratio * 100, 1)}% (pairs: ` +
      `${x.ratios.map((r) => fmt(r * 100, 1)).join(', ')})${x.allOk ? '' : ' NOT all 200'}`,
    `  the mock's CPU time per request: ${fmt(x.cpuUsWithout, 1)} us without, ${fmt(x.cpuUsWith, 1)} us with ` +
      `(${fmt(x.cpuRatio * 100, 1)}%, median of the pairs)`,
    `  each window the ${x.dashboards} dashboards got ${fmt(x.eventsPerWindow)} events, ` +
      `${(x.bytesPerWindow / 2 ** 20).toFixed(1)} MiB ` +
      `(${x.gaps} gap events over all windows, ${x.dropped} dropped)`,
    `  request journal: ${fmt(x.journalRecordNs)} ns to record a request, ${fmt(x.journalShare * 100, 2)}% ` +
      `of a rotation's time at ${fmt(x.withoutRps)}/s`,
  ];
}

function targets(r) {
  const x = r.dashboard;
  return [
    target(
      'rotate throughput with 5 dashboards vs none',
      '>= 90%',
      x?.ratio,
      x !== undefined && x.allOk && x.dropped === 0 && x.eventsPerWindow > 0 && x.ratio >= 0.9,
    ),
  ];
}

export default { name: 'dashboard', key: 'dashboard', run, report, targets };
