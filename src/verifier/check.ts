/** What a check is to the runner: its judgement wired to what it provokes, and what it needs first. */
import type { Outcome } from './checks/util';
import type { RunContext } from './context';
import type { EndpointTag } from './setup';

/**
 * - `probe`: sends requests and judges their answers;
 * - `deliver`: also waits for deliveries;
 * - `review`: judges everything the run provoked; these run last, in order.
 * Probes and delivery checks run side by side, each on endpoints of its own.
 */
export type Phase = 'probe' | 'deliver' | 'review';

/** What a check cannot run without; it is skipped, saying so, when the run was not given it. */
export type Requirement = 'trigger' | 'ownerKey' | 'otherOrgKey';

export interface Check {
  name: string;
  description: string;
  phase: Phase;
  /** The set-up's endpoints it uses (setup.ts); when one could not be created, it is blocked, not run. */
  endpoints?: readonly EndpointTag[];
  requires?: readonly Requirement[];
  /**
   * Checks its evidence may rely on (Evidence.reliesOn): when all of its evidence follows from their
   * failure it is reported as blocked by them, and its result is final only once theirs are.
   */
  after?: readonly string[];
  run(ctx: RunContext): Promise<Outcome>;
}
