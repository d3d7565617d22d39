/**
 * Fault injection for users (as WireMock does): rules that make the mock misbehave on purpose for
 * InkLink's operations: added latency (fixed or uniformly random), a given status for the next N
 * requests, or a connection reset. Nothing here knows about HTTP; `mock/http/faults.ts` applies
 * what `take()` returns.
 *
 * When no rule exists, the only cost on a request is the `active` check.
 */
import { newId } from './ids';
import { limit } from './limits';
import type { LiveFeed } from './live';
import { type FieldError, type Result, invalid, ok } from './model';

/** Every InkLink operation the rule applies to. */
export const ANY_OPERATION = '*';
export const MAX_LATENCY_MS = limit('faultLatencyMs');
const MAX_FAULTS = limit('faultRules');

export interface FaultInput {
  operation_id: string;
  /** Added latency; with `latency_max_ms`, the lower bound of a uniformly random one. */
  latency_ms?: number;
  latency_max_ms?: number;
  /** Answer this status instead of running the operation. */
  status?: number;
  /** Reset the connection instead of answering. */
  reset?: boolean;
  /** Apply to the next N matching requests only; absent: until removed. */
  times?: number;
}

export interface FaultView {
  id: string;
  operation_id: string;
  latency_ms?: number;
  latency_max_ms?: number;
  status?: number;
  reset?: boolean;
  /** Matching requests still to be affected; null when unlimited. */
  remaining: number | null;
  /** Requests affected so far. */
  matched: number;
  created_at: string;
}

/** What to do to one request. */
export interface FaultAction {
  faultId: string;
  delayMs: number;
  status?: number;
  reset: boolean;
}

interface Fault {
  view: FaultView;
}

export class FaultPlan {
  /** Newest first: the most recently added matching rule wins (as WireMock's stubs do). */
  private faults: Fault[] = [];
  /** True when any rule exists; the one check on the hot path. */
  active = false;

  constructor(
    private readonly operations: readonly string[],
    private readonly random: () => number = Math.random,
    /** Where the rules are published whenever they change (the dashboard's stream). */
    private readonly live?: LiveFeed,
    /** The mock's time (ms since the epoch): a rule's `created_at`. */
    private readonly now: () => number = Date.now,
  ) {}

  private changed(): void {
    if (this.live?.wants()) this.live.publish('faults', { faults: this.list() });
  }

  add(input: FaultInput): Result<FaultView> {
    const problems: FieldError[] = [];
    if (input.operation_id !== ANY_OPERATION && !this.operations.includes(input.operation_id)) {
      problems.push({
        field: 'operation_id',
        message: `must be one of ${[...this.operations, ANY_OPERATION].join(', ')}`,
      });
    }
    const { latency_ms: min, latency_max_ms: max, status, reset, times } = input;
    if (min === undefined && status === undefined && reset !== true) {
      problems.push({ field: '', message: 'a fault needs latency_ms, status or reset: true' });
    }
    // The control API's schema says the same; checked here too for library callers.
    const int = (v: number | undefined, lo: number, hi: number) =>
      v === undefined || (Number.isInteger(v) && v >= lo && v <= hi);
    if (!int(min, 0, MAX_LATENCY_MS))
      problems.push({ field: 'latency_ms', message: `must be an integer from 0 to ${MAX_LATENCY_MS}` });
    if (!int(max, 0, MAX_LATENCY_MS))
      problems.push({ field: 'latency_max_ms', message: `must be an integer from 0 to ${MAX_LATENCY_MS}` });
    if (!int(status, 400, 599)) problems.push({ field: 'status', message: 'must be an integer from 400 to 599' });
    if (!int(times, 1, 1_000_000)) problems.push({ field: 'times', message: 'must be an integer from 1 to 1000000' });
    if (max !== undefined && min === undefined)
      problems.push({ field: 'latency_max_ms', message: 'requires latency_ms (the lower bound)' });
    if (max !== undefined && min !== undefined && max < min)
      problems.push({ field: 'latency_max_ms', message: 'must not be below latency_ms' });
    if (status !== undefined && reset === true)
      problems.push({ field: 'reset', message: 'cannot be combined with status' });
    if (this.faults.length >= MAX_FAULTS)
      problems.push({ field: '', message: `at most ${MAX_FAULTS} faults at once; delete some first` });
    if (problems.length) return invalid(problems);
    const view: FaultView = {
      id: newId('fault_', 12),
      operation_id: input.operation_id,
      ...(min !== undefined ? { latency_ms: min } : {}),
      ...(max !== undefined ? { latency_max_ms: max } : {}),
      ...(status !== undefined ? { status } : {}),
      ...(reset === true ? { reset: true } : {}),
      remaining: times ?? null,
      matched: 0,
      created_at: new Date(this.now()).toISOString(),
    };
    this.faults.unshift({ view });
    this.active = true;
    this.changed();
    return ok({ ...view });
  }

  list(): FaultView[] {
    return this.faults.map((f) => ({ ...f.view }));
  }

  /** Removes a rule; undefined when there is none with this id. */
  remove(id: string): FaultView | undefined {
    const i = this.faults.findIndex((f) => f.view.id === id);
    if (i < 0) return undefined;
    const [f] = this.faults.splice(i, 1);
    this.active = this.faults.length > 0;
    this.changed();
    return { ...f.view };
  }

  clear(): number {
    const n = this.faults.length;
    this.faults = [];
    this.active = false;
    if (n > 0) this.changed();
    return n;
  }

  /** The action for one request of an operation (and uses one of the rule's `times`), if any. */
  take(operationId: string): FaultAction | undefined {
    const i = this.faults.findIndex(
      (f) => f.view.operation_id === operationId || f.view.operation_id === ANY_OPERATION,
    );
    if (i < 0) return undefined;
    const { view } = this.faults[i];
    view.matched++;
    if (view.remaining !== null) {
      view.remaining--;
      if (view.remaining <= 0) {
        this.faults.splice(i, 1);
        this.active = this.faults.length > 0;
      }
    }
    // `matched` and `remaining` changed (or the rule is gone).
    this.changed();
    let delayMs = view.latency_ms ?? 0;
    if (view.latency_max_ms !== undefined) delayMs += Math.floor(this.random() * (view.latency_max_ms - delayMs + 1));
    return { faultId: view.id, delayMs, status: view.status, reset: view.reset === true };
  }
}
