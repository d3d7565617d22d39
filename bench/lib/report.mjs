/** The targets of issue 5, evaluated on a run's results, and the printed report. */

const MiB = 2 ** 20;
const fmt = (x, digits = 0) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : undefined);

/**
 * Each target: what it asks, the measured value, and pass (true/false), or null when the run has
 * no measurement for it (a server or phase skipped, a command not built yet).
 */
export function evaluateTargets(r) {
  const s = r.servers ?? {};
  const mock = s.mock;
  const t = [];
  const add = (name, want, value, pass) => t.push({ name, target: want, value, pass: value === undefined ? null : pass });

  const vsPrism = ratio(mock?.rotate.rps, s.prism?.rotate.rps);
  add('rotate throughput vs Prism', '>= 4x', vsPrism, vsPrism >= 4);
  const vsExpress = ratio(mock?.rotate.rps, s.express?.rotate.rps);
  add('rotate throughput vs bare Express', '>= 90%', vsExpress, vsExpress >= 0.9);
  const p99 = mock?.fixedRate.p99Ms;
  add(`p99 at ${mock?.fixedRate.rate ?? 1000} req/s`, '<= 3 ms', p99, p99 <= 3);
  const startup = ratio(mock?.startupMs, s.prism?.startupMs);
  add('start-up vs Prism', '<= 15%', startup, startup <= 0.15);
  const mem = r.memory;
  add(
    `RSS bounded over ${mem ? mem.requests.toLocaleString('en-US') : '1,000,000'} requests${mem?.quick ? ' (quick)' : ''}`,
    'bounded',
    mem ? mem.secondHalfGrowthBytes : undefined,
    mem?.bounded === true,
  );
  const dl = r.deliveries?.ratio;
  add('delivery rate vs undici loop', '>= 50%', dl, dl >= 0.5);
  const v = r.validator?.validateResponseNs;
  add('rotate response validation', '<= 1 us', v, v <= 1000);
  if (r.verify?.available) add('verify against the mock', '<= 3 s, exit 0', r.verify.seconds, r.verify.exitCode === 0 && r.verify.seconds <= 3);
  else t.push({ name: 'verify against the mock', target: '<= 3 s, exit 0', value: undefined, pass: null, note: r.verify?.reason ?? 'skipped' });
  return t;
}

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows
    .map((r, ri) =>
      r
        .map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i])))
        .join('  ')
        .concat(ri === 0 ? '\n' + widths.map((w) => '-'.repeat(w)).join('  ') : ''),
    )
    .join('\n');
}

function describeValue(t) {
  if (t.value === undefined) return t.note ?? 'not measured';
  if (t.target.includes(' s,')) return `${t.value.toFixed(2)} s`;
  if (/\dx$/.test(t.target)) return `${t.value.toFixed(2)}x`;
  if (t.target.includes('%')) return `${(t.value * 100).toFixed(1)}%`;
  if (t.target.includes('ms')) return `${t.value.toFixed(2)} ms`;
  if (t.target.includes('us')) return `${t.value.toFixed(0)} ns`;
  if (t.target === 'bounded') return `${t.value >= 0 ? '+' : ''}${(t.value / MiB).toFixed(1)} MiB in the second half`;
  if (t.target.includes(' s')) return `${t.value.toFixed(2)} s`;
  return String(t.value);
}

export function formatReport(r) {
  const out = [];
  const m = r.machine;
  out.push('', `inklink-mock benchmark (${r.mode}) ${r.date}`);
  out.push(`machine: ${m.cores}x ${m.cpu}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, commit ${m.commit ?? '?'}; load average ${r.loadAverageAtStart.join(' ')} at start, ${r.loadAverageAtEnd.join(' ')} at end`);

  const s = r.servers;
  if (s) {
    const o = r.options;
    out.push('', `Loopback, one server at a time; ${o.connections} connections, ${o.duration} s per path; fixed rate ${o.rate} req/s for ${o.fixedRateDuration} s.`);
    const rows = [['server', 'rotate req/s', 'p50 ms', 'p99 ms', 'cpu us/req', '401 req/s', 'p50 ms', 'p99 ms', `p99 @${o.rate}/s ms`, 'start-up ms', 'peak RSS MiB']];
    for (const v of Object.values(s)) {
      rows.push([
        v.label,
        fmt(v.rotate.rps),
        fmt(v.rotate.p50Ms, 2),
        fmt(v.rotate.p99Ms, 2),
        fmt(v.rotate.cpuUsPerRequest),
        fmt(v.unauthorized.rps),
        fmt(v.unauthorized.p50Ms, 2),
        fmt(v.unauthorized.p99Ms, 2),
        fmt(v.fixedRate.p99Ms, 2),
        fmt(v.startupMs),
        fmt(v.peakRssBytes / MiB, 1),
      ]);
    }
    out.push(table(rows));
    const odd = Object.values(s).flatMap((v) => {
      const notes = [];
      const unexpected = (statuses, want) => Object.entries(statuses).filter(([k]) => Number(k) !== want);
      const u1 = unexpected(v.rotate.statuses, 200);
      const u2 = unexpected(v.unauthorized.statuses, 401);
      if (u1.length) notes.push(`${v.label}: rotate answered ${u1.map(([k, n]) => `${n}x ${k}`).join(', ')}`);
      if (u2.length) notes.push(`${v.label}: the 401 path answered ${u2.map(([k, n]) => `${n}x ${k}`).join(', ')}`);
      if (v.rotate.errors || v.unauthorized.errors || v.fixedRate.errors) notes.push(`${v.label}: ${v.rotate.errors + v.unauthorized.errors + v.fixedRate.errors} connection errors`);
      return notes;
    });
    if (odd.length) out.push('', 'unexpected answers:', ...odd.map((x) => `  ${x}`));
    if (s.mock) {
      const rr = [['inklink-mock vs', 'rotate req/s', '401 req/s', `p99 @${o.rate}/s`, 'start-up', 'peak RSS']];
      for (const [k, v] of Object.entries(s)) {
        if (k === 'mock') continue;
        const x = (a, b, d = 2) => (ratio(a, b) === undefined ? 'n/a' : `${ratio(a, b).toFixed(d)}x`);
        rr.push([v.label, x(s.mock.rotate.rps, v.rotate.rps), x(s.mock.unauthorized.rps, v.unauthorized.rps), x(s.mock.fixedRate.p99Ms, v.fixedRate.p99Ms), x(s.mock.startupMs, v.startupMs), x(s.mock.peakRssBytes, v.peakRssBytes)]);
      }
      out.push('', table(rr));
    }
  }
  if (r.deliveries) {
    const d = r.deliveries;
    out.push('', `deliveries to a local receiver: inklink-mock ${fmt(d.mock.deliveriesPerSecond)}/s (fan-out ${d.mock.fanOut} per emitted event, ${fmt(d.mock.cpuUsPerDelivery)} us CPU each), bare undici loop ${fmt(d.undiciLoop.deliveriesPerSecond)}/s (${d.undiciLoop.concurrency} concurrent): ${fmt(d.ratio * 100, 1)}%`);
  }
  if (r.memory) {
    const x = r.memory;
    out.push(
      `memory: ${x.requests.toLocaleString('en-US')} requests${x.quick ? ' (quick run; a full run sends 1,000,000)' : ''} of rotate/401/events: RSS ${(x.rssStartBytes / MiB).toFixed(1)} -> ${(x.rssMidBytes / MiB).toFixed(1)} -> ${(x.rssEndBytes / MiB).toFixed(1)} MiB (start, half, end), peak ${(x.peakRssBytes / MiB).toFixed(1)} MiB; journal ${x.journalEntries}/${x.journalLimit}`,
    );
  }
  if (r.validator) out.push(`validator: validateResponse(rotate 200) ${fmt(r.validator.validateResponseNs)} ns/op; compiled body validator alone ${fmt(r.validator.compiledBodyNs)} ns/op`);
  if (r.verify) out.push(`verify: ${r.verify.available ? `exit ${r.verify.exitCode} in ${r.verify.seconds.toFixed(2)} s` : `not available (${r.verify.reason})`}`);

  out.push('', 'targets:');
  const rows = [['target', 'wanted', 'measured', 'result']];
  for (const t of r.targets) rows.push([t.name, t.target, describeValue(t), t.pass === null ? 'n/a' : t.pass ? 'PASS' : 'FAIL']);
  out.push(table(rows));
  const held = r.targets.filter((t) => t.pass === true).length;
  const failed = r.targets.filter((t) => t.pass === false).length;
  out.push('', `${held} targets hold, ${failed} fail, ${r.targets.length - held - failed} not measured`);
  return out.join('\n') + '\n';
}
