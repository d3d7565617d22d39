/** Durations and retry schedules in their text form (flags, env vars). */
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** The longest delay a Node timer takes (about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** `250ms`, `5s`, `5m`, `2h`, or a bare number of milliseconds; from `min` ms to about 24.8 days. */
export function parseDuration(text: string, min = 0): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) throw new Error(`Invalid duration "${text}": use e.g. 500ms, 5s, 5m or 2h`);
  const ms = Math.round(Number(m[1]) * UNITS[m[2] ?? 'ms']);
  if (ms < min) throw new Error(`Invalid duration "${text}": at least ${min} ms`);
  if (ms > MAX_TIMER_MS) throw new Error(`Invalid duration "${text}": at most ${MAX_TIMER_MS} ms (about 24.8 days)`);
  return ms;
}

/** `0,5s,5m`: the delays before each attempt; at least one. */
export function parseSchedule(text: string): number[] {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new Error('The retry schedule needs at least one delay, e.g. 0,1s,5s');
  return parts.map(parseDuration);
}

/** The other way: `250ms`, `5s`, `5m`, `2h30m` (rounded to the largest two units). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    } else if (parts.length) break;
  }
  return parts.join('');
}
