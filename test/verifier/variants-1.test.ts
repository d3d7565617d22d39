/** The first third of the broken variants (see variants.ts); and every check has a variant that it alone catches. */
import { CHECKS } from '../../src/verifier/run';
import { VARIANTS } from '../helpers/broken-variants';
import { variantTests } from '../helpers/variants';

/**
 * generated_requests generalizes the checks of how a request is answered (a key, a status, the
 * order of the refusals): a variant that breaks one of their rules fails it too, so for the others
 * it is not counted; it has a variant of its own (near-miss-key-accepted).
 */
const GENERAL = 'generated_requests';

it('every check has a variant that fails it and nothing else (apart from generated_requests)', () => {
  const alone = (check: string) =>
    Object.values(VARIANTS).some((v) => {
      const fails = check === GENERAL ? v.fails : v.fails.filter((c) => c !== GENERAL);
      return fails.length === 1 && fails[0] === check;
    });
  expect(CHECKS.map((c) => c.name).filter((c) => !alone(c))).toEqual([]);
});

variantTests(0);
