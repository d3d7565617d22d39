/**
 * `inklink-mock verify-signature`: a captured delivery's headers and body against a secret, judged
 * by the core's `verify` (core/webhooks.ts): valid, or why not, with what the reason is about (the
 * timestamp against the tolerance, the signatures it compared and those it skipped).
 */
import { secretRedactor } from '../../core/log';
import { DEFAULT_TOLERANCE_SECONDS, verify, type VerifyResult } from '../../core/webhooks';
import { commandOptions, durationValue, UsageError, type CommandHelp, type OptionSpec } from './options';
import { TIMESTAMP_RULE } from './sign';
import { BODY_HINT, BODY_OPTIONS, readFile, readSecretAndBody, SECRET_ENV, SECRET_OPTIONS } from './signing-input';

const SIGNED_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

export const VERIFY_SIGNATURE_OPTIONS: OptionSpec[] = [
  {
    name: 'header',
    short: 'H',
    type: 'string',
    multiple: true,
    valueName: 'NAME:VALUE',
    description: "A header of the request, as curl's -H takes it (-H also works; repeatable).",
  },
  {
    name: 'headers-file',
    type: 'string',
    valueName: 'FILE',
    description:
      'The headers: "Name: value" lines (a request line first, and anything after a blank line, ignored) ' +
      'or a JSON object.',
  },
  ...BODY_OPTIONS,
  ...SECRET_OPTIONS,
  {
    name: 'tolerance',
    type: 'string',
    valueName: 'DURATION',
    default: `${DEFAULT_TOLERANCE_SECONDS / 60}m`,
    value: { duration: 1000 },
    description: 'How far webhook-timestamp may be from now, whole seconds.',
  },
  {
    name: 'now',
    type: 'string',
    valueName: 'SECONDS',
    value: TIMESTAMP_RULE,
    description: 'The time to verify at, Unix seconds (default: now), e.g. when the request was captured.',
  },
  {
    name: 'format',
    type: 'string',
    valueName: 'FORMAT',
    default: 'text',
    value: { oneOf: ['text', 'json'] },
    description: 'text (one line) or json ({"valid", "reason", "message"}).',
  },
  { name: 'help', type: 'boolean', description: 'Show this help.' },
];

export const VERIFY_SIGNATURE_HELP: CommandHelp = {
  usage:
    'Usage: inklink-mock verify-signature (-H NAME:VALUE... | --headers-file FILE)' +
    ' [--data BODY | --data-file FILE] [options]',
  about: `Verifies a captured delivery as a receiver must (Standard Webhooks v1): the three headers
present, webhook-timestamp within the tolerance of now, and one v1 signature of webhook-signature
that matches the body's exact bytes. Prints "valid", or "invalid (reason): why": missing_headers,
invalid_timestamp, timestamp_too_old or timestamp_too_new (with the difference and the
tolerance), invalid_secret (the secret is malformed; it is never shown) or no_matching_signature
(with the signatures compared and skipped). The secret comes from ${SECRET_ENV} (or the
env var --secret-env names), or from stdin with --secret-stdin. Exit status 0 valid, 1 invalid,
2 on a usage error.`,
  examples: [
    [
      "inklink-mock verify-signature -H 'webhook-id: msg_p5jXN8AQM9LWM0D4loKWxJek' -H 'webhook-timestamp: 1614265330'" +
        " -H 'webhook-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='" +
        ` --data '{"test": 2432232314}' --now 1614265330`,
      `Standard Webhooks' test vector, verified at its own time (${SECRET_ENV}=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw)`,
    ],
    [
      'inklink-mock verify-signature --headers-file headers.txt --data-file body.json --format json',
      'headers saved by curl -D or copied from a log, the verdict as JSON',
    ],
    [
      'inklink-mock verify-signature --headers-file headers.txt --data-file body.json' +
        ' --secret-env INKLINK_OLD_WEBHOOK_SECRET',
      'was it signed with the secret before the rotation?',
    ],
  ],
};

type Headers = Record<string, string[]>;

function addHeader(headers: Headers, line: string, where: string): void {
  const colon = line.indexOf(':');
  if (colon <= 0) throw new UsageError(`${where} must be NAME:VALUE, got ${JSON.stringify(line.slice(0, 80))}`);
  const name = line.slice(0, colon).trim().toLowerCase();
  (headers[name] ??= []).push(line.slice(colon + 1).trim());
}

/** A headers file: a JSON object of strings (or arrays of them), or header lines as curl -D saves them. */
function headersFile(file: string): Headers {
  const text = readFile('--headers-file', file).toString('utf8');
  const headers: Headers = {};
  if (text.trimStart().startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new UsageError(`--headers-file: ${file} is not JSON: ${(e as Error).message}`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new UsageError(`--headers-file: ${file} is not a JSON object`);
    for (const [k, v] of Object.entries(parsed)) {
      const list = Array.isArray(v) ? v : [v];
      if (!list.every((x) => typeof x === 'string'))
        throw new UsageError(`--headers-file: ${k} is not a string or a list of strings`);
      (headers[k.toLowerCase()] ??= []).push(...list);
    }
    return headers;
  }
  const lines = text.split(/\r?\n/);
  // A request or status line (`POST /webhooks HTTP/1.1`, `HTTP/1.1 200 OK`) is not a header.
  if (lines[0] && /^(\S+ \S+ HTTP\/\d|HTTP\/\d)/.test(lines[0])) lines.shift();
  for (const line of lines) {
    if (line.trim() === '') break;
    addHeader(headers, line, '--headers-file: each line');
  }
  return headers;
}

interface Verdict {
  valid: boolean;
  reason?: string;
  message?: string;
}

/** The core's verdict, said with what it is about (never the secret). */
function explain(result: VerifyResult, headers: Headers, now: number, tolerance: number, secret: string): Verdict {
  if (result.ok) return { valid: true };
  const value = (name: string) => headers[name]?.join(' ');
  let message = result.message;
  switch (result.reason) {
    case 'missing_headers':
      message = `missing ${SIGNED_HEADERS.filter((h) => !value(h)).join(', ')}`;
      break;
    case 'invalid_timestamp':
      message =
        `webhook-timestamp ${JSON.stringify(value('webhook-timestamp')?.slice(0, 40))}` +
        ' is not a decimal number of seconds';
      break;
    case 'timestamp_too_old':
    case 'timestamp_too_new': {
      const ts = Number(value('webhook-timestamp'));
      const off = Math.abs(now - ts);
      const side = result.reason === 'timestamp_too_old' ? 'before' : 'after';
      message = `webhook-timestamp ${ts} is ${off} s ${side} now (${now}), beyond the tolerance of ${tolerance} s`;
      break;
    }
    case 'invalid_secret':
      message = `the secret is malformed: ${result.message}`;
      break;
    case 'no_matching_signature': {
      const entries = (value('webhook-signature') ?? '').split(' ').filter(Boolean);
      const v1 = entries.filter((e) => e.startsWith('v1,')).length;
      const skipped = entries.length - v1;
      message =
        `${v1 === 0 ? 'no v1 signature' : v1 === 1 ? 'the one v1 signature' : `none of the ${v1} v1 signatures`} ` +
        `in webhook-signature ${v1 > 0 ? 'matches the body, id and timestamp with this secret' : 'to compare'}` +
        (skipped ? ` (${skipped} ${skipped === 1 ? 'entry' : 'entries'} of another version skipped)` : '');
      break;
    }
  }
  // What a request carried is shown, but a secret pasted into a header by mistake never is.
  return { valid: false, reason: result.reason, message: secretRedactor([secret])(message) };
}

export function verifySignatureCommand(argv: string[]): Promise<number> {
  const values = commandOptions(VERIFY_SIGNATURE_OPTIONS, VERIFY_SIGNATURE_HELP, argv, BODY_HINT);
  if (!values) return Promise.resolve(0);
  const given = (values.header as string[] | undefined) ?? [];
  const file = values['headers-file'] as string | undefined;
  if (given.length === 0 && file === undefined)
    throw new UsageError('give the headers with --header (-H) NAME:VALUE or --headers-file FILE');
  if (given.length > 0 && file !== undefined) throw new UsageError('--header and --headers-file cannot be combined');
  const headers: Headers = file === undefined ? {} : headersFile(file);
  for (const h of given) addHeader(headers, h, '--header');
  const toleranceMs = durationValue(values, 'tolerance');
  if (toleranceMs % 1000 !== 0) throw new UsageError('--tolerance must be whole seconds');
  const tolerance = toleranceMs / 1000;
  const now = values.now === undefined ? Math.floor(Date.now() / 1000) : Number(values.now);
  const { secret, body } = readSecretAndBody(values);
  const verdict = explain(
    verify(secret, body, headers, { now, toleranceSeconds: tolerance }),
    headers,
    now,
    tolerance,
    secret,
  );
  process.stdout.write(
    values.format === 'json'
      ? `${JSON.stringify(verdict)}\n`
      : verdict.valid
        ? 'valid\n'
        : `invalid (${verdict.reason}): ${verdict.message}\n`,
  );
  return Promise.resolve(verdict.valid ? 0 : 1);
}
