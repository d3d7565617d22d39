/**
 * A small levelled logger. Lines are buffered and written once per event-loop turn, and every line
 * passes through `redact`, so a secret (`whsec_…`) or an api key (`secret_live_…`) that slipped into
 * a message is replaced before it is written. The only way to print a secret on purpose is
 * `banner()` (the mock's start-up banner).
 */
export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

// `%` too: a secret sent percent-encoded in a path (logged at debug) was redacted only up to its
// first `%2B` or `%2F`, leaving the rest readable (found by test/reliability/secret-hygiene).
const SECRET_RE = /whsec_[A-Za-z0-9+/=_%-]*/g;
const KEY_RE = /secret_live_[A-Za-z0-9_%-]*/g;

export function redact(text: string): string {
  if (!text.includes('whsec_') && !text.includes('secret_live_')) return text;
  return text.replace(SECRET_RE, 'whsec_[redacted]').replace(KEY_RE, 'secret_live_[redacted]');
}

/**
 * `redact`, after replacing each of `secrets` wherever it appears, with or without its `whsec_`
 * prefix (a peer that drops the prefix must not get a secret printed), by `[redacted secret]`.
 */
export function secretRedactor(secrets: readonly (string | undefined)[]): (text: string) => string {
  const values = secrets
    .filter((x): x is string => typeof x === 'string' && x.length >= 16)
    .flatMap((x) => (x.startsWith('whsec_') ? [x, x.slice(6)] : [x]));
  return (text) => redact(values.reduce((out, v) => out.split(v).join('[redacted secret]'), text));
}

export function isLogLevel(v: unknown): v is LogLevel {
  return typeof v === 'string' && (LOG_LEVELS as readonly string[]).includes(v);
}

export interface LogSink {
  write(chunk: string): unknown;
}

export interface Logger {
  readonly level: LogLevel;
  enabled(level: Exclude<LogLevel, 'silent'>): boolean;
  error(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
  /** Writes text as is (not redacted): reserved for the start-up banner. */
  banner(text: string): void;
  flush(): void;
}

export function createLogger(level: LogLevel = 'info', sink: LogSink = process.stderr, bannerSink: LogSink = process.stdout): Logger {
  const rank = LOG_LEVELS.indexOf(level);
  let buffer = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (buffer) {
      const out = buffer;
      buffer = '';
      sink.write(out);
    }
  };
  const emit = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>) => {
    if (LOG_LEVELS.indexOf(lvl) > rank) return;
    let line = `${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} ${msg}`;
    if (fields) {
      for (const [k, v] of Object.entries(fields)) {
        if (v === undefined) continue;
        line += ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`;
      }
    }
    buffer += redact(line) + '\n';
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  return {
    level,
    enabled: (lvl) => LOG_LEVELS.indexOf(lvl) <= rank,
    error: (m, f) => emit('error', m, f),
    warn: (m, f) => emit('warn', m, f),
    info: (m, f) => emit('info', m, f),
    debug: (m, f) => emit('debug', m, f),
    banner: (text) => {
      flush();
      bannerSink.write(text.endsWith('\n') ? text : text + '\n');
    },
    flush,
  };
}
