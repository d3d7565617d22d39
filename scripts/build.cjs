#!/usr/bin/env node
/**
 * The build, and whether it is current.
 *
 *   node scripts/build.cjs             build: dist/ afresh (tsc), the seed cache, the dashboard's files,
 *                                      the stamp (`npm run build`)
 *   node scripts/build.cjs --if-stale  build only when the sources differ from those of the last build
 *                                      (`prepare`, `pretest`, `npm start`, the benchmark)
 *
 * The stamp (dist/.build-stamp) holds a SHA-256 of every input of the build (the TypeScript and
 * JSON sources under core/, mock/ and src/, the dashboard's files in mock/ui/, openapi.json, tsconfig.json,
 * package.json, package-lock.json)
 * and each one's size and time. Contents decide, not times: a checkout, a copy or a touched file
 * builds nothing unless a byte changed. When no size or time changed, the check is a few stat
 * calls (no file is read), so `npm start` on a built tree starts at once.
 */
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, '.build-stamp');
const INPUT_DIRS = ['core', 'mock', 'src'];
const INPUT_FILES = ['openapi.json', 'tsconfig.json', 'package.json', 'package-lock.json'];

function inputs() {
  const out = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|json|js|html|css|svg)$/.test(e.name)) out.push(p);
    }
  };
  for (const d of INPUT_DIRS) walk(path.join(ROOT, d));
  for (const f of INPUT_FILES) if (fs.existsSync(path.join(ROOT, f))) out.push(path.join(ROOT, f));
  return out.sort();
}

/** The stamp of the sources as they are now: a hash of their contents, and each file's size and time. */
function stampOf(files = inputs()) {
  const hash = crypto.createHash('sha256');
  const meta = {};
  for (const f of files) {
    const rel = path.relative(ROOT, f);
    const st = fs.statSync(f);
    meta[rel] = [st.size, st.mtimeMs];
    hash.update(rel).update('\0').update(fs.readFileSync(f)).update('\0');
  }
  return { hash: hash.digest('hex'), files: meta };
}

/** Records that dist/ (or `file`'s directory) is built from the sources as they are now. */
function writeStamp(stamp = stampOf(), file = STAMP) {
  fs.writeFileSync(file, `${JSON.stringify(stamp)}\n`);
}

/**
 * Whether dist/ was built from the sources as they are. Fast path: every file has the size and
 * time it had (a few stat calls, no reading). Otherwise the contents decide; when they are the
 * same (a touch, a checkout of the same bytes) the stamp takes the new times.
 */
function isCurrent() {
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(STAMP, 'utf8'));
  } catch {
    return false;
  }
  const files = inputs();
  const same =
    files.length === Object.keys(stamp.files ?? {}).length &&
    files.every((f) => {
      const st = fs.statSync(f);
      const was = stamp.files[path.relative(ROOT, f)];
      return was !== undefined && was[0] === st.size && was[1] === st.mtimeMs;
    });
  if (same) return true;
  const now = stampOf(files);
  if (now.hash !== stamp.hash) return false;
  try {
    writeStamp(now);
  } catch {
    /* a read-only tree: the next check hashes again */
  }
  return true;
}

/**
 * dist/ from scratch (no output of a deleted source survives), the seed cache and the stamp, built
 * beside it and then swapped in: processes running from dist/ (a test suite, a mock) keep a whole
 * tree all along, and a failed build leaves the previous one in place.
 */
function build() {
  // Everything the build prints goes to stderr: `npm pack --json` runs it (prepack) when dist/ is
  // stale, and its stdout must stay npm's JSON.
  const stdio = ['ignore', 2, 'inherit'];
  const stamp = stampOf();
  const next = `${DIST}.next-${process.pid}`;
  const old = `${DIST}.old-${process.pid}`;
  fs.rmSync(next, { recursive: true, force: true });
  try {
    const node = process.execPath;
    execFileSync(
      node,
      [
        require.resolve('typescript/bin/tsc', { paths: [ROOT] }),
        '-p',
        path.join(ROOT, 'tsconfig.json'),
        '--outDir',
        next,
      ],
      { cwd: ROOT, stdio },
    );
    execFileSync(node, [path.join(next, 'mock/domain/seed.js')], { cwd: ROOT, stdio });
    execFileSync(node, [path.join(next, 'mock/http/dashboard.js')], { cwd: ROOT, stdio });
    writeStamp(stamp, path.join(next, '.build-stamp'));
  } catch (e) {
    fs.rmSync(next, { recursive: true, force: true });
    throw e;
  }
  if (fs.existsSync(DIST)) fs.renameSync(DIST, old);
  fs.renameSync(next, DIST);
  fs.rmSync(old, { recursive: true, force: true });
}

/** Builds when the sources changed since the last build; true when it built. */
function ensureBuilt({ log = (s) => process.stderr.write(s) } = {}) {
  if (isCurrent()) return false;
  log(
    fs.existsSync(STAMP)
      ? 'inklink-mock: the sources changed since the last build; building...\n'
      : 'inklink-mock: no build yet; building...\n',
  );
  build();
  return true;
}

module.exports = { ensureBuilt, isCurrent, build, writeStamp, ROOT, DIST };

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
