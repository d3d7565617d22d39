/**
 * verify against the broken variants of the mock (test/helpers/broken-variants.ts), in three shards
 * (variants-1.test.ts to variants-3.test.ts) so that jest's workers share them and no file runs
 * long: each variant
 * fails exactly the checks it should, with evidence, and the checks that follow from those
 * failures are blocked, not failed.
 */
import { VARIANTS } from './broken-variants';
import { explain, failing, verifyVariant, withStatus } from './verifier';

/** How many files the variants are shared between. */
const SHARDS = 3;

export function variantTests(shard: number): void {
  const names = Object.keys(VARIANTS).filter((_, i) => i % SHARDS === shard);
  it.each(names)('%s fails exactly the checks it should', async (name) => {
    const report = await verifyVariant(name);
    const { fails, blocked = [], mayBlock = [] } = VARIANTS[name];
    const got = { fails: failing(report), blocked: withStatus(report, 'blocked') };
    // A check the defect reaches only at times is blocked or passes, as the run's timing had it.
    const expected = {
      fails: [...fails].sort(),
      blocked: [...blocked, ...mayBlock.filter((c) => got.blocked.includes(c))].sort(),
    };
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      throw new Error(
        `${name} (${VARIANTS[name].description}): expected ${JSON.stringify(expected)}, got ` +
          `${JSON.stringify(got)}:\n${explain(report)}`,
      );
    }
    expect(withStatus(report, 'skip')).toEqual([]);
    for (const r of report.results.filter((x) => x.status === 'fail')) expect(r.evidence.length).toBeGreaterThan(0);
    for (const r of report.results.filter((x) => x.status === 'blocked'))
      expect(r.blockedBy!.every((b) => got.fails.includes(b) || got.blocked.includes(b))).toBe(true);
  });
}
