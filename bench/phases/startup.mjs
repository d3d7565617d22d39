/**
 * startup: from `npm start` (as a developer types it, on a built tree) to the first answer, beside
 * `inklink-mock serve` spawned directly (what npm adds) and Prism's `prism mock` (what users
 * compare with). Spawn to the first 200 of GET /__mock/health (Prism: of the rotate request, its
 * first answer), median of --startup-samples spawns each, alternating. The tree must be built: the
 * orchestrator built it before any phase runs, so npm start compiles nothing here.
 */
import { fmt, ratio, table, target } from '../lib/report.mjs';
import { freePort, start, stop, waitReady } from '../lib/procs.mjs';
import { childEnv, rotateRequest, ROOT, serverDefs, startMock } from '../lib/servers.mjs';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** `npm start -- --port P`, as in the README (npm's own variables of this run removed). */
function npmStart(port) {
  const env = childEnv();
  for (const k of Object.keys(env)) if (/^npm_(lifecycle|package|command)/i.test(k)) delete env[k];
  return start('npm start', 'npm', ['start', '--silent', '--', '--port', String(port)], { cwd: ROOT, env });
}

const WAYS = {
  npmStart: {
    label: 'npm start (built tree)',
    spawn: npmStart,
    probe: (port) => ({ url: `http://127.0.0.1:${port}/__mock/health` }),
  },
  serve: {
    label: 'inklink-mock serve (node, direct)',
    spawn: (port) => startMock(port),
    probe: (port) => ({ url: `http://127.0.0.1:${port}/__mock/health` }),
  },
  prism: {
    label: 'Prism 5.14: prism mock openapi.json',
    spawn: (port, defs) => defs.prism.spawn(port),
    probe: (port, identity, defs) => {
      const r = rotateRequest(identity, port, defs.prism);
      return { url: r.url, method: 'POST', headers: r.authorized };
    },
  },
};

async function once(way, identity, defs) {
  const port = await freePort();
  const proc = way.spawn(port, defs);
  try {
    return await waitReady(proc, way.probe(port, identity, defs).url, {
      ...way.probe(port, identity, defs),
      expectStatus: 200,
      intervalMs: 2,
    });
  } finally {
    await stop(proc);
  }
}

async function run({ options: o, identity, log }) {
  const samples = Math.max(o.startupSamples, 3);
  log(`startup: spawn to first answer, ${samples} samples each:`);
  const defs = serverDefs(identity);
  const out = Object.fromEntries(Object.keys(WAYS).map((k) => [k, { label: WAYS[k].label, samplesMs: [] }]));
  for (let i = 0; i < samples; i++) {
    const order = i % 2 ? Object.keys(WAYS).reverse() : Object.keys(WAYS);
    for (const k of order) out[k].samplesMs.push(Number((await once(WAYS[k], identity, defs)).toFixed(1)));
  }
  for (const v of Object.values(out)) {
    v.medianMs = median(v.samplesMs);
    log(`  ${v.label}: ${v.medianMs.toFixed(0)} ms (samples ${v.samplesMs.join(', ')})`);
  }
  return out;
}

function report(s) {
  const rows = [['start-up: spawn to first answer', 'median ms', 'samples ms', 'vs Prism']];
  for (const v of Object.values(s))
    rows.push([
      v.label,
      fmt(v.medianMs),
      v.samplesMs.map((x) => x.toFixed(0)).join(' '),
      fmt(ratio(v.medianMs, s.prism?.medianMs), 2) + 'x',
    ]);
  return ['', table(rows)];
}

function targets(r) {
  const s = r.startup;
  return [
    target(
      'npm start to first answer (built tree)',
      '<= 1000 ms',
      s?.npmStart?.medianMs,
      s?.npmStart?.medianMs <= 1000,
    ),
    target(
      'npm start vs Prism start-up',
      '<= 1x',
      ratio(s?.npmStart?.medianMs, s?.prism?.medianMs),
      ratio(s?.npmStart?.medianMs, s?.prism?.medianMs) <= 1,
    ),
  ];
}

export default { name: 'startup', key: 'startup', run, report, targets };
