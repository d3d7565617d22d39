/** The verifier's vocabulary: exchanges it records, checks it runs, results it reports. */

export type CheckStatus = 'pass' | 'fail' | 'skip';

/** One request the run sent and the response it saw. Secrets are kept only in memory. */
export interface Exchange {
  seq: number;
  /** What the verifier was doing, e.g. "auth_required: rotate without a key". */
  purpose: string;
  operationId?: string;
  request: { method: string; url: string; path: string; headers: Record<string, string>; body?: string; keyLabel?: string };
  response?: { status: number; headers: Record<string, string>; body: string; json?: unknown };
  /** A transport failure (connection refused, timeout) instead of a response. */
  error?: string;
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
  /** What the receiver answered. */
  answeredStatus: number;
}

export interface Evidence {
  message: string;
  exchange?: number;
  delivery?: { tag: string; webhookId?: string; receivedAt: string };
}

export interface CheckResult {
  name: string;
  description: string;
  status: CheckStatus;
  /** One line: why it passed, failed or was skipped. */
  summary: string;
  evidence: Evidence[];
  durationMs: number;
}

export interface CheckInfo {
  name: string;
  description: string;
}

export interface Report {
  tool: 'inklink-mock verify';
  baseUrl: string;
  startedAt: string;
  durationMs: number;
  trigger: string;
  results: CheckResult[];
  /** Every exchange of the run, secrets and keys redacted. */
  exchanges: Exchange[];
  counts: { pass: number; fail: number; skip: number };
}
