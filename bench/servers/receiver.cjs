/**
 * A webhook receiver that counts: every POST is read to its end and answered 204; GET /count
 * answers {"count": N, "bytes": B, "signed": S} (S: arrivals carrying a webhook-signature header).
 *
 *   node bench/servers/receiver.cjs --port P
 */
const http = require('node:http');
const i = process.argv.indexOf('--port');
const port = i > 0 ? Number(process.argv[i + 1]) : 0;

let count = 0;
let bytes = 0;
let signed = 0;
http
  .createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    if (req.method === 'GET' && req.url === '/count') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ count, bytes, signed }));
      return;
    }
    req.on('data', (d) => (bytes += d.length));
    req.on('end', () => {
      count++;
      if (req.headers['webhook-signature']) signed++;
      res.writeHead(204);
      res.end();
    });
  })
  .listen(port, '127.0.0.1', () => process.stdout.write(`receiver listening on ${port}\n`));
process.on('SIGTERM', () => process.exit(0));
