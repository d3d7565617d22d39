#!/usr/bin/env node
/**
 * CPU profile of the mock under load (or of its start-up), summarised: self time by function and
 * by package, and inclusive time of the mock's own functions. The raw .cpuprofile is kept (open
 * it in Chrome DevTools or speedscope).
 *
 *   node bench/profile.mjs [--path rotate|401|create|mix] [--duration S] [--connections N]
 *                          [--startup] [--top N] [--dir DIR] [--log-level L] [--self-check]
 *                          [--server mock|express|node]   (the ceilings, for comparison)
 *   node bench/profile.mjs --summarise FILE.cpuprofile [--top N]   (any profile, e.g. from
 *                          npm run bench -- --cpu-prof DIR)
 */
import fs from 'node:fs';
import path from 'node:path';
import { print, summarise } from './lib/cpuprofile.mjs';
import { closedLoop } from './lib/load.mjs';
import { stop } from './lib/procs.mjs';
import { has, opt, ROOT, startServer, UNKNOWN_KEY } from './lib/tool-server.mjs';

const which = opt('--path', 'rotate');
const duration = Number(opt('--duration', '10'));
const connections = Number(opt('--connections', '50'));
const top = Number(opt('--top', '30'));
const startupOnly = has('--startup');
const dir = path.resolve(opt('--dir', path.join(ROOT, 'bench/results/profiles')));
const server = opt('--server', 'mock');

async function main() {
  if (has('--summarise')) {
    const file = opt('--summarise');
    process.stdout.write(print(summarise(JSON.parse(fs.readFileSync(file, 'utf8')), { top }), path.basename(file)));
    return;
  }
  fs.mkdirSync(dir, { recursive: true });
  const before = new Set(fs.readdirSync(dir));
  const {
    proc: mock,
    base,
    key,
    rotatePath,
  } = await startServer(server, {
    nodeFlags: ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '100'],
    mockArgs: ['--log-level', opt('--log-level', 'info'), ...(has('--self-check') ? ['--self-check'] : [])],
  });
  let requests;
  const window = {};
  try {
    if (!startupOnly) {
      const rotate = `${base}${rotatePath}`;
      const run = (o) => closedLoop({ connections, durationS: duration, ...o });
      const paths = {
        rotate: { url: rotate, method: 'POST', headers: { 'api-key': key } },
        401: { url: rotate, method: 'POST', headers: { 'api-key': UNKNOWN_KEY } },
        create: {
          url: `${base}/webhook/endpoints`,
          method: 'POST',
          headers: { 'api-key': key, 'content-type': 'application/json' },
          body: '{"url":"https://example.com/hook"}',
        },
      };
      window.from = Number(process.hrtime.bigint() / 1000n);
      const r = await run(paths[which] ?? paths.rotate);
      window.to = Number(process.hrtime.bigint() / 1000n);
      requests = r.requests;
      process.stderr.write(
        `${which}: ${r.rps.toFixed(0)} req/s, p99 ${r.latencyMs.p99.toFixed(2)} ms, ${JSON.stringify(r.statuses)}\n`,
      );
    }
  } finally {
    await stop(mock, 10_000);
  }
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile') && !before.has(f));
  if (!file) throw new Error('no profile written (did the mock exit cleanly?)');
  const target = path.join(dir, `${server}-${startupOnly ? 'startup' : which}-${Date.now()}.cpuprofile`);
  fs.renameSync(path.join(dir, file), target);
  const summary = summarise(JSON.parse(fs.readFileSync(target, 'utf8')), { top, ...window });
  process.stdout.write(
    print(
      summary,
      startupOnly ? `${server} start-up (spawn to first answer, then shutdown)` : `${server}, ${which} under load`,
      requests,
    ),
  );
  process.stdout.write(`\nprofile: ${path.relative(process.cwd(), target)}\n`);
}

main().catch((e) => {
  process.stderr.write(`profile: ${e.stack}\n`);
  process.exitCode = 1;
});
