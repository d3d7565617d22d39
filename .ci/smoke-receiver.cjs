// The smoke run's webhook receiver (.ci/smoke): the package's own receiveWebhook behind an HTTP
// server, with the secret in INKLINK_WEBHOOK_SECRET; it prints its URL, then serves until killed.
const http = require('node:http');
const { receiveWebhook, WebhookVerificationError } = require('../dist/src/entries/client.js');

const secret = process.env.INKLINK_WEBHOOK_SECRET;
const seen = new Set();
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let status = 204;
    try {
      const event = receiveWebhook(Buffer.concat(chunks), req.headers, secret);
      if (seen.has(event.id)) status = 200;
      seen.add(event.id);
    } catch (e) {
      if (!(e instanceof WebhookVerificationError)) throw e;
      status = e.reason === 'invalid_payload' ? 400 : 401;
    }
    res.writeHead(status).end();
  });
});
server.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${server.address().port}/webhooks`));
