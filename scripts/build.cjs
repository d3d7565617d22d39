#!/usr/bin/env node
/**
 * The build, and whether it is current.
 *
 *   node scripts/build.cjs             build: dist/ afresh (tsc), the seed cache, the stamp (`npm run build`)
 *   node scripts/build.cjs --if-stale  build only when the sources differ from those of the last build
 *                                      (`prepare`, `pretest`, `npm start`, the benchmark)
 *
 * The stamp (dist/.build-stamp) is a SHA-256 of every input of the build: the TypeScript and JSON
 * sources under src/ and mock/, openapi.json, tsconfig.json, package.json and package-lock.json.
 * Contents, not times: a checkout, a copy or a touched file changes nothing unless its content
 * changed. Checking costs a few milliseconds, so `npm start` on a built tree starts at once.
 */
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, '.build-stamp');
const INPUT_DIRS = ['src', 'mock'];
const INPUT_FILES = ['openapi.json', 'tsconfig.json', 'package.json', 'package-lock.json'];

function inputs() {
  const out = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|json)$/.test(e.name)) out.push(p);
    }
  };
  for (const d of INPUT_DIRS) walk(path.join(ROOT, d));
  for (const f of INPUT_FILES) if (fs.existsSync(path.join(ROOT, f))) out.push(path.join(ROOT, f));
  return out.sort();
}

/** The stamp of the sources as they are now. */
function sourceStamp() {
  const hash = crypto.createHash('sha256');
  for (const f of inputs()) hash.update(path.relative(ROOT, f)).update('\0').update(fs.readFileSync(f)).update('\0');
  return hash.digest('hex');
}

function isCurrent() {
  try {
    return fs.readFileSync(STAMP, 'utf8').trim() === sourceStamp();
  } catch {
    return false;
  }
}

/** dist/ from scratch (no output of a deleted source survives), the seed cache, then the stamp. */
function build() {
  const stamp = sourceStamp();
  fs.rmSync(DIST, { recursive: true, force: true });
  const node = process.execPath;
  execFileSync(node, [require.resolve('typescript/bin/tsc', { paths: [ROOT] }), '-p', path.join(ROOT, 'tsconfig.json')], { cwd: ROOT, stdio: 'inherit' });
  execFileSync(node, [path.join(DIST, 'mock/domain/seed.js')], { cwd: ROOT, stdio: 'inherit' });
  fs.writeFileSync(STAMP, `${stamp}\n`);
}

/** Builds when the sources changed since the last build; true when it built. */
function ensureBuilt({ log = (s) => process.stderr.write(s) } = {}) {
  if (isCurrent()) return false;
  log(fs.existsSync(STAMP) ? 'inklink-mock: the sources changed since the last build; building...\n' : 'inklink-mock: no build yet; building...\n');
  build();
  return true;
}

module.exports = { ensureBuilt, isCurrent, build, sourceStamp, ROOT, DIST };

if (require.main === module) {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--if-stale');
  if (unknown.length) {
    process.stderr.write(`scripts/build.cjs: unknown argument ${unknown[0]} (use --if-stale or nothing)\n`);
    process.exit(2);
  }
  try {
    if (args.includes('--if-stale')) ensureBuilt();
    else build();
  } catch (e) {
    // tsc has printed its errors already.
    process.stderr.write(`scripts/build.cjs: the build failed${e.status ? ` (exit ${e.status})` : ''}\n`);
    process.exit(1);
  }
}
