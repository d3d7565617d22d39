/** verify: `inklink-mock verify` against a fresh mock (short retry schedule), timed. */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { freePort, stop } from '../lib/procs.mjs';
import { target } from '../lib/report.mjs';
import { childEnv, CLI, NODE, ROOT, startReadyMock } from '../lib/servers.mjs';

/** Runs verify when the build has the command (it adapts to the flags its --help lists). */
async function run({ identity, log }) {
  log('verify:');
  const help = spawnSync(NODE, [CLI, 'verify', '--help'], { cwd: ROOT, encoding: 'utf8', env: childEnv() });
  const text = `${help.stdout}${help.stderr}`;
  if (help.status !== 0 || !text.includes('--base-url')) {
    return { available: false, reason: 'inklink-mock verify does not exist in this build' };
  }
  const { proc: mock, base } = await startReadyMock(['--retry-schedule', '0,100ms,250ms', '--delivery-timeout', '2s']);
  try {
    const args = [CLI, 'verify', '--base-url', base];
    const flag = (name, value) => {
      if (text.includes(name)) args.push(name, value);
    };
    flag('--admin-key', identity.adminKey);
    flag('--member-key', identity.memberKey);
    flag('--owner-key', identity.ownerKey);
    flag('--other-org-key', identity.otherOrgKey);
    flag('--trigger', 'mock');
    if (text.includes('--receiver-host')) args.push('--receiver-host', '127.0.0.1');
    if (text.includes('--receiver-port')) args.push('--receiver-port', String(await freePort()));
    const t0 = performance.now();
    const r = spawnSync(NODE, args, { cwd: ROOT, encoding: 'utf8', env: childEnv(), timeout: 60_000 });
    const seconds = (performance.now() - t0) / 1000;
    const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-12).join('\n');
    log(`  verify: exit ${r.status} in ${seconds.toFixed(2)} s`);
    return {
      available: true,
      exitCode: r.status,
      seconds,
      args: args.slice(2).map((a) => (/^secret_live_/.test(a) ? 'secret_live_…' : a)),
      outputTail: tail.replace(/secret_live_\S+/g, 'secret_live_…').replace(/whsec_\S+/g, 'whsec_…'),
    };
  } finally {
    await stop(mock);
  }
}

function report(v) {
  return [`verify: ${v.available ? `exit ${v.exitCode} in ${v.seconds.toFixed(2)} s` : `not available (${v.reason})`}`];
}

function targets(r) {
  if (r.verify?.available)
    return [
      target(
        'verify against the mock',
        '<= 3 s, exit 0',
        r.verify.seconds,
        r.verify.exitCode === 0 && r.verify.seconds <= 3,
      ),
    ];
  return [
    {
      name: 'verify against the mock',
      target: '<= 3 s, exit 0',
      value: undefined,
      pass: null,
      note: r.verify?.reason ?? 'skipped',
    },
  ];
}

export default { name: 'verify', key: 'verify', run, report, targets };
