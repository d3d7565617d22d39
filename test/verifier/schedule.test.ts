/**
 * The scheduler (src/verifier/schedule.ts) with fake checks and a fake set-up: what is skipped,
 * blocked and run, when, side by side or in order, and when each result is final; and the rules
 * it resolves blocking and order by (resolveResult, dependencyOrder).
 */
import { MISSING, type Check, type Requirement } from '../../src/verifier/check';
import type { Outcome } from '../../src/verifier/judge/evidence';
import { dependencyOrder, resolveResult, schedule, type ScheduleOptions } from '../../src/verifier/schedule';
import type { EndpointSpec, Setup, SetupFailure } from '../../src/verifier/setup';
import type { CheckResult } from '../../src/verifier/types';

type Step = string;

const tick = (ms = 0) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A promise and the function that resolves it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** The log of a run: what ran when, and what was reported when. */
class Log {
  readonly lines: string[] = [];
  add(line: string) {
    this.lines.push(line);
  }
  index(line: string) {
    const i = this.lines.indexOf(line);
    if (i < 0) throw new Error(`"${line}" never happened: ${this.lines.join(', ')}`);
    return i;
  }
}

/** A check that logs its start and end, waits for `wait()` (if any), then returns `outcome` or throws `throws`. */
function fake(
  log: Log,
  name: string,
  o: Partial<Omit<Check<void>, 'run'>> & { outcome?: Outcome; wait?: () => Promise<void>; throws?: string } = {},
): Check<void> {
  const { outcome, wait, throws, ...data } = o;
  return {
    name,
    description: `${name}: a fake check`,
    phase: 'probe',
    covers: [],
    ...data,
    async run() {
      log.add(`start ${name}`);
      await (wait ?? tick)();
      log.add(`end ${name}`);
      if (throws) throw new Error(throws);
      return outcome ?? { status: 'pass', summary: `${name} passed`, evidence: [] };
    },
  };
}

const failure = (step: Step, extra: Partial<SetupFailure> = {}): SetupFailure => ({
  step,
  evidence: { message: `set-up: step "${step}" failed` },
  ...extra,
});

/**
 * A set-up whose steps settle at once, or when their gate in `steps` opens, failing as `failures`
 * says; it records what it was asked to start, and logs when each gated step settled.
 */
function fakeSetup(
  log: Log,
  failures: Partial<Record<Step, SetupFailure>> = {},
  gates: Partial<Record<Step, Promise<void>>> = {},
) {
  const asked: { endpoints: string[]; trigger: boolean; own?: Record<string, EndpointSpec> }[] = [];
  const start: ScheduleOptions<void>['startSetup'] = (needs) => {
    const own = Object.keys(needs.own).length ? { own: { ...needs.own } } : {};
    asked.push({ endpoints: [...needs.endpoints].sort(), trigger: needs.trigger, ...own });
    const steps: Step[] = [...needs.endpoints, ...(needs.trigger ? (['trigger'] as const) : [])];
    const settled = new Map(
      steps.map((s) => [s, (gates[s] ?? tick()).then(() => (gates[s] ? log.add(`step ${s} settled`) : undefined))]),
    );
    const step = async (s: Step) => (settled.has(s) ? (await settled.get(s), failures[s]) : undefined);
    const setup: Setup = {
      all: Promise.all(steps.map(step)).then((fs) => fs.filter((f): f is SetupFailure => f !== undefined)),
      failureOf: async (tags, trigger) =>
        (await Promise.all([...tags, ...(trigger ? (['trigger'] as const) : [])].map(step))).find(Boolean),
    };
    return setup;
  };
  return { asked, start };
}

/** Runs the scheduler over fake checks; `given`: the requirements the run has. */
async function run(
  log: Log,
  checks: Check<void>[],
  o: { given?: Requirement[]; setup?: ReturnType<typeof fakeSetup> } = {},
) {
  const setup = o.setup ?? fakeSetup(log);
  const emitted: CheckResult[] = [];
  const results = await schedule<void>({
    checks,
    has: (r) => (o.given ?? ['trigger', 'ownerKey', 'otherOrgKey']).includes(r),
    startSetup: setup.start,
    contextFor: () => undefined,
    onResult: (r) => {
      emitted.push(r);
      log.add(`reported ${r.name}`);
    },
  });
  return { results, emitted, asked: setup.asked };
}

const statuses = (rs: CheckResult[]) => rs.map((r) => [r.name, r.status]);

describe('schedule', () => {
  it('skips a check the run lacks a requirement for, saying which, and sets nothing up for it', async () => {
    const log = new Log();
    const { results, asked } = await run(
      log,
      [
        fake(log, 'owner', { requires: ['ownerKey'], endpoints: ['role'] }),
        fake(log, 'deliveries', { phase: 'deliver', requires: ['trigger'], endpoints: ['inv'] }),
        fake(log, 'plain', { endpoints: ['auth'] }),
      ],
      { given: [] },
    );
    expect(results.map((r) => [r.name, r.status, r.summary])).toEqual([
      ['owner', 'skip', MISSING.ownerKey],
      ['deliveries', 'skip', MISSING.trigger],
      ['plain', 'pass', 'plain passed'],
    ]);
    expect(log.lines).not.toContain('start owner');
    expect(log.lines).not.toContain('start deliveries');
    // Only the endpoints of the checks that run, and no trigger proof without a trigger.
    expect(asked).toEqual([{ endpoints: ['auth'], trigger: false }]);
  });

  it("asks for the trigger's proof only when a check that runs waits for deliveries", async () => {
    const log = new Log();
    expect((await run(log, [fake(log, 'probe')])).asked).toEqual([{ endpoints: [], trigger: false }]);
    expect((await run(log, [fake(log, 'd', { phase: 'deliver' })])).asked).toEqual([{ endpoints: [], trigger: true }]);
    expect((await run(log, [fake(log, 'r', { phase: 'review', requires: ['trigger'] })])).asked).toEqual([
      { endpoints: [], trigger: true },
    ]);
  });

  it('sets up the endpoints a check brings of its own and blocks it when one fails; no two share one', async () => {
    const log = new Log();
    const setup = fakeSetup(log, { mine: failure('mine') });
    const { results, asked } = await run(
      log,
      [fake(log, 'brings', { endpoints: ['auth'], ownEndpoints: { mine: { key: 'admin', enabled: false } } })],
      { setup },
    );
    expect(asked).toEqual([
      { endpoints: ['auth', 'mine'], trigger: false, own: { mine: { key: 'admin', enabled: false } } },
    ]);
    expect(statuses(results)).toEqual([
      ['setup', 'fail'],
      ['brings', 'blocked'],
    ]);
    const twice = { ownEndpoints: { mine: { key: 'admin' as const } } };
    await expect(run(log, [fake(log, 'a', twice), fake(log, 'b', twice)])).rejects.toThrow(
      'a and b both bring an endpoint "mine" of their own',
    );
  });

  it('blocks a check whose set-up step failed, without running it; the set-up row comes first', async () => {
    const log = new Log();
    const setup = fakeSetup(log, { auth: failure('auth'), trigger: failure('trigger') });
    const { results, emitted } = await run(
      log,
      [
        fake(log, 'needs_auth', { endpoints: ['auth'] }),
        fake(log, 'needs_role', { endpoints: ['role'] }),
        fake(log, 'needs_trigger', { phase: 'deliver', requires: ['trigger'], endpoints: ['inv'] }),
        // It can do without the trigger: it waits to know whether the trigger works, and runs.
        fake(log, 'may_deliver', { phase: 'deliver', endpoints: ['iso'] }),
      ],
      { setup },
    );
    expect(results.map((r) => [r.name, r.status, r.summary, r.blockedBy])).toEqual([
      ['setup', 'fail', 'set-up: step "auth" failed', undefined],
      ['needs_auth', 'blocked', 'not run: set-up: step "auth" failed', ['setup']],
      ['needs_role', 'pass', 'needs_role passed', undefined],
      ['needs_trigger', 'blocked', 'not run: set-up: step "trigger" failed', ['setup']],
      ['may_deliver', 'pass', 'may_deliver passed', undefined],
    ]);
    expect(results[0].evidence.map((e) => e.message)).toEqual([
      'set-up: step "auth" failed',
      'set-up: step "trigger" failed',
    ]);
    expect(log.lines).not.toContain('start needs_auth');
    expect(log.lines).not.toContain('start needs_trigger');
    expect(emitted[0].name).toBe('setup');
  });

  it('when the admin key is refused, blocks every check but the reviews that need no endpoint', async () => {
    const log = new Log();
    // Every endpoint's creation is refused alike.
    const refused = { keyRefused: true } as const;
    const setup = fakeSetup(log, { probe: failure('probe', refused), wide: failure('wide', refused) });
    const { results } = await run(
      log,
      [
        fake(log, 'probe_check', { endpoints: ['probe'] }),
        fake(log, 'no_endpoint'),
        fake(log, 'review_of_answers', { phase: 'review' }),
        fake(log, 'review_of_endpoints', { phase: 'review', endpoints: ['wide'] }),
      ],
      { setup },
    );
    expect(statuses(results)).toEqual([
      ['setup', 'fail'],
      ['probe_check', 'blocked'],
      ['no_endpoint', 'blocked'],
      ['review_of_answers', 'pass'],
      ['review_of_endpoints', 'blocked'],
    ]);
  });

  it('a check starts once its own set-up steps are done; one with no endpoint waits for the whole set-up', async () => {
    const log = new Log();
    const role = gate();
    const setup = fakeSetup(log, {}, { role: role.promise });
    const running = run(
      log,
      [fake(log, 'no_endpoint'), fake(log, 'own', { endpoints: ['auth'] }), fake(log, 'slow', { endpoints: ['role'] })],
      { setup },
    );
    await tick(20);
    expect(log.lines).toEqual(['start own', 'end own', 'reported own']);
    role.open();
    await running;
    expect(log.index('step role settled')).toBeLessThan(log.index('start no_endpoint'));
    expect(log.index('step role settled')).toBeLessThan(log.index('start slow'));
  });

  it('blocks a failure whose every finding relies on a failed check, and reports it only after that one', async () => {
    const log = new Log();
    const relies = { message: 'follows from a', reliesOn: ['a'] };
    const { results, emitted } = await run(log, [
      fake(log, 'a', {
        wait: () => tick(50),
        outcome: { status: 'fail', summary: 'a failed', evidence: [{ message: 'a failed' }] },
      }),
      fake(log, 'b', { after: ['a'], outcome: { status: 'fail', summary: 'follows from a', evidence: [relies] } }),
      fake(log, 'c', {
        after: ['a'],
        outcome: { status: 'fail', summary: 'own', evidence: [relies, { message: 'a finding of its own' }] },
      }),
      fake(log, 'd', { after: ['a'] }),
      fake(log, 'e', { wait: () => tick(5) }),
    ]);
    expect(results.map((r) => [r.name, r.status, r.blockedBy])).toEqual([
      ['a', 'fail', undefined],
      ['b', 'blocked', ['a']],
      ['c', 'fail', undefined],
      ['d', 'pass', undefined],
      ['e', 'pass', undefined],
    ]);
    expect(results[1].summary).toBe('blocked by a (failed): every finding follows from it');
    // b, c and d finished long before a, and were reported only once a was final.
    expect(log.index('end b')).toBeLessThan(log.index('end a'));
    for (const n of ['b', 'c', 'd']) expect(log.index(`reported ${n}`)).toBeGreaterThan(log.index('reported a'));
    // e depends on nothing: it was reported as soon as it was done, before a.
    expect(emitted.map((r) => r.name).indexOf('e')).toBeLessThan(emitted.map((r) => r.name).indexOf('a'));
  });

  it('ignores a dependency that is not part of the run', async () => {
    const log = new Log();
    const { results } = await run(log, [fake(log, 'b', { after: ['not_selected'] })]);
    expect(statuses(results)).toEqual([['b', 'pass']]);
  });

  it('hands each result over as soon as it is final, and returns them in report order', async () => {
    const log = new Log();
    const { results, emitted } = await run(
      log,
      [
        fake(log, 'slow', { wait: () => tick(50) }),
        fake(log, 'fast', { wait: () => tick(5) }),
        fake(log, 'skipped', { requires: ['ownerKey'] }),
      ],
      { given: ['trigger'] },
    );
    expect(results.map((r) => r.name)).toEqual(['slow', 'fast', 'skipped']);
    expect(emitted.map((r) => r.name)).toEqual(['skipped', 'fast', 'slow']);
  });

  it('runs the probes and the delivery checks side by side', async () => {
    const log = new Log();
    const [a, b, c] = [gate(), gate(), gate()];
    // Each waits until the others have started: run one after another, they would wait for ever.
    const together = (mine: ReturnType<typeof gate>) => async () => {
      mine.open();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('the checks did not run side by side')), 2000);
      });
      try {
        await Promise.race([Promise.all([a.promise, b.promise, c.promise]), timeout]);
      } finally {
        clearTimeout(timer);
      }
    };
    const { results } = await run(log, [
      fake(log, 'p1', { wait: together(a) }),
      fake(log, 'p2', { wait: together(b) }),
      fake(log, 'd1', { phase: 'deliver', wait: together(c) }),
    ]);
    expect(statuses(results)).toEqual([
      ['p1', 'pass'],
      ['p2', 'pass'],
      ['d1', 'pass'],
    ]);
  });

  it('runs the reviews after every probe and delivery check, one at a time, in report order', async () => {
    const log = new Log();
    const late = gate();
    await run(log, [
      fake(log, 'review_2', { phase: 'review' }),
      fake(log, 'probe', { wait: () => late.promise }),
      fake(log, 'review_1', { phase: 'review', wait: () => tick(20) }),
      fake(log, 'deliver', { phase: 'deliver', wait: () => tick(30).then(late.open) }),
    ]);
    const reviews = log.lines.filter((l) => l.includes('review_') && !l.startsWith('reported'));
    expect(reviews).toEqual(['start review_2', 'end review_2', 'start review_1', 'end review_1']);
    for (const n of ['probe', 'deliver']) expect(log.index(`end ${n}`)).toBeLessThan(log.index('start review_2'));
  });

  it('a check that throws fails, saying why, with secrets and keys redacted', async () => {
    const log = new Log();
    const { results } = await run(log, [
      fake(log, 'broken', {
        throws: 'boom with whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0 and secret_live_abcdefgh12345678',
      }),
      fake(log, 'fine'),
    ]);
    expect(results[0]).toMatchObject({ name: 'broken', status: 'fail', evidence: [] });
    expect(results[0].summary).toBe('the check could not run: boom with whsec_[redacted] and secret_live_[redacted]');
    expect(results[1].status).toBe('pass');
  });

  it('refuses checks that depend on each other in a cycle', async () => {
    const log = new Log();
    await expect(run(log, [fake(log, 'a', { after: ['b'] }), fake(log, 'b', { after: ['a'] })])).rejects.toThrow(
      'checks depend on each other in a cycle',
    );
  });
});

const result = (
  name: string,
  status: CheckResult['status'],
  evidence: CheckResult['evidence'] = [],
  summary = `${name} ${status}`,
): CheckResult => ({ name, description: '', status, summary, evidence, durationMs: 0 });

describe('resolveResult', () => {
  const deps = new Map([
    ['a', result('a', 'fail')],
    ['b', result('b', 'blocked')],
    ['c', result('c', 'pass')],
  ]);

  it('blocks a failure whose every finding relies on a failed or blocked check, naming them', () => {
    const raw = result('x', 'fail', [
      { message: '1', reliesOn: ['a'] },
      { message: '2', reliesOn: ['c', 'b'] },
    ]);
    expect(resolveResult(raw, deps)).toEqual({
      ...raw,
      status: 'blocked',
      blockedBy: ['a', 'b'],
      summary: 'blocked by a (failed), b (blocked): every finding follows from it',
    });
  });

  it('keeps a failure with one finding of its own, or one relying only on checks that passed or did not run', () => {
    expect(resolveResult(result('x', 'fail', [{ message: '1', reliesOn: ['a'] }, { message: '2' }]), deps).status).toBe(
      'fail',
    );
    expect(resolveResult(result('x', 'fail', [{ message: '1', reliesOn: ['c', 'z'] }]), deps).status).toBe('fail');
    expect(resolveResult(result('x', 'fail', [{ message: '1', reliesOn: [] }]), deps).status).toBe('fail');
  });

  it('leaves anything but a failure with findings as it is', () => {
    for (const r of [result('x', 'pass'), result('x', 'skip'), result('x', 'blocked'), result('x', 'fail')])
      expect(resolveResult(r, deps)).toBe(r);
  });
});

describe('dependencyOrder', () => {
  it('puts every check after those it declared, and refuses a cycle', () => {
    expect(
      dependencyOrder([{ name: 'c', after: ['b'] }, { name: 'b', after: ['a', 'unknown'] }, { name: 'a' }]),
    ).toEqual(['a', 'b', 'c']);
    expect(() =>
      dependencyOrder([
        { name: 'a', after: ['b'] },
        { name: 'b', after: ['a'] },
      ]),
    ).toThrow('checks depend on each other in a cycle: a -> b -> a');
  });
});
