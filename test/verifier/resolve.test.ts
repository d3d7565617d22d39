/** When a failure is a consequence of another: resolveResult and the order results become final in. */
import { CHECKS } from '../../src/verifier/run';
import { dependencyOrder, resolveResult } from '../../src/verifier/resolve';
import type { CheckResult } from '../../src/verifier/types';

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

  it("holds for verify's checks: no cycle, and every reliance a judgement can state is declared", () => {
    const order = dependencyOrder(CHECKS);
    expect(order).toHaveLength(CHECKS.length);
    const names = new Set(CHECKS.map((c) => c.name));
    for (const c of CHECKS) for (const d of c.after ?? []) expect([c.name, d, names.has(d)]).toEqual([c.name, d, true]);
  });
});
