/** The verify report as a terminal table, JUnit XML (any CI) and JSON. */
import { API_KEY_HEADER } from '../core/inklink';
import type { Exchange, Report } from './types';

const MARK = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' } as const;

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
  if (label === "other organization's key") return 'INKLINK_OTHER_ORG_KEY';
  return 'KEY';
}

export function formatTable(report: Report, color = false): string {
  const paint = (s: string, code: number) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const codes = { pass: 32, fail: 31, skip: 33 } as const;
  const width = Math.max(...report.results.map((r) => r.name.length), 5);
  const lines = [`inklink-mock verify ${report.baseUrl}  (trigger: ${report.trigger})`, ''];
  lines.push(`  ${'CHECK'.padEnd(width)}  RESULT  SUMMARY`);
  for (const r of report.results) lines.push(`  ${r.name.padEnd(width)}  ${paint(MARK[r.status], codes[r.status])}    ${r.summary}`);
  const failed = report.results.filter((r) => r.status === 'fail');
  for (const r of failed) {
    lines.push('', paint(`${r.name}: FAIL`, codes.fail), `  ${r.description}`);
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
  const c = report.counts;
  lines.push('', `${c.pass} passed, ${c.fail} failed, ${c.skip} skipped in ${(report.durationMs / 1000).toFixed(1)} s`);
  return lines.join('\n') + '\n';
}

const xml = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // Characters XML 1.0 cannot carry at all.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '?');

export function formatJUnit(report: Report): string {
  const c = report.counts;
  const cases = report.results.map((r) => {
    const head = `    <testcase classname="inklink-mock.verify" name="${xml(r.name)}" time="${(r.durationMs / 1000).toFixed(3)}">`;
    if (r.status === 'pass') return `${head}</testcase>`;
    if (r.status === 'skip') return `${head}\n      <skipped message="${xml(r.summary)}"/>\n    </testcase>`;
    const detail = r.evidence
      .map((ev) => {
        const ex = ev.exchange === undefined ? undefined : report.exchanges[ev.exchange - 1];
        return [ev.message, ex ? `  reproduce: ${curlFor(ex)}` : '', ex?.response ? `  response: ${ex.response.status} ${truncate(ex.response.body, 500)}` : '']
          .filter(Boolean)
          .join('\n');
      })
      .join('\n');
    return `${head}\n      <failure message="${xml(r.summary)}" type="${xml(r.name)}">${xml(`${r.description}\n${detail}`)}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="inklink-mock verify" tests="${report.results.length}" failures="${c.fail}" skipped="${c.skip}" time="${(report.durationMs / 1000).toFixed(3)}">`,
    `  <testsuite name="${xml(`verify ${report.baseUrl}`)}" tests="${report.results.length}" failures="${c.fail}" errors="0" skipped="${c.skip}" timestamp="${report.startedAt}" time="${(report.durationMs / 1000).toFixed(3)}">`,
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
