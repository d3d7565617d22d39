/**
 * Group commit of the Store's changes to a state database (`serve --state-file`): the Store's
 * durability. At most one write is in flight; the changes made meanwhile share the next write, so
 * 50 concurrent rotations cost a few writes, not 50. Each write carries only the records that
 * changed (the cost of a change does not depend on the size of the state), in one atomic
 * transaction, and `commit()` resolves only once a write that includes the caller's change is
 * durable: the service awaits it before it answers, so a secret is never handed out before it is
 * kept.
 *
 * When a write fails, nothing that was not written stays in effect: its records, and every record
 * changed after it (whose changes may build on it), go back to what is on disk, and every commit
 * waiting for it or for the next write is rejected. No client then holds an answer for a change
 * that was undone, and no secret signs that no client received.
 */
import type { Durability, RecordChange, Store } from './store';

/** The state database, as the domain sees it (mock/storage/lmdb-state.ts in the mock; fakes in tests). */
export interface StateDatabase {
  /** Writes the changes in one atomic transaction; resolves once durable, rejects when none was kept. */
  write(changes: readonly RecordChange[]): Promise<void>;
}

interface Waiters {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

function waiters(): Waiters {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export interface CommitterStats {
  /** Writes completed. */
  writes: number;
  /** `commit()` calls (each change that waited for the disk). */
  commits: number;
  /** Records written. */
  records: number;
}

export class StateCommitter implements Durability {
  private inFlight: Promise<void> | undefined;
  private next: Waiters | undefined;
  readonly stats: CommitterStats = { writes: 0, commits: 0, records: 0 };

  constructor(
    private readonly store: Store,
    private readonly db: StateDatabase,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  commit(): Promise<void> {
    this.stats.commits++;
    if (!this.inFlight) return this.store.hasChanges ? this.start() : Promise.resolve();
    // The write in flight took its changes before this one: join the next.
    this.next ??= waiters();
    return this.next.promise;
  }

  /** Resolves when nothing is being written (e.g. before closing). */
  async idle(): Promise<void> {
    while (this.inFlight) await this.inFlight.catch(() => undefined);
  }

  private start(): Promise<void> {
    const batch = this.store.takeChanges();
    const write = this.db.write(batch).then(
      () => {
        this.stats.writes++;
        this.stats.records += batch.length;
        this.store.settle(batch);
      },
      (err: unknown) => {
        this.onError(err);
        this.store.rollback(batch);
        const queued = this.next;
        this.next = undefined;
        queued?.reject(err);
        throw err;
      },
    );
    this.inFlight = write;
    const after = () => {
      this.inFlight = undefined;
      const queued = this.next;
      this.next = undefined;
      if (!queued) return;
      if (this.store.hasChanges) this.start().then(queued.resolve, queued.reject);
      else queued.resolve();
    };
    write.then(after, after);
    return write;
  }
}
