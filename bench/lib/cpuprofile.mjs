/** Summaries of V8 .cpuprofile files: self time by package and function, inclusive time. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Self and inclusive milliseconds per function and self milliseconds per package. */
export function summarise(profile, { top: n = 30, root = ROOT, from = -Infinity, to = Infinity } = {}) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  // Sample timestamps are CLOCK_MONOTONIC microseconds, like process.hrtime() in this process,
  // so a window measured here selects the samples taken under load.
  const selfSamples = new Map();
  let t = profile.startTime;
  let first = Infinity;
  let last = -Infinity;
  let samples = 0;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i];
    if (t < from || t > to) return;
    first = Math.min(first, t);
    last = Math.max(last, t);
    samples++;
    selfSamples.set(id, (selfSamples.get(id) ?? 0) + 1);
  });
  const total = last - first; // microseconds
  const usPerSample = total / samples;
  const parent = new Map();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);

  const label = (cf) => {
    let url = cf.url || '';
    url = url.replace(`file://${root}/`, '').replace(`${root}/`, '');
    const where = url ? `${url}:${cf.lineNumber + 1}` : '';
    return `${cf.functionName || '(anonymous)'} ${where}`.trim();
  };
  const group = (cf) => {
    const url = (cf.url || '').replace(`file://${root}/`, '').replace(`${root}/`, '');
    if (!url) return cf.functionName.startsWith('(') ? cf.functionName : '(native)';
    const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (nm) return nm[1];
    if (url.startsWith('node:')) return 'node core';
    if (url.startsWith('dist/'))
      return url
        .replace(/^dist\//, '')
        .split('/')
        .slice(0, 2)
        .join('/');
    return url;
  };

  const selfByFn = new Map();
  const selfByGroup = new Map();
  const inclusiveByFn = new Map();
  for (const [id, count] of selfSamples) {
    const node = byId.get(id);
    const l = label(node.callFrame);
    selfByFn.set(l, (selfByFn.get(l) ?? 0) + count);
    const g = group(node.callFrame);
    selfByGroup.set(g, (selfByGroup.get(g) ?? 0) + count);
    // Inclusive: each function on the stack once per sample.
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const fl = label(byId.get(cur).callFrame);
      if (seen.has(fl)) continue;
      seen.add(fl);
      inclusiveByFn.set(fl, (inclusiveByFn.get(fl) ?? 0) + count);
    }
  }
  const idle = [...selfByFn].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0);
  const busy = samples - idle;
  const rows = (m, k) =>
    [...m]
      .filter(([name]) => !name.startsWith('(idle)') && !name.startsWith('(root)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, c]) => ({ name, ms: (c * usPerSample) / 1000, pctOfBusy: (100 * c) / busy }));
  return {
    totalMs: total / 1000,
    busyMs: (busy * usPerSample) / 1000,
    samples,
    self: rows(selfByFn, n),
    packages: rows(selfByGroup, 25),
    inclusive: rows(inclusiveByFn, n * 2),
  };
}

export function print(summary, title, requests) {
  const perReq = (ms) => (requests ? `${((ms * 1000) / requests).toFixed(1).padStart(7)} us/req` : '');
  const lines = [
    `\n== ${title}: ${summary.busyMs.toFixed(0)} ms busy ` +
      `of ${summary.totalMs.toFixed(0)} ms${requests ? `, ${requests} requests` : ''}`,
  ];
  lines.push('\n-- self time by package / area');
  for (const r of summary.packages)
    lines.push(`${r.pctOfBusy.toFixed(1).padStart(6)}%  ${r.ms.toFixed(0).padStart(7)} ms ${perReq(r.ms)}  ${r.name}`);
  lines.push('\n-- self time by function');
  for (const r of summary.self)
    lines.push(`${r.pctOfBusy.toFixed(1).padStart(6)}%  ${r.ms.toFixed(0).padStart(7)} ms ${perReq(r.ms)}  ${r.name}`);
  lines.push('\n-- inclusive time by function');
  for (const r of summary.inclusive)
    lines.push(`${r.pctOfBusy.toFixed(1).padStart(6)}%  ${r.ms.toFixed(0).padStart(7)} ms ${perReq(r.ms)}  ${r.name}`);
  return lines.join('\n') + '\n';
}
