/**
 * The virtual clock's own rules (mock/domain/virtual-clock.ts), without HTTP: timers fire in the
 * order they fall due, at their moment, each one's work awaited before time moves on; cleared
 * timers never fire; advances are taken one at a time; the system clock refuses to be moved.
 */
import { MockClock, VirtualClock } from '../../mock/domain/virtual-clock';

const START = Date.UTC(2026, 0, 1);

describe('VirtualClock', () => {
  it('fires the due timers in order of due time, then of setting, each at its moment', async () => {
    const clock = new VirtualClock(START);
    const seen: [string, number][] = [];
    const note = (name: string) => () => void seen.push([name, clock.now() - START]);
    clock.setTimeout(note('c'), 300);
    clock.setTimeout(note('a'), 100);
    clock.setTimeout(note('b'), 100);
    clock.setTimeout(note('late'), 1000);
    expect(await clock.runUntil(START + 500)).toBe(3);
    expect(seen).toEqual([
      ['a', 100],
      ['b', 100],
      ['c', 300],
    ]);
    expect(clock.now()).toBe(START + 500);
    expect(clock.nextDueAt).toBe(START + 1000);
  });

  it("awaits each timer's work before moving on, and fires the timers that work sets when they fall due", async () => {
    const clock = new VirtualClock(START);
    const seen: number[] = [];
    const work = async () => {
      await new Promise((r) => setTimeout(r, 5)); // real time passes; virtual time does not
      seen.push(clock.now() - START);
      if (seen.length < 3) clock.setTimeout(work, 1000);
    };
    clock.setTimeout(work, 1000);
    expect(await clock.runUntil(START + 10_000)).toBe(3);
    expect(seen).toEqual([1000, 2000, 3000]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('never fires a cleared timer; a soon task counts as work under way', async () => {
    const clock = new VirtualClock(START);
    let fired = false;
    const handle = clock.setTimeout(() => void (fired = true), 10);
    clock.clearTimeout(handle);
    let soonAt: number | undefined;
    clock.soon(() => void (soonAt = clock.now()));
    // The advance waits for the soon task first: it runs at the time it was asked for.
    await clock.runUntil(START + 100);
    expect([fired, soonAt]).toEqual([false, START]);
  });

  it('runs a timer of 0 ms on the next turn, without an advance', async () => {
    const clock = new VirtualClock(START);
    let ran = false;
    clock.setTimeout(() => void (ran = true), 0);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(ran).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('MockClock', () => {
  it('takes advances one at a time, in the order asked', async () => {
    const clock = new MockClock('virtual');
    const t0 = clock.now().getTime();
    const [a, b] = await Promise.all([clock.advance('1h'), clock.advance(1000)]);
    expect([Date.parse(a.now) - t0, Date.parse(b.now) - t0]).toEqual([3_600_000, 3_601_000]);
  });

  it('to next: to the moment of the next timer, firing it and those due with it', async () => {
    const clock = new MockClock('virtual');
    const t0 = clock.now().getTime();
    let count = 0;
    clock.clock.setTimeout(() => void count++, 5000);
    clock.clock.setTimeout(() => void count++, 5000);
    clock.clock.setTimeout(() => void count++, 9000);
    const moved = await clock.advanceToNext();
    expect(moved).toMatchObject({ advanced_ms: 5000, fired: 2, scheduled: 1 });
    expect([count, clock.now().getTime() - t0]).toEqual([2, 5000]);
    expect(Date.parse(moved.next_due_at!) - t0).toBe(9000);
  });

  it('refuses bad input, and the time stays', async () => {
    const clock = new MockClock('virtual');
    const before = clock.view();
    for (const input of [{}, { by: '1h', to: 'next' }, { by: 'x' }, { to: 'then' }]) {
      const r = await clock.tryAdvance(input);
      expect([input, r.ok]).toEqual([input, false]);
    }
    expect(clock.view()).toEqual(before);
  });

  it('on the system clock: no advance, the kind of refusal that says so', async () => {
    const clock = new MockClock();
    const r = await clock.tryAdvance({ by: '1h' });
    expect(r.ok ? undefined : r.error.kind).toBe('clock_not_virtual');
    await expect(clock.advanceToNext()).rejects.toThrow(/system clock/);
    expect(clock.view()).toMatchObject({ clock: 'system', next_due_at: null, scheduled: 0 });
  });
});
