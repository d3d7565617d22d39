/**
 * Crash-safe persistence of the Store to one JSON file (`serve --state-file FILE`).
 *
 * Every write serialises `store.snapshot()` to `FILE.tmp-<pid>` (mode 0600: the file holds
 * secrets), fsyncs it, renames it over FILE and fsyncs the directory, so FILE is always either the
 * previous whole state or the new whole state, never half of one. Writes are group-committed: the
 * changes made while a write is in flight share the next write, and every `commit()` resolves only
 * once a snapshot taken after its call is on disk. The service awaits `commit()` before it answers,
 * so a secret is never handed out before it is kept.
 *
 * A state file that cannot be read, is not JSON or is not a state of this format is an error that
 * names the file and the problem (never a silent reset), and the message never quotes the file's
 * content (it holds secrets).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { StateSnapshot } from './model';
import { parseSnapshot } from './snapshot';
import type { Durability, Store } from './store';

/** Owner read and write only: the file holds the endpoints' secrets. */
export const STATE_FILE_MODE = 0o600;

export class StateFileError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`state file ${file}: ${problem}`);
    this.name = 'StateFileError';
  }
}

/** Describes a file-system error by its code only (its message may carry paths we already name). */
function fsProblem(err: NodeJS.ErrnoException): string {
  const known: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'is a directory',
    ENOTDIR: 'a parent of it is not a directory',
    ENOENT: 'no such file or directory',
    ENOSPC: 'no space left on the device',
    EROFS: 'read-only file system',
    EMFILE: 'too many open files',
  };
  const code = err.code ?? 'EIO';
  return `${known[code] ?? 'input/output error'} (${code})`;
}

/**
 * Reads a state file. Resolves undefined when the file does not exist (the caller seeds and writes
 * it); throws a StateFileError for anything else that is wrong with it.
 */
export function readStateFile(file: string): StateSnapshot | undefined {
  let text: string;
  try {
    const st = fs.statSync(file);
    if (st.isDirectory()) throw new StateFileError(file, 'is a directory, not a state file');
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof StateFileError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return undefined;
    throw new StateFileError(file, `cannot be read: ${fsProblem(err)}`);
  }
  if (text.trim() === '') throw new StateFileError(file, 'is empty (expected the JSON state written by inklink-mock)');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // V8's message quotes the text around the error, and the file holds secrets: not repeated.
    throw new StateFileError(file, 'is not valid JSON: is it truncated or corrupt?');
  }
  const problems: string[] = [];
  const snapshot = parseSnapshot(doc, problems);
  if (!snapshot || problems.length) {
    const shown = problems.slice(0, 10);
    const more = problems.length > shown.length ? `; and ${problems.length - shown.length} more` : '';
    throw new StateFileError(file, `is not an inklink-mock state: ${shown.join('; ')}${more}`);
  }
  return snapshot;
}

export function serializeState(snapshot: StateSnapshot): string {
  return JSON.stringify(snapshot, null, 2) + '\n';
}

function tmpName(file: string): string {
  return `${file}.tmp-${process.pid}`;
}

/** Writes a snapshot synchronously (start-up only): tmp file 0600, fsync, rename, fsync the directory. */
export function writeStateFileSync(file: string, snapshot: StateSnapshot): void {
  const tmp = tmpName(file);
  try {
    const fd = fs.openSync(tmp, 'w', STATE_FILE_MODE);
    try {
      fs.fchmodSync(fd, STATE_FILE_MODE);
      fs.writeFileSync(fd, serializeState(snapshot));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    const dir = fs.openSync(path.dirname(file), 'r');
    try {
      fs.fsyncSync(dir);
    } finally {
      fs.closeSync(dir);
    }
  } catch (e) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      /* nothing to clean up */
    }
    throw new StateFileError(file, `cannot be written: ${fsProblem(e as NodeJS.ErrnoException)}`);
  }
}

/** The same, asynchronously. */
export async function writeStateFile(file: string, snapshot: StateSnapshot): Promise<void> {
  const tmp = tmpName(file);
  const text = serializeState(snapshot);
  try {
    const fh = await fs.promises.open(tmp, 'w', STATE_FILE_MODE);
    try {
      // The mode of open() applies only when the file is created; a leftover tmp file keeps its own.
      await fh.chmod(STATE_FILE_MODE);
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.promises.rename(tmp, file);
    const dir = await fs.promises.open(path.dirname(file), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch (e) {
    await fs.promises.unlink(tmp).catch(() => undefined);
    throw new StateFileError(file, `cannot be written: ${fsProblem(e as NodeJS.ErrnoException)}`);
  }
}

/**
 * Removes `FILE.tmp-<pid>` files left by a process that was killed mid-write (their pid is gone).
 * FILE itself is untouched: it is always a whole state.
 */
export function removeStaleTempFiles(file: string): void {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}.tmp-`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (!Number.isSafeInteger(pid) || pid <= 0) continue;
    if (pid !== process.pid && isAlive(pid)) continue;
    try {
      fs.unlinkSync(path.join(dir, name));
    } catch {
      /* already gone */
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
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

export interface PersisterStats {
  /** Writes completed. */
  writes: number;
  /** `commit()` calls (each change that waited for the disk). */
  commits: number;
}

/**
 * Group-commit persister: the Store's durability. At most one write is in flight; the commits that
 * arrive meanwhile share the next write, whose snapshot is taken when it starts (so it includes
 * every change they made).
 */
export class StatePersister implements Durability {
  private inFlight: Promise<void> | undefined;
  private next: Waiters | undefined;
  /** What is on disk: the state at construction (loaded or just written), then each written snapshot. */
  private durable: StateSnapshot;
  readonly stats: PersisterStats = { writes: 0, commits: 0 };

  constructor(
    private readonly store: Store,
    readonly file: string,
    private readonly onError: (err: StateFileError) => void = () => undefined,
  ) {
    this.durable = store.snapshot();
  }

  commit(): Promise<void> {
    this.stats.commits++;
    if (!this.inFlight) return this.start();
    // The write in flight took its snapshot before this change: join the next one.
    this.next ??= waiters();
    return this.next.promise;
  }

  /** Resolves when nothing is being written (e.g. before closing). */
  async idle(): Promise<void> {
    while (this.inFlight) await this.inFlight.catch(() => undefined);
  }

  private start(): Promise<void> {
    const snapshot = this.store.snapshot();
    const write = writeStateFile(this.file, snapshot).then(
      () => {
        this.stats.writes++;
        this.durable = snapshot;
      },
      (err: StateFileError) => {
        this.onError(err);
        // Nothing that was not written may stay in effect: the state goes back to what is on
        // disk, and every change waiting for a later write (made after this snapshot) fails too,
        // so no client holds an answer for a change that was undone, and no secret is live that
        // no client received.
        this.store.load(this.durable);
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
      if (queued) this.start().then(queued.resolve, queued.reject);
    };
    write.then(after, after);
    return write;
  }
}
