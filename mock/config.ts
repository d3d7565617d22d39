/** The mock's options, their defaults, and parsers for their textual forms (flags, env vars). */
import { DEFAULT_DELIVERY_TIMEOUT_MS, DEFAULT_RETRY_SCHEDULE_MS } from '../core/inklink';
import type { LogFormat, LogLevel, Logger } from '../core/log';
import { LIMITS } from './domain/limits';
import type { StateSnapshot } from './domain/model';
import type { StateDatabase } from './domain/committer';
import type { ClockMode } from './domain/virtual-clock';

export interface MockServerOptions {
  /** Seed of the generated state (same seed, same organizations, keys, endpoints and secrets). */
  seed?: number;
  /** URL the seeded endpoints deliver to, and the default of control-API-seeded ones. */
  webhookUrl?: string;
  /** Delays before attempt 1, 2, … (ms), or their text form, e.g. `0,5s,5m`. */
  retrySchedule?: readonly number[] | string;
  /** Per-attempt delivery timeout (ms). */
  deliveryTimeoutMs?: number;
  /** Delivery journal size. */
  journalLimit?: number;
  /** Level of the logger made when `logger` is not given (default `warn`). */
  logLevel?: LogLevel;
  /** Format of that logger: `text` (default) or `json`. */
  logFormat?: LogFormat;
  logger?: Logger;
  /** Validate every response against the spec before sending it. */
  selfCheck?: boolean;
  /** Required on the control API when set; must be set to listen on a non-loopback host. */
  controlToken?: string;
  host?: string;
  port?: number;
  /**
   * Keep the state in this database file (LMDB; crash-safe, mode 0600): start from it when it
   * holds a state, otherwise fill it from `fixture` or the seed; every change is on disk before it
   * is answered. See docs/state-file.md.
   */
  stateFile?: string;
  /**
   * A JSON state (`inklink-mock-state` v1: a file name, or the document) to start from: in memory,
   * or, with `stateFile`, written into a new database (a database that holds a state keeps it).
   */
  fixture?: string | StateSnapshot;
  /** How long `close()` waits for the requests in flight to be answered (default 10 s). */
  shutdownTimeoutMs?: number;
  /**
   * Wraps the state database the changes are written to (with `stateFile`): for tests that inject
   * write failures (a full disk) deterministically.
   */
  wrapStateDatabase?: (db: StateDatabase) => StateDatabase;
  /** Header, request and keep-alive timeouts and the header size limit of the HTTP server. */
  transportLimits?: Partial<TransportLimits>;
  /** Deliveries scheduled or in flight at once; beyond it, new ones are skipped (default 10,000). */
  maxPendingDeliveries?: number;
  /**
   * The mock's time: `system` (default), the machine's; `virtual`, a clock that starts at the
   * system's time and moves only when told (`server.clock.advance('1h')`, `POST /__mock/clock/advance`),
   * firing the delivery attempts that fall due on the way. See docs/mock.md.
   */
  clock?: ClockMode;
  /**
   * Milliseconds between the live stream's heartbeats (default 15 s): the clock of its stall check.
   * For tests that need a client that does not read found quickly (docs/limits.md).
   */
  streamHeartbeatMs?: number;
  /**
   * Heartbeats in a row at which bytes wait for a live-stream client, none having left since the
   * one before, before it is disconnected (default 4; docs/limits.md).
   */
  streamStallHeartbeats?: number;
}

/**
 * Limits of the HTTP server (defaults in mock/http/transport.ts); kept here so the options' types
 * need no HTTP library.
 */
export interface TransportLimits {
  /** Time to receive the request headers (slow-header clients are cut off). */
  headersTimeoutMs: number;
  /** Time to receive the whole request. */
  requestTimeoutMs: number;
  /** Idle time of a kept-alive connection. */
  keepAliveTimeoutMs: number;
  /** Largest request head (bytes). */
  maxHeaderSize: number;
}

export const DEFAULTS = {
  seed: 42,
  host: '127.0.0.1',
  cliPort: 4010,
  webhookUrl: 'http://127.0.0.1:3000/webhooks',
  retryScheduleMs: DEFAULT_RETRY_SCHEDULE_MS,
  deliveryTimeoutMs: DEFAULT_DELIVERY_TIMEOUT_MS,
  journalLimit: LIMITS.journalEntries.value,
  /** How long a shutdown waits for the requests in flight to be answered. */
  shutdownTimeoutMs: 10_000,
  clock: 'system',
} as const;

export { parseSchedule } from '../core/duration';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::ffff:127.0.0.1';
}
