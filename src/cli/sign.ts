/**
 * `inklink-mock sign`: the three Standard Webhooks headers InkLink would send with a body, signed
 * by the core's `signedHeaders` (core/webhooks.ts), as header lines, curl arguments or JSON.
 */
import { secretKey, signedHeaders } from '../../core/webhooks';
import { newEventId } from '../receiver-check/deliveries';
import { commandOptions, UsageError, type CommandHelp, type OptionSpec } from './options';
import { BODY_HINT, BODY_OPTIONS, readSecretAndBody, SECRET_ENV, SECRET_OPTIONS } from './signing-input';

/** What `webhook-timestamp` may be: the decimal seconds the core's `verify` reads (up to 15 digits). */
export const TIMESTAMP_RULE = { int: [0, 999_999_999_999_999] as [number, number] };

/** A `webhook-id`: printable ASCII without spaces (a header value, and one word of a curl command). */
const ID = /^[\x21-\x7e]{1,256}$/;

export const SIGN_FORMATS = ['headers', 'curl', 'json'] as const;

export const SIGN_OPTIONS: OptionSpec[] = [
  ...BODY_OPTIONS,
  ...SECRET_OPTIONS,
  {
    name: 'id',
    type: 'string',
    valueName: 'ID',
    description: 'The webhook-id (default: a new wh_evt_… id, as InkLink gives each event).',
  },
  {
    name: 'timestamp',
    type: 'string',
    valueName: 'SECONDS',
    value: TIMESTAMP_RULE,
    description: 'The webhook-timestamp, Unix seconds (default: now).',
  },
  {
    name: 'format',
    type: 'string',
    valueName: 'FORMAT',
    default: 'headers',
    value: { oneOf: SIGN_FORMATS },
    description: 'headers (one "name: value" line each), curl (-H arguments) or json (one object).',
  },
  { name: 'help', type: 'boolean', description: 'Show this help.' },
];

export const SIGN_HELP: CommandHelp = {
  usage: 'Usage: inklink-mock sign [--data BODY | --data-file FILE] [--id ID] [--timestamp SECONDS] [options]',
  about: `Signs a body as InkLink signs a delivery (Standard Webhooks v1: HMAC-SHA256 of
"id.timestamp.body" with the secret's bytes) and prints the webhook-id, webhook-timestamp and
webhook-signature headers. The secret comes from ${SECRET_ENV} (or the env var --secret-env
names), or from stdin with --secret-stdin: never from a flag, and it is never printed. The body is
the exact bytes of stdin, --data or --data-file. Exit status 0 when it printed the headers, 2 on
a usage error (no secret, a secret that is not base64, two bodies).`,
  examples: [
    [
      `inklink-mock sign --data '{"test": 2432232314}' --id msg_p5jXN8AQM9LWM0D4loKWxJek --timestamp 1614265330`,
      `Standard Webhooks' test vector (${SECRET_ENV}=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw):` +
        ' v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    ],
    [
      'inklink-mock sign --data-file body.json --format curl',
      'curl arguments: curl --data-binary @body.json $(inklink-mock sign --data-file body.json --format curl) URL',
    ],
    [
      'inklink-mock sign --secret-stdin --data-file body.json --format json < secret.txt',
      'the secret from stdin, the headers as JSON',
    ],
  ],
};

/** A word of a shell command: as it is when nothing in it is special to the shell, else quoted. */
const shellWord = (s: string) => (/^[\w.,:/+=@%-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function signCommand(argv: string[]): Promise<number> {
  const values = commandOptions(SIGN_OPTIONS, SIGN_HELP, argv, BODY_HINT);
  if (!values) return Promise.resolve(0);
  const id = values.id === undefined ? newEventId() : String(values.id);
  if (!ID.test(id)) throw new UsageError('--id must be printable ASCII without spaces, at most 256 characters');
  const timestamp = values.timestamp === undefined ? Math.floor(Date.now() / 1000) : Number(values.timestamp);
  const { secret, secretFrom, body } = readSecretAndBody(values);
  let key: Buffer;
  try {
    key = secretKey(secret);
  } catch (e) {
    throw new UsageError(`the secret from ${secretFrom} is malformed: ${(e as Error).message}`);
  }
  const headers = signedHeaders(key, id, timestamp, body);
  const entries = Object.entries(headers);
  const out =
    values.format === 'json'
      ? `${JSON.stringify(headers, null, 2)}\n`
      : values.format === 'curl'
        ? `${entries.map(([k, v]) => `-H ${shellWord(`${k}:${v}`)}`).join(' ')}\n`
        : entries.map(([k, v]) => `${k}: ${v}\n`).join('');
  process.stdout.write(out);
  return Promise.resolve(0);
}
