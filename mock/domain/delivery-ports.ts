/**
 * What the delivery engine needs from the outside world, as interfaces: a sender that makes one
 * HTTP attempt (mock/outbound/undici-sender.ts in the mock, a fake in unit tests) and a clock. The
 * engine decides (what to sign, when to retry, what to journal); adapters talk HTTP and keep time.
 */

/** The answer to one attempt: a status, an error, or both (a status, then a body that never ended). */
export interface AttemptOutcome {
  status?: number;
  error?: string;
}

/** A delivery URL as the sender prepared it (parsed once per endpoint URL); opaque to the engine. */
export interface DeliveryTarget {
  readonly kind: 'delivery-target';
}

/** One attempt under way. */
export interface SendHandle {
  /** Resolves with the outcome; never rejects. */
  readonly result: Promise<AttemptOutcome>;
  /** Abandons the attempt (its result resolves as cancelled). A function, not a method: it is kept apart. */
  readonly cancel: () => void;
}

export interface DeliverySender {
  /** Prepares a delivery URL; undefined when nothing can be delivered to it. */
  target(url: string): DeliveryTarget | undefined;
  /** One POST of `body` with `headers`, no redirect followed, bounded by the sender's timeout. */
  send(target: DeliveryTarget, headers: Record<string, string>, body: Buffer): SendHandle;
  /** Drops every request queued or in flight (a reset); later sends work as before. */
  reset(): void;
}

export type TimerHandle = unknown;

/**
 * What a timer runs: the work it starts may be a promise (a delivery attempt), which a virtual
 * clock (virtual-clock.ts) awaits before it moves time on; the system clock does not wait.
 */
export type TimerTask = () => void | Promise<unknown>;

export interface Clock {
  now(): number;
  /** Runs `fn` after `ms`; the timer does not keep the process alive. */
  setTimeout(fn: TimerTask, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** Runs `fn` on the next turn of the event loop. */
  soon(fn: TimerTask): void;
}

export const systemClock: Clock = {
  now: Date.now,
  setTimeout(fn, ms) {
    const t = setTimeout(() => void fn(), ms);
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  soon: (fn) => setImmediate(() => void fn()),
};
