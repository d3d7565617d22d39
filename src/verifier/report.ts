/**
 * The verify report as a terminal table (also printed row by row as results come), JUnit XML (any
 * CI) and JSON. In JUnit a blocked check is a skipped test case whose message names what blocked
 * it; the failure it follows from is a failed test case of its own (the check, or `setup`).
 */
import { API_KEY_HEADER } from '../core/inklink';
import type { CheckResult, CheckStatus, Counts, Exchange, Report } from './types';

const MARK: Record<CheckStatus, string> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP', blocked: 'BLOCKED' };
const COLOR: Record<CheckStatus, number> = { pass: 32, fail: 31, skip: 33, blocked: 35 };
const MARK_WIDTH = 7;

export function curlFor(e: Exchange): string {
  const parts = [`curl -i -X ${e.request.method} '${e.request.url}'`];
  for (const [k, v] of Object.entries(e.request.headers)) {
    if (k === 'accept') continue;
    parts.push(k === API_KEY_HEADER ? `-H "${k}: $${keyVar(e.request.keyLabel)}"` : `-H '${k}: ${v}'`);
  }
  if (e.request.body !== undefined) parts.push(`--data '${e.request.body.replace(/'/g, `'\\''`)}'`);
  return parts.join(' ');
}

function keyVar(label: string | undefined): string {
  if (label === 'admin key') return 'INKLINK_ADMIN_KEY';
  if (label === 'member key') return 'INKLINK_MEMBER_KEY';
  if (label === 'owner key') return 'INKLINK_OWNER_KEY';
  if (label === "other organization's key") return 'INKLINK_OTHER_ORG_KEY';
  return 'KEY';
}

const painter = (color: boolean) => (s: string, code: number) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);

/** The table's first lines: what is verified, and the column heads. `width`: the longest check name. */
export function tableHeader(baseUrl: string, trigger: string, width: number): string {
  return `inklink-mock verify ${baseUrl}  (trigger: ${trigger})\n\n  ${'CHECK'.padEnd(width)}  ${'RESULT'.padEnd(MARK_WIDTH)}  SUMMARY\n`;
}

export function tableRow(r: CheckResult, width: number, color = false): string {
  return `  ${r.name.padEnd(width)}  ${painter(color)(MARK[r.status].padEnd(MARK_WIDTH), COLOR[r.status])}  ${r.summary}\n`;
}

/** After the rows: the evidence of each failure, and the counts. */
export function tableFooter(report: Report, color = false): string {
  const paint = painter(color);
  const lines: string[] = [];
  for (const r of report.results.filter((x) => x.status === 'fail')) {
    lines.push('', paint(`${r.name}: FAIL`, COLOR.fail), `  ${r.description}`);
    for (const ev of r.evidence.slice(0, 20)) {
      lines.push(`  - ${ev.message}`);
      const ex = ev.exchange === undefined ? undefined : report.exchanges[ev.exchange - 1];
      if (ex) {
        lines.push(`      request:  ${ex.request.method} ${ex.request.url}${ex.request.body ? ` ${truncate(ex.request.body, 200)}` : ''}`);
        if (ex.response) lines.push(`      response: ${ex.response.status} ${truncate(ex.response.body, 300)}`);
        lines.push(`      reproduce: ${curlFor(ex)}`);
      }
      if (ev.delivery) lines.push(`      delivery: webhook-id ${ev.delivery.webhookId} on /${ev.delivery.tag} at ${ev.delivery.receivedAt}`);
    }
    if (r.evidence.length > 20) lines.push(`  … and ${r.evidence.length - 20} more (see the JSON report)`);
  }
  lines.push('', `${countsLine(report.counts)} in ${(report.durationMs / 1000).toFixed(1)} s`);
  return lines.join('\n') + '\n';
}

export const countsLine = (c: Counts) => `${c.pass} passed, ${c.fail} failed, ${c.skip} skipped, ${c.blocked} blocked`;

/** The one line of a run that could not start. */
export const abortedLine = (report: Report) => `inklink-mock verify: ${report.aborted}\n`;

export function formatTable(report: Report, color = false): string {
  if (report.aborted) return abortedLine(report);
  const width = Math.max(...report.results.map((r) => r.name.length), 5);
  return tableHeader(report.baseUrl, report.trigger, width) + report.results.map((r) => tableRow(r, width, color)).join('') + tableFooter(report, color);
}

const xml = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // Characters XML 1.0 cannot carry at all.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '?');

function failureDetail(r: CheckResult, report: Report): string {
  return r.evidence
    .map((ev) => {
      const ex = ev.exchange === undefined ? undefined : report.exchanges[ev.exchange - 1];
      return [ev.message, ex ? `  reproduce: ${curlFor(ex)}` : '', ex?.response ? `  response: ${ex.response.status} ${truncate(ex.response.body, 500)}` : '']
        .filter(Boolean)
        .join('\n');
    })
    .join('\n');
}

export function formatJUnit(report: Report): string {
  const results: CheckResult[] = report.aborted
    ? [{ name: 'setup', description: 'Reach the implementation.', status: 'fail', summary: report.aborted, evidence: [{ message: report.aborted }], durationMs: 0 }]
    : report.results;
  const failures = results.filter((r) => r.status === 'fail').length;
  const skipped = results.filter((r) => r.status === 'skip' || r.status === 'blocked').length;
  const cases = results.map((r) => {
    const head = `    <testcase classname="inklink-mock.verify" name="${xml(r.name)}" time="${(r.durationMs / 1000).toFixed(3)}">`;
    if (r.status === 'pass') return `${head}</testcase>`;
    if (r.status === 'skip' || r.status === 'blocked') return `${head}\n      <skipped message="${xml(r.summary)}"/>\n    </testcase>`;
    return `${head}\n      <failure message="${xml(r.summary)}" type="${xml(r.name)}">${xml(`${r.description}\n${failureDetail(r, report)}`)}</failure>\n    </testcase>`;
  });
  const time = (report.durationMs / 1000).toFixed(3);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="inklink-mock verify" tests="${results.length}" failures="${failures}" skipped="${skipped}" time="${time}">`,
    `  <testsuite name="${xml(`verify ${report.baseUrl}`)}" tests="${results.length}" failures="${failures}" errors="0" skipped="${skipped}" timestamp="${report.startedAt}" time="${time}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export function formatJson(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}

function truncate(s: string, n: number): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? `${one.slice(0, n)}…` : one;
}
