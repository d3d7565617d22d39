/**
 * `inklink-mock vectors --out DIR`: signed test vectors for a receiver in any language, one JSON
 * file per case and an index. Signed by the core's `sign` (core/webhooks.ts) with secrets derived
 * from a seed, at a fixed time: the same seed writes the same bytes.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ID_PREFIX } from '../../core/inklink';
import { DEFAULT_TOLERANCE_SECONDS, SECRET_PREFIX, sign, type VerifyFailure } from '../../core/webhooks';
import { commandOptions, requireOptions, type CommandHelp, type OptionSpec } from './options';

/** The moment every vector is verified at: 2026-01-01T00:00:00Z. */
export const VECTORS_NOW = 1_767_225_600;
export const DEFAULT_VECTORS_SEED = 42;
/** What index.json's `format` says, and the version of the case files' shape. */
export const VECTORS_FORMAT = 'inklink-mock-signature-vectors';

export interface VectorCase {
  name: string;
  description: string;
  /** The secret the receiver holds. */
  secret: string;
  /** The request's headers (a missing header is absent). */
  headers: Record<string, string>;
  /** The exact bytes of the body, as base64 and (the same bytes) as UTF-8 text. */
  body: { base64: string; utf8: string };
  /** Unix seconds: the receiver's clock when it verifies. */
  now: number;
  toleranceSeconds: number;
  expected: { valid: true } | { valid: false; reason: VerifyFailure };
}

/** 32 bytes for `label`, from the seed: the same on every run. */
const derived = (seed: number, label: string) =>
  createHash('sha256').update(`inklink-mock vectors ${seed} ${label}`).digest();
const secretOf = (seed: number, label: string) => SECRET_PREFIX + derived(seed, label).toString('base64');
const eventIdOf = (seed: number, label: string) => ID_PREFIX.event + derived(seed, label).toString('hex').slice(0, 24);

/** Every case, in index order. */
export function buildVectors(seed = DEFAULT_VECTORS_SEED): VectorCase[] {
  const now = VECTORS_NOW;
  const tolerance = DEFAULT_TOLERANCE_SECONDS;
  const secret = secretOf(seed, 'secret');
  const previous = secretOf(seed, 'previous secret');
  const other = secretOf(seed, 'another secret');
  const id = eventIdOf(seed, 'event');
  const subject = `user_${derived(seed, 'subject').toString('hex').slice(0, 8)}`;
  const inquiry = `kyc_iq_${derived(seed, 'inquiry').toString('hex').slice(0, 16)}`;
  // InkLink's thin payload, as the mock writes it.
  const body = JSON.stringify({
    type: 'kyc.result.approved',
    timestamp: new Date((now - 1) * 1000).toISOString(),
    data: { inquiry_id: inquiry, subject_id: subject },
  });
  // Bytes a receiver that parses and re-serialises before verifying changes: spaces, key order,
  // an escaped and an unescaped non-ASCII letter, a trailing newline.
  const oddBody =
    `{ "type": "kyc.result.approved", "data": {"subject_id": "${subject}", "name": "Zo\\u00eb Lefèvre"},\n` +
    `  "timestamp": "${new Date((now - 1) * 1000).toISOString()}" }\n`;

  const headers = (i: string, t: number, s: string) => ({
    'webhook-id': i,
    'webhook-timestamp': String(t),
    'webhook-signature': s,
  });
  const valid = { valid: true } as const;
  const invalid = (reason: VerifyFailure) => ({ valid: false, reason }) as const;
  const make = (
    name: string,
    description: string,
    h: Record<string, string>,
    expected: VectorCase['expected'],
    b = body,
  ): VectorCase => ({
    name,
    description,
    secret,
    headers: h,
    body: { base64: Buffer.from(b, 'utf8').toString('base64'), utf8: b },
    now,
    toleranceSeconds: tolerance,
    expected,
  });
  const good = sign(secret, id, now, body);
  const without = (name: string) =>
    Object.fromEntries(Object.entries(headers(id, now, good)).filter(([k]) => k !== name));
  const tamperedBody = body.replace(subject, `user_${'0'.repeat(8)}`);
  const otherId = eventIdOf(seed, 'another event');

  return [
    make('valid', 'Signed with the secret the receiver holds, now: accept.', headers(id, now, good), valid),
    make(
      'valid_exact_bytes',
      'A body whose exact bytes matter (spacing, key order, \\u00eb and ë, a trailing newline): verify the raw ' +
        'bytes, never a re-serialised object. Accept.',
      headers(id, now, sign(secret, id, now, oddBody)),
      valid,
      oddBody,
    ),
    make(
      'oldest_accepted',
      `Signed ${tolerance} s ago, exactly the tolerance: accept (only a timestamp further off is refused).`,
      headers(id, now - tolerance, sign(secret, id, now - tolerance, body)),
      valid,
    ),
    make(
      'another_secret',
      "Signed with a secret that is not the receiver's: refuse.",
      headers(id, now, sign(other, id, now, body)),
      invalid('no_matching_signature'),
    ),
    make(
      'previous_secret',
      'Signed with the secret before the last rotation: InkLink stops signing with it at once, so refuse.',
      headers(id, now, sign(previous, id, now, body)),
      invalid('no_matching_signature'),
    ),
    make(
      'tampered_body',
      'The body changed after signing (another subject_id): refuse.',
      headers(id, now, good),
      invalid('no_matching_signature'),
      tamperedBody,
    ),
    make(
      'tampered_id',
      "webhook-id changed after signing (the signature is the original event's): refuse.",
      headers(otherId, now, good),
      invalid('no_matching_signature'),
    ),
    make(
      'tampered_timestamp',
      'webhook-timestamp changed after signing, still within the tolerance: refuse.',
      headers(id, now - 1, good),
      invalid('no_matching_signature'),
    ),
    make(
      'stale_timestamp',
      `Correctly signed ${tolerance + 1} s ago, one second beyond the tolerance: refuse (a replay).`,
      headers(id, now - tolerance - 1, sign(secret, id, now - tolerance - 1, body)),
      invalid('timestamp_too_old'),
    ),
    make(
      'future_timestamp',
      `Correctly signed for ${tolerance + 1} s from now, one second beyond the tolerance: refuse.`,
      headers(id, now + tolerance + 1, sign(secret, id, now + tolerance + 1, body)),
      invalid('timestamp_too_new'),
    ),
    make(
      'non_numeric_timestamp',
      'webhook-timestamp is not a decimal number of seconds: refuse.',
      { ...headers(id, now, good), 'webhook-timestamp': new Date(now * 1000).toISOString() },
      invalid('invalid_timestamp'),
    ),
    make(
      'several_signatures_one_valid',
      'Space-separated signatures: another secret, an unknown version, then the right one: accept.',
      headers(id, now, `${sign(other, id, now, body)} v1a,${good.slice(3)} ${good}`),
      valid,
    ),
    make(
      'v1a_entry_skipped',
      'The right HMAC, but labelled v1a: only v1 entries are compared, so there is none to match: refuse.',
      headers(id, now, `v1a,${good.slice(3)}`),
      invalid('no_matching_signature'),
    ),
    make('missing_webhook_id', 'No webhook-id header: refuse.', without('webhook-id'), invalid('missing_headers')),
    make(
      'missing_webhook_timestamp',
      'No webhook-timestamp header: refuse.',
      without('webhook-timestamp'),
      invalid('missing_headers'),
    ),
    make(
      'missing_webhook_signature',
      'No webhook-signature header: refuse.',
      without('webhook-signature'),
      invalid('missing_headers'),
    ),
  ];
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The files of the vectors: `<name>.json` per case and `index.json`, by file name. */
export function vectorFiles(seed = DEFAULT_VECTORS_SEED): Map<string, string> {
  const cases = buildVectors(seed);
  const files = new Map(cases.map((c) => [`${c.name}.json`, json(c)]));
  files.set(
    'index.json',
    json({
      format: VECTORS_FORMAT,
      version: 1,
      seed,
      scheme:
        'Standard Webhooks v1: webhook-signature holds space-separated "v1,<base64 HMAC-SHA256>" entries of ' +
        '"<webhook-id>.<webhook-timestamp>.<body>" keyed by the base64-decoded secret without whsec_',
      cases: cases.map((c) => ({ file: `${c.name}.json`, name: c.name, expected: c.expected })),
    }),
  );
  return files;
}

export const VECTORS_OPTIONS: OptionSpec[] = [
  {
    name: 'out',
    type: 'string',
    valueName: 'DIR',
    description: 'The directory to write the files to (created if missing; files of the same name replaced). Required.',
  },
  {
    name: 'seed',
    type: 'string',
    valueName: 'N',
    default: String(DEFAULT_VECTORS_SEED),
    value: { int: [0, 2 ** 31 - 1] },
    description: 'Seed of the secrets, ids and payload: the same seed writes the same files.',
  },
  { name: 'help', type: 'boolean', description: 'Show this help.' },
];

export const VECTORS_HELP: CommandHelp = {
  usage: 'Usage: inklink-mock vectors --out DIR [--seed N]',
  about: `Writes signed test vectors for a webhook receiver in any language: one JSON file per case
(valid; another secret; the secret before the last rotation; tampered body, id and timestamp;
stale and future timestamps; several signatures with one valid; a v1a entry to skip; missing
headers), each with the secret, the headers, the exact body bytes (base64 and UTF-8), the time to
verify at, the tolerance and the expected verdict, and index.json listing them. The secrets are
derived from the seed (test secrets, never InkLink's). Exit status 0 when it wrote them, 1 when it
cannot write them, 2 on a usage error.`,
  examples: [
    ['inklink-mock vectors --out test/vectors', "the vectors for your receiver's tests"],
    [
      'inklink-mock vectors --out vectors && python3 examples/vectors/verify.py vectors',
      'check them with the Python receiver of this repository (standard library only)',
    ],
    ['inklink-mock vectors --out vectors-7 --seed 7', 'other secrets and ids, the same cases'],
  ],
};

export function vectorsCommand(argv: string[]): Promise<number> {
  const values = commandOptions(VECTORS_OPTIONS, VECTORS_HELP, argv, {
    positionalHint: 'the directory goes with --out',
  });
  if (!values) return Promise.resolve(0);
  requireOptions(values, VECTORS_OPTIONS, ['out']);
  const out = String(values.out);
  const files = vectorFiles(Number(values.seed));
  fs.mkdirSync(out, { recursive: true });
  for (const [name, text] of files) fs.writeFileSync(path.join(out, name), text);
  process.stdout.write(`wrote ${files.size - 1} vectors and index.json to ${out}\n`);
  return Promise.resolve(0);
}
