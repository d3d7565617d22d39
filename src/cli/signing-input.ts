/**
 * What `sign` and `verify-signature` read alike: the secret (from an env var, or the first line of
 * stdin: never from a flag, which the process list shows) and the body's exact bytes (`--data`,
 * `--data-file`, or stdin). A secret is never repeated in an error.
 */
import fs from 'node:fs';
import { isatty } from 'node:tty';
import { UsageError, type OptionSpec, type ParsedOptions } from './options';

/** The env var `check-receiver --secret` reads too: the secret a receiver holds. */
export const SECRET_ENV = 'INKLINK_WEBHOOK_SECRET';

export const SECRET_OPTIONS: OptionSpec[] = [
  {
    name: 'secret-env',
    type: 'string',
    valueName: 'NAME',
    default: SECRET_ENV,
    description: 'The env var that holds the secret (whsec_… or bare base64), e.g. INKLINK_OLD_WEBHOOK_SECRET.',
  },
  {
    name: 'secret-stdin',
    type: 'boolean',
    description:
      'Read the secret from the first line of stdin instead (the body then comes from --data or --data-file).',
  },
];

export const BODY_OPTIONS: OptionSpec[] = [
  {
    name: 'data',
    type: 'string',
    valueName: 'BODY',
    description: 'The body, as UTF-8 text (default: the exact bytes of stdin).',
  },
  {
    name: 'data-file',
    type: 'string',
    valueName: 'FILE',
    description: 'The body: the exact bytes of FILE (- for stdin).',
  },
];

/** Said of a stray argument (`sign body.json`). */
export const BODY_HINT = { positionalHint: 'a body file goes with --data-file' };

/** Reads stdin to its end, once (both the secret and the body may come from it, never both). */
function readStdin(what: string): Buffer {
  if (isatty(0)) throw new UsageError(`${what} is read from stdin, which is a terminal: pipe it in`);
  return fs.readFileSync(0);
}

/** Where the body comes from: `--data`, `--data-file FILE`, or stdin (also `--data-file -`). */
function bodySource(values: ParsedOptions): { data?: string; file?: string } {
  const data = values.data as string | undefined;
  const file = values['data-file'] as string | undefined;
  if (data !== undefined && file !== undefined) throw new UsageError('--data and --data-file cannot be combined');
  return { data, file: data === undefined && file !== '-' ? file : undefined };
}

/**
 * The secret (as given: `whsec_…` or bare base64; the caller decides what a malformed one means)
 * and the body's exact bytes. stdin holds one of them at most, checked before anything is read.
 */
export function readSecretAndBody(values: ParsedOptions): { secret: string; secretFrom: string; body: Buffer } {
  const source = bodySource(values);
  const bodyFromStdin = source.data === undefined && source.file === undefined;
  if (values['secret-stdin'] && bodyFromStdin)
    throw new UsageError('--secret-stdin reads stdin: give the body with --data or --data-file FILE');
  let secret: string | undefined;
  let secretFrom: string;
  if (values['secret-stdin']) {
    secretFrom = 'stdin';
    secret = readStdin('--secret-stdin: the secret').toString('utf8').split(/\r?\n/)[0];
    if (!secret) throw new UsageError('--secret-stdin: the first line of stdin is empty');
  } else {
    secretFrom = String(values['secret-env']);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(secretFrom)) throw new UsageError('--secret-env must name an env var');
    secret = process.env[secretFrom];
    if (!secret)
      throw new UsageError(
        `no secret: set ${secretFrom}${secretFrom === SECRET_ENV ? '' : ' (named by --secret-env)'}` +
          ' or pass --secret-stdin',
      );
  }
  let body: Buffer;
  if (source.data !== undefined) body = Buffer.from(source.data, 'utf8');
  else if (source.file === undefined) body = readStdin('the body (without --data or --data-file)');
  else body = readFile('--data-file', source.file);
  return { secret, secretFrom, body };
}

/** A file a flag names, or a usage error that says why it cannot be read. */
export function readFile(flag: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EISDIR' ? 'is a directory' : code;
    throw new UsageError(`${flag}: ${file}: ${why ?? (e as Error).message}`);
  }
}
