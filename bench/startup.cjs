#!/usr/bin/env node
/**
 * Where the mock's start-up goes, in one fresh process: Node's own bootstrap, every module
 * `require` (inclusive and self time, by package), then each step `serve` takes (seeding, the
 * specs, the app, listen) and the first request. Run it a few times: the first run after a
 * build also pays for the disk cache.
 *
 *   node bench/startup.cjs [--json] [--top N]
 */
const http = require('node:http');
const Module = require('node:module');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const ROOT = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const top = Number(args[args.indexOf('--top') + 1]) || 25;
const asJson = args.includes('--json');

// --- require timing -------------------------------------------------------------------------
const stack = [];
const modules = new Map(); // resolved file -> { inclusive, self, parent }
const origLoad = Module._load;
Module._load = function timedLoad(request, parent, isMain) {
  let file;
  try {
    file = Module._resolveFilename(request, parent, isMain);
  } catch {
    file = request;
  }
  if (modules.has(file) || Module._cache[file] || file.startsWith('node:') || !file.includes('/'))
    return origLoad.apply(this, arguments);
  const frame = { file, start: performance.now(), child: 0 };
  stack.push(frame);
  try {
    return origLoad.apply(this, arguments);
  } finally {
    stack.pop();
    const inclusive = performance.now() - frame.start;
    const parentFrame = stack[stack.length - 1];
    if (parentFrame) parentFrame.child += inclusive;
    modules.set(file, { inclusive, self: inclusive - frame.child, parent: parentFrame?.file });
  }
};

const rel = (f) => path.relative(ROOT, f);
const pkg = (f) => {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f);
  return m ? m[1] : rel(f).split('/').slice(0, 2).join('/');
};

// --- the steps of `serve` -------------------------------------------------------------------
async function main() {
  const steps = [];
  const step = async (name, fn) => {
    const t = performance.now();
    const v = await fn();
    steps.push({ name, ms: performance.now() - t });
    return v;
  };
  const bootstrapMs = performance.nodeTiming.bootstrapComplete;
  const mainStart = performance.now();

  // What `serve` loads statically (cli.js -> cli/serve.js -> log, config, server, banner, options).
  await step('require dist/src/cli.js (all static imports)', () => require(path.join(ROOT, 'dist/src/cli.js')));
  const { createMockServer } = require(path.join(ROOT, 'dist/mock/server.js'));
  const { createLogger } = require(path.join(ROOT, 'dist/core/log.js'));
  // The steps inside createMockServer, done by hand to time each one (then the real call).
  const { seedState } = require(path.join(ROOT, 'dist/mock/domain/seed.js'));
  await step('seedState (loads faker on first use)', () =>
    seedState(42, { webhookUrl: 'http://127.0.0.1:3000/webhooks' }),
  );
  await step('seedState again (faker already loaded)', () =>
    seedState(42, { webhookUrl: 'http://127.0.0.1:3000/webhooks' }),
  );
  const { compileSpec } = require(path.join(ROOT, 'dist/core/spec.js'));
  const controlDocument = require(path.join(ROOT, 'dist/mock/control-api.json'));
  await step('compileSpec(control-api.json) (a second, uncached compile)', () => compileSpec(controlDocument));
  const mock = await step('createMockServer (seed, store, deliveries, createApp)', () =>
    createMockServer({ seed: 42, logger: createLogger('info', { write() {} }, { write() {} }) }),
  );
  const url = await step('listen', () => mock.listen(0, '127.0.0.1'));
  const key = mock.seeded[0].apiKeys.find((k) => k.role === 'owner').key;
  const endpoint = mock.seeded[0].endpoints[0].id;
  const rotate = () =>
    new Promise((resolve, reject) => {
      const req = http.request(
        `${url}/webhook/endpoints/${endpoint}/rotate-secret`,
        { method: 'POST', headers: { 'api-key': key }, agent: false },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        },
      );
      req.on('error', reject);
      req.end();
    });
  const first = await step('first rotate request (node:http client, new connection)', rotate);
  if (first !== 200) throw new Error(`first request answered ${first}`);
  await step('second rotate request', rotate);
  await mock.close();
  Module._load = origLoad;

  const files = [...modules].map(([file, v]) => ({ file: rel(file), package: pkg(file), ...v }));
  const byPackage = new Map();
  for (const f of files) {
    const p = byPackage.get(f.package) ?? { package: f.package, selfMs: 0, files: 0 };
    p.selfMs += f.self;
    p.files++;
    byPackage.set(f.package, p);
  }
  const result = {
    node: process.version,
    bootstrapMs,
    mainStartMs: mainStart,
    totalToFirstAnswerMs: steps
      .slice(0, steps.findIndex((s) => s.name.startsWith('first rotate')) + 1)
      .reduce((a, s) => a + s.ms, mainStart),
    steps,
    modulesLoaded: files.length,
    requireTotalMs: files
      .filter((f) => !f.parent || !modules.has(path.join(ROOT, f.parent)))
      .reduce((a, f) => a + f.inclusive, 0),
    packages: [...byPackage.values()].sort((a, b) => b.selfMs - a.selfMs),
    slowestFiles: [...files].sort((a, b) => b.self - a.self).slice(0, top),
    // Third-party packages as our code requires them: inclusive of everything they pull in.
    entryPoints: files
      .filter((f) => f.parent && !f.parent.includes('node_modules') && f.file.includes('node_modules'))
      .map((f) => ({ file: f.file, from: rel(f.parent), inclusiveMs: f.inclusive }))
      .sort((a, b) => b.inclusiveMs - a.inclusiveMs),
    firstParty: files
      .filter((f) => !f.file.includes('node_modules'))
      .map((f) => ({ file: f.file, inclusiveMs: f.inclusive, selfMs: f.self }))
      .sort((a, b) => b.inclusiveMs - a.inclusiveMs),
  };
  if (asJson) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return;
  }
  const f = (n) => n.toFixed(1).padStart(7);
  console.log(
    `Node ${result.node}: bootstrap ${f(bootstrapMs)} ms; user code starts at ${f(mainStart)} ms after process start`,
  );
  console.log('\nsteps (note: the hand-made steps repeat work that createMockServer then does again):');
  for (const s of steps) console.log(`${f(s.ms)} ms  ${s.name}`);
  console.log(`\n${result.modulesLoaded} modules loaded; self time by package:`);
  for (const p of result.packages.slice(0, top)) console.log(`${f(p.selfMs)} ms  ${p.package} (${p.files} files)`);
  console.log(
    '\nfirst-party modules (inclusive: with what they require and run at load; self: without their requires):',
  );
  for (const m of result.firstParty) console.log(`${f(m.inclusiveMs)} ms incl ${f(m.selfMs)} ms self  ${m.file}`);
  console.log('\nthird-party packages as our code requires them (inclusive):');
  for (const m of result.entryPoints) console.log(`${f(m.inclusiveMs)} ms  ${m.file}  <- ${m.from}`);
  console.log('\nslowest files (self time: evaluation, excluding their own requires):');
  for (const m of result.slowestFiles)
    console.log(`${f(m.self)} ms  ${m.file}  (inclusive ${m.inclusive.toFixed(1)} ms)`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
