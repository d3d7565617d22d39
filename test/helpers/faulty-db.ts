/**
 * A state database that fails on command, deterministically: a disk that fills and empties. It
 * wraps the real one (`wrapStateDatabase`) or stands alone (in memory) for unit tests; each write
 * is numbered, and `failWhen(n)` decides whether write n fails (nothing of it is kept).
 */
import type { StateDatabase } from '../../mock/domain/committer';
import type { RecordChange } from '../../mock/domain/store';

export class DiskFull extends Error {
  code = 'ENOSPC';
  constructor() {
    super('no space left on the device (ENOSPC), injected');
  }
}

export class FaultyDatabase implements StateDatabase {
  /** Writes so far (attempted). */
  writes = 0;
  failed = 0;
  /** What the inner database holds when there is none (in memory): key -> value. */
  readonly kept = new Map<string, unknown>();
  /** Decides, per write number (0-based), whether it fails. */
  failWhen: (n: number) => boolean = () => false;
  /** Delay of each write (ms), so writes overlap requests. */
  delayMs = 0;

  constructor(private readonly inner?: StateDatabase) {}

  async write(changes: readonly RecordChange[]): Promise<void> {
    const n = this.writes++;
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failWhen(n)) {
      this.failed++;
      throw new DiskFull();
    }
    if (this.inner) return this.inner.write(changes);
    for (const c of changes) {
      if (c.value) this.kept.set(c.key, structuredClone(c.value));
      else this.kept.delete(c.key);
    }
  }
}
