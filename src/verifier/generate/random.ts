/**
 * The randomness generated_requests draws from, behind one small interface: a seeded generator, so
 * that `--seed N` replays a run case for case. It is a 32-bit generator of its own (mulberry32)
 * because fast-check is a devDependency only: the cases and their shrinking are the verifier's,
 * and a fast-check backend could take this interface's place once it is a runtime dependency.
 */
import { randomInt } from 'node:crypto';

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

/** mulberry32: 32 bits of state, a full period, and well spread for a test generator. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const r: Random = {
    int: (n) => Math.floor(next() * n),
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from nothing');
      return items[r.int(items.length)];
    },
    fork: () => seededRandom(Math.floor(next() * 4294967296)),
  };
  return r;
}
