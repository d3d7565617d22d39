/**
 * Dashboards for the benchmark: N clients of the mock's live stream (GET /__mock/stream), in a
 * process of their own so that reading them costs the load generator nothing. Each reads what it
 * is sent, as a browser tab would, and throws it away. Driven by signals, answering on stdout:
 *
 *   SIGUSR1  opens the N streams; prints "open N" once all answer 200
 *   SIGUSR2  closes them; prints "closed {"bytes", "events", "gaps", "dropped"}" (JSON)
 *
 *   node bench/servers/dashboards.cjs --url http://127.0.0.1:PORT --clients 5
 */
const http = require('node:http');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const url = `${arg('url')}/__mock/stream`;
const clients = Number(arg('clients', '5'));
const agent = new http.Agent({ keepAlive: false, maxSockets: clients + 1 });

let open = [];

function openOne() {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
      const client = { req, bytes: 0, events: 0, gaps: 0, closedEarly: false };
      res.on('data', (chunk) => {
        client.bytes += chunk.length;
        // Every frame has one "event:" line; nothing is parsed.
        for (let i = chunk.indexOf('\nevent: '); i >= 0; i = chunk.indexOf('\nevent: ', i + 8)) client.events++;
        if (chunk.includes('event: gap')) client.gaps++;
      });
      res.on('close', () => (client.closedEarly = open.includes(client)));
      resolve(client);
    });
    req.on('error', reject);
  });
}

async function command(line) {
  try {
    if (line === 'open') {
      open = await Promise.all(Array.from({ length: clients }, openOne));
      process.stdout.write(`open ${open.length}\n`);
    } else if (line === 'close') {
      const closing = open;
      open = [];
      const totals = { bytes: 0, events: 0, gaps: 0, dropped: 0 };
      for (const c of closing) {
        totals.bytes += c.bytes;
        totals.events += c.events;
        totals.gaps += c.gaps;
        if (c.closedEarly) totals.dropped++;
        c.req.destroy();
      }
      process.stdout.write(`closed ${JSON.stringify(totals)}\n`);
    }
  } catch (e) {
    process.stdout.write(`error ${e.message}\n`);
  }
}
process.on('SIGUSR1', () => void command('open'));
process.on('SIGUSR2', () => void command('close'));
process.on('SIGTERM', () => process.exit(0));
// Signal handlers keep nothing alive: this timer does, until SIGTERM.
setInterval(() => {}, 60_000);
process.stdout.write('ready\n');
