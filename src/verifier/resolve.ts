/**
 * When a failure is a consequence: a failed check whose every piece of evidence relies on a check
 * that failed (or is itself blocked) is reported as blocked by it, so that one broken rule is
 * reported once, where it is checked, and not again by every check that needed it.
 */
import type { CheckResult } from './types';

const isBad = (r: CheckResult | undefined) => r !== undefined && (r.status === 'fail' || r.status === 'blocked');

/** The final result of a check, given the final results of the checks it declared `after`. */
export function resolveResult(raw: CheckResult, deps: ReadonlyMap<string, CheckResult>): CheckResult {
  if (raw.status !== 'fail' || raw.evidence.length === 0) return raw;
  const explainedBy = (reliesOn: string[] | undefined) => (reliesOn ?? []).filter((n) => isBad(deps.get(n)));
  if (!raw.evidence.every((e) => explainedBy(e.reliesOn).length > 0)) return raw;
  const names = [...new Set(raw.evidence.flatMap((e) => explainedBy(e.reliesOn)))];
  const which = names.map((n) => `${n} (${deps.get(n)!.status === 'fail' ? 'failed' : 'blocked'})`).join(', ');
  return { ...raw, status: 'blocked', blockedBy: names, summary: `blocked by ${which}: every finding follows from it` };
}

/** Names in an order where every check comes after those it declared `after` (which must not form a cycle). */
export function dependencyOrder(checks: readonly { name: string; after?: readonly string[] }[]): string[] {
  const byName = new Map(checks.map((c) => [c.name, c]));
  const out: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === 'done' || !byName.has(name)) return;
    if (state.get(name) === 'visiting')
      throw new Error(`checks depend on each other in a cycle: ${[...path, name].join(' -> ')}`);
    state.set(name, 'visiting');
    for (const d of byName.get(name)!.after ?? []) visit(d, [...path, name]);
    state.set(name, 'done');
    out.push(name);
  };
  for (const c of checks) visit(c.name, []);
  return out;
}
