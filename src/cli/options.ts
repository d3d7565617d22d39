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

export class UsageError extends Error {}

export type ParsedOptions = Record<string, string | boolean | string[] | undefined>;

export function parseOptions(specs: OptionSpec[], argv: string[], env: NodeJS.ProcessEnv = process.env): { values: ParsedOptions; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(specs.map((s) => [s.name, { type: s.type, multiple: s.multiple ?? false }])),
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
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

/**
 * A command's options: undefined once `--help` has printed the help (the command exits 0); a stray
 * positional argument is a usage error that says where such a value goes (`hint`).
 */
export function commandOptions(specs: OptionSpec[], usage: string, argv: string[], hint: string): ParsedOptions | undefined {
  const { values, positionals } = parseOptions(specs, argv);
  if (values.help) {
    process.stdout.write(helpText(usage, specs));
    return undefined;
  }
  if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])} (${hint})`);
  return values;
}

export function helpText(usage: string, specs: OptionSpec[]): string {
  const rows = specs.map((s) => {
    const flag = `--${s.name}${s.type === 'string' ? ` ${s.valueName ?? 'VALUE'}` : ''}`;
    const extra = [s.env ? `env ${s.env}` : '', s.default !== undefined ? `default ${s.default}` : ''].filter(Boolean).join('; ');
    return `  ${flag.padEnd(34)} ${s.description}${extra ? ` (${extra})` : ''}`;
  });
  return `${usage}\n\nOptions:\n${rows.join('\n')}\n`;
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
