/** The first third of the broken variants (see variants.ts); and every check has a variant that it alone catches. */
import { CHECKS } from '../../src/verifier/run';
import { VARIANTS } from '../helpers/broken-variants';
import { variantTests } from '../helpers/variants';

it('every check has a variant that fails it and nothing else', () => {
  const alone = (check: string) => Object.values(VARIANTS).some((v) => v.fails.length === 1 && v.fails[0] === check);
  expect(CHECKS.map((c) => c.name).filter((c) => !alone(c))).toEqual([]);
});

variantTests(0);
