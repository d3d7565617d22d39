/**
 * The delivery engine's log lines. Every failed attempt is one line at `warn` (so at the default
 * level): the endpoint, the event, attempt n of N, the status or the error, and when the next
 * attempt is due, or that none is. A successful attempt is a line at `debug`.
 */
import { formatDuration } from '../../core/duration';
import type { Logger } from '../../core/log';
import type { AttemptRecord, DeliveryRecord } from './deliveries';

export interface AttemptsContext {
  /** Attempts in the schedule. */
  of: number;
  /** The delay before the next attempt, when one is scheduled. */
  nextDelayMs?: number;
  /** The engine is closing: no attempt follows. */
  closing: boolean;
}

export function logAttempt(
  logger: Logger | undefined,
  record: DeliveryRecord,
  attempt: AttemptRecord,
  ctx: AttemptsContext,
): void {
  const failed = attempt.outcome === 'failed';
  if (!logger?.enabled(failed ? 'warn' : 'debug')) return;
  const fields: Record<string, unknown> = {
    endpoint: record.endpoint_id,
    // Masked (the journal's URL: maskUrl, core/log.ts), and without its query string or fragment:
    // a receiver URL may carry a token of its own there, under any name.
    url: record.url.split(/[?#]/)[0],
    event: record.event_id,
    type: record.type,
    status: attempt.status,
    error: attempt.error,
    ms: attempt.duration_ms,
  };
  const title = `delivery attempt ${attempt.attempt} of ${ctx.of} ${failed ? 'failed' : 'succeeded'}`;
  if (!failed) return logger.debug(title, fields);
  const next = record.next_attempt_at;
  const n = record.attempts.length;
  fields.next = next
    ? `${next} (in ${formatDuration(ctx.nextDelayMs ?? 0)})`
    : ctx.closing
      ? 'none: the mock is stopping'
      : `none: the delivery failed after ${n} attempt${n === 1 ? '' : 's'}`;
  logger.warn(title, fields);
}
