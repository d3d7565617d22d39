/** check-receiver's report as a terminal table, JUnit XML and JSON, through the core's check reporter. */
import { formatCheckJson, formatCheckJUnit, formatCheckTable, truncate, type CheckRun } from '../../core/check-report';
import { DEFAULT_RETRY_SCHEDULE_MS } from '../../core/inklink';
import { describeAnswer, ms } from './judge';
import type { DeliveryExchange, ReceiverEvidence, ReceiverReport } from './types';

function checkRun(report: ReceiverReport): CheckRun<ReceiverEvidence> {
  const exchange = (ev: ReceiverEvidence): DeliveryExchange | undefined =>
    ev.exchange === undefined ? undefined : report.exchanges[ev.exchange - 1];
  const answer = (ex: DeliveryExchange) =>
    `${describeAnswer(ex.answer)}${ex.answer.body ? `: ${truncate(ex.answer.body, 300)}` : ''}`;
  const footer: string[] = [];
  const l = report.latency;
  if (l.answers)
    footer.push(
      `latency: ${l.answers} answers, median ${ms(l.medianMs!)}, p95 ${ms(l.p95Ms!)}, max ${ms(l.maxMs!)} ` +
        `(delivery timeout ${ms(report.timeoutMs)})`,
    );
  const d = report.drill;
  if (d) {
    const window =
      d.windowMs === undefined
        ? 'never accepted the new secret'
        : `refused new-secret deliveries for ${ms(d.windowMs)} (${d.refusedAttempts} attempts)`;
    footer.push(
      `rotation drill: ${window}; InkLink retries after ` +
        `${DEFAULT_RETRY_SCHEDULE_MS.slice(1, 4).map(ms).join(', ')}, …; the receiver now holds the secret ` +
        `with fingerprint ${d.newSecretFingerprint}`,
    );
  }
  return {
    heading:
      `inklink-mock check-receiver ${report.target}  (delivery timeout ${ms(report.timeoutMs)}, ` +
      `tolerance ${ms(report.toleranceSeconds * 1000)})`,
    tool: report.tool,
    suite: `check-receiver ${report.target}`,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    results: report.results,
    counts: report.counts,
    footer,
    tableLines(ev) {
      const ex = exchange(ev);
      if (!ex) return [];
      return [
        `delivery: POST ${ex.request.url} ${truncate(ex.request.body, 200)}`,
        `answer:   ${answer(ex)}`,
        `reproduce: ${ex.reproduce}`,
      ];
    },
    junitLines(ev) {
      const ex = exchange(ev);
      return ex ? [`reproduce: ${ex.reproduce}`, `answer: ${answer(ex)}`] : [];
    },
  };
}

export function formatReceiverTable(report: ReceiverReport, color = false): string {
  return formatCheckTable(checkRun(report), color);
}

export function formatReceiverJUnit(report: ReceiverReport): string {
  return formatCheckJUnit(checkRun(report));
}

export function formatReceiverJson(report: ReceiverReport): string {
  return formatCheckJson(report);
}
