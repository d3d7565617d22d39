/** The verifier's vocabulary: exchanges it records, checks it runs, results it reports. */
import type { CheckCounts, CheckStatus } from '../../core/check-report';
import type { Coverage } from './coverage';

/**
 * A check's status (core/check-report.ts). `blocked`: the check could not judge its rule
 * because something it depends on broke first (a set-up step, or another check whose failure
 * explains every piece of its evidence); the report names that cause once, where it failed.
 */
export type { CheckStatus };

/** One request the run sent and the response it saw. Secrets are kept only in memory. */
export interface Exchange {
  seq: number;
  /** What the verifier was doing, e.g. "auth_required: rotate without a key". */
  purpose: string;
  operationId?: string;
  request: {
    method: string;
    url: string;
    path: string;
    headers: Record<string, string>;
    body?: string;
    keyLabel?: string;
  };
  response?: { status: number; headers: Record<string, string>; body: string; json?: unknown };
  /** A transport failure (connection refused, timeout) instead of a response. */
  error?: string;
  /** When the request was sent (epoch ms). */
  startedAt: number;
  durationMs: number;
}

/** A webhook delivery the verifier's receiver captured. */
export interface CapturedDelivery {
  /** The receiver path it arrived on (one per endpoint the verifier created). */
  tag: string;
  method: string;
  headers: Record<string, string>;
  body: string;
  receivedAt: number;
  /** What the receiver answered (set once it answered). */
  answeredStatus: number;
  /** When the receiver answered (epoch ms); undefined while the answer is held. */
  answeredAt?: number;
}

export interface Evidence {
  message: string;
  exchange?: number;
  delivery?: { tag: string; webhookId?: string; receivedAt: string };
  /** The command that sends the request again, when it is not the exchange's own (generated_requests). */
  reproduce?: string;
  /**
   * Checks whose rule this piece of evidence follows from when they fail (e.g. a rotation that
   * returned no secret, for a check that needs the new secret). A failed check whose every piece of
   * evidence relies on a failed or blocked check is reported as blocked by it.
   */
  reliesOn?: string[];
}

export interface CheckResult {
  name: string;
  description: string;
  status: CheckStatus;
  /** One line: why it passed, failed, was skipped or blocked. */
  summary: string;
  evidence: Evidence[];
  durationMs: number;
  /** What blocked it: `setup` or the names of the checks whose failure explains its evidence. */
  blockedBy?: string[];
}

export interface CheckInfo {
  name: string;
  description: string;
}

export type Counts = CheckCounts;

export interface Report {
  tool: 'inklink-mock verify';
  baseUrl: string;
  startedAt: string;
  durationMs: number;
  trigger: string;
  /** The seed of generated_requests' cases (`--seed` replays them). */
  seed: number;
  /** Set when the run could not start at all (e.g. the base URL is unreachable): one line, no results. */
  aborted?: string;
  results: CheckResult[];
  /** Every exchange of the run, secrets and keys redacted. */
  exchanges: Exchange[];
  counts: Counts;
  /** What the run exercised (coverage.ts); absent when it could not start. */
  coverage?: Coverage;
}
