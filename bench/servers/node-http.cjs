/**
 * The platform ceiling: a bare node:http server doing the same minimal work as the Express
 * ceiling (api-key in a Map, `whsec_` + base64 of 32 random bytes, x-request-id, 401 envelope).
 *
 *   node bench/servers/node-http.cjs --port P   (BENCH_API_KEY, BENCH_ENDPOINT_ID, BENCH_ORG_ID)
 */
const http = require('node:http');
const { randomBytes, randomUUID } = require('node:crypto');
const { port, keys, endpoints } = require('./common.cjs');

const ROTATE = /^\/webhook\/endpoints\/([^/?]+)\/rotate-secret(?:\?.*)?$/;

function send(res, status, requestId, payload) {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
  });
  res.end(body);
}

http
  .createServer((req, res) => {
    const requestId = randomUUID();
    const m = req.method === 'POST' ? ROTATE.exec(req.url) : null;
    if (!m)
      return send(res, 404, requestId, {
        error: { code: 'NOT_FOUND', message: 'No such route.', details: [], requestId },
      });
    const key = keys.get(req.headers['api-key']);
    if (!key)
      return send(res, 401, requestId, {
        error: { code: 'UNAUTHORIZED', message: 'Missing or invalid api-key header.', details: [], requestId },
      });
    const endpoint = endpoints.get(m[1]);
    if (!endpoint || endpoint.organizationId !== key.organizationId) {
      return send(res, 500, requestId, {
        error: { code: 'INTERNAL_ERROR', message: 'Webhook endpoint not found.', details: [], requestId },
      });
    }
    send(res, 200, requestId, { secret: 'whsec_' + randomBytes(32).toString('base64') });
  })
  .listen(port, '127.0.0.1', () => process.stdout.write(`node:http ceiling listening on ${port}\n`));
process.on('SIGTERM', () => process.exit(0));
