/**
 * A small levelled logger. Lines are buffered and written once per event-loop turn, and every line
 * passes through `redact`, so a secret (`whsec_…`), an api key (`secret_live_…`) or a URL's
 * password (`https://user:***@…`) that slipped into a message is replaced before it is written.
 * The only way to print a secret on purpose is `banner()` (the mock's start-up banner).
 *
 * Two formats: `text` (a timestamp, the level, the message, then `key=value` fields) for people,
 * and `json` (one object a line: `time`, `level`, `msg` and the fields) for machines.
 */
export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** One answered API request, as the request line shows it (at `info`). */
export interface RequestLine {
  method: string;
  /** The operationId, or `(no route)` and the path with its long tokens masked. */
  operation: string;
  /** The status answered, or `no answer` when the connection ended first. */
  status: number | 'no answer';
  ms: number;
  requestId: string;
}

// `%` too: a secret sent percent-encoded in a path (logged at debug) was redacted only up to its
// first `%2B` or `%2F`, leaving the rest readable (found by test/reliability/secret-hygiene).
// A bare prefix carries no secret: `--secret whsec_…` in a usage line stays readable.
const SECRET_RE = /whsec_[A-Za-z0-9+/=_%-]+/g;
const KEY_RE = /secret_live_[A-Za-z0-9_%-]+/g;

// A URL's password (`://user:pass@`), or its user alone (`://token@`), in any text.
const URL_PASSWORD_RE = /(:\/\/[^\s/?#@:"'<>]*:)[^\s/?#@"'<>]+@/g;
const URL_USER_RE = /(:\/\/)[^\s/?#@:"'<>]+@/g;

export function redact(text: string): string {
  if (text.includes('@') && text.includes('://'))
    text = text.replace(URL_PASSWORD_RE, '$1***@').replace(URL_USER_RE, '$1***@');
  if (!text.includes('whsec_') && !text.includes('secret_live_')) return text;
  return text.replace(SECRET_RE, 'whsec_[redacted]').replace(KEY_RE, 'secret_live_[redacted]');
}

/** What stands in for a credential in a URL as the mock shows it. */
export const URL_MASK = '***';

/**
 * Query (and fragment) parameters whose value is a credential by their name: `key`, `token`,
 * `secret`, `password`, `api_key`, `apikey`, `signature`, `sig`, `auth`, `access_token`, and names
 * that contain one of them (`x-api-key`, `refresh_token`, `client_secret`, `authorization`, …).
 */
const CREDENTIAL_NAME_RE = /key|token|secret|passw|pwd|signature|auth|credential|session|(?:^|[^a-z])sig(?:$|[^a-z])/i;
/** A value shaped like a secret or a key, whatever its parameter's name. */
const CREDENTIAL_VALUE_RE = /whsec_|secret_live_/i;

function decoded(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** `?a=1&token=x` with every credential-shaped value replaced by `***` (names and order kept). */
function maskParams(params: string): string {
  let changed = false;
  const parts = params.split('&').map((part) => {
    const eq = part.indexOf('=');
    if (eq < 0) return part;
    const value = part.slice(eq + 1);
    if (value === '' || value === URL_MASK) return part;
    if (!CREDENTIAL_NAME_RE.test(decoded(part.slice(0, eq))) && !CREDENTIAL_VALUE_RE.test(decoded(value))) return part;
    changed = true;
    return `${part.slice(0, eq)}=${URL_MASK}`;
  });
  return changed ? parts.join('&') : params;
}

/**
 * A URL as the mock shows it (the live stream, the journals, the control API's views, the logs):
 * its password masked (`https://user:***@host/`; a user alone, which is often a token, as
 * `https://***@host/`), every query or fragment parameter whose name or value is shaped like a
 * credential masked (`?token=***`), and `redact` over the rest. The one place URLs are masked;
 * what is delivered goes to the URL as given. Text that is not a URL is masked as well as its
 * shape allows.
 */
export function maskUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return redact(
      url
        .replace(/^([^:/?#]*:\/\/)[^/?#]*@/, `$1${URL_MASK}@`)
        .replace(/([?#])([^#]*)/g, (_all, mark: string, params: string) => mark + maskParams(params)),
    );
  }
  let changed = false;
  if (u.password) {
    u.password = URL_MASK;
    changed = true;
  } else if (u.username) {
    u.username = URL_MASK;
    changed = true;
  }
  if (u.search.length > 1) {
    const masked = maskParams(u.search.slice(1));
    if (masked !== u.search.slice(1)) {
      u.search = masked;
      changed = true;
    }
  }
  if (u.hash.length > 1) {
    const masked = maskParams(u.hash.slice(1));
    if (masked !== u.hash.slice(1)) {
      u.hash = masked;
      changed = true;
    }
  }
  return redact(changed ? u.href : url);
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
  /** The request line: `POST rotateWebhookEndpointSecret 200 1.2 ms request=<id>` at `info`. */
  request(line: RequestLine): void;
  /** Writes text as is (not redacted): reserved for the start-up banner. */
  banner(text: string): void;
  flush(): void;
}

// The timestamp of every line, formatted once per millisecond: a busy mock writes many lines in one
// (toISOString costs more than the rest of a request line; see docs/cli.md, the log's cost).
let stampMs = -1;
let stampText = '';
function timestamp(): string {
  const now = Date.now();
  if (now !== stampMs) {
    stampMs = now;
    stampText = new Date(now).toISOString();
  }
  return stampText;
}

export interface LoggerOptions {
  format?: LogFormat;
}

export function createLogger(
  level: LogLevel = 'info',
  sink: LogSink = process.stderr,
  bannerSink: LogSink = process.stdout,
  { format = 'text' }: LoggerOptions = {},
): Logger {
  const rank = LOG_LEVELS.indexOf(level);
  const infoOn = LOG_LEVELS.indexOf('info') <= rank;
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
  const push = (line: string) => {
    buffer += redact(line) + '\n';
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  const emit = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>) => {
    if (LOG_LEVELS.indexOf(lvl) > rank) return;
    if (format === 'json') {
      push(JSON.stringify({ time: timestamp(), level: lvl, msg, ...fields }));
      return;
    }
    let line = `${timestamp()} ${lvl.toUpperCase().padEnd(5)} ${msg}`;
    if (fields) {
      for (const [k, v] of Object.entries(fields)) {
        if (v === undefined) continue;
        line += ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`;
      }
    }
    push(line);
  };
  return {
    level,
    enabled: (lvl) => LOG_LEVELS.indexOf(lvl) <= rank,
    error: (m, f) => emit('error', m, f),
    warn: (m, f) => emit('warn', m, f),
    info: (m, f) => emit('info', m, f),
    debug: (m, f) => emit('debug', m, f),
    // On every request at `info`: one template string, no field loop (see bench: compare).
    request: (r) => {
      if (!infoOn) return;
      if (format === 'json') emit('info', 'request', { ...r, ms: Number(r.ms.toFixed(2)) });
      else
        push(
          `${timestamp()} INFO  ${r.method} ${r.operation} ${r.status} ${r.ms.toFixed(1)} ms request=${r.requestId}`,
        );
    },
    banner: (text) => {
      flush();
      bannerSink.write(text.endsWith('\n') ? text : text + '\n');
    },
    flush,
  };
}
