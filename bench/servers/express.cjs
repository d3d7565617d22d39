/**
 * The Express ceiling: a bare Express 5 app doing the least a rotate mock must do. One route
 * (`app.post` with an `:id` parameter) looks the api-key up in a Map (and the endpoint in
 * another), answers 200 {"secret": "whsec_" + base64 of 32 random bytes} with an x-request-id,
 * or 401 in InkLink's envelope. No other middleware, no body parser, no logging; etag and
 * x-powered-by off, as in the mock.
 *
 * By default it writes the answer as cheaply as Express allows (setHeader + end of the JSON), so
 * it is a ceiling an Express mock cannot beat by writing differently. With --res-json it uses the
 * idiomatic `res.status().json()` instead (content-type via mime lookup, res.send's freshness
 * check), which costs more per request.
 *
 * With --native-classes the server builds requests and responses born with the app's prototypes
 * (the technique the mock uses, `expressNativeClasses` in mock/http/native-classes.ts), so Express's
 * per-request setPrototypeOf is a no-op: the like-for-like ceiling for the mock.
 *
 *   node bench/servers/express.cjs --port P [--res-json] [--native-classes]
 *     (BENCH_API_KEY, BENCH_ENDPOINT_ID, BENCH_ORG_ID)
 */
const { randomBytes, randomUUID } = require('node:crypto');
const express = require('express');
const { port, keys, endpoints } = require('./common.cjs');

const app = express();
app.disable('x-powered-by');
app.disable('etag');

const resJson = process.argv.includes('--res-json');

function send(res, status, payload) {
  if (resJson) {
    res.status(status).json(payload);
    return;
  }
  const body = JSON.stringify(payload);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

app.post('/webhook/endpoints/:id/rotate-secret', (req, res) => {
  const requestId = randomUUID();
  res.setHeader('x-request-id', requestId);
  const key = keys.get(req.headers['api-key']);
  if (!key)
    return send(res, 401, {
      error: { code: 'UNAUTHORIZED', message: 'Missing or invalid api-key header.', details: [], requestId },
    });
  const endpoint = endpoints.get(req.params.id);
  if (!endpoint || endpoint.organizationId !== key.organizationId) {
    return send(res, 500, {
      error: { code: 'INTERNAL_ERROR', message: 'Webhook endpoint not found.', details: [], requestId },
    });
  }
  send(res, 200, { secret: 'whsec_' + randomBytes(32).toString('base64') });
});

const listening = () => process.stdout.write(`express ceiling listening on ${port}\n`);
if (process.argv.includes('--native-classes')) {
  const http = require('node:http');
  const path = require('node:path');
  const { expressNativeClasses } = require(path.join(__dirname, '../../dist/mock/http/native-classes.js'));
  http.createServer(expressNativeClasses(app), app).listen(port, '127.0.0.1', listening);
} else {
  app.listen(port, '127.0.0.1', listening);
}
process.on('SIGTERM', () => process.exit(0));
