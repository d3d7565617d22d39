/**
 * Child processes for the benchmark: spawn on loopback, wait for the first successful answer (the
 * start-up time), read peak and current RSS from /proc, and kill every child at the end, even when
 * the benchmark fails or is interrupted.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

const children = new Set();

function killAllSync() {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      try {
        process.kill(c.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  children.clear();
}

// Whatever happens, no child outlives the benchmark.
process.on('exit', killAllSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killAllSync();
    process.stderr.write(`\nbench: interrupted (${sig}), children killed\n`);
    process.exit(130);
  });
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Spawns a child. stdout is kept (up to `stdoutLimit`, 64 KiB by default: the mock's banner) unless
 * `quietStdout` (Prism logs every request to stdout: it goes to /dev/null so reading it costs the
 * benchmark nothing). stderr keeps its last 8 KiB for error messages.
 */
export function start(name, command, args, { env, cwd, quietStdout = false, stdoutLimit = 65536 } = {}) {
  const spawnedAt = performance.now();
  const child = spawn(command, args, {
    cwd,
    env: env ?? process.env,
    stdio: ['ignore', quietStdout ? 'ignore' : 'pipe', 'pipe'],
  });
  children.add(child);
  const proc = {
    name,
    child,
    pid: child.pid,
    spawnedAt,
    stdout: '',
    stderr: '',
    lastOutputAt: 0,
    exited: false,
    exitInfo: undefined,
  };
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (d) => {
    proc.lastOutputAt = performance.now();
    if (proc.stdout.length < stdoutLimit) proc.stdout += d;
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    proc.stderr = (proc.stderr + d).slice(-8192);
  });
  child.once('exit', (code, signal) => {
    proc.exited = true;
    proc.exitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
    children.delete(child);
  });
  child.once('error', (err) => {
    proc.exited = true;
    proc.exitInfo = err.message;
    children.delete(child);
  });
  return proc;
}

/** Stops a child: SIGTERM, then SIGKILL after `graceMs`. */
export function stop(proc, graceMs = 3000) {
  const { child } = proc;
  if (proc.exited || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      try {
        child.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function stopAll() {
  await Promise.all([...children].map((child) => stop({ child, exited: false })));
}

/** One HTTP request without keep-alive; resolves with { status, body } or rejects. */
export function request(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.end(body);
  });
}

/**
 * Polls `probe` (an HTTP request) every `intervalMs` until it answers `expectStatus`; resolves
 * with the milliseconds from the child's spawn to that answer.
 */
export async function waitReady(
  proc,
  url,
  { method = 'GET', headers = {}, expectStatus = 200, timeoutMs = 30_000, intervalMs = 5 } = {},
) {
  const deadline = proc.spawnedAt + timeoutMs;
  let last;
  for (;;) {
    if (proc.exited)
      throw new Error(`${proc.name} exited before answering (${proc.exitInfo}): ${proc.stderr.trim().slice(-600)}`);
    try {
      const r = await request(url, { method, headers });
      if (r.status === expectStatus) return performance.now() - proc.spawnedAt;
      last = `status ${r.status}`;
    } catch (e) {
      last = e.code ?? e.message;
    }
    if (performance.now() > deadline)
      throw new Error(`${proc.name} did not answer ${expectStatus} within ${timeoutMs} ms (last: ${last})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Fields of /proc/<pid>/status in bytes (VmRSS, VmHWM); undefined off Linux or once gone. */
export function memory(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field) => {
      const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
      return m ? Number(m[1]) * 1024 : undefined;
    };
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds a process has used (from /proc/<pid>/stat). */
export function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 (1-based), i.e. 11 and 12 after the command name.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}
