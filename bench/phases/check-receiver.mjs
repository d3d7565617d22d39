/**
 * check-receiver: `inklink-mock check-receiver` (the whole battery, --old-secret, and the rotation
 * drill through --update-secret-url) against a correct local receiver (bench/servers/
 * verifying-receiver.cjs, on standardwebhooks), timed from spawn to exit.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, start, stop, waitReady } from '../lib/procs.mjs';
import { target } from '../lib/report.mjs';
import { childEnv, CLI, NODE, ROOT } from '../lib/servers.mjs';

const NAME = 'check-receiver against a local receiver';
const WANT = '<= 3 s, exit 0';
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

async function run({ log }) {
  log('check-receiver:');
  const help = spawnSync(NODE, [CLI, 'check-receiver', '--help'], { cwd: ROOT, encoding: 'utf8', env: childEnv() });
  if (help.status !== 0)
    return { available: false, reason: 'inklink-mock check-receiver does not exist in this build' };
  const secret = newSecret();
  const port = await freePort();
  const receiver = start(
    'verifying receiver',
    NODE,
    [path.join(ROOT, 'bench/servers/verifying-receiver.cjs'), '--port', String(port)],
    {
      cwd: ROOT,
      env: childEnv({ BENCH_WEBHOOK_SECRET: secret }),
    },
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-bench-check-receiver-'));
  try {
    await waitReady(receiver, `http://127.0.0.1:${port}/health`);
    const json = path.join(dir, 'report.json');
    const args = [
      CLI,
      'check-receiver',
      '--url',
      `http://127.0.0.1:${port}/webhooks`,
      '--drill',
      '--update-secret-url',
      `http://127.0.0.1:${port}/secret`,
      '--report',
      `json:${json}`,
    ];
    const env = childEnv({ INKLINK_WEBHOOK_SECRET: secret, INKLINK_OLD_WEBHOOK_SECRET: newSecret() });
    const t0 = performance.now();
    const r = spawnSync(NODE, args, { cwd: ROOT, encoding: 'utf8', env, timeout: 60_000 });
    const seconds = (performance.now() - t0) / 1000;
    const report = fs.existsSync(json) ? JSON.parse(fs.readFileSync(json, 'utf8')) : undefined;
    log(`  check-receiver: exit ${r.status} in ${seconds.toFixed(2)} s`);
    return {
      available: true,
      exitCode: r.status,
      seconds,
      checks: report?.counts,
      deliveries: report?.exchanges.length,
      runSeconds: report && report.durationMs / 1000,
      latency: report?.latency,
      drillWindowMs: report?.drill?.windowMs,
      outputTail: `${r.stdout}\n${r.stderr}`
        .trim()
        .split('\n')
        .slice(-6)
        .join('\n')
        .replace(/whsec_\S+/g, 'whsec_…'),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await stop(receiver);
  }
}

function report(c) {
  if (!c.available) return [`check-receiver: not available (${c.reason})`];
  const counts = c.checks ? `${c.checks.pass} passed, ${c.checks.fail} failed, ${c.checks.skip} skipped` : 'no report';
  return [
    `check-receiver: exit ${c.exitCode} in ${c.seconds.toFixed(2)} s (process), the run itself ` +
      `${c.runSeconds?.toFixed(2) ?? '?'} s: ${counts}, ${c.deliveries ?? '?'} deliveries, latency median ` +
      `${c.latency?.medianMs ?? '?'} ms, max ${c.latency?.maxMs ?? '?'} ms; drill window ` +
      `${c.drillWindowMs ?? '?'} ms`,
  ];
}

function targets(r) {
  const c = r.checkReceiver;
  if (c?.available) return [target(NAME, WANT, c.seconds, c.exitCode === 0 && c.seconds <= 3)];
  return [{ name: NAME, target: WANT, value: undefined, pass: null, note: c?.reason ?? 'skipped' }];
}

export default { name: 'check-receiver', key: 'checkReceiver', run, report, targets };
