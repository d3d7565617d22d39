/**
 * Cost of validating the rotate response with the compiled spec, in ns per call:
 * - `validateResponse`: the library call (`getValidator().validateResponse(...)`: status, the
 *   x-request-id header, content type and body), what self-check and the verifier run;
 * - `compiled body validator`: the raw ajv function for the 200 body alone.
 * Run in its own process so the benchmark's load generator does not disturb the JIT.
 *
 *   node bench/validator.mjs [--iterations N] [--json]
 */
import { createRequire } from 'node:module';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { getValidator } = require(path.join(root, 'dist/core/validator.js'));

const args = process.argv.slice(2);
const itIdx = args.indexOf('--iterations');
const iterations = itIdx >= 0 ? Number(args[itIdx + 1]) : 1_000_000;
const asJson = args.includes('--json');

const validator = getValidator();
const op = validator.spec.operation('rotateWebhookEndpointSecret');
const media = validator.spec.responseFor(op, 200).contentTypes[0];
const raw = validator.spec.responseBodyValidator(op, '200', media);

// A few distinct, valid responses, so nothing is constant-folded.
const responses = Array.from({ length: 16 }, () => ({
  operationId: 'rotateWebhookEndpointSecret',
  status: 200,
  headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': randomUUID() },
  body: { secret: 'whsec_' + randomBytes(32).toString('base64') },
}));

function time(name, fn) {
  // Warm up (and check) before timing.
  for (let i = 0; i < Math.min(iterations, 100_000); i++) {
    if (!fn(responses[i & 15])) throw new Error(`${name}: a valid rotate response was rejected`);
  }
  let bad = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) if (!fn(responses[i & 15])) bad++;
  const ns = Number(process.hrtime.bigint() - start) / iterations;
  if (bad) throw new Error(`${name}: ${bad} valid responses rejected`);
  return ns;
}

const result = {
  iterations,
  validateResponseNs: time('validateResponse', (r) => validator.validateResponse(r).length === 0),
  compiledBodyNs: time('compiled body validator', (r) => raw(r.body) === true),
};

if (asJson) process.stdout.write(JSON.stringify(result) + '\n');
else {
  console.log(`validateResponse (rotate, 200): ${result.validateResponseNs.toFixed(0)} ns/op`);
  console.log(`compiled body validator:        ${result.compiledBodyNs.toFixed(0)} ns/op`);
}
