/**
 * The randomness generated_requests draws from, behind one small interface: fast-check's seeded
 * generator (an infinite stream of unbiased 32-bit integers sampled with the run's seed), so that
 * `--seed N` replays a run case for case. The cases and their shrinking are the verifier's own
 * (cases.ts, generated_requests.ts): they are requests to a live server, judged by InkLink's rules,
 * which a property's synchronous shrinking over values would not reach.
 */
import { randomInt } from 'node:crypto';
import fc from 'fast-check';

export interface Random {
  /** An integer in [0, n). */
  int(n: number): number;
  /** One of the items (at least one). */
  pick<T>(items: readonly T[]): T;
  /** A fresh generator drawn from this one (one per case: a case replays without the others). */
  fork(): Random;
}

/** The largest seed: seeds are integers in [0, MAX_SEED]. */
export const MAX_SEED = 2 ** 31 - 1;

/** A seed for a run that was given none (printed, so that it can be replayed). */
export const randomSeed = (): number => randomInt(MAX_SEED);

const UINT32 = 2 ** 32;
const words = fc.infiniteStream(fc.noBias(fc.integer({ min: 0, max: UINT32 - 1 })));

/** fast-check's generator for `seed`: the same seed, the same draws. */
export function seededRandom(seed: number): Random {
  const stream = fc.sample(words, { seed: seed | 0, numRuns: 1 })[0];
  const next = (): number => stream.next().value as number;
  const r: Random = {
    int: (n) => Math.floor((next() / UINT32) * n),
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from nothing');
      return items[r.int(items.length)];
    },
    fork: () => seededRandom(next() | 0),
  };
  return r;
}
