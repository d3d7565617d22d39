/**
 * Declarative command-line options: each flag has an env var and a description, and the help text
 * is generated from the same table. A flag beats its env var, which beats the default.
 */
import { parseArgs } from 'node:util';
import { loadSpecFile, type CompiledSpec } from '../core/spec';

export interface OptionSpec {
  /** Flag name without dashes, e.g. `retry-schedule`. */
  name: string;
  type: 'string' | 'boolean';
  env?: string;
  description: string;
  default?: string;
  multiple?: boolean;
  valueName?: string;
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
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The known name nearest to `given`, when it is near enough to be what was meant. */
export function nearest(given: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    // A prefix is a strong hint (`--retry` for `--retry-schedule`); one letter only for short flags.
    const d = k.startsWith(given) && given.length >= (given.length === 1 ? 1 : 3) ? 0.5 : distance(given, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return bestDistance <= Math.max(2, Math.floor(given.length / 3)) ? best : undefined;
}

/** parseArgs' errors, each as one line that names the option (and the nearest known one). */
function usageErrorOf(e: NodeJS.ErrnoException, specs: OptionSpec[]): UsageError {
  const flag = /'(--?[^' =]+)/.exec(e.message)?.[1];
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) {
    const given = flag.replace(/^--?/, '');
    const near = nearest(given.replace(/^no-/, ''), specs.map((s) => s.name));
    return new UsageError(`unknown option ${flag}${near ? ` (did you mean --${near}?)` : ''}`);
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag) {
    if (/does not take an argument/.test(e.message)) return new UsageError(`${flag} takes no value`);
    return new UsageError(`${flag} needs a value (${flag} ${specs.find((s) => `--${s.name}` === flag)?.valueName ?? 'VALUE'})`);
  }
  return new UsageError(e.message.split('\n')[0]);
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
      options: Object.fromEntries(specs.map((s) => [s.name, { type: s.type, multiple: s.multiple ?? false, ...(s.name === 'help' ? { short: 'h' } : {}) }])),
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw usageErrorOf(e as NodeJS.ErrnoException, specs);
  }
  if (!settings.positionals && parsed.positionals.length > 0 && parsed.values.help !== true) {
    const arg = parsed.positionals[0];
    const hint =
      /^\d+$/.test(arg) && specs.some((s) => s.name === 'port') ? `did you mean --port ${arg}?` : (settings.positionalHint ?? 'this command takes options only');
    throw new UsageError(`unexpected argument ${JSON.stringify(arg)} (${hint})`);
  }
  const values: ParsedOptions = {};
  for (const s of specs) {
    let v: string | boolean | string[] | undefined = (parsed.values as ParsedOptions)[s.name];
    if (v === undefined && s.env && env[s.env] !== undefined && env[s.env] !== '') {
      const raw = env[s.env] as string;
      if (s.type === 'boolean') {
        if (!/^(1|0|true|false|yes|no)$/i.test(raw)) throw new UsageError(`${s.env} must be true or false`);
        v = /^(1|true|yes)$/i.test(raw);
      } else v = s.multiple ? raw.split(',').map((x) => x.trim()).filter(Boolean) : raw;
    }
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
    const extra = [s.env ? `env ${s.env}` : '', s.default !== undefined ? `default ${s.default}` : ''].filter(Boolean).join('; ');
    return `  ${flag.padEnd(34)} ${s.description}${extra ? ` (${extra})` : ''}`;
  });
  const examples = help.examples.map(([cmd, what]) => `  # ${what}\n  ${cmd}`);
  return `${help.usage}\n${help.about ? `\n${help.about}\n` : ''}\nOptions:\n${rows.join('\n')}\n\nExamples:\n${examples.join('\n\n')}\n`;
}

/**
 * A command's options, or undefined once `--help` has printed the help (the command then exits 0).
 * A stray argument is a usage error that says where such a value goes (`settings.positionalHint`).
 */
export function commandOptions(specs: OptionSpec[], help: CommandHelp, argv: string[], settings: ParseSettings = {}): ParsedOptions | undefined {
  const { values } = parseOptions(specs, argv, process.env, settings);
  if (values.help) {
    process.stdout.write(helpText(help, specs));
    return undefined;
  }
  return values;
}

export function intOption(value: unknown, name: string, min: number, max: number): number {
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}`);
  }
  return n;
}

/** `--spec FILE`: another OpenAPI 3.0 document, compiled by the one spec module. */
export function specOption(value: unknown): CompiledSpec | undefined {
  if (value === undefined) return undefined;
  try {
    return loadSpecFile(String(value));
  } catch (e) {
    throw new UsageError(`--spec: ${(e as Error).message}`);
  }
}
