/**
 * `npm install git+<url>`: npm clones the repository, installs its dependencies (dev ones too),
 * runs `prepare` (the build) and packs the result, so the project gets dist/ although git has none.
 * About a minute and a half (it installs every devDependency): a heavy run, not part of `npm test`
 * (test/package/package.test.ts installs the packed tarball there). It installs the commit HEAD
 * points to: commit first.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { report } from '../helpers/stress-report';

const ROOT = path.join(__dirname, '../..');

it('installs from a git URL: prepare builds dist/, and the bin and the entry points work', () => {
  const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-git-install-'));
  try {
    fs.writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'git-consumer', version: '1.0.0', private: true }),
    );
    const started = Date.now();
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', `git+file://${ROOT}#${commit}`], {
      cwd: project,
      stdio: 'pipe',
      timeout: 600_000,
    });
    const seconds = (Date.now() - started) / 1000;
    const installed = path.join(project, 'node_modules/inklink-mock');
    expect(fs.existsSync(path.join(installed, 'dist/src/cli.js'))).toBe(true);
    expect(fs.existsSync(path.join(installed, 'src'))).toBe(false); // only what `files` ships
    const version = execFileSync('npx', ['--no-install', 'inklink-mock', '--version'], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(version.trim()).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
    const loaded = execFileSync(
      process.execPath,
      [
        '-e',
        "const c = require('inklink-mock/client'); const m = require('inklink-mock/mock'); " +
          'console.log(typeof c.InklinkClient, typeof m.createMockServer)',
      ],
      {
        cwd: project,
        encoding: 'utf8',
      },
    );
    expect(loaded.trim()).toBe('function function');
    report('git-install', { commit: commit.slice(0, 10), seconds });
  } finally {
    fs.rmSync(project, { recursive: true, force: true });
  }
}, 600_000);
