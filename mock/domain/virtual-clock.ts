/**
 * The mock's time (`--clock virtual|system`, the `clock` option of `createMockServer`). The system
 * clock is the machine's. A virtual clock stands still until told to move (`POST /__mock/clock/advance`,
 * `server.clock.advance('1h')`): it holds the timers the delivery engine sets and, when advanced,
 * fires the due ones in the order they fall due, setting its time to each one's moment and
 * awaiting the work each starts (a delivery attempt, until its receiver has answered) before it
 * moves on. So an advance of three days runs a whole retry schedule, deterministically, in as
 * long as the receiver takes to answer. Everything in the mock that reads time reads this clock.
 */
import { parseDuration } from '../../core/duration';
import type { Clock, TimerHandle, TimerTask } from './delivery-ports';
import { systemClock } from './delivery-ports';
import { REFUSALS } from '../../core/refusals';
import { type Result, fail, invalid, ok } from './model';

export const CLOCK_MODES = ['system', 'virtual'] as const;
export type ClockMode = (typeof CLOCK_MODES)[number];

interface Timer {
  at: number;
  seq: number;
  fn: TimerTask;
}

/** Time that moves only when told: timers fire in order of their due time, each one's work awaited. */
export class VirtualClock implements Clock {
  private time: number;
  /** Pending timers, by due time, then by the order they were set. */
  private timers: Timer[] = [];
  private seq = 0;
  /** Work the clock started (timers fired, `soon` tasks) and not yet settled. */
  private readonly work = new Set<Promise<unknown>>();

  /** Starts at `start` (ms since the epoch; default: the system's time now, to the millisecond). */
  constructor(start: number = Date.now()) {
    this.time = start;
  }

  readonly now = (): number => this.time;

  setTimeout(fn: TimerTask, ms: number): TimerHandle {
    const timer: Timer = { at: this.time + Math.max(0, ms), seq: this.seq++, fn };
    // Kept sorted: after every timer due at or before it (a timer set later fires later).
    let i = this.timers.length;
    while (i > 0 && this.timers[i - 1].at > timer.at) i--;
    this.timers.splice(i, 0, timer);
    // Due now: it runs on the next turn, as a system timer of 0 ms would, with no advance.
    if (timer.at <= this.time) this.soon(() => (this.remove(timer) ? timer.fn() : undefined));
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    this.remove(handle);
  }

  /** Runs `fn` on the next turn; the clock counts it as work under way from now on (an advance waits). */
  soon(fn: TimerTask): void {
    this.track(new Promise<void>((resolve) => setImmediate(resolve)).then(fn));
  }

  /** The due time of the next timer (ms since the epoch), or undefined when none is set. */
  get nextDueAt(): number | undefined {
    return this.timers[0]?.at;
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /**
   * Moves time to `target` (never back): first lets the work under way settle, then fires every
   * timer due by `target`, in order, each group due at one moment together, at that moment, and
   * awaits their work (and the timers that work sets, when they fall due by `target` too).
   * Resolves with the number of timers fired.
   */
  async runUntil(target: number): Promise<number> {
    let fired = 0;
    await this.idle();
    for (;;) {
      const next = this.timers[0];
      if (next === undefined || next.at > target) break;
      this.time = Math.max(this.time, next.at);
      const due: Timer[] = [];
      while (this.timers.length && this.timers[0].at <= this.time) due.push(this.timers.shift()!);
      for (const t of due) {
        fired++;
        const r = t.fn();
        if (r instanceof Promise) this.track(r);
      }
      await this.idle();
    }
    this.time = Math.max(this.time, target);
    return fired;
  }

  /** Resolves once no work the clock started is under way (work that starts more work included). */
  private async idle(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  private track(p: Promise<unknown>): void {
    this.work.add(p);
    const done = () => void this.work.delete(p);
    void p.then(done, done);
  }

  private remove(handle: TimerHandle): boolean {
    const i = this.timers.indexOf(handle as Timer);
    if (i >= 0) this.timers.splice(i, 1);
    return i >= 0;
  }
}

/** What the clock routes and `server.clock` answer. */
export interface ClockView {
  clock: ClockMode;
  /** The mock's time now (ISO 8601). */
  now: string;
  /** When the next delivery attempt falls due (a virtual clock only; null when none is scheduled). */
  next_due_at: string | null;
  /** Timers set (scheduled delivery attempts; 0 on the system clock, which does not count them). */
  scheduled: number;
}

export interface AdvanceView extends ClockView {
  /** How far time moved (ms). */
  advanced_ms: number;
  /** Timers fired on the way (delivery attempts made). */
  fired: number;
}

/** How to advance: by a duration (`1h`, `90s`, `250ms`, or a number of ms), or to the next due timer. */
export interface AdvanceInput {
  by?: string | number;
  /** `next`: the next due timer. */
  to?: string;
}

/**
 * The mock's clock as the control API and the library see it: which clock, what time it is, and
 * (virtual only) advancing it. Advances are taken one at a time, in the order they are asked for.
 */
export class MockClock {
  readonly clock: Clock;
  private readonly virtual: VirtualClock | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly mode: ClockMode = 'system') {
    this.virtual = mode === 'virtual' ? new VirtualClock() : undefined;
    this.clock = this.virtual ?? systemClock;
  }

  /** The mock's time now, as a Date. */
  now(): Date {
    return new Date(this.clock.now());
  }

  view(): ClockView {
    const next = this.virtual?.nextDueAt;
    return {
      clock: this.mode,
      now: this.now().toISOString(),
      next_due_at: next === undefined ? null : new Date(next).toISOString(),
      scheduled: this.virtual?.pendingTimers ?? 0,
    };
  }

  /**
   * Advances a virtual clock (`{ by: '1h' }`, `{ to: 'next' }`), firing the delivery attempts that
   * fall due on the way, each awaited; resolves once they are all made. Invalid input (and the
   * system clock) is refused, and nothing changes.
   */
  async tryAdvance(input: AdvanceInput): Promise<Result<AdvanceView>> {
    const v = this.virtual;
    if (!v) return fail({ kind: 'clock_not_virtual', message: REFUSALS.clock_not_virtual.message });
    let by: number | undefined;
    if ((input.by === undefined) === (input.to === undefined))
      return invalid([{ field: 'by', message: 'give one of by (a duration, e.g. 1h) and to ("next")' }]);
    if (input.by !== undefined) {
      try {
        by = typeof input.by === 'number' ? parseDuration(String(input.by)) : parseDuration(input.by);
      } catch (e) {
        return invalid([{ field: 'by', message: (e as Error).message }]);
      }
    } else if (input.to !== 'next') return invalid([{ field: 'to', message: 'must be "next"' }]);
    const run = this.queue.then(async () => {
      const from = v.now();
      // `to: next` is decided when this advance's turn comes (an earlier one may have fired it).
      const target = by === undefined ? ((await this.settledNext(v)) ?? from) : from + by;
      const fired = await v.runUntil(target);
      return { ...this.view(), advanced_ms: v.now() - from, fired };
    });
    this.queue = run.catch(() => undefined);
    return ok(await run);
  }

  /**
   * Advances a virtual clock by `by` (`'1h'`, `'90s'`, or ms), making the delivery attempts due
   * on the way; rejects with the reason on the system clock or a bad duration (nothing changes).
   */
  async advance(by: string | number): Promise<AdvanceView> {
    return this.unwrap(await this.tryAdvance({ by }));
  }

  /** Advances a virtual clock to the next due delivery attempt and makes it (and any due with it). */
  async advanceToNext(): Promise<AdvanceView> {
    return this.unwrap(await this.tryAdvance({ to: 'next' }));
  }

  /** The next due time once the work under way has settled (it may set the next timer). */
  private async settledNext(v: VirtualClock): Promise<number | undefined> {
    await v.runUntil(v.now());
    return v.nextDueAt;
  }

  private unwrap(r: Result<AdvanceView>): AdvanceView {
    if (r.ok) return r.value;
    const details = r.error.details?.map((d) => `${d.field} ${d.message}`) ?? [];
    throw new Error([r.error.message, ...details].join(' '));
  }
}
