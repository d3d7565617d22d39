#!/usr/bin/env node
/**
 * Latency at a fixed rate next to the garbage collector's pauses: runs one server with
 * `node --trace-gc`, warms it up, sends a fixed rate of rotate requests, and prints p50/p99/max with
 * the number and length of the GC pauses in that window. Shows how much of the p99 is GC.
 *
 *   node bench/gc-latency.mjs [--server mock|express|node] [--rate 1000] [--duration 5]
 *                             [--node-flags "--max-semi-space-size=32"] [--verbose: print each GC line]
 */
import { closedLoop, fixedRate } from './lib/load.mjs';
import { stop } from './lib/procs.mjs';
import { opt, startServer } from './lib/tool-server.mjs';

const server = opt('--server', 'mock');
const rate = Number(opt('--rate', '1000'));
const duration = Number(opt('--duration', '5'));
const nodeFlags = opt('--node-flags', '').split(' ').filter(Boolean);

const { proc, base, key, rotatePath } = await startServer(server, {
  nodeFlags: [...nodeFlags, '--trace-gc'],
  mockArgs: ['--log-level', 'info'],
  stdoutLimit: 64 * 2 ** 20,
});
try {
  await closedLoop({
    url: `${base}${rotatePath}`,
    method: 'POST',
    headers: { 'api-key': key },
    durationS: 2,
    record: false,
  });
  const before = proc.stdout.length;
  const r = await fixedRate({ origin: base, path: rotatePath, headers: { 'api-key': key }, rate, durationS: duration });
  const lines = proc.stdout
    .slice(before)
    .split('\n')
    .filter((l) => /Scavenge|Mark-Compact|Mark-sweep/i.test(l));
  const pauses = lines.map((l) => Number(/, ([\d.]+) \/ [\d.]+ ms/.exec(l)?.[1])).filter((x) => !Number.isNaN(x));
  const major = lines.filter((l) => !/Scavenge/.test(l)).length;
  console.log(
    `${server} at ${rate} req/s for ${duration} s: p50 ${r.latencyMs.p50.toFixed(2)} ms, p99 ` +
      `${r.latencyMs.p99.toFixed(2)} ms, max ${r.latencyMs.max.toFixed(1)} ms; ` +
      `${pauses.length} GC pauses (${major} major), longest ` +
      `${pauses.length ? Math.max(...pauses).toFixed(2) : 0} ms, total ` +
      `${pauses.reduce((a, b) => a + b, 0).toFixed(1)} ms`,
  );
  if (process.argv.includes('--verbose')) for (const l of lines) console.log(`  ${l.trim()}`);
} finally {
  await stop(proc);
}
