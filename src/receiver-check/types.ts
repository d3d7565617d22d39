/** check-receiver's vocabulary: the deliveries it sends, the answers it records, the report. */
import type { CheckEvidence, CheckResultOf, CheckCounts } from '../../core/check-report';

/** One delivery as it goes on the wire: InkLink's headers and the exact body bytes (UTF-8). */
export interface Delivery {
  headers: Record<string, string>;
  body: string;
}

/** What the receiver did with one delivery. */
export interface Answer {
  /** The HTTP status (or what the handler resolved to); absent when there was no answer. */
  status?: number;
  /** The start of the answer's body, when there was one (secrets redacted in the report). */
  body?: string;
  /** Why there was no answer: `timed out after 15000 ms`, `ECONNREFUSED`, `the handler threw: …`. */
  error?: string;
  /** No answer within the delivery timeout (the attempt was given up, as InkLink does). */
  timedOut?: boolean;
  /** From sending the delivery to the end of the answer (or the give-up). */
  durationMs: number;
}

/** What a check expects of an answer (`observe`: nothing, the drill measures). */
export type Expectation = 'accept' | 'refuse' | 'not_5xx' | 'observe';

/** One delivery the run sent and the answer it got. */
export interface DeliveryExchange {
  seq: number;
  /** The check that sent it. */
  check: string;
  /** What the delivery is, e.g. `signed with another secret`. */
  purpose: string;
  expect: Expectation;
  request: { method: 'POST'; url: string; headers: Record<string, string>; body: string };
  answer: Answer;
  /** When it was sent (ISO 8601). */
  sentAt: string;
  /** A line that sends it again: curl for a URL, a handler call in-process. */
  reproduce: string;
}

export interface ReceiverEvidence extends CheckEvidence {
  /** The exchange (its `seq`) the message is about. */
  exchange?: number;
}

export type ReceiverCheckResult = CheckResultOf<ReceiverEvidence>;

/** The rotation drill's measurements. */
export interface DrillMeasurement {
  /**
   * From asking the receiver to take the new secret to the first new-secret delivery it accepted;
   * absent when none was.
   */
  windowMs?: number;
  /** New-secret attempts refused before the first accepted one. */
  refusedAttempts: number;
  /** How long the secret update itself took (the URL's answer or the command's exit). */
  updateMs?: number;
  /** The attempt of InkLink's retry schedule that would first have been accepted (1 = the first attempt). */
  retryAttempt?: number;
  /** The fingerprint of the secret the receiver holds after the drill (never the secret itself). */
  newSecretFingerprint: string;
}

export interface ReceiverReport {
  tool: 'inklink-mock check-receiver';
  /** The receiver's URL, or `handler` for an in-process run. */
  target: string;
  startedAt: string;
  durationMs: number;
  timeoutMs: number;
  toleranceSeconds: number;
  /** Fingerprints (first 12 hex digits of SHA-256) of the secrets used; the secrets never appear. */
  secrets: { current: string; old?: string };
  results: ReceiverCheckResult[];
  /** Every delivery of the run and its answer (the secrets redacted from answers). */
  exchanges: DeliveryExchange[];
  latency: LatencySummary;
  drill?: DrillMeasurement;
  counts: CheckCounts;
  /** True when no check failed. */
  ok: boolean;
}

export interface LatencySummary {
  answers: number;
  medianMs?: number;
  p95Ms?: number;
  maxMs?: number;
}

/** How deliveries reach the receiver: an in-process handler or HTTP. */
export interface Transport {
  /** What the report calls the receiver. */
  target: string;
  deliver(delivery: Delivery, timeoutMs: number): Promise<Answer>;
  /** A line that sends this delivery again (curl, or a handler call). */
  reproduce(delivery: Delivery): string;
  close?(): Promise<void>;
}

/** The outcome of asking the receiver to take a new secret (the drill). */
export interface SecretUpdateOutcome {
  ok: boolean;
  /** What happened, secrets redacted: `POST … answered 204`, `the command exited 1: …`. */
  detail: string;
}

/** Asks the receiver to take `secret` from now on. */
export type SecretUpdater = (secret: string, timeoutMs: number) => Promise<SecretUpdateOutcome>;
