/**
 * deliveries: the mock's delivery rate to a local receiver, against a bare undici loop POSTing
 * delivery-sized bodies to the same receiver.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { cpuSeconds, request, stop } from '../lib/procs.mjs';
import { fmt, target } from '../lib/report.mjs';
import { startReadyMock, startReceiver } from '../lib/servers.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * `n` loops each calling `once` until stop(); stop() resolves, once every loop has ended, with
 * the first error a loop met (which also ended them all), or undefined.
 */
function loops(n, once) {
  let running = true;
  let error;
  const all = Array.from({ length: n }, async () => {
    try {
      while (running) await once();
    } catch (e) {
      error ??= e;
      running = false;
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(all);
      return error;
    },
  };
}

/**
 * After half a second of ramp-up, what the receiver gets in `seconds`: deliveries per second,
 * the counts at both ends and the CPU seconds `pid` (if any) used meanwhile.
 */
async function receivedRate(receiver, seconds, pid) {
  await sleep(500);
  const first = await receiver.count();
  const t0 = performance.now();
  const cpu0 = pid === undefined ? undefined : cpuSeconds(pid);
  await sleep(seconds * 1000);
  const last = await receiver.count();
  const cpu1 = pid === undefined ? undefined : cpuSeconds(pid);
  const rate = (last.count - first.count) / ((performance.now() - t0) / 1000);
  return { rate, first, last, cpu: cpu0 !== undefined ? cpu1 - cpu0 : undefined };
}

/**
 * The bare undici loop: as many concurrent POSTs as the mock's delivery agent allows sockets
 * (64), each a signed-delivery-sized body with the same headers, no signing work.
 */
async function undiciLoop(receiver, o, log) {
  const concurrency = 64;
  const body = JSON.stringify({
    type: 'kyc.result.approved',
    timestamp: new Date().toISOString(),
    data: { inquiry_id: 'kyc_iq_AAAAAAAAAAAAAAAA', subject_id: 'user_AAAAAAAA' },
  });
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'InkLink-Webhooks/1.0',
    'webhook-id': 'wh_evt_AAAAAAAAAAAAAAAAAAAAAAAA',
    'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
    'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  };
  const pool = new Pool(`http://127.0.0.1:${receiver.port}`, { connections: concurrency });
  const senders = loops(concurrency, async () => {
    const res = await pool.request({ path: '/webhooks', method: 'POST', headers, body });
    await res.body.dump();
  });
  const { rate } = await receivedRate(receiver, o.deliveryDuration);
  const error = await senders.stop();
  await pool.close();
  if (error) throw new Error(`the undici loop failed: ${error.message}`);
  log(`  undici loop (${concurrency} concurrent): ${rate.toFixed(0)} deliveries/s`);
  return { concurrency, deliveriesPerSecond: rate };
}

/**
 * The mock: events emitted through the control API; each fans out to `fanOut` subscribed
 * endpoints (the 3 seeded ones that take kyc.result.approved, plus endpoints seeded here), so the
 * emitting requests cost little next to the deliveries. Emitters back off while more than
 * `window` deliveries are outstanding, below the mock's pending limit.
 */
async function mockDeliveries(receiver, identity, o, log) {
  const { proc: mock, base } = await startReadyMock(['--webhook-url', receiver.hookUrl]);
  try {
    const fanOut = 10;
    for (let i = 3; i < fanOut; i++) {
      const r = await request(`${base}/__mock/endpoints`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          organization_id: identity.orgId,
          url: receiver.hookUrl,
          event_types: ['kyc.result.approved'],
        }),
      });
      if (r.status !== 201) throw new Error(`seeding an endpoint answered ${r.status}: ${r.body}`);
    }
    const emitPool = new Pool(base, { connections: 4 });
    const window = 2000;
    let emitted = 0;
    let skipped = 0;
    let arrived = (await receiver.count()).count;
    const base0 = arrived;
    const poller = setInterval(async () => {
      try {
        arrived = (await receiver.count()).count;
      } catch {
        /* the next poll will do */
      }
    }, 20);
    const emitters = loops(2, async () => {
      if (emitted - (arrived - base0) > window) return sleep(2);
      const res = await emitPool.request({
        path: '/__mock/events',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"type":"kyc.result.approved"}',
      });
      const text = await res.body.text();
      if (res.statusCode !== 202) throw new Error(`emit answered ${res.statusCode}: ${text}`);
      const j = JSON.parse(text);
      emitted += j.deliveries.length;
      skipped += j.skipped.length;
    });
    const { rate, first, last, cpu } = await receivedRate(receiver, o.deliveryDuration, mock.pid);
    const error = await emitters.stop();
    clearInterval(poller);
    await emitPool.close();
    if (error) throw new Error(`emitting events failed: ${error.message}`);
    // The newest deliveries in the journal: succeeded, or still in flight; none failed.
    const journal = JSON.parse((await request(`${base}/__mock/deliveries?limit=50`)).body).deliveries;
    const states = {};
    for (const d of journal) states[d.state] = (states[d.state] ?? 0) + 1;
    const succeeded = states.succeeded ?? 0;
    log(
      `  inklink-mock (fan-out ${fanOut}): ${rate.toFixed(0)} deliveries/s; ${skipped} skipped; newest 50 in ` +
        `the journal: ${JSON.stringify(states)}`,
    );
    return {
      fanOut,
      deliveriesPerSecond: rate,
      signedShare: last.count ? last.signed / last.count : 0,
      skipped,
      journalSample: { succeeded, total: journal.length, states },
      cpuUsPerDelivery: cpu !== undefined ? (cpu * 1e6) / (last.count - first.count) : undefined,
    };
  } finally {
    await stop(mock);
  }
}

async function run({ options: o, identity, log }) {
  log('deliveries:');
  const receiver = await startReceiver();
  try {
    const undici = await undiciLoop(receiver, o, log);
    const mock = await mockDeliveries(receiver, identity, o, log);
    return { undiciLoop: undici, mock, ratio: mock.deliveriesPerSecond / undici.deliveriesPerSecond };
  } finally {
    await stop(receiver.proc);
  }
}

function report(d) {
  return [
    '',
    `deliveries to a local receiver: inklink-mock ${fmt(d.mock.deliveriesPerSecond)}/s (fan-out ` +
      `${d.mock.fanOut} per emitted event, ${fmt(d.mock.cpuUsPerDelivery)} us CPU each), bare undici loop ` +
      `${fmt(d.undiciLoop.deliveriesPerSecond)}/s (${d.undiciLoop.concurrency} concurrent): ` +
      `${fmt(d.ratio * 100, 1)}%`,
  ];
}

function targets(r) {
  const dl = r.deliveries?.ratio;
  return [target('delivery rate vs undici loop', '>= 50%', dl, dl >= 0.5)];
}

export default { name: 'deliveries', key: 'deliveries', run, report, targets };
