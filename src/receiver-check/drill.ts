/**
 * The rotation drill: a secret rotation end to end, as it happens in production. InkLink signs
 * with the new secret from the moment the rotate call returns; the team then gives the new secret
 * to its receiver; until the receiver has it, it refuses the new signatures and InkLink's retries
 * carry the events. The drill asks the receiver to take a new secret and, at the same moment, starts
 * delivering one event signed with it (re-signed on every attempt, as retries are), until the
 * receiver accepts it or the drill's time is up. It reports that window and the attempt of
 * InkLink's retry schedule that would have got through, then checks the old secret is refused.
 */
import { DEFAULT_RETRY_SCHEDULE_MS } from '../../core/inklink';
import { failed, passed, skipped } from '../../core/check-report';
import { fingerprint, generateSecret } from '../../core/webhooks';
import type { CheckContext, Outcome } from './battery';
import { PROBE_TYPE } from './battery';
import { attempt, newEvent } from './deliveries';
import { describeAnswer, isAccepted, ms } from './judge';
import type { DrillMeasurement, SecretUpdateOutcome, SecretUpdater } from './types';

export interface DrillOptions {
  /** Asks the receiver to take the new secret (see updateSecretByUrl, updateSecretByCommand). */
  updateSecret: SecretUpdater;
  /** The secret to rotate to; by default a new one, never shown (its fingerprint is in the report). */
  newSecret?: string;
  /** How long the receiver has to take the new secret (default 30 s). */
  timeoutMs?: number;
  /** The pause between two new-secret attempts while it switches (default 50 ms). */
  intervalMs?: number;
}

export const DEFAULT_DRILL_TIMEOUT_MS = 30_000;
const DEFAULT_INTERVAL_MS = 50;

export const DRILL_CHECKS = [
  {
    name: 'drill_before_rotation',
    description: 'Before the rotation, a delivery signed with the secret the receiver holds is accepted.',
  },
  {
    name: 'drill_secret_updated',
    description:
      'The receiver was given the new secret: the update URL answered 2xx to POST {"secret"}, or the update ' +
      'command (the secret on its stdin) exited 0, within the drill timeout.',
  },
  {
    name: 'drill_new_secret_accepted',
    description:
      'From the moment of the rotation, one event signed with the new secret (re-signed on each attempt, as ' +
      "InkLink's retries are) is accepted within the drill timeout; the report shows how long it was " +
      'refused.',
  },
  {
    name: 'drill_old_secret_refused',
    description: 'Once the receiver accepts the new secret, a delivery signed with the old one is refused.',
  },
] as const;

export type DrillCheckName = (typeof DRILL_CHECKS)[number]['name'];

export interface DrillStep {
  name: DrillCheckName;
  outcome: Outcome;
  durationMs: number;
}

const sleep = (n: number) => new Promise((r) => setTimeout(r, n));

/** `p`, or `fallback` when `p` has not settled after `limitMs`. */
function within<T>(p: Promise<T>, limitMs: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), limitMs)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** The attempt (1-based) of the retry schedule that is the first to come `windowMs` or later after the first. */
export function retryAttemptAfter(
  windowMs: number,
  schedule: readonly number[] = DEFAULT_RETRY_SCHEDULE_MS,
): number | undefined {
  let at = 0;
  for (let i = 0; i < schedule.length; i++) {
    at += schedule[i];
    if (at >= windowMs) return i + 1;
  }
  return undefined;
}

/** `attempt 2 (5 s after the first)`, or that no attempt of the schedule would have. */
function retryText(n: number | undefined): string {
  if (n === undefined) return "no attempt of InkLink's retry schedule would have got through: the event would be lost";
  if (n === 1) return "InkLink's first attempt would have got through";
  const after = DEFAULT_RETRY_SCHEDULE_MS.slice(0, n).reduce((a, b) => a + b, 0);
  return `InkLink's attempt ${n} (${ms(after)} after the first) would have been the first to get through`;
}

/** Runs the drill; `contextFor(name)` records each delivery under the drill check that sends it. */
export async function runDrill(
  contextFor: (name: DrillCheckName) => CheckContext,
  options: DrillOptions,
): Promise<{ steps: DrillStep[]; measurement: DrillMeasurement }> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_DRILL_TIMEOUT_MS;
  const interval = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const newSecret = options.newSecret ?? generateSecret();
  const steps: DrillStep[] = [];
  const step = async (name: DrillCheckName, run: (ctx: CheckContext) => Promise<Outcome>) => {
    const t0 = performance.now();
    const outcome = await run(contextFor(name));
    steps.push({ name, outcome, durationMs: Math.round(performance.now() - t0) });
    return outcome;
  };

  await step('drill_before_rotation', async (ctx) => {
    const { exchange, verdict } = await ctx.send(
      'signed with the current secret, before the rotation',
      attempt(newEvent(PROBE_TYPE), ctx.secret),
      'accept',
    );
    return verdict.ok
      ? passed(`accepted (${describeAnswer(exchange.answer)})`)
      : failed([{ message: verdict.message, exchange: exchange.seq }]);
  });

  // The rotation: the update starts, and at the same moment InkLink starts signing with the new secret.
  const measurement: DrillMeasurement = { refusedAttempts: 0, newSecretFingerprint: fingerprint(newSecret) };
  const event = newEvent(PROBE_TYPE);
  const t0 = performance.now();
  let update: SecretUpdateOutcome | undefined;
  // Bounded even when an updater ignores its timeout.
  const updating = within(
    options
      .updateSecret(newSecret, timeoutMs)
      .catch((e: Error): SecretUpdateOutcome => ({ ok: false, detail: `the update failed: ${e.message}` })),
    timeoutMs + 1000,
    { ok: false, detail: `the update did not finish within ${ms(timeoutMs)}` },
  );
  void updating.then((u) => {
    update = u;
    measurement.updateMs = Math.round(performance.now() - t0);
  });
  let acceptedSeq: number | undefined;
  const windowEvidence: { message: string; exchange: number }[] = [];
  await step('drill_new_secret_accepted', async (ctx) => {
    for (let n = 1; performance.now() - t0 < timeoutMs; n++) {
      const sentAt = performance.now() - t0;
      const { exchange } = await ctx.send(
        `${event.id}, attempt ${n}, signed with the new secret`,
        attempt(event, newSecret),
        'observe',
      );
      if (isAccepted(exchange.answer)) {
        acceptedSeq = exchange.seq;
        measurement.windowMs = Math.round(sentAt);
        break;
      }
      measurement.refusedAttempts++;
      if (windowEvidence.length < 3)
        windowEvidence.push({
          message: `attempt ${n}, ${ms(sentAt)} after the rotation: ${describeAnswer(exchange.answer)}`,
          exchange: exchange.seq,
        });
      // A failed update ends the attempts once it is known (the receiver will not switch).
      if (update && !update.ok) break;
      await sleep(interval);
    }
    if (measurement.windowMs !== undefined) {
      measurement.retryAttempt = retryAttemptAfter(measurement.windowMs);
      const refused = measurement.refusedAttempts;
      return passed(
        `new-secret deliveries refused for ${ms(measurement.windowMs)} (${refused} ` +
          `attempt${refused === 1 ? '' : 's'}), then accepted; ${retryText(measurement.retryAttempt)}`,
        [{ message: 'first accepted', exchange: acceptedSeq }],
      );
    }
    const done = await updating;
    if (!done.ok) return skipped(`not judged: the secret update failed (${done.detail})`);
    return failed(
      windowEvidence,
      `no new-secret delivery was accepted within ${ms(timeoutMs)} of the rotation ` +
        `(${measurement.refusedAttempts} attempts refused)`,
    );
  });

  await step('drill_secret_updated', async () => {
    const u = await updating;
    return u.ok ? passed(`${u.detail} in ${ms(measurement.updateMs ?? 0)}`) : failed([{ message: u.detail }]);
  });

  await step('drill_old_secret_refused', async (ctx) => {
    if (measurement.windowMs === undefined) return skipped('not judged: the receiver never accepted the new secret');
    const { exchange, verdict } = await ctx.send(
      'signed with the old secret, after the rotation',
      attempt(newEvent(PROBE_TYPE), ctx.secret),
      'refuse',
    );
    return verdict.ok
      ? passed(`refused (${describeAnswer(exchange.answer)})`)
      : failed([{ message: `signed with the old secret: ${verdict.message}`, exchange: exchange.seq }]);
  });
  // Report them in the documented order.
  const order = DRILL_CHECKS.map((c) => c.name);
  steps.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  return { steps, measurement };
}
