/** validator: ns per validateResponse of the rotate 200 answer, and of the compiled body alone. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fmt, target } from '../lib/report.mjs';
import { NODE, ROOT } from '../lib/servers.mjs';

async function run({ options: o, log }) {
  const r = spawnSync(
    NODE,
    [path.join(ROOT, 'bench/validator.mjs'), '--json', '--iterations', String(o.validatorIterations)],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`validator benchmark failed: ${r.stderr}`);
  const result = JSON.parse(r.stdout.trim().split('\n').pop());
  log(
    `validator: validateResponse ${result.validateResponseNs.toFixed(0)} ns/op, compiled body ` +
      `${result.compiledBodyNs.toFixed(0)} ns/op`,
  );
  return result;
}

function report(v) {
  return [
    `validator: validateResponse(rotate 200) ${fmt(v.validateResponseNs)} ns/op; compiled body validator ` +
      `alone ${fmt(v.compiledBodyNs)} ns/op`,
  ];
}

function targets(r) {
  const v = r.validator?.validateResponseNs;
  return [target('rotate response validation', '<= 1 us', v, v <= 1000)];
}

export default { name: 'validator', key: 'validator', run, report, targets };
