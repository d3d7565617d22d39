/**
 * `npm start` as a developer runs it, over a real process tree: on a built tree it compiles
 * nothing and serves, `npm start -- --port N` reaches `serve`, and SIGTERM or SIGINT sent to the npm
 * process (what a process manager or an IDE's stop button does) stops the server: the port closes
 * and no node process of the tree is left. (npm passes a signal to its child only; the start script
 * `exec`s, so that child is the server.) How fast it answers is measured by `npm run bench`
 * (bench/phases/startup.mjs), not here.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const ROOT = path.join(__dirname, '../..');

/** The environment of a user's shell, without this test run's npm and Jest variables. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_(lifecycle|package|command)/i.test(k) || k.startsWith('JEST_') || k.startsWith('INKLINK_MOCK_')) continue;
    env[k] = v;
  }
  return env;
}

/** Every process below `pid` (children, their children, …), from /proc. */
function descendants(pid: number): number[] {
  const out: number[] = [];
  for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
    let children: string;
    try {
      children = fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const c of children.split(' ').filter(Boolean).map(Number)) out.push(c, ...descendants(c));
  }
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

async function npmStart(port: number) {
  const npm = spawn('npm', ['start', '--', '--port', String(port)], {
    cwd: ROOT,
    env: userEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  npm.stdout.on('data', (c) => (stdout += c));
  npm.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start printed no banner\n${stdout}\n${stderr}`)), 30_000);
    npm.stdout.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  return { npm, url, exited, stderr: () => stderr };
}

describe('npm start', () => {
  // On a stale tree npm start would build, which is what `npm test`'s pretest is for (and a build
  // here would swap dist/ under the tests running beside this one).
  beforeAll(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the build script is CommonJS, untyped
    const built = require(path.join(ROOT, 'scripts/build.cjs')).isCurrent();
    if (!built) throw new Error('dist/ is not built from the current sources: run npm run build (npm test does) first');
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'serves on the port given after --, compiles nothing on a built tree, and stops with npm on %s',
    async (signal) => {
      const port = await freePort();
      const run = await npmStart(port);
      const tree = descendants(run.npm.pid!);
      try {
        expect(run.url).toBe(`http://127.0.0.1:${port}`);
        expect((await fetch(`${run.url}/__mock/health`)).status).toBe(200);
        expect(run.stderr()).not.toMatch(/building/);
        expect(tree.length).toBeGreaterThan(0);
        run.npm.kill(signal);
        await run.exited;
        // The server goes with npm: nothing of the tree is left, and nothing answers on the port.
        const deadline = Date.now() + 5000;
        while (tree.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        expect(tree.filter(alive)).toEqual([]);
        expect(await refused(port)).toBe(true);
      } finally {
        for (const pid of [run.npm.pid!, ...tree]) if (alive(pid)) process.kill(pid, 'SIGKILL');
      }
    },
    60_000,
  );
});
