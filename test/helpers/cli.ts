/** Runs the built CLI (dist/, built by `npm test`'s pretest) as a real process. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const CLI = path.join(__dirname, '../../dist/src/cli.js');

export interface Running {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  stop(): Promise<number | null>;
}

/**
 * A child's exit status once it exited and its pipes were read to the end: 'exit' can come before
 * the last of stdout and stderr was read (a loaded machine showed an empty stderr so), so this waits
 * for 'close' too, at most 2 s after the exit (a grandchild that kept a pipe open must not hang).
 */
function ended(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    let closed = false;
    child.on('close', () => (closed = true));
    child.on('exit', (code) => {
      if (closed) return resolve(code);
      const grace = setTimeout(() => resolve(code), 2000);
      child.on('close', () => {
        clearTimeout(grace);
        resolve(code);
      });
    });
  });
}

/** Starts `inklink-mock serve` (or another long-running command) and resolves once its banner names the URL. */
export function startCli(args: string[], env: Record<string, string> = {}, command = 'serve'): Promise<Running> {
  const child = spawn(process.execPath, [CLI, command, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  const exited = ended(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner; stderr: ${err}`)), 15000);
    const onData = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({
        child,
        url: m[1],
        stdout: () => out,
        stderr: () => err,
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stdout.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before the banner; stderr: ${err}`));
    });
  });
}

/** Runs the CLI to completion. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 30000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runNode([CLI, ...args], { env, timeoutMs });
}

/** Runs node with these arguments to completion (env: added to this process's). */
export function runNode(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runProcess(process.execPath, args, { ...options, env: { ...process.env, ...options.env } });
}

/** Runs a program to completion with exactly this environment; rejects when it outlives the timeout. */
export function runProcess(
  file: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const timeoutMs = options.timeoutMs ?? 30000;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `${path.basename(file)} ${args.join(' ').slice(0, 200)} did not end within ${timeoutMs} ` +
            `ms\n${stdout}\n${stderr}`,
        ),
      );
    }, timeoutMs);
    void ended(child).then((code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface CliCase {
  argv: string[];
  /** Set for this case only (added to the child's environment). */
  env?: Record<string, string>;
}

/**
 * Runs many invocations of the CLI's `main` in one child process (a process per invocation would
 * cost a node start each), each with its own captured stdout and stderr and the exit status `main`
 * returns, which is the process's. An invocation still running after 5 s is reported as `hung`.
 * `env` is the child's whole environment.
 */
export async function runCliCases(
  cases: CliCase[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | 'hung'; stdout: string; stderr: string }[]> {
  const script = `
    const fs = require('node:fs');
    const { main } = require(${JSON.stringify(CLI)});
    const cases = JSON.parse(fs.readFileSync(0, 'utf8'));
    let cur;
    process.stdout.write = (c) => ((cur.stdout += String(c)), true);
    process.stderr.write = (c) => ((cur.stderr += String(c)), true);
    (async () => {
      const results = [];
      for (const c of cases) {
        cur = { stdout: '', stderr: '' };
        const before = { ...process.env };
        Object.assign(process.env, c.env || {});
        const code = await Promise.race([main(c.argv), new Promise((r) => setTimeout(() => r('hung'), 5000).unref())]);
        for (const k of Object.keys(c.env || {})) {
          if (before[k] === undefined) delete process.env[k];
          else process.env[k] = before[k];
        }
        results.push({ code, ...cur });
      }
      fs.writeSync(1, JSON.stringify(results));
      process.exit(0);
    })();`;
  const child = spawn(process.execPath, ['-e', script], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  child.stdin.end(JSON.stringify(cases));
  const code = await new Promise((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`the CLI cases ended with status ${code}: ${err}`);
  return JSON.parse(out);
}
