/**
 * The scheduler: given the checks of a run (in report order), it decides which set-up steps they
 * need and starts them, skips a check the run was not given a requirement for, blocks one whose
 * set-up step failed, runs the probes and the delivery checks side by side as soon as the steps
 * each needs are done, then the reviews in order, and hands each result to `onResult` as soon as it
 * is final: once every check it may be blocked by (`after`) is final, so that a failure that follows
 * from another's is reported as blocked by it (resolveResult). It knows checks only as data: what
 * a check does is its own file's business.
 */
import { redact } from '../../core/log';
import { endpointsOf, MISSING, type Check, type Requirement } from './check';
import type { Outcome } from './judge/evidence';
import type { EndpointSpec, Setup, SetupFailure } from './setup';
import type { CheckResult } from './types';

export interface ScheduleOptions<Ctx> {
  /** The checks to run, in report order. */
  checks: readonly Check<Ctx>[];
  /** Whether the run was given what a requirement names. */
  has(requirement: Requirement): boolean;
  /**
   * Starts the set-up steps the checks that will run need: their endpoints (`own`: those checks
   * brought of their own, and how to create them), and the trigger's proof (a delivery) when one
   * of them waits for deliveries and the run has a trigger.
   */
  startSetup(needs: {
    endpoints: ReadonlySet<string>;
    own: Readonly<Record<string, EndpointSpec>>;
    trigger: boolean;
  }): Setup;
  /** What a check is given to run with. */
  contextFor(check: Check<Ctx>): Ctx;
  /** Called with each result (the set-up's first, when it failed) as soon as it is final. */
  onResult?(result: CheckResult): void;
}

/** The set-up's row in a report: present only when a step failed. */
export const SETUP_DESCRIPTION =
  'The set-up: the endpoints the checks work on, created through the public API, and one delivery that ' +
  'proves the trigger works.';

/** Runs the checks; resolves with every result in report order (the set-up's first, when it failed). */
export async function schedule<Ctx>(o: ScheduleOptions<Ctx>): Promise<CheckResult[]> {
  const { checks } = o;
  const order = dependencyOrder(checks);
  const unmet = (c: Check<Ctx>) => c.requires?.find((r) => !o.has(r));
  const runnable = checks.filter((c) => !unmet(c));
  const setup = o.startSetup({
    endpoints: new Set(runnable.flatMap(endpointsOf)),
    own: ownEndpoints(runnable),
    trigger: o.has('trigger') && runnable.some((c) => c.phase === 'deliver' || c.requires?.includes('trigger')),
  });

  const final = new Map<string, CheckResult>();
  const emitted: CheckResult[] = [];
  const emit = (r: CheckResult) => {
    final.set(r.name, r);
    emitted.push(r);
    o.onResult?.(r);
  };
  // The set-up's row comes first, before any check it blocked.
  const setupDone = setup.all.then((failures) => {
    if (failures.length) emit(setupResult(failures));
    return failures;
  });

  // Results become final (and are reported) once every check they may be blocked by is final.
  const raw = new Map<string, CheckResult>();
  const settle = () => {
    for (const name of order) {
      const check = checks.find((c) => c.name === name)!;
      const r = raw.get(name);
      if (final.has(name) || !r) continue;
      const deps = (check.after ?? []).filter((d) => checks.some((c) => c.name === d));
      if (!deps.every((d) => final.has(d))) continue;
      emit(resolveResult(r, final));
    }
  };
  const record = (check: Check<Ctx>, outcome: Outcome, durationMs: number) => {
    raw.set(check.name, { name: check.name, description: check.description, ...outcome, durationMs });
    settle();
  };
  for (const c of checks) {
    const missing = unmet(c);
    if (missing) record(c, { status: 'skip', summary: MISSING[missing], evidence: [] }, 0);
  }

  /** Runs a check once the set-up steps it needs are done, or reports it blocked by the one that failed. */
  const runOne = async (c: Check<Ctx>) => {
    const endpoints = endpointsOf(c);
    const own = await setup.failureOf(endpoints, c.requires?.includes('trigger') === true);
    // A delivery check that can do without the trigger still waits to know whether it works.
    if (c.phase === 'deliver') await setup.failureOf([], true);
    // A check that needs no endpoint still needs the admin key: it waits for the whole set-up.
    const failures = own || endpoints.length === 0 ? await setupDone : [];
    const blocked = own ?? failures.find((f) => f.keyRefused && (c.phase !== 'review' || endpoints.length > 0));
    if (blocked)
      record(
        c,
        { status: 'blocked', summary: `not run: ${blocked.evidence.message}`, evidence: [], blockedBy: ['setup'] },
        0,
      );
    else record(c, ...(await timed(c, o.contextFor(c))));
  };
  const pending = (phase: Check['phase']) => checks.filter((c) => c.phase === phase && !raw.has(c.name));
  await Promise.all([...pending('probe'), ...pending('deliver')].map(runOne));
  await setupDone;
  for (const c of pending('review')) await runOne(c);

  const index = (r: CheckResult) => (r.name === 'setup' ? -1 : checks.findIndex((c) => c.name === r.name));
  return [...emitted].sort((a, b) => index(a) - index(b));
}

/** The endpoints the checks brought of their own; two checks cannot bring the same tag. */
function ownEndpoints(checks: readonly Check<unknown>[]): Record<string, EndpointSpec> {
  const own: Record<string, EndpointSpec> = {};
  const by = new Map<string, string>();
  for (const c of checks)
    for (const [tag, spec] of Object.entries(c.ownEndpoints ?? {})) {
      if (by.has(tag)) throw new Error(`${by.get(tag)} and ${c.name} both bring an endpoint "${tag}" of their own`);
      by.set(tag, c.name);
      own[tag] = spec;
    }
  return own;
}

/** Runs one check; one that throws fails, saying why (redacted: no secret or key reaches a report). */
async function timed<Ctx>(check: Check<Ctx>, ctx: Ctx): Promise<[Outcome, number]> {
  const t0 = Date.now();
  try {
    return [await check.run(ctx), Date.now() - t0];
  } catch (e) {
    return [
      { status: 'fail', summary: redact(`the check could not run: ${(e as Error).message}`), evidence: [] },
      Date.now() - t0,
    ];
  }
}

function setupResult(failures: SetupFailure[]): CheckResult {
  return {
    name: 'setup',
    description: SETUP_DESCRIPTION,
    status: 'fail',
    summary: failures[0].evidence.message,
    evidence: failures.map((f) => f.evidence),
    durationMs: 0,
  };
}

const isBad = (r: CheckResult | undefined) => r !== undefined && (r.status === 'fail' || r.status === 'blocked');

/**
 * When a failure is a consequence: a failed check whose every piece of evidence relies on a check
 * that failed (or is itself blocked) is reported as blocked by it, so that one broken rule is
 * reported once, where it is checked, and not again by every check that needed it. `deps`: the
 * final results of the checks it declared `after`.
 */
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
