/**
 * The printed report: its frame (the machine, each phase's section, the targets table) and the
 * pieces the phases build their sections and targets with.
 */

export const MiB = 2 ** 20;
export const fmt = (x, digits = 0) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
/** Bytes as MiB with one decimal (a string). */
export const mib = (bytes) => (bytes / MiB).toFixed(1);
export const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : undefined);

/**
 * One target: what it asks, the measured value, and pass (true/false), or null when the run has
 * no measurement for it (a server or phase skipped, a command not built yet).
 */
export function target(name, want, value, pass) {
  return { name, target: want, value, pass: value === undefined ? null : pass };
}

/** Rows (the first is the header) as aligned columns: the first left-aligned, the rest right. */
export function table(rows) {
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

/** The report of a run's results: each phase that ran prints its section, in `phases`' order. */
export function formatReport(r, phases) {
  const out = [];
  const m = r.machine;
  out.push('', `inklink-mock benchmark (${r.mode}) ${r.date}`);
  out.push(
    `machine: ${m.cores}x ${m.cpu}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, commit ${m.commit ?? '?'}; ` +
      `load average ${r.loadAverageAtStart.join(' ')} at start, ${r.loadAverageAtEnd.join(' ')} at end`,
  );
  for (const p of phases) if (r[p.key] !== undefined) out.push(...p.report(r[p.key], r));

  out.push('', 'targets:');
  const rows = [['target', 'wanted', 'measured', 'result']];
  for (const t of r.targets)
    rows.push([t.name, t.target, describeValue(t), t.pass === null ? 'n/a' : t.pass ? 'PASS' : 'FAIL']);
  out.push(table(rows));
  const held = r.targets.filter((t) => t.pass === true).length;
  const failed = r.targets.filter((t) => t.pass === false).length;
  out.push('', `${held} targets hold, ${failed} fail, ${r.targets.length - held - failed} not measured`);
  return out.join('\n') + '\n';
}
