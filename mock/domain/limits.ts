/**
 * Every limit of the mock, in one place: what one request, one organization or one process may
 * use, so that no client can slow or starve another. The HTTP layer, the domain and the storage
 * read them from here; docs/limits.md lists them and a test (test/mock/limits.test.ts) checks that
 * the page states each value and that each is enforced.
 */

/** How often the live stream writes what it has queued to each client. */
export const STREAM_FLUSH_MS = 100;

/**
 * How often the live stream writes a heartbeat (a comment line) to each client: it keeps idle
 * connections (and proxies) open, and it is the clock of the stall check (`streamStallHeartbeats`).
 * The `streamHeartbeatMs` option changes it (tests).
 */
export const STREAM_HEARTBEAT_MS = 15_000;

export interface Limit {
  value: number;
  /** What it bounds, for the docs and error messages. */
  what: string;
  /** What happens beyond it. */
  beyond: string;
}

export const LIMITS = {
  /** A request body, announced or sent. */
  bodyBytes: { value: 1024 * 1024, what: 'bytes of a request body', beyond: '413 `VALIDATION_ERROR`' },
  /**
   * Nesting of arrays and objects in a JSON body. JSON.parse takes any depth, but JSON.stringify
   * and structuredClone overflow the stack on a few thousand levels (found by the hostile-input
   * suite: such event `data` made every journal listing answer 500).
   */
  jsonDepth: { value: 64, what: 'levels of nesting in a JSON body', beyond: '400 `VALIDATION_ERROR`' },
  /** The request head (request line and headers). */
  headerBytes: { value: 16 * 1024, what: 'bytes of the request line and headers', beyond: '431 `VALIDATION_ERROR`' },
  /**
   * Header lines of a request. Node keeps 2,000 by default and silently drops the rest (an
   * `api-key` after them was lost: 401 instead of a refusal of the request).
   */
  headerCount: { value: 100, what: 'header lines of a request', beyond: '431 `VALIDATION_ERROR`' },
  /** An endpoint URL (create, control-API seeding, fixtures). */
  urlLength: { value: 2048, what: 'characters of an endpoint URL', beyond: '400 `VALIDATION_ERROR` on `url`' },
  /** Endpoints one organization may have (create and control-API seeding). */
  endpointsPerOrganization: { value: 1000, what: 'endpoints of one organization', beyond: '400 `VALIDATION_ERROR`' },
  /** The `data` of an emitted event, serialised. */
  eventDataBytes: {
    value: 64 * 1024,
    what: "bytes of an event's `data` (as JSON)",
    beyond: '400 `VALIDATION_ERROR` on `data`',
  },
  /** Deliveries kept in the journal by default (`--journal-limit`). */
  journalEntries: {
    value: 1000,
    what: 'deliveries in the journal (default of `--journal-limit`)',
    beyond: 'the oldest are dropped',
  },
  /** Payload bytes kept in the journal, whatever `--journal-limit` says. */
  journalBytes: { value: 16 * 1024 * 1024, what: 'bytes of payloads in the journal', beyond: 'the oldest are dropped' },
  /** Deliveries scheduled or in flight at once. */
  pendingDeliveries: {
    value: 10_000,
    what: 'deliveries scheduled or in flight',
    beyond: 'new ones are skipped (`too many pending deliveries`)',
  },
  /** API requests kept in the request journal (`GET /__mock/requests`). */
  requestJournalEntries: { value: 1000, what: 'API requests in the request journal', beyond: 'the oldest are dropped' },
  /** Bytes of the request journal (each entry weighs its fields as JSON, estimated). */
  requestJournalBytes: { value: 1024 * 1024, what: 'bytes of the request journal', beyond: 'the oldest are dropped' },
  /** Live streams (`GET /__mock/stream`) open at once. */
  streamClients: {
    value: 32,
    what: 'live streams open at once',
    beyond: 'the stalest client is disconnected to admit the new one',
  },
  /**
   * Heartbeats in a row at which what was written to a live-stream client still waits in the mock
   * and not a byte of it left since the last one (the `streamStallHeartbeats` option changes it).
   */
  streamStallHeartbeats: {
    value: 4,
    what: 'heartbeats in a row at which bytes wait for a live-stream client and none left since the last',
    beyond: 'the client is disconnected',
  },
  /** Bytes written to one live stream that its client has not read yet. */
  streamClientBytes: {
    value: 1024 * 1024,
    what: 'bytes a live-stream client has not read yet',
    beyond: 'the client is disconnected',
  },
  /** Events sent to the live streams per flush (every STREAM_FLUSH_MS); the rest are counted in one `gap` event. */
  streamEventsPerFlush: {
    value: 200,
    what: `events sent to a live stream per flush (every ${STREAM_FLUSH_MS} ms)`,
    beyond: 'one `gap` event counts the rest',
  },
  /** Bytes of events sent to the live streams per flush: a flush is always far smaller than `streamClientBytes`. */
  streamBytesPerFlush: {
    value: 256 * 1024,
    what: `bytes of events sent to a live stream per flush (every ${STREAM_FLUSH_MS} ms)`,
    beyond: 'one `gap` event counts the rest',
  },
  /** Fault rules in force at once (`POST /__mock/faults`). */
  faultRules: {
    value: 100,
    what: 'fault rules in force at once',
    beyond: '400 `VALIDATION_ERROR` (delete some first)',
  },
  /** A fault rule's added latency, `latency_ms` and `latency_max_ms` (mock/control-api.json states it too). */
  faultLatencyMs: {
    value: 60_000,
    what: "milliseconds of a fault rule's added latency (`latency_ms`, `latency_max_ms`)",
    beyond: '400 `VALIDATION_ERROR` on that field',
  },
  /** A JSON fixture (`--fixture`), checked before it is read. */
  fixtureBytes: { value: 128 * 1024 * 1024, what: 'bytes of a JSON fixture', beyond: 'refused at start, unread' },
} as const satisfies Record<string, Limit>;

export type LimitName = keyof typeof LIMITS;

export const limit = (name: LimitName): number => LIMITS[name].value;
