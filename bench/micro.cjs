const { performance } = require('node:perf_hooks');
const t = (name, n, fn) => {
  for (let i = 0; i < Math.min(n, 20000); i++) fn(i);
  const s = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  console.log(name.padEnd(50), (Number(process.hrtime.bigint() - s) / n).toFixed(0), 'ns/op');
};
const D = require('node:path').join(__dirname, '../dist/');
let s = performance.now();
const Ajv = require('ajv').default;
const addFormats = require('ajv-formats').default;
console.log('require ajv+formats', (performance.now() - s).toFixed(1), 'ms');
const { definitionsSchema } = require(D + 'core/oas-schema.js');
const doc = require(D + 'openapi.json');
const ctl = require(D + 'mock/control-api.json');
for (const vs of [true, false, true, false]) {
  s = performance.now();
  const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: vs });
  addFormats(ajv);
  for (const d of ['request', 'response']) ajv.addSchema(definitionsSchema(doc.components.schemas, d));
  console.log('Ajv + addSchema x2, validateSchema', vs, (performance.now() - s).toFixed(1), 'ms');
}
s = performance.now();
const { getSpec, compileSpec } = require(D + 'core/spec.js');
const spec = getSpec();
console.log('require spec + getSpec()', (performance.now() - s).toFixed(1), 'ms');
s = performance.now();
const cs = compileSpec(ctl);
console.log('compileSpec(control)', (performance.now() - s).toFixed(1), 'ms');
const p = '/webhook/endpoints/wh_end_TB06F09yGEdIekKEQEz5mgfY/rotate-secret';
t('control findOperation (miss)', 500000, () => cs.findOperation('POST', p));
t('public findOperation (hit)', 500000, () => spec.findOperation('POST', p));
const { hashApiKey } = require(D + 'mock/domain/ids.js');
t('hashApiKey (sha256 hex)', 300000, () => hashApiKey('secret_live_B8imsMcvA2Ba4WXOi6Gr7u2UgFjwxbYM'));
const { generateSecret } = require(D + 'core/webhooks.js');
t('generateSecret (randomBytes 32 + base64)', 300000, () => generateSecret());
const crypto = require('node:crypto');
const pool = Buffer.alloc(32 * 256);
let off = pool.length;
t('secret from a 8 KiB randomFillSync pool', 300000, () => {
  if (off === pool.length) {
    crypto.randomFillSync(pool);
    off = 0;
  }
  const b = pool.toString('base64', off, off + 32);
  off += 32;
  return 'whsec_' + b;
});
t('randomUUID', 300000, () => crypto.randomUUID());
t('new Date().toISOString()', 300000, () => new Date().toISOString());
t('JSON.stringify({secret})', 300000, () =>
  JSON.stringify({ secret: 'whsec_rQSDOaUssGPvI1cd7OBCqNGOhz0X5eaiVlm55ePHpBU=' }),
);
const { getValidator } = require(D + 'core/validator.js');
const v = getValidator();
const r = {
  operationId: 'rotateWebhookEndpointSecret',
  status: 200,
  headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': crypto.randomUUID() },
  body: { secret: 'whsec_rQSDOaUssGPvI1cd7OBCqNGOhz0X5eaiVlm55ePHpBU=' },
};
t('validateResponse rotate 200', 200000, () => v.validateResponse(r));
const op = spec.operation('rotateWebhookEndpointSecret');
const decl = spec.responseFor(op, 200);
t('  spec.responseFor', 500000, () => spec.responseFor(op, 200));
t('  Object.entries(declared.headers)', 500000, () => Object.entries(decl.headers));
const hv = spec.valueValidator(
  'rotateWebhookEndpointSecret|200|header|x-request-id',
  decl.headers['x-request-id'].schema,
  'response',
);
t('  header validator (uuid format)', 500000, () => hv(r.headers['x-request-id']));
const { matchContentType } = require(D + 'core/media-type.js');
t('  matchContentType', 500000, () => matchContentType(r.headers['content-type'], decl.contentTypes));
t('  responseBodyValidator lookup (string key build)', 500000, () =>
  spec.responseBodyValidator(op, '200', 'application/json'),
);
t('  validateValue key template', 500000, () => `rotateWebhookEndpointSecret|${decl.status}|header|x-request-id`);
