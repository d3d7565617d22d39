/**
 * What a check is: data (its name, what it needs, what it may be blocked by, the documented
 * statements it holds an implementation to) plus a judgement (`run`). Each check is one file of
 * `checks/`, listed in `checks/index.ts`; the scheduler (schedule.ts) reads the data to decide when
 * it runs, whether it is skipped or blocked, and when its result is final.
 */
import type { CheckContext, RunRecord } from './context';
import type { Outcome } from './judge/evidence';
import type { EndpointSpec, EndpointTag } from './setup';

/**
 * - `probe`: sends requests and judges their answers;
 * - `deliver`: also waits for deliveries;
 * - `review`: judges everything the run provoked; these run last, in order.
 * Probes and delivery checks run side by side, each on endpoints of its own.
 */
export type Phase = 'probe' | 'deliver' | 'review';

/** What a check cannot run without; it is skipped, saying so, when the run was not given it. */
export type Requirement = 'trigger' | 'ownerKey' | 'otherOrgKey';

/** The summary of a check skipped for want of a requirement. */
export const MISSING: Record<Requirement, string> = {
  trigger: 'needs a trigger (--trigger mock or url:URL)',
  ownerKey: 'needs an owner key (--owner-key)',
  otherOrgKey: "needs another organization's key (--other-org-key)",
};

/**
 * Where a documented statement is quoted from (docs/verify-rules.md lists the sources): a section
 * of InkLink's documentation (`api §2.1`), the rotate page (`seed`), the contract (`openapi.json`)
 * or the project's promises (`README`, or the page of docs/ it moved to).
 */
export type Source = `api §${string}` | 'seed' | 'openapi.json' | 'README';

/**
 * A documented statement a check holds an implementation to, and the broken variant of the mock
 * (test/helpers/broken-variants.ts) that breaks it and fails the check. docs/verify-rules.md's
 * rules table is generated from these (npm run docs:generate); a test quotes each from its source.
 */
export interface Statement {
  /** Verbatim from the source. */
  quote: string;
  source: Source;
  /** Said after the quote, e.g. how far the check takes it. */
  note?: string;
  variant: string;
}

export interface Check<Ctx = CheckContext> {
  name: string;
  /** One line: what it proves (`--list-checks`, the reports, docs/verify.md's table). */
  description: string;
  phase: Phase;
  requires?: readonly Requirement[];
  /**
   * The set-up's endpoints it uses (setup.ts): they are created for it, and when one could not be,
   * it is blocked, not run. It can reach no other (CheckContext.endpoint).
   */
  endpoints?: readonly EndpointTag[];
  /**
   * Endpoints of its own, by tag (its receiver path), and how the set-up creates them: a check that
   * needs endpoints no other uses brings them here, and they are created, awaited and reached as
   * the shared ones are. A tag is the run's: no other check, nor SETUP_ENDPOINTS, may have it.
   */
  ownEndpoints?: Readonly<Record<string, EndpointSpec>>;
  /**
   * Checks its evidence may rely on (Evidence.reliesOn): when all of its evidence follows from their
   * failure it is reported as blocked by them, and its result is final only once theirs are.
   */
  after?: readonly string[];
  /**
   * What it reads of the run beyond its own requests and deliveries (CheckContext.run): a review
   * judges what every check provoked; a check that runs side by side reads at most the others'
   * rotations, to say what a finding relies on.
   */
  reads?: readonly RunRecord[];
  /** The documented statements it holds an implementation to (at least one). */
  covers: readonly Statement[];
  run(ctx: Ctx): Promise<Outcome>;
}

/** Every endpoint of the set-up a check uses: the shared ones it names and its own. */
export function endpointsOf(check: Pick<Check<unknown>, 'endpoints' | 'ownEndpoints'>): string[] {
  return [...(check.endpoints ?? []), ...Object.keys(check.ownEndpoints ?? {})];
}
