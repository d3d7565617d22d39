/**
 * memory: RSS of the mock over many requests (rotations, refused keys and events that fill the
 * delivery journal), sampled as it runs; bounded when the second half adds little.
 */
import { performance } from 'node:perf_hooks';
import { closedLoop } from '../lib/load.mjs';
import { memory, request, stop } from '../lib/procs.mjs';
import { mib, target } from '../lib/report.mjs';
import { startReadyMock, startReceiver, UNKNOWN_KEY } from '../lib/servers.mjs';

async function run({ options: o, identity, log }) {
  log(`memory (${o.memoryRequests} requests${o.quick ? ', quick run: fewer than the 1,000,000 of a full run' : ''}):`);
  const receiver = await startReceiver();
  const journalLimit = 1000;
  let mock;
  try {
    const started = await startReadyMock(['--webhook-url', receiver.hookUrl, '--journal-limit', String(journalLimit)]);
    mock = started.proc;
    const base = started.base;
    const rotatePath = `/webhook/endpoints/${identity.endpointId}/rotate-secret`;
    // One cycle of 100 requests: 1 event (3 deliveries), 74 rotations, 25 refused keys.
    const requests = [
      {
        method: 'POST',
        path: '/__mock/events',
        headers: { 'content-type': 'application/json' },
        body: '{"type":"kyc.result.approved"}',
      },
    ];
    for (let i = 0; i < 74; i++)
      requests.push({ method: 'POST', path: rotatePath, headers: { 'api-key': identity.ownerKey } });
    for (let i = 0; i < 25; i++)
      requests.push({ method: 'POST', path: rotatePath, headers: { 'api-key': UNKNOWN_KEY } });

    const warm = o.quick ? 5000 : Math.max(10_000, Math.round(o.memoryRequests * 0.05));
    await closedLoop({ url: base, requests, connections: o.connections, amount: warm, record: false });
    await new Promise((r) => setTimeout(r, 500));
    const startRss = memory(mock.pid).rss;
    const samples = [{ requests: 0, rss: startRss }];
    let done = 0;
    const every = Math.max(1000, Math.round(o.memoryRequests / 40));
    const t0 = performance.now();
    const loadRun = await closedLoop({
      url: base,
      requests,
      connections: o.connections,
      amount: o.memoryRequests,
      record: false,
      onResponse: () => {
        if (++done % every === 0) samples.push({ requests: done, rss: memory(mock.pid).rss });
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 1000));
    const end = memory(mock.pid);
    samples.push({ requests: done, rss: end.rss });
    const mid = samples.reduce(
      (best, s) => (Math.abs(s.requests - done / 2) < Math.abs(best.requests - done / 2) ? s : best),
      samples[0],
    );
    const journal = JSON.parse((await request(`${base}/__mock/deliveries?limit=${journalLimit}`)).body).deliveries
      .length;
    const delivered = (await receiver.count()).count;
    const growth = end.rss - startRss;
    const secondHalfGrowth = end.rss - mid.rss;
    // Bounded: the second half adds no more than 8 MiB or 5% (a leak keeps growing linearly).
    const bounded = secondHalfGrowth <= Math.max(8 * 2 ** 20, 0.05 * mid.rss) && journal <= journalLimit;
    log(
      `  ${done} requests in ${seconds.toFixed(1)} s: RSS ${mib(startRss)} -> ${mib(mid.rss)} (half) -> ` +
        `${mib(end.rss)} MiB, peak ${mib(end.hwm)} MiB; journal ${journal}/${journalLimit}; ${delivered} ` +
        `deliveries received`,
    );
    return {
      requests: done,
      quick: o.quick,
      seconds,
      statuses: loadRun.statuses,
      rssStartBytes: startRss,
      rssMidBytes: mid.rss,
      rssEndBytes: end.rss,
      peakRssBytes: end.hwm,
      growthBytes: growth,
      secondHalfGrowthBytes: secondHalfGrowth,
      journalEntries: journal,
      journalLimit,
      deliveriesReceived: delivered,
      bounded,
      samples: samples.map((s) => ({ requests: s.requests, rssMiB: Number(mib(s.rss)) })),
    };
  } finally {
    if (mock) await stop(mock);
    await stop(receiver.proc);
  }
}

function report(x) {
  return [
    `memory: ${x.requests.toLocaleString('en-US')} ` +
      `requests${x.quick ? ' (quick run; a full run sends 1,000,000)' : ''} of rotate/401/events: RSS ` +
      `${mib(x.rssStartBytes)} -> ${mib(x.rssMidBytes)} -> ${mib(x.rssEndBytes)} MiB (start, half, end), peak ` +
      `${mib(x.peakRssBytes)} MiB; journal ${x.journalEntries}/${x.journalLimit}`,
  ];
}

function targets(r) {
  const mem = r.memory;
  return [
    target(
      `RSS bounded over ${mem ? mem.requests.toLocaleString('en-US') : '1,000,000'} ` +
        `requests${mem?.quick ? ' (quick)' : ''}`,
      'bounded',
      mem ? mem.secondHalfGrowthBytes : undefined,
      mem?.bounded === true,
    ),
  ];
}

export default { name: 'memory', key: 'memory', run, report, targets };
