#!/usr/bin/env node
/**
 * `npm run bench`: inklink-mock side by side with Prism, a bare Express 5 app and a bare node:http
 * server, in one run, on loopback, under the same load; then the start-up from `npm start`,
 * deliveries, memory, the validator, `verify`, `check-receiver` against a local receiver, and the
 * state persisted at 100 and 50,000 endpoints. Prints one table with the ratios and the targets,
 * and writes JSON.
 *
 *   npm run bench [-- --quick] [-- --phase NAME] [-- --out FILE] [-- --help]
 *
 * This file is the orchestrator: options, a fresh build, the identity the servers are driven
 * with, the selected phases in turn, the report and the JSON. The phases live in bench/phases/,
 * one file each; what they start (the mock, Prism, the ceilings, the receiver) is in
 * bench/lib/servers.mjs, the load generators in bench/lib/load.mjs, the report's pieces in
 * bench/lib/report.mjs.
 *
 * To add a phase: write bench/phases/<name>.mjs default-exporting
 * { name, key, run(ctx), report(result, results), targets(results) } (see bench/phases/index.mjs),
 * and add it to PHASES in bench/phases/index.mjs; --phase, --skip, the report and the targets
 * table pick it up. Options it needs go in parseArgs below (and HELP), reaching it as ctx.options.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { stopAll } from './lib/procs.mjs';
import { formatReport } from './lib/report.mjs';
import { discoverIdentity, profileMocksInto, ROOT, SERVER_NAMES, setPhase } from './lib/servers.mjs';
import { PHASE_NAMES, PHASES, TARGET_ORDER } from './phases/index.mjs';

// ---------------------------------------------------------------------------------------------
// Options

const HELP = `Usage: npm run bench [-- options]

Starts inklink-mock, Prism, a bare Express 5 app and a bare node:http server on loopback, one at a
time, and measures each under the same load; then the start-up from \`npm start\` beside Prism's,
the mock's deliveries, memory over many requests, the validator, verify, check-receiver and the
persisted state. Prints a table and the targets, writes JSON.

Options:
  --quick                 Short run (under a minute): shorter phases, fewer requests for memory.
  --out FILE              Where to write the JSON results (default bench/results/latest.json).
  --duration S            Seconds per throughput and fixed-rate measurement (default 5; quick 2).
  --connections N         Connections of the throughput runs (default 50).
  --rate N                Requests/s of the fixed-rate latency run (default 1000).
  --rounds N              Measure every server N times, in turns, and keep the medians (default 3;
                          quick 1). Turns spread drifting background load over all servers.
  --startup-samples N     Spawns per server for the start-up time, median kept (default 5; quick 1;
                          the startup phase takes at least 3).
  --memory-requests N     Requests of the memory run (default 1000000; quick 20000).
  --servers LIST          Comma-separated servers (default mock,prism,express,node, and in a
                          full run express-native); also express-json: the Express ceiling
                          written with res.json(); express-native: the Express ceiling with
                          requests born with the app's prototypes, as the mock builds them;
                          mock-quiet: the mock at log level warn, without its request lines
                          (the mock runs at info, as \`serve\` does by default).
  --phase NAME            Run only this phase (repeat it, or give a comma-separated list, for
                          several): ${PHASE_NAMES.join(',')}.
                          The targets of the others show as not measured.
  --skip LIST             Phases to skip: ${PHASE_NAMES.join(',')}.
  --strict                Exit with status 1 when a target fails.
  --cpu-prof DIR          Run every mock process with node --cpu-prof, profiles written to DIR
                          (one per spawn, named by phase; summarise with node bench/profile.mjs
                          --summarise FILE). Profiling slows the mock: not for comparisons.
  --help                  This help.
`;

/** Phase names from a comma-separated list, each one checked. */
function phaseList(text) {
  const names = text
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  for (const s of names)
    if (!PHASE_NAMES.includes(s)) throw new Error(`unknown phase "${s}" (phases: ${PHASE_NAMES.join(', ')})`);
  return names;
}

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
      o.servers = value()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      explicit.servers = true; // (a full run's default list must not replace it)
      for (const s of o.servers) if (!SERVER_NAMES.includes(s)) throw new Error(`unknown server "${s}"`);
    } else if (a === '--phase') o.phases = [...new Set([...(o.phases ?? []), ...phaseList(value())])];
    else if (a === '--skip') for (const s of phaseList(value())) o.skip.add(s);
    else throw new Error(`unknown option ${a} (see --help)`);
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

/** Builds when the sources changed since the last build (the same check as `npm start`). */
function ensureBuilt() {
  return createRequire(import.meta.url)('../scripts/build.cjs').ensureBuilt({
    log: (s) => process.stderr.write(`bench: ${s}`),
  });
}

// ---------------------------------------------------------------------------------------------
// The run

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
  log(
    `bench: ${results.mode} run on ${results.machine.cores}x ${results.machine.cpu}, Node ` +
      `${process.version}, load average ${results.loadAverageAtStart.join(' ')}`,
  );
  if (o.cpuProf) {
    fs.mkdirSync(o.cpuProf, { recursive: true });
    profileMocksInto(o.cpuProf);
    log(`bench: profiling the mock into ${o.cpuProf}: the numbers of this run are not comparable`);
  }
  const identity = await discoverIdentity();

  for (const p of PHASES) {
    if ((o.phases && !o.phases.includes(p.name)) || o.skip.has(p.name)) continue;
    setPhase(p.name);
    results[p.key] = await p.run({ options: o, identity, log });
  }
  results.loadAverageAtEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
  results.seconds = Number(((performance.now() - t0) / 1000).toFixed(1));
  results.targets = TARGET_ORDER.flatMap((p) => p.targets(results));

  process.stdout.write(formatReport(results, PHASES));
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
