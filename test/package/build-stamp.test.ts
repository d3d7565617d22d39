/**
 * scripts/build.cjs decides whether dist/ is current (for `prepare`, `pretest`, `npm start` and the
 * bench) from the contents of the sources, not their times: a checkout or a touch that changes no
 * byte builds nothing, any changed byte builds. Run on a copy of the sources (no tsc here: the
 * decision only).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '../..');

function copyOfSources(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-stamp-'));
  const inputs = [
    'scripts',
    'core',
    'src',
    'mock',
    'openapi.json',
    'tsconfig.json',
    'package.json',
    'package-lock.json',
  ];
  for (const p of inputs) {
    fs.cpSync(path.join(ROOT, p), path.join(dir, p), { recursive: true });
  }
  return dir;
}

it('dist/ is current after a build, still after a touch, not after a change or without a stamp', () => {
  const dir = copyOfSources();
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the copy's CommonJS build script, untyped
    const build = require(path.join(dir, 'scripts/build.cjs'));
    expect(build.isCurrent()).toBe(false); // no build yet
    fs.mkdirSync(path.join(dir, 'dist'));
    build.writeStamp();
    expect(build.isCurrent()).toBe(true);
    const file = path.join(dir, 'core/inklink.ts');
    const stampFile = path.join(dir, 'dist/.build-stamp');
    fs.utimesSync(file, new Date(), new Date(Date.now() + 60_000));
    expect(build.isCurrent()).toBe(true);
    // The same bytes at a new time: the stamp takes the time, so the next check reads no file.
    expect(JSON.parse(fs.readFileSync(stampFile, 'utf8')).files['core/inklink.ts'][1]).toBe(fs.statSync(file).mtimeMs);
    fs.appendFileSync(file, '\n// changed\n');
    expect(build.isCurrent()).toBe(false);
    build.writeStamp();
    expect(build.isCurrent()).toBe(true);
    fs.writeFileSync(path.join(dir, 'mock/new-module.ts'), 'export {};\n');
    expect(build.isCurrent()).toBe(false); // a new source file counts too
    build.writeStamp();
    fs.appendFileSync(path.join(dir, 'mock/ui/dashboard.css'), '\n/* changed */\n');
    expect(build.isCurrent()).toBe(false); // the dashboard's files are sources of the build too
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

it('the tree under test was built from its sources (pretest ran the same check)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS build script, untyped
  expect(require(path.join(ROOT, 'scripts/build.cjs')).isCurrent()).toBe(true);
});
