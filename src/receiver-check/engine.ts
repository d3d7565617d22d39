/**
 * The engine: runs the battery (and, when asked, the rotation drill) over a transport (an
 * in-process handler or HTTP), records every delivery and its answer, and returns the report.
 * Both `checkReceiver` and `inklink-mock check-receiver` are this engine with another transport.
 */
import { countStatuses, failed, type CheckOutcome } from '../../core/check-report';
import { DEFAULT_DELIVERY_TIMEOUT_MS } from '../../core/inklink';
import { secretRedactor } from '../../core/log';
import { DEFAULT_TOLERANCE_SECONDS, fingerprint, generateSecret, secretProblem } from '../../core/webhooks';
import { answersWithinTimeout, BATTERY, CLOCK_MARGIN_SECONDS, type CheckContext, type ReceiverCheck } from './battery';
import { DRILL_CHECKS, runDrill, type DrillOptions } from './drill';
import { judge } from './judge';
import type {
  Answer,
  DeliveryExchange,
  LatencySummary,
  ReceiverCheckResult,
  ReceiverEvidence,
  ReceiverReport,
  Transport,
} from './types';

export interface ReceiverCheckOptions {
  /** The secret the receiver holds now (`whsec_…`). */
  secret: string;
  /** The secret it held before its last rotation: deliveries signed with it must be refused. */
  oldSecret?: string;
  /** InkLink's per-attempt delivery timeout (default 15 s). */
  timeoutMs?: number;
  /** The receiver's timestamp tolerance (default 300 s, as the reference libraries). */
  toleranceSeconds?: number;
  /** Run only these checks (by name). */
  only?: string[];
  /** Also run the rotation drill. */
  drill?: DrillOptions;
  /** Called as each check finishes. */
  onResult?(result: ReceiverCheckResult): void;
}

/** Every check, in run order: the battery, the drill's (with a drill only), then the timing of every answer. */
export const RECEIVER_CHECKS: { name: string; description: string }[] = [
  ...BATTERY,
  ...DRILL_CHECKS,
  answersWithinTimeout,
].map(({ name, description }) => ({
  name,
  description,
}));

/** After this many deliveries in a row without an answer, the rest are not sent (the run stays bounded). */
const GIVE_UP_AFTER = 3;

/** Why the options cannot run, or undefined. Never contains a secret. */
export function receiverCheckOptionsProblem(o: ReceiverCheckOptions): string | undefined {
  const secrets: [string, string | undefined][] = [
    ['secret', o.secret],
    ['oldSecret', o.oldSecret],
    ['drill.newSecret', o.drill?.newSecret],
  ];
  for (const [name, value] of secrets) {
    if (name !== 'secret' && value === undefined) continue;
    const problem = secretProblem(value);
    if (problem) return `${name}: ${problem}`;
    if (name !== 'secret' && value === o.secret) return `${name} is the same as secret`;
  }
  if (o.timeoutMs !== undefined && !(Number.isInteger(o.timeoutMs) && o.timeoutMs > 0))
    return 'timeoutMs must be a positive integer';
  if (
    o.toleranceSeconds !== undefined &&
    !(Number.isInteger(o.toleranceSeconds) && o.toleranceSeconds >= 2 * CLOCK_MARGIN_SECONDS)
  ) {
    return `toleranceSeconds must be an integer of at least ${2 * CLOCK_MARGIN_SECONDS}`;
  }
  if (o.drill && o.drill.timeoutMs !== undefined && !(o.drill.timeoutMs > 0)) return 'drill.timeoutMs must be positive';
  const unknown = (o.only ?? []).filter((n) => !RECEIVER_CHECKS.some((c) => c.name === n));
  if (unknown.length) return `unknown check(s): ${unknown.join(', ')}`;
  return undefined;
}

export async function runReceiverCheck(transport: Transport, options: ReceiverCheckOptions): Promise<ReceiverReport> {
  const problem = receiverCheckOptionsProblem(options);
  if (problem) throw new Error(problem);
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
  const toleranceSeconds = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  // The drill's new secret is chosen here, so that it is redacted like the others.
  const drillOptions = options.drill && { ...options.drill, newSecret: options.drill.newSecret ?? generateSecret() };
  const scrub = secretRedactor([options.secret, options.oldSecret, drillOptions?.newSecret]);
  const wanted = (name: string) => !options.only || options.only.includes(name);
  const exchanges: DeliveryExchange[] = [];
  let unanswered = 0;

  const contextFor = (check: string): CheckContext => ({
    secret: options.secret,
    oldSecret: options.oldSecret,
    timeoutMs,
    toleranceSeconds,
    exchanges: () => exchanges,
    async send(purpose, delivery, expect) {
      const sentAt = new Date().toISOString();
      let answer: Answer;
      if (unanswered >= GIVE_UP_AFTER)
        answer = { error: `not sent: the last ${GIVE_UP_AFTER} deliveries got no answer`, durationMs: 0 };
      else answer = await transport.deliver(delivery, timeoutMs);
      unanswered = answer.status === undefined ? unanswered + 1 : 0;
      answer = {
        ...answer,
        body: answer.body === undefined ? undefined : scrub(answer.body),
        error: answer.error === undefined ? undefined : scrub(answer.error),
      };
      const exchange: DeliveryExchange = {
        seq: exchanges.length + 1,
        check,
        purpose,
        expect,
        request: { method: 'POST', url: transport.target, headers: delivery.headers, body: delivery.body },
        answer,
        sentAt,
        reproduce: transport.reproduce(delivery),
      };
      exchanges.push(exchange);
      return { exchange, verdict: judge(expect, answer, timeoutMs) };
    },
  });

  const results: ReceiverCheckResult[] = [];
  const record = (name: string, outcome: CheckOutcome<ReceiverEvidence>, durationMs: number) => {
    const description = RECEIVER_CHECKS.find((c) => c.name === name)!.description;
    const result: ReceiverCheckResult = {
      name,
      description,
      ...outcome,
      summary: scrub(outcome.summary),
      evidence: outcome.evidence.map((e) => ({ ...e, message: scrub(e.message) })),
      durationMs,
    };
    results.push(result);
    options.onResult?.(result);
  };
  const runCheck = async (check: ReceiverCheck) => {
    const t0 = Date.now();
    let outcome: CheckOutcome<ReceiverEvidence>;
    try {
      outcome = await check.run(contextFor(check.name));
    } catch (e) {
      outcome = failed([], `the check could not run: ${(e as Error).message}`);
    }
    record(check.name, outcome, Date.now() - t0);
  };

  let drill: ReceiverReport['drill'];
  try {
    for (const check of BATTERY) if (wanted(check.name)) await runCheck(check);
    const drillWanted = DRILL_CHECKS.filter((c) => options.only?.includes(c.name));
    if (drillOptions && (!options.only || drillWanted.length)) {
      const run = await runDrill(contextFor, drillOptions);
      for (const s of run.steps) if (wanted(s.name)) record(s.name, s.outcome, s.durationMs);
      drill = run.measurement;
    } else {
      for (const c of drillWanted)
        record(
          c.name,
          {
            status: 'skip',
            summary: 'needs the rotation drill (--drill with --update-secret-url or --update-secret-command)',
            evidence: [],
          },
          0,
        );
    }
    if (wanted(answersWithinTimeout.name)) await runCheck(answersWithinTimeout);
  } finally {
    await transport.close?.();
  }
  const counts = countStatuses(results);
  return {
    tool: 'inklink-mock check-receiver',
    target: transport.target,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    timeoutMs,
    toleranceSeconds,
    secrets: {
      current: fingerprint(options.secret),
      ...(options.oldSecret ? { old: fingerprint(options.oldSecret) } : {}),
    },
    results,
    exchanges,
    latency: latencyOf(exchanges),
    ...(drill ? { drill } : {}),
    counts,
    ok: counts.fail === 0,
  };
}

/** Median, 95th percentile and maximum of the answers' latencies (deliveries without an answer left out). */
export function latencyOf(exchanges: readonly DeliveryExchange[]): LatencySummary {
  const d = exchanges
    .filter((e) => e.answer.status !== undefined)
    .map((e) => e.answer.durationMs)
    .sort((a, b) => a - b);
  if (d.length === 0) return { answers: 0 };
  const at = (q: number) => d[Math.min(d.length - 1, Math.ceil(q * d.length) - 1)];
  return { answers: d.length, medianMs: at(0.5), p95Ms: at(0.95), maxMs: d[d.length - 1] };
}
