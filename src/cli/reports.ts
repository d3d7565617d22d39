/**
 * What the commands that run checks share: `--report KIND:FILE` (junit, json; verify also ctrf, html),
 * parsed then written, and `--list-checks`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from './options';

export interface ReportTarget {
  kind: 'junit' | 'json' | 'ctrf' | 'html';
  file: string;
}

/** `kinds`: the formats this command writes (JUnit and JSON unless told). */
export function parseReportOption(
  value: unknown,
  kinds: readonly ReportTarget['kind'][] = ['junit', 'json'],
): ReportTarget[] {
  return ((value as string[] | undefined) ?? []).map((r) => {
    const m = /^([a-z]+):(.+)$/.exec(r);
    if (!m || !kinds.includes(m[1] as ReportTarget['kind']))
      throw new UsageError(`--report must be ${orList(kinds.map((k) => `${k}:FILE`))}, got "${r}"`);
    return { kind: m[1] as ReportTarget['kind'], file: m[2] };
  });
}

const orList = (xs: string[]) => (xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} or ${xs.at(-1)}`);

/** Writes each report (its folder created), in the format its kind names. */
export function writeReports(
  targets: ReportTarget[],
  formats: Partial<Record<ReportTarget['kind'], () => string>>,
): void {
  for (const r of targets) {
    const format = formats[r.kind];
    if (!format) continue; // parseReportOption refused it already
    fs.mkdirSync(path.dirname(path.resolve(r.file)), { recursive: true });
    fs.writeFileSync(r.file, format());
  }
}

/** `--list-checks`: one check a line, its name then its description. */
export function checkList(checks: readonly { name: string; description: string }[]): string {
  const width = Math.max(...checks.map((c) => c.name.length)) + 2;
  return checks.map((c) => `${c.name.padEnd(width)} ${c.description}\n`).join('');
}
