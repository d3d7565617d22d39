/**
 * `inklink-mock serve` stops however it was started, with real processes: a project whose
 * `npm run mock` runs it through its bin (as the starter's does), `npx inklink-mock serve`, and a
 * parent that spawned it itself. Told to stop (SIGTERM to npm, which neither npm nor its shell pass
 * on) or killed outright (SIGKILL: nothing can pass anything on), the mock lets go of its port and
 * no process of it is left. With --outlive-parent it stays (the watch is what stops it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI } from '../helpers/cli';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-stopping-'));

/** A project with the package's bin, as npm links it, and the starter's `mock` script. */
function project(name: string): string {
  const dir = path.join(work, name);
  fs.mkdirSync(path.join(dir, 'node_modules/.bin'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name, version: '1.0.0', private: true, scripts: { mock: 'inklink-mock serve --port 0' } }),
  );
  const bin = path.join(dir, 'node_modules/.bin/inklink-mock');
  fs.writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  fs.chmodSync(bin, 0o755);
  return dir;
}

/** The environment of a user's shell: none of this test run's npm variables. */
function userEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(npm_|INIT_CWD$|INKLINK_)/i.test(k) && !k.startsWith('JEST_')),
  );
  return { ...env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}` };
}

/** Pids of the processes whose working directory is `dir` (the mock and whatever started it). */
function processesIn(dir: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return fs.readlinkSync(`/proc/${p}/cwd`) === dir;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Starts `command` in `dir` and resolves with the mock's URL once its banner is printed. */
function start(command: string, args: string[], dir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(command, args, { cwd: dir, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 30 s:\n${out}`)), 30_000);
    child.stdout.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    });
    child.on('exit', (code) => reject(new Error(`${command} exited ${code} before the banner:\n${out}`)));
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    await (await fetch(`${url}/__mock/health`)).text();
    return true;
  } catch {
    return false;
  }
}

/** Waits until nothing answers at `url` and no process is left in `dir`; false after 15 s. */
async function stopped(url: string, dir: string): Promise<boolean> {
  for (let i = 0; i < 150; i++) {
    if (!(await answers(url)) && processesIn(dir).length === 0) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

afterAll(() => {
  // Whatever a failed case left behind (only processes this test started: they run in its folders).
  for (const pid of processesIn(work).concat(...fs.readdirSync(work).map((d) => processesIn(path.join(work, d)))))
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  fs.rmSync(work, { recursive: true, force: true });
});

const NPM = 'npm';
const STARTS: [string, string, string[]][] = [
  ['npm run mock', NPM, ['run', 'mock']],
  ['npx inklink-mock serve', 'npx', ['--no-install', 'inklink-mock', 'serve', '--port', '0']],
];

describe.each(STARTS)('started by `%s`', (how, command, args) => {
  it.each(['SIGTERM', 'SIGKILL'] as const)(
    '%s to npm stops the mock and frees its port',
    async (signal) => {
      const dir = project(`${how.split(' ')[0]}-${signal}`);
      const { child, url } = await start(command, args, dir);
      expect(await answers(url)).toBe(true);
      child.kill(signal);
      expect(await stopped(url, dir)).toBe(true);
    },
    60_000,
  );
});

describe('started by a program of its own', () => {
  const parent = (flags: string[]) =>
    `require('node:child_process').spawn(process.execPath, ${JSON.stringify([CLI, 'serve', '--port', '0', ...flags])}` +
    `, { stdio: 'inherit' }); setInterval(() => {}, 1000);`;

  it('a parent killed with SIGKILL takes the mock with it', async () => {
    const dir = project('parent-killed');
    const { child, url } = await start(process.execPath, ['-e', parent([])], dir);
    child.kill('SIGKILL');
    expect(await stopped(url, dir)).toBe(true);
  }, 60_000);

  it('with --outlive-parent the mock keeps serving after its parent is gone', async () => {
    const dir = project('outlive');
    const { child, url } = await start(process.execPath, ['-e', parent(['--outlive-parent'])], dir);
    child.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1500)); // six times the watch's period
    expect(await answers(url)).toBe(true);
    const left = processesIn(dir);
    expect(left).toHaveLength(1);
    process.kill(left[0], 'SIGTERM');
    expect(await stopped(url, dir)).toBe(true);
  }, 60_000);
});
