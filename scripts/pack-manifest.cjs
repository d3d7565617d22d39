#!/usr/bin/env node
/**
 * The package.json a tarball carries: this repository's, without `prepare`.
 *
 * `prepare` builds dist/ for `npm ci` in a clone and for a git install (npm clones, installs and
 * runs it). A tarball or a registry install ships dist/ built and runs nothing, but npm 11 lists a
 * tarball's `prepare` among the install scripts "not yet covered by allowScripts" all the same (and
 * npm 12 would ask for it to be approved). So `npm pack` and `npm publish` (`prepack`) build when
 * stale, then write package.json without it, keeping the original byte for byte beside it, and put
 * that back afterwards (`postpack`). Each write is a rename, so a reader never sees half a file.
 *
 *   node scripts/pack-manifest.cjs strip     (prepack)
 *   node scripts/pack-manifest.cjs restore   (postpack; also what a strip does first after a failed pack)
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const MANIFEST = path.join(ROOT, 'package.json');
const KEPT = path.join(ROOT, '.package.json.prepack');

function writeAtomically(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Puts the kept package.json back, if a strip left one. */
function restore() {
  if (!fs.existsSync(KEPT)) return false;
  fs.renameSync(KEPT, MANIFEST);
  return true;
}

/** package.json without `prepare`, the original kept beside it. */
function strip() {
  restore();
  const original = fs.readFileSync(MANIFEST, 'utf8');
  const manifest = JSON.parse(original);
  if (!manifest.scripts || manifest.scripts.prepare === undefined) return;
  delete manifest.scripts.prepare;
  writeAtomically(KEPT, original);
  writeAtomically(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
}

module.exports = { strip, restore, KEPT };

if (require.main === module) {
  const [command] = process.argv.slice(2);
  if (command === 'strip') strip();
  else if (command === 'restore') restore();
  else {
    process.stderr.write('usage: node scripts/pack-manifest.cjs strip|restore\n');
    process.exit(2);
  }
}
