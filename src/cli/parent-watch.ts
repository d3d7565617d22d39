/**
 * `inklink-mock serve` stops when the process that started it goes away, however it was started.
 *
 * Started by `npm run mock` (or `npx inklink-mock serve`), the mock is a child of the shell npm runs
 * the script in (`sh -c …`), itself a child of npm. Neither passes a signal on: `kill` of npm's pid
 * ends npm and its shell and leaves the mock running, holding its port; a SIGKILL of npm leaves the
 * shell and the mock. So `serve` watches its parent and, above it, every launcher in between (a
 * `sh -c` shell, npm, npx, pnpm, yarn): once one of them is gone (or the mock was handed to another
 * parent), it shuts down as on SIGTERM. The process above the launchers (your shell, your CI step,
 * your test runner) is not watched: a CI step that leaves `npm run mock &` behind for the next step
 * keeps its mock. `--outlive-parent` turns the watch off (a mock you detach on purpose).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

interface ProcessInfo {
  ppid: number;
  argv: string[];
}

/** A process's parent and command line: /proc on Linux, `ps` elsewhere; undefined once it is gone. */
function processInfo(pid: number): ProcessInfo | undefined {
  try {
    if (process.platform === 'linux') {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z' || state === 'X') return undefined;
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      return { ppid: Number(ppid), argv };
    }
    const out = execFileSync('ps', ['-o', 'ppid=,args=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    const m = /^(\d+)\s+(.*)$/.exec(out);
    return m ? { ppid: Number(m[1]), argv: m[2].split(/\s+/) } : undefined;
  } catch {
    return undefined;
  }
}

const SHELLS = new Set(['sh', 'dash', 'bash', 'zsh', 'ash', 'ksh']);
const PACKAGE_RUNNER = /^(npm|npx|pnpm|pnpx|yarn)( |$)|[/\\](npm|npx|pnpm|yarn)(-cli)?(\.c?js)?$/;

/**
 * Whether a process only launched the mock: a shell running a command string (`sh -c …`, how npm,
 * npx, pnpm and yarn run a script or a bin), or a package runner (npm renames its process `npm run
 * mock`; otherwise its script is `…/npm-cli.js`).
 */
export function isLauncher(argv: readonly string[]): boolean {
  const [first = '', second = ''] = argv;
  if (SHELLS.has(path.basename(first).replace(/^-/, ''))) return argv.includes('-c');
  return PACKAGE_RUNNER.test(first) || (/^node(js)?$/.test(path.basename(first)) && PACKAGE_RUNNER.test(second));
}

/** The processes whose end stops the mock: its parent and the launchers right above it. */
export function watchedParents(ppid = process.ppid): number[] {
  const chain: number[] = [];
  let pid = ppid;
  let info = processInfo(pid);
  while (pid > 1 && info && chain.length < 16) {
    chain.push(pid);
    const above = processInfo(info.ppid);
    if (!above || !isLauncher(info.argv) || !isLauncher(above.argv)) break;
    [pid, info] = [info.ppid, above];
  }
  return chain;
}

function alive(pid: number): boolean {
  if (process.platform === 'linux') return processInfo(pid) !== undefined; // a zombie has ended
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Resolves with the pid of the first watched process to go (its parent, or a launcher above it);
 * checked every `intervalMs` on a timer that keeps no process alive. `stop()` ends the watch.
 */
export function whenParentGone(intervalMs = 250): { gone: Promise<number>; stop: () => void } {
  const ppid = process.ppid;
  const watched = watchedParents(ppid);
  let timer: NodeJS.Timeout | undefined;
  const gone = new Promise<number>((resolve) => {
    if (!watched.length) return; // started by init or a container runtime: nothing to outlive
    timer = setInterval(() => {
      const dead = process.ppid !== ppid ? ppid : watched.find((pid) => !alive(pid));
      if (dead === undefined) return;
      clearInterval(timer);
      resolve(dead);
    }, intervalMs);
    timer.unref();
  });
  return { gone, stop: () => clearInterval(timer) };
}
