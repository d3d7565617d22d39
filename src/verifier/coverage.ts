/**
 * What a run exercised: which declared (operation, status) pairs of the compiled spec some request
 * of the run was answered with, and which documented statements (the rows of docs/verify-rules.md:
 * each check's `covers`) a check that covers them judged (pass or fail; skipped and blocked checks
 * did not). The percent counts both parts as one list of items: exercised items / all items.
 */
import type { CompiledSpec } from '../../core/spec';
import type { Check } from './check';
import type { CheckResult, Exchange } from './types';

export interface OperationCoverage {
  operationId: string;
  method: string;
  path: string;
  /** Declared statuses (numeric ones, in the spec's order), each with whether the run was answered it. */
  statuses: { status: number; answered: boolean }[];
  /** Statuses the run was answered that the operation does not declare. */
  undeclared: number[];
}

export interface StatementCoverage {
  check: string;
  quote: string;
  source: string;
  exercised: boolean;
}

export interface Coverage {
  operations: OperationCoverage[];
  statements: StatementCoverage[];
  /** Declared (operation, status) pairs and statements, together. */
  total: number;
  exercised: number;
  /** exercised / total × 100, rounded down to one decimal (100 only when everything was). */
  percent: number;
}

/** A check judged its rule: it passed or failed (skipped and blocked checks judged nothing). */
const judged = (r: CheckResult | undefined) => r?.status === 'pass' || r?.status === 'fail';

export function computeCoverage(
  spec: Pick<CompiledSpec, 'operations'>,
  checks: readonly Pick<Check<unknown>, 'name' | 'covers'>[],
  exchanges: readonly Pick<Exchange, 'operationId' | 'response'>[],
  results: readonly Pick<CheckResult, 'name' | 'status'>[],
): Coverage {
  const answered = new Map<string, Set<number>>();
  for (const e of exchanges) {
    if (!e.operationId || !e.response) continue;
    const set = answered.get(e.operationId) ?? new Set<number>();
    set.add(e.response.status);
    answered.set(e.operationId, set);
  }
  const operations: OperationCoverage[] = [...spec.operations.values()].map((op) => {
    const seen = answered.get(op.operationId) ?? new Set<number>();
    const declared = [...op.responses.keys()].filter((s) => /^\d+$/.test(s)).map(Number);
    return {
      operationId: op.operationId,
      method: op.method.toUpperCase(),
      path: op.path,
      statuses: declared.map((status) => ({ status, answered: seen.has(status) })),
      undeclared: [...seen].filter((s) => !declared.includes(s)).sort((a, b) => a - b),
    };
  });
  const byName = new Map(results.map((r) => [r.name, r] as const));
  const statements: StatementCoverage[] = checks.flatMap((c) =>
    c.covers.map((s) => ({
      check: c.name,
      quote: s.quote,
      source: s.source,
      exercised: judged(byName.get(c.name) as CheckResult | undefined),
    })),
  );
  const pairs = operations.flatMap((o) => o.statuses);
  const total = pairs.length + statements.length;
  const exercised = pairs.filter((p) => p.answered).length + statements.filter((s) => s.exercised).length;
  const percent = total === 0 ? 100 : Math.floor((exercised / total) * 1000) / 10;
  return { operations, statements, total, exercised, percent };
}

/** The console's coverage lines: one per operation (`✓` answered, `·` not), then the statements. */
export function formatCoverage(c: Coverage): string {
  const lines = [`Coverage: ${c.exercised} of ${c.total} (${c.percent}%)`];
  for (const o of c.operations) {
    const marks = o.statuses.map((s) => `${s.answered ? '✓' : '·'}${s.status}`).join(' ');
    const extra = o.undeclared.length ? `  (also answered, undeclared: ${o.undeclared.join(' ')})` : '';
    lines.push(`  ${o.operationId} (${o.method} ${o.path}): ${marks}${extra}`);
  }
  const missed = c.statements.filter((s) => !s.exercised);
  lines.push(`  statements exercised: ${c.statements.length - missed.length} of ${c.statements.length}`);
  for (const s of missed) lines.push(`    not exercised: ${s.check}: “${s.quote}” (${s.source})`);
  return lines.join('\n') + '\n';
}

/** The line a run below `--min-coverage` ends with. */
export const belowMinimumLine = (c: Coverage, min: number) =>
  `inklink-mock verify: coverage ${c.percent}% is below --min-coverage ${min}%\n`;
