/**
 * The verify report as a terminal table (also printed row by row as results come), JUnit XML (any
 * CI) and JSON, through the core's check reporter. A blocked check is a skipped JUnit test case
 * whose message names what blocked it; the failure it follows from is a failed test case of its own
 * (the check, or `setup`).
 */
import {
  formatCheckCtrf,
  formatCheckHtml,
  formatCheckJson,
  githubAnnotations,
  formatCheckJUnit,
  formatCheckTable,
  tableFooter as checkTableFooter,
  tableHeader as checkTableHeader,
  tableRow as checkTableRow,
  truncate,
  type CheckRun,
} from '../../core/check-report';
import { API_KEY_HEADER } from '../../core/inklink';
import { redact } from '../../core/log';
import type { CheckResult, Evidence, Exchange, Report } from './types';

export function curlFor(e: Exchange): string {
  const parts = [`curl -i -X ${e.request.method} '${e.request.url}'`];
  for (const [k, v] of Object.entries(e.request.headers)) {
    if (k === 'accept') continue;
    parts.push(k === API_KEY_HEADER ? `-H "${k}: $${keyVar(e.request.keyLabel)}"` : `-H '${k}: ${v}'`);
  }
  if (e.request.body !== undefined) parts.push(`--data '${e.request.body.replace(/'/g, `'\\''`)}'`);
  return parts.join(' ');
}

/** The env var a key of this label is read from (verify's flags), for commands a developer pastes. */
export function keyVar(label: string | undefined): string {
  if (label === 'admin key') return 'INKLINK_ADMIN_KEY';
  if (label === 'member key') return 'INKLINK_MEMBER_KEY';
  if (label === 'owner key') return 'INKLINK_OWNER_KEY';
  if (label === "other organization's key") return 'INKLINK_OTHER_ORG_KEY';
  return 'KEY';
}

/** The table's first line: what was verified, how deliveries are triggered, and the seed that replays the run. */
const heading = (baseUrl: string, trigger: string, seed: number) =>
  `inklink-mock verify ${baseUrl}  (trigger: ${trigger}, seed: ${seed})`;

/** The report's checks; a run that could not start is one failed `setup` check. */
function resultsOf(report: Report): CheckResult[] {
  if (!report.aborted) return report.results;
  return [
    {
      name: 'setup',
      description: 'Reach the implementation.',
      status: 'fail',
      summary: report.aborted,
      evidence: [{ message: report.aborted }],
      durationMs: 0,
    },
  ];
}

function checkRun(report: Report): CheckRun<Evidence> {
  const exchange = (ev: Evidence) => (ev.exchange === undefined ? undefined : report.exchanges[ev.exchange - 1]);
  return {
    heading: heading(report.baseUrl, report.trigger, report.seed),
    tool: report.tool,
    suite: `verify ${report.baseUrl}`,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    results: resultsOf(report),
    counts: report.counts,
    blocking: true,
    tableLines(ev) {
      const lines: string[] = [];
      const ex = exchange(ev);
      if (ex) {
        lines.push(
          `request:  ${ex.request.method} ` +
            `${ex.request.url}${ex.request.body ? ` ${truncate(ex.request.body, 200)}` : ''}`,
        );
        if (ex.response) lines.push(`response: ${ex.response.status} ${truncate(ex.response.body, 300)}`);
        lines.push(`reproduce: ${ev.reproduce ?? curlFor(ex)}`);
      }
      if (ev.delivery)
        lines.push(`delivery: webhook-id ${ev.delivery.webhookId} on /${ev.delivery.tag} at ${ev.delivery.receivedAt}`);
      return lines;
    },
    junitLines(ev) {
      const ex = exchange(ev);
      if (!ex) return [];
      return [
        `reproduce: ${ev.reproduce ?? curlFor(ex)}`,
        ...(ex.response ? [`response: ${ex.response.status} ${truncate(ex.response.body, 500)}`] : []),
      ];
    },
  };
}

/** The table's first lines, printed before any check has run. `width`: the longest check name. */
export function tableHeader(baseUrl: string, trigger: string, seed: number, width: number): string {
  return checkTableHeader(heading(baseUrl, trigger, seed), width, true);
}

/** One check's row, printed as soon as its result is final. */
export function tableRow(r: CheckResult, width: number, color = false): string {
  return checkTableRow(r, width, color, true);
}

/** After the rows: the evidence of each failure, and the counts. */
export function tableFooter(report: Report, color = false): string {
  return checkTableFooter(checkRun(report), color);
}

/** The one line of a run that could not start. */
export const abortedLine = (report: Report) => `inklink-mock verify: ${report.aborted}\n`;

export function formatTable(report: Report, color = false): string {
  if (report.aborted) return abortedLine(report);
  return formatCheckTable(checkRun(report), color);
}

export function formatJUnit(report: Report): string {
  return formatCheckJUnit(checkRun(report));
}

export function formatJson(report: Report): string {
  return formatCheckJson(report);
}

/** Every report text passes through the log's redaction too (a summary or message that quotes a secret). */
const scrubbed = (text: string) => redact(text);

export function formatCtrf(report: Report): string {
  return scrubbed(formatCheckCtrf(checkRun(report)));
}

export function formatHtml(report: Report): string {
  return scrubbed(formatCheckHtml(checkRun(report)));
}

/** `::error` lines for GitHub Actions, one per failed check. */
export function formatAnnotations(report: Report): string {
  return scrubbed(githubAnnotations(checkRun(report)));
}
