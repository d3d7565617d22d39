/**
 * A correct webhook receiver, the way a client team writes one: verifies with the standardwebhooks
 * package over the raw body, drops duplicates (200), ignores unknown event types (204), answers
 * 401 to anything that does not verify. POST /secret {"secret"} gives it a new secret; GET /health
 * answers 200. Its first secret comes from the environment.
 *
 *   BENCH_WEBHOOK_SECRET=whsec_… node bench/servers/verifying-receiver.cjs --port P
 */
const http = require('node:http');
const { Webhook } = require('standardwebhooks');

const i = process.argv.indexOf('--port');
const port = i > 0 ? Number(process.argv[i + 1]) : 0;
const KNOWN = new Set([
  'kyc.result.pending',
  'kyc.result.manual_review',
  'kyc.result.approved',
  'kyc.result.rejected',
  'kyc.result.failed',
  'web.result.pending',
  'web.result.manual_review',
  'web.result.approved',
  'web.result.rejected',
  'web.result.failed',
]);

let webhook = new Webhook(process.env.BENCH_WEBHOOK_SECRET);
const seen = new Set();

http
  .createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.method === 'GET' && req.url === '/health') return res.writeHead(200).end('ok');
      if (req.method === 'POST' && req.url === '/secret') {
        webhook = new Webhook(JSON.parse(body).secret);
        return res.writeHead(204).end();
      }
      let event;
      try {
        event = webhook.verify(body, req.headers);
      } catch {
        return res.writeHead(401).end();
      }
      const id = req.headers['webhook-id'];
      if (!KNOWN.has(event.type)) return res.writeHead(204).end();
      if (seen.has(id)) return res.writeHead(200).end();
      seen.add(id);
      res.writeHead(204).end();
    });
  })
  .listen(port, '127.0.0.1', () => process.stdout.write(`receiver listening on ${port}\n`));
process.on('SIGTERM', () => process.exit(0));
