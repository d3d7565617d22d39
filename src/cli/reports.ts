/**
 * What the commands that run checks share: `--report junit:FILE|json:FILE` (parsed, then written) and
 * `--list-checks`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from './options';

export interface ReportTarget {
  kind: 'junit' | 'json';
  file: string;
}

export function parseReportOption(value: unknown): ReportTarget[] {
  return ((value as string[] | undefined) ?? []).map((r) => {
    const m = /^(junit|json):(.+)$/.exec(r);
    if (!m) throw new UsageError(`--report must be junit:FILE or json:FILE, got "${r}"`);
    return { kind: m[1] as 'junit' | 'json', file: m[2] };
  });
}

/** Writes each report (its folder created), in the format its kind names. */
export function writeReports(targets: ReportTarget[], formats: Record<ReportTarget['kind'], () => string>): void {
  for (const r of targets) {
    fs.mkdirSync(path.dirname(path.resolve(r.file)), { recursive: true });
    fs.writeFileSync(r.file, formats[r.kind]());
  }
}

/** `--list-checks`: one check a line, its name then its description. */
export function checkList(checks: readonly { name: string; description: string }[]): string {
  const width = Math.max(...checks.map((c) => c.name.length)) + 2;
  return checks.map((c) => `${c.name.padEnd(width)} ${c.description}\n`).join('');
}
