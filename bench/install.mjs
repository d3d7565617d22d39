#!/usr/bin/env node
/**
 * What installing the package costs a client team (docs/package.md, "Install size and time"):
 *
 * - `npm install <tarball>` into an empty project, with and without @pact-foundation/pact (16 on
 *   Node 20, 17 on Node 22 and later), each from a cold npm cache (a new, empty cache folder: every
 *   package downloaded) and again from a warm one (the same cache, a new project): wall time, the
 *   size of node_modules (du) and its number of packages;
 * - `npx --package <tarball> inklink-mock serve` from a cold npm cache to the mock's first answer
 *   (GET /__mock/health), then `kill` of npx, which stops the mock too (it watches its parent).
 *
 * The tarball is `npm pack` of this tree (prepack builds when dist/ is stale). It needs the npm
 * registry (or the one npm is configured with); everything goes into a temporary folder, removed at
 * the end. Prints a Markdown table (or JSON with --json).
 *
 *   node bench/install.mjs [--json] [--keep]
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-install-bench-'));
const nodeMajor = Number(process.versions.node.split('.')[0]);
const PACT = `@pact-foundation/pact@${nodeMajor >= 22 ? 17 : 16}`;

/** npm's environment without this process's npm_* variables (as from a user's shell). */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'INIT_CWD'));

const seconds = (ms) => Math.round(ms / 100) / 10;

function npm(npmArgs, cwd, cache) {
  const start = performance.now();
  execFileSync('npm', [...npmArgs, '--cache', cache, '--no-audit', '--no-fund', '--loglevel', 'error'], {
    cwd,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return performance.now() - start;
}

function emptyProject(name) {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  return dir;
}

/** node_modules' size on disk (du -sk, so as the disk holds it) and its number of packages. */
function footprint(dir) {
  const kib = Number(execFileSync('du', ['-sk', path.join(dir, 'node_modules')], { encoding: 'utf8' }).split('\t')[0]);
  const lock = JSON.parse(fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8'));
  const packages = Object.keys(lock.packages).filter((p) => p.startsWith('node_modules/')).length;
  return { mib: Math.round((kib / 1024) * 10) / 10, packages };
}

function install(id, label, specs) {
  const cache = path.join(work, `cache-${id}`);
  const cold = emptyProject(`${id}-cold`);
  const coldMs = npm(['install', ...specs], cold, cache);
  const warm = emptyProject(`${id}-warm`);
  const warmMs = npm(['install', '--prefer-offline', ...specs], warm, cache);
  return { label, coldS: seconds(coldMs), warmS: seconds(warmMs), ...footprint(cold) };
}

function get(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(undefined));
    req.setTimeout(2000, () => req.destroy());
  });
}

/** `npx --package <tarball> inklink-mock serve` with an empty cache, to the first 200 of /__mock/health. */
async function npxServe(tarball) {
  const cache = path.join(work, 'cache-npx');
  const dir = emptyProject('npx');
  const start = performance.now();
  const child = spawn(
    'npx',
    ['--yes', '--cache', cache, '--package', tarball, 'inklink-mock', 'serve', '--port', '0', '--log-level', 'warn'],
    { cwd: dir, env, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    for (;;) {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m && (await get(`${m[1]}/__mock/health`)) === 200) break;
      if (child.exitCode !== null) throw new Error(`npx ended (${child.exitCode}) before the mock answered:\n${out}`);
      if (performance.now() - start > 600_000) throw new Error('no answer within 10 minutes');
      await new Promise((r) => setTimeout(r, 50));
    }
    return { label: 'npx inklink-mock serve, cold cache, to the first answer', s: seconds(performance.now() - start) };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

try {
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  );
  const tarball = path.join(work, packed[0].filename);
  const rows = [install('mock', 'inklink-mock', [tarball]), install('pact', `inklink-mock + ${PACT}`, [tarball, PACT])];
  const npx = await npxServe(tarball);
  const result = {
    node: process.version,
    npm: execFileSync('npm', ['--version'], { encoding: 'utf8', env }).trim(),
    tarballKiB: Math.round(packed[0].size / 1024),
    unpackedKiB: Math.round(packed[0].unpackedSize / 1024),
    installs: rows,
    npx,
  };
  if (args.includes('--json')) console.log(JSON.stringify(result, null, 2));
  else {
    console.log(
      `Node ${result.node}, npm ${result.npm}; tarball ${result.tarballKiB} KiB (${result.unpackedKiB} KiB unpacked)\n`,
    );
    console.log('| `npm install` into an empty project | cold cache | warm cache | node_modules | packages |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const r of rows) console.log(`| ${r.label} | ${r.coldS} s | ${r.warmS} s | ${r.mib} MiB | ${r.packages} |`);
    console.log(`\n${npx.label}: ${npx.s} s`);
  }
} finally {
  if (!args.includes('--keep')) fs.rmSync(work, { recursive: true, force: true });
}
