/**
 * The list of checks (src/verifier/checks/index.ts) and what each declares: one file per check,
 * named by it; dependencies that exist and form no cycle; side-by-side checks that read nothing of
 * the run but the others' rotations; and a request builder for every operation of the spec.
 */
import fs from 'node:fs';
import path from 'node:path';
import { getSpec } from '../../../core/spec';
import { CHECKS } from '../../../src/verifier/checks';
import { OPERATION_REQUESTS } from '../../../src/verifier/requests';
import { dependencyOrder } from '../../../src/verifier/schedule';

const dir = path.join(__dirname, '../../../src/verifier/checks');

describe("verify's checks", () => {
  it('are one file each, named by the check, and listed once', () => {
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(CHECKS.map((c) => c.name).sort()).toEqual(files);
    for (const c of CHECKS) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- each check's own file, by its name
      const exported = Object.values(require(path.join(dir, c.name)) as Record<string, unknown>);
      expect([c.name, exported.includes(c)]).toEqual([c.name, true]);
    }
  });

  it('depend only on checks that exist, in no cycle', () => {
    expect(dependencyOrder(CHECKS)).toHaveLength(CHECKS.length);
    const names = new Set(CHECKS.map((c) => c.name));
    for (const c of CHECKS) for (const d of c.after ?? []) expect([c.name, d, names.has(d)]).toEqual([c.name, d, true]);
  });

  it("that run side by side read nothing of the run but other endpoints' rotations", () => {
    const reading = CHECKS.filter((c) => c.phase !== 'review').flatMap((c) =>
      (c.reads ?? []).filter((r) => r !== 'rotations').map((r) => `${c.name} reads ${r}`),
    );
    expect(reading).toEqual([]);
  });

  it('send every operation of the spec through a request builder of its own, and no other', () => {
    expect(Object.keys(OPERATION_REQUESTS).sort()).toEqual([...getSpec().operations.keys()].sort());
  });
});
