/**
 * A run of named checks, reported the same way by every tool that runs them: a terminal table
 * (PASS, FAIL, SKIP or BLOCKED per check, then each failure with its evidence; the header and the
 * rows can also be printed one by one as results come), JUnit XML for any CI, and JSON. The tool
 * supplies what only it knows: its heading, and the lines that show one piece of evidence (the
 * request, the answer, a line to reproduce it).
 *
 * `verify` (src/verifier/report.ts) and `check-receiver` (src/receiver-check/report.ts) both report
 * through this module.
 */

/**
 * `blocked`: the check could not judge its rule because something it depends on broke first; the
 * report names that cause once, where it failed. In JUnit it is a skipped test case whose message
 * names the cause, so a build goes red once, for the cause.
 */
export type CheckStatus = 'pass' | 'fail' | 'skip' | 'blocked';

export interface CheckEvidence {
  message: string;
}

export interface CheckResultOf<E extends CheckEvidence = CheckEvidence> {
  name: string;
  description: string;
  status: CheckStatus;
  /** One line: why it passed, failed or was skipped. */
  summary: string;
  evidence: E[];
  durationMs: number;
}

export type CheckCounts = Record<CheckStatus, number>;

/** What a check decides; the runner adds its name, description and duration. */
export type CheckOutcome<E extends CheckEvidence = CheckEvidence> = Pick<
  CheckResultOf<E>,
  'status' | 'summary' | 'evidence'
>;

export const passed = <E extends CheckEvidence>(summary: string, evidence: E[] = []): CheckOutcome<E> => ({
  status: 'pass',
  summary,
  evidence,
});
export const skipped = <E extends CheckEvidence>(summary: string): CheckOutcome<E> => ({
  status: 'skip',
  summary,
  evidence: [],
});
/** A failure; its summary is the first piece of evidence unless given. */
export const failed = <E extends CheckEvidence>(evidence: E[], summary?: string): CheckOutcome<E> => ({
  status: 'fail',
  summary: summary ?? evidence[0]?.message ?? 'failed',
  evidence,
});

export interface CheckRun<E extends CheckEvidence> {
  /** The first line of the table, e.g. `inklink-mock verify http://…  (trigger: mock)`. */
  heading: string;
  /** JUnit: the `<testsuites>` name and each test case's class name, e.g. `inklink-mock verify`. */
  tool: string;
  /** JUnit: the `<testsuite>` name, e.g. `verify http://…`. */
  suite: string;
  startedAt: string;
  durationMs: number;
  results: CheckResultOf<E>[];
  counts: CheckCounts;
  /** Lines shown under one piece of evidence in the table (indented by the table). */
  tableLines(evidence: E): string[];
  /** Lines added to one piece of evidence in a JUnit failure. */
  junitLines(evidence: E): string[];
  /** Lines between the failures and the counts (e.g. latencies). */
  footer?: string[];
  /** Whether this tool's checks can be blocked (then the counts name the blocked ones, 0 included). */
  blocking?: boolean;
}

const MARK: Record<CheckStatus, string> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP', blocked: 'BLOCKED' };
const COLOR: Record<CheckStatus, number> = { pass: 32, fail: 31, skip: 33, blocked: 35 };
/** Failures show this much evidence in the table; the JSON report has all of it. */
const TABLE_EVIDENCE = 20;

export function countStatuses(results: { status: CheckStatus }[]): CheckCounts {
  const counts: CheckCounts = { pass: 0, fail: 0, skip: 0, blocked: 0 };
  for (const r of results) counts[r.status]++;
  return counts;
}

/** `3 passed, 1 failed, 0 skipped` (and `, 2 blocked` for a tool whose checks can be blocked). */
export function countsLine(c: CheckCounts, blocking = false): string {
  return `${c.pass} passed, ${c.fail} failed, ${c.skip} skipped${blocking ? `, ${c.blocked} blocked` : ''}`;
}

/** The process exit status of a run: 0 when no check failed, else 1 (2 is for usage errors). */
export function exitStatus(counts: CheckCounts): 0 | 1 {
  return counts.fail === 0 ? 0 : 1;
}

const painter = (color: boolean) => (s: string, code: number) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
/** The RESULT column: as wide as its widest mark (a blocking tool's BLOCKED), so rows line up. */
const markWidth = (blocking: boolean) => (blocking ? MARK.blocked.length : 'RESULT'.length);

/** The table's first lines: the heading and the column heads. `width`: the longest check name. */
export function tableHeader(heading: string, width: number, blocking = false): string {
  return `${heading}\n\n  ${'CHECK'.padEnd(width)}  ${'RESULT'.padEnd(markWidth(blocking))}  SUMMARY\n`;
}

/** One check's row, which a tool may print as soon as the check is done. */
export function tableRow(
  r: { name: string; status: CheckStatus; summary: string },
  width: number,
  color = false,
  blocking = false,
): string {
  const mark = MARK[r.status];
  const padding = ' '.repeat(markWidth(blocking) - mark.length);
  return `  ${r.name.padEnd(width)}  ${painter(color)(mark, COLOR[r.status])}${padding}  ${r.summary}\n`;
}

/** The longest check name of a run (at least as wide as the column head). */
export const nameWidth = (names: string[]) => Math.max(...names.map((n) => n.length), 'CHECK'.length);

export function formatCheckTable<E extends CheckEvidence>(run: CheckRun<E>, color = false): string {
  const width = nameWidth(run.results.map((r) => r.name));
  return (
    tableHeader(run.heading, width, run.blocking) +
    run.results.map((r) => tableRow(r, width, color, run.blocking)).join('') +
    tableFooter(run, color)
  );
}

/** After the rows: the evidence of each failure, the tool's footer, and the counts. */
export function tableFooter<E extends CheckEvidence>(run: CheckRun<E>, color = false): string {
  const paint = painter(color);
  const lines: string[] = [];
  for (const r of run.results.filter((x) => x.status === 'fail')) {
    lines.push('', paint(`${r.name}: FAIL`, COLOR.fail), `  ${r.description}`);
    for (const ev of r.evidence.slice(0, TABLE_EVIDENCE)) {
      lines.push(`  - ${ev.message}`, ...run.tableLines(ev).map((l) => `      ${l}`));
    }
    if (r.evidence.length > TABLE_EVIDENCE)
      lines.push(`  … and ${r.evidence.length - TABLE_EVIDENCE} more (see the JSON report)`);
  }
  if (run.footer?.length) lines.push('', ...run.footer);
  lines.push('', `${countsLine(run.counts, run.blocking)} in ${seconds(run.durationMs, 1)} s`);
  return lines.join('\n') + '\n';
}

export function formatCheckJUnit<E extends CheckEvidence>(run: CheckRun<E>): string {
  const c = countStatuses(run.results);
  const skipped = c.skip + c.blocked;
  const cases = run.results.map((r) => {
    const head =
      `    <testcase classname="${xmlEscape(run.tool.replace(/ /g, '.'))}" name="${xmlEscape(r.name)}" ` +
      `time="${seconds(r.durationMs, 3)}">`;
    if (r.status === 'pass') return `${head}</testcase>`;
    // JUnit knows only skipped: a blocked check's message says it was blocked, and by what.
    if (r.status === 'skip' || r.status === 'blocked') {
      const message = r.status === 'blocked' ? `BLOCKED: ${r.summary}` : r.summary;
      return `${head}\n      <skipped message="${xmlEscape(message)}"/>\n    </testcase>`;
    }
    const detail = r.evidence
      .map((ev) => [ev.message, ...run.junitLines(ev).map((l) => `  ${l}`)].join('\n'))
      .join('\n');
    const failure = xmlEscape(`${r.description}\n${detail}`);
    return (
      `${head}\n      <failure message="${xmlEscape(r.summary)}" type="${xmlEscape(r.name)}">${failure}</failure>\n` +
      '    </testcase>'
    );
  });
  const total = run.results.length;
  const time = seconds(run.durationMs, 3);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(run.tool)}" tests="${total}" failures="${c.fail}" skipped="${skipped}" ` +
      `time="${time}">`,
    `  <testsuite name="${xmlEscape(run.suite)}" tests="${total}" failures="${c.fail}" errors="0" ` +
      `skipped="${skipped}" timestamp="${run.startedAt}" time="${time}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/**
 * CTRF JSON (https://ctrf.io). A blocked check is `other`, its message starting `BLOCKED:`; a
 * skipped one is `skipped`.
 */
export function formatCheckCtrf<E extends CheckEvidence>(run: CheckRun<E>): string {
  const c = countStatuses(run.results);
  const start = Date.parse(run.startedAt);
  const STATUS: Record<CheckStatus, string> = { pass: 'passed', fail: 'failed', skip: 'skipped', blocked: 'other' };
  const tests = run.results.map((r) => ({
    name: r.name,
    status: STATUS[r.status],
    duration: r.durationMs,
    ...(r.status === 'pass' ? {} : { message: r.status === 'blocked' ? `BLOCKED: ${r.summary}` : r.summary }),
    ...(r.status === 'fail' ? { trace: failureDetail(run, r) } : {}),
    suite: run.suite,
  }));
  const results = {
    tool: { name: run.tool },
    summary: {
      tests: run.results.length,
      passed: c.pass,
      failed: c.fail,
      pending: 0,
      skipped: c.skip,
      other: c.blocked,
      start,
      stop: start + run.durationMs,
    },
    tests,
  };
  return JSON.stringify({ results }, null, 2) + '\n';
}

/** One self-contained HTML page: inline CSS, no script, no URL; every text escaped. */
export function formatCheckHtml<E extends CheckEvidence>(run: CheckRun<E>): string {
  const h = htmlEscape;
  const rows = run.results
    .map((r) => `<tr class="${r.status}"><td>${h(r.name)}</td><td>${MARK[r.status]}</td><td>${h(r.summary)}</td></tr>`)
    .join('\n');
  const failures = run.results
    .filter((r) => r.status === 'fail')
    .map((r) => `<section><h2>${h(r.name)}: FAIL</h2><pre>${h(failureDetail(run, r))}</pre></section>`)
    .join('\n');
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${h(run.suite)}</title>`,
    '<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}' +
      'td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}' +
      '.pass td:nth-child(2){color:#080}.fail td:nth-child(2){color:#c00}' +
      '.skip td:nth-child(2){color:#a60}.blocked td:nth-child(2){color:#909}pre{white-space:pre-wrap}</style>',
    '</head><body>',
    `<h1>${h(run.heading)}</h1>`,
    `<p id="counts">${h(countsLine(run.counts, run.blocking))} in ${seconds(run.durationMs, 1)} s</p>`,
    '<table id="checks"><thead><tr><th>CHECK</th><th>RESULT</th><th>SUMMARY</th></tr></thead><tbody>',
    rows,
    '</tbody></table>',
    failures,
    '</body></html>',
    '',
  ].join('\n');
}

/**
 * GitHub Actions workflow commands: one `::error title=CHECK::message` line per failed check.
 * Data escapes `%`, CR and LF; a property also `:` and `,`.
 */
export function githubAnnotations<E extends CheckEvidence>(run: CheckRun<E>): string {
  const data = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const prop = (s: string) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  return run.results
    .filter((r) => r.status === 'fail')
    .map((r) => `::error title=${prop(r.name)}::${data(`${r.summary}\n${failureDetail(run, r)}`)}\n`)
    .join('');
}

/** A failure's description and every piece of its evidence, as in JUnit. */
function failureDetail<E extends CheckEvidence>(run: CheckRun<E>, r: CheckResultOf<E>): string {
  const detail = r.evidence.map((ev) => [ev.message, ...run.junitLines(ev).map((l) => `  ${l}`)].join('\n'));
  return [r.description, ...detail].join('\n');
}

function htmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function formatCheckJson(report: unknown): string {
  return JSON.stringify(report, null, 2) + '\n';
}

// eslint-disable-next-line no-control-regex -- the control characters XML 1.0 cannot carry: matched on purpose
const NOT_IN_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/** Text fit for an XML attribute or element: escaped, and the characters XML 1.0 cannot carry replaced. */
export function xmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(NOT_IN_XML, '?');
}

/** One line of at most `n` characters (white space folded), with `…` when cut. */
export function truncate(s: string, n: number): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? `${one.slice(0, n)}…` : one;
}

function seconds(ms: number, digits: number): string {
  return (ms / 1000).toFixed(digits);
}
