/** The verify report as a terminal table, JUnit XML (any CI) and JSON, through the core's check reporter. */
import { formatCheckJson, formatCheckJUnit, formatCheckTable, truncate, type CheckRun } from '../core/check-report';
import { API_KEY_HEADER } from '../core/inklink';
import type { Evidence, Exchange, Report } from './types';

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

function checkRun(report: Report): CheckRun<Evidence> {
  const exchange = (ev: Evidence) => (ev.exchange === undefined ? undefined : report.exchanges[ev.exchange - 1]);
  return {
    heading: `inklink-mock verify ${report.baseUrl}  (trigger: ${report.trigger})`,
    tool: report.tool,
    suite: `verify ${report.baseUrl}`,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    results: report.results,
    counts: report.counts,
    tableLines(ev) {
      const lines: string[] = [];
      const ex = exchange(ev);
      if (ex) {
        lines.push(`request:  ${ex.request.method} ${ex.request.url}${ex.request.body ? ` ${truncate(ex.request.body, 200)}` : ''}`);
        if (ex.response) lines.push(`response: ${ex.response.status} ${truncate(ex.response.body, 300)}`);
        lines.push(`reproduce: ${curlFor(ex)}`);
      }
      if (ev.delivery) lines.push(`delivery: webhook-id ${ev.delivery.webhookId} on /${ev.delivery.tag} at ${ev.delivery.receivedAt}`);
      return lines;
    },
    junitLines(ev) {
      const ex = exchange(ev);
      if (!ex) return [];
      return [`reproduce: ${curlFor(ex)}`, ...(ex.response ? [`response: ${ex.response.status} ${truncate(ex.response.body, 500)}`] : [])];
    },
  };
}

export function formatTable(report: Report, color = false): string {
  return formatCheckTable(checkRun(report), color);
}

export function formatJUnit(report: Report): string {
  return formatCheckJUnit(checkRun(report));
}

export function formatJson(report: Report): string {
  return formatCheckJson(report);
}
