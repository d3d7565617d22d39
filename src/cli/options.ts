/**
 * Declarative command-line options: each flag has an env var and a description, and the help text
 * is generated from the same table. A flag beats its env var, which beats the default.
 */
import { parseArgs } from 'node:util';
import { parseDuration } from '../../core/duration';
import { loadSpecFile, type CompiledSpec } from '../../core/spec';

/**
 * What a string option's value must be, checked by `parseOptions` for every command alike (from the
 * flag or the env var), before the command looks at it: an integer in a range, a duration of at
 * least `duration` ms, an absolute URL (`http`: http or https only), or one of a list.
 */

/** The env var `serve` takes its control token from: the same one holds it for the commands that call a mock. */
export const CONTROL_TOKEN_ENV = 'INKLINK_MOCK_CONTROL_TOKEN';
export type ValueRule =
  { int: [number, number] } | { duration: number } | { url: 'http' | 'any' } | { oneOf: readonly string[] };
/** The rules most options share. */
export const PORT: ValueRule = { int: [0, 65535] };
export const POSITIVE_DURATION: ValueRule = { duration: 1 };
export const HTTP_URL: ValueRule = { url: 'http' };

export interface OptionSpec {
  /** Flag name without dashes, e.g. `retry-schedule`. */
  name: string;
  type: 'string' | 'boolean';
  env?: string;
  description: string;
  default?: string;
  multiple?: boolean;
  valueName?: string;
  value?: ValueRule;
  /** A one-letter alias (`-H` for `--header`, as curl spells it); `--help` has `-h`. */
  short?: string;
}

/** A mistake in how a command was called: one line on stderr, exit status 2. */
export class UsageError extends Error {}

export type ParsedOptions = Record<string, string | boolean | string[] | undefined>;

export interface ParseSettings {
  /** What the command takes besides options (e.g. `FILE|DIR`); without it, an argument is an error. */
  positionals?: string;
  /** Said after "unexpected argument" (e.g. where such an argument goes instead). */
  positionalHint?: string;
}

/** Edit distance with adjacent transpositions (`--prot` is one step from `--port`). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The known name nearest to `given`, when it is near enough to be what was meant. */
export function nearest(given: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const limit = Math.max(2, Math.floor(given.length / 3));
  for (const k of known) {
    // A prefix is a strong hint (`--retry` for `--retry-schedule`); one letter only for short flags.
    // Otherwise the distance is at least the difference in length: a huge word is not compared letter by letter.
    const prefix = k.startsWith(given) && given.length >= (given.length === 1 ? 1 : 3);
    const d = prefix ? 0.5 : Math.abs(k.length - given.length) > limit ? Infinity : distance(given, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return bestDistance <= limit ? best : undefined;
}

/** parseArgs' errors, each as one line that names the option (and the nearest known one). */
function usageErrorOf(e: NodeJS.ErrnoException, specs: OptionSpec[], argv: string[]): UsageError {
  // parseArgs names an option with a short form as '-h, --help': the long form is the one to show.
  const flag = /'(?:-\w, )?(--?[^' =,]+)/.exec(e.message)?.[1];
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) {
    const given = flag.replace(/^--?/, '');
    const near = nearest(
      given.replace(/^no-/, ''),
      specs.map((s) => s.name),
    );
    return new UsageError(`unknown option ${flag}${near ? ` (did you mean --${near}?)` : ''}`);
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag) {
    if (/does not take an argument/.test(e.message)) return new UsageError(`${flag} takes no value`);
    const spec = specs.find((s) => `--${s.name}` === flag);
    const needs = `${flag} needs a value (${flag} ${spec?.valueName ?? 'VALUE'})`;
    // `--port -1`: what follows is not an option of the command, so it may be a value with a dash.
    const next = argv[argv.indexOf(flag) + 1];
    const isOption =
      next !== undefined &&
      (next === '-h' || specs.some((s) => next === `--${s.name}` || next.startsWith(`--${s.name}=`)));
    return new UsageError(
      next === undefined || isOption ? needs : `${needs}; a value that starts with "-" is written ${flag}=VALUE`,
    );
  }
  return new UsageError(e.message.split('\n')[0]);
}

/** Whether `value` keeps `rule`; the problem as the end of a sentence that starts with the flag, or undefined. */
function ruleProblem(rule: ValueRule, value: string): string | undefined {
  if ('int' in rule) {
    const [min, max] = rule.int;
    const n = Number(value);
    return /^\d+$/.test(value) && n >= min && n <= max
      ? undefined
      : `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`;
  }
  if ('duration' in rule) {
    try {
      parseDuration(value, rule.duration);
      return undefined;
    } catch (e) {
      return `: ${(e as Error).message}`;
    }
  }
  if ('oneOf' in rule)
    return rule.oneOf.includes(value)
      ? undefined
      : `must be one of ${rule.oneOf.join(', ')}, got ${JSON.stringify(value)}`;
  // A URL may carry credentials: it is never repeated in the message.
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const http = rule.url === 'http';
  return url && (!http || url.protocol === 'http:' || url.protocol === 'https:')
    ? undefined
    : `must be an absolute ${http ? 'http(s) ' : ''}URL`;
}

/**
 * What every command refuses alike once parseArgs has read the arguments: an empty value (`--port=`,
 * or `--secret "$UNSET"`). An option given twice takes its last value, as in most CLIs, so that a
 * wrapper can append a flag to override one it was given (`serve "$@" --port 0`).
 */
function checkGiven(specs: OptionSpec[], tokens: { kind: string; name?: string; value?: string }[]): void {
  for (const t of tokens) {
    const spec = t.kind === 'option' ? specs.find((s) => s.name === t.name) : undefined;
    if (spec?.type === 'string' && (t.value ?? '') === '') {
      throw new UsageError(`--${spec.name} is empty: give a value (--${spec.name} ${spec.valueName ?? 'VALUE'})`);
    }
  }
}

function checkValue(spec: OptionSpec, value: string, fromEnv: boolean): void {
  const problem = spec.value && ruleProblem(spec.value, value);
  if (problem)
    throw new UsageError(
      `--${spec.name}${problem.startsWith(':') ? '' : ' '}${problem}${fromEnv ? ` (from ${spec.env})` : ''}`,
    );
}

export function parseOptions(
  specs: OptionSpec[],
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  settings: ParseSettings = {},
): { values: ParsedOptions; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(
        specs.map((s) => [
          s.name,
          {
            type: s.type,
            multiple: s.multiple ?? false,
            ...(s.name === 'help' ? { short: 'h' } : s.short ? { short: s.short } : {}),
          },
        ]),
      ),
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (e) {
    throw usageErrorOf(e as NodeJS.ErrnoException, specs, argv);
  }
  checkGiven(specs, parsed.tokens);
  if (!settings.positionals && parsed.positionals.length > 0 && parsed.values.help !== true) {
    const arg = parsed.positionals[0];
    const hint =
      /^\d+$/.test(arg) && specs.some((s) => s.name === 'port')
        ? `did you mean --port ${arg}?`
        : (settings.positionalHint ?? 'this command takes options only');
    throw new UsageError(`unexpected argument ${JSON.stringify(arg)} (${hint})`);
  }
  const values: ParsedOptions = {};
  for (const s of specs) {
    let v: string | boolean | string[] | undefined = (parsed.values as ParsedOptions)[s.name];
    const fromEnv = v === undefined && s.env !== undefined && env[s.env] !== undefined && env[s.env] !== '';
    if (fromEnv) {
      const raw = env[s.env as string] as string;
      if (s.type === 'boolean') {
        if (!/^(1|0|true|false|yes|no)$/i.test(raw)) throw new UsageError(`${s.env} must be true or false`);
        v = /^(1|true|yes)$/i.test(raw);
      } else
        v = s.multiple
          ? raw
              .split(',')
              .map((x) => x.trim())
              .filter(Boolean)
          : raw;
    }
    if (typeof v === 'string') checkValue(s, v, fromEnv);
    if (v === undefined && s.default !== undefined) v = s.type === 'boolean' ? s.default === 'true' : s.default;
    values[s.name] = v;
  }
  return { values, positionals: parsed.positionals };
}

/** A command's help: its usage line(s), what it does, and examples a user can paste. */
export interface CommandHelp {
  usage: string;
  /** Paragraphs after the usage line. */
  about?: string;
  /** `[command, what it does]`: shown under "Examples:". */
  examples: [string, string][];
}

export function helpText(help: CommandHelp, specs: OptionSpec[]): string {
  const rows = specs.map((s) => {
    const flag = `--${s.name}${s.type === 'string' ? ` ${s.valueName ?? 'VALUE'}` : ''}`;
    const extra = [s.env ? `env ${s.env}` : '', s.default !== undefined ? `default ${s.default}` : '']
      .filter(Boolean)
      .join('; ');
    return `  ${flag.padEnd(34)} ${s.description}${extra ? ` (${extra})` : ''}`;
  });
  const examples = help.examples.map(([cmd, what]) => `  # ${what}\n  ${cmd}`);
  const about = help.about ? `\n${help.about}\n` : '';
  return `${help.usage}\n${about}\nOptions:\n${rows.join('\n')}\n\nExamples:\n${examples.join('\n\n')}\n`;
}

/**
 * A command's options, or undefined once `--help` has printed the help (the command then exits 0).
 * A stray argument is a usage error that says where such a value goes (`settings.positionalHint`).
 */
export function commandOptions(
  specs: OptionSpec[],
  help: CommandHelp,
  argv: string[],
  settings: ParseSettings = {},
): ParsedOptions | undefined {
  const { values } = parseOptions(specs, argv, process.env, settings);
  if (values.help) {
    process.stdout.write(helpText(help, specs));
    return undefined;
  }
  return values;
}

/** Options a command cannot run without (once `--help` and `--list-checks` are out of the way). */
export function requireOptions(values: ParsedOptions, specs: OptionSpec[], names: string[]): void {
  for (const name of names) {
    const env = specs.find((s) => s.name === name)?.env;
    if (values[name] === undefined) throw new UsageError(`--${name} is required${env ? ` (or ${env})` : ''}`);
  }
}

/** The value of an option checked by a `duration` rule, in ms (its default, when not given). */
export function durationValue(values: ParsedOptions, name: string): number {
  return parseDuration(String(values[name]));
}

/** `--spec FILE`: another OpenAPI 3.0 document, compiled by the one spec module. */
export function specOption(value: ParsedOptions[string]): CompiledSpec | undefined {
  if (value === undefined) return undefined;
  try {
    return loadSpecFile(String(value));
  } catch (e) {
    throw new UsageError(`--spec: ${(e as Error).message}`);
  }
}
