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
import { EVENT_TYPES, ROLES } from '../../src/core/inklink';
import { secretProblem } from '../../src/core/webhooks';
import { ENDPOINT_ID_RE } from './ids';
import type { ApiKeyRecord, EndpointRecord, OrganizationRecord, StateSnapshot } from './model';
import type { Durability, Store } from './store';

export const STATE_FORMAT = 'inklink-mock-state';
export const STATE_VERSION = 1;
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

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isDate = (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v));

type FieldCheck = (v: unknown) => string | undefined;
const str: FieldCheck = (v) => (typeof v === 'string' && v.length > 0 ? undefined : 'must be a non-empty string');
const date: FieldCheck = (v) => (isDate(v) ? undefined : 'must be an ISO 8601 date-time');

/**
 * Checks a record's fields (exactly these, no others) and returns a copy of it, or undefined. The
 * problems name the field, never its value.
 */
function record<T>(where: string, v: unknown, fields: Record<string, FieldCheck>, problems: string[]): T | undefined {
  if (!isObject(v)) {
    problems.push(`${where} must be an object`);
    return undefined;
  }
  const before = problems.length;
  for (const [name, check] of Object.entries(fields)) {
    if (!Object.prototype.hasOwnProperty.call(v, name)) {
      problems.push(`${where}.${name} is missing`);
      continue;
    }
    const why = check(v[name]);
    if (why) problems.push(`${where}.${name} ${why}`);
  }
  for (const name of Object.keys(v)) {
    if (!Object.prototype.hasOwnProperty.call(fields, name)) problems.push(`${where} has an unknown field "${name.slice(0, 40)}"`);
  }
  if (problems.length > before) return undefined;
  const copy: Record<string, unknown> = {};
  for (const name of Object.keys(fields)) copy[name] = v[name];
  return copy as T;
}

/** Validates a parsed state document and returns it as a snapshot (problems are collected). */
export function parseSnapshot(doc: unknown, problems: string[]): StateSnapshot | undefined {
  if (!isObject(doc)) {
    problems.push('the top level must be a JSON object');
    return undefined;
  }
  if (doc.format !== STATE_FORMAT) {
    problems.push(`"format" must be "${STATE_FORMAT}"`);
    return undefined;
  }
  if (doc.version !== STATE_VERSION) {
    problems.push(`"version" ${typeof doc.version === 'number' ? doc.version : '(missing)'} is not supported (expected ${STATE_VERSION})`);
    return undefined;
  }
  for (const name of Object.keys(doc)) {
    if (!['format', 'version', 'organizations', 'apiKeys', 'endpoints'].includes(name)) problems.push(`unknown top-level field "${name.slice(0, 40)}"`);
  }
  const missing = ['organizations', 'apiKeys', 'endpoints'].filter((list) => !Array.isArray(doc[list]));
  for (const list of missing) problems.push(`"${list}" must be an array`);
  if (missing.length) return undefined;

  const organizations: OrganizationRecord[] = [];
  const orgIds = new Set<string>();
  (doc.organizations as unknown[]).forEach((o, i) => {
    const r = record<OrganizationRecord>(`organizations[${i}]`, o, { id: str, name: (v) => (typeof v === 'string' ? undefined : 'must be a string'), createdAt: date }, problems);
    if (!r) return;
    if (orgIds.has(r.id)) problems.push(`organizations[${i}].id is a duplicate`);
    orgIds.add(r.id);
    organizations.push(r);
  });

  const apiKeys: ApiKeyRecord[] = [];
  const hashes = new Set<string>();
  (doc.apiKeys as unknown[]).forEach((k, i) => {
    const r = record<ApiKeyRecord>(
      `apiKeys[${i}]`,
      k,
      {
        id: str,
        organizationId: (v) => (typeof v === 'string' && orgIds.has(v) ? undefined : 'must name an organization of the file'),
        role: (v) => ((ROLES as readonly unknown[]).includes(v) ? undefined : `must be one of ${ROLES.join(', ')}`),
        hash: (v) => (typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) ? undefined : 'must be the 64 hex digits of a SHA-256'),
        hint: (v) => (typeof v === 'string' && v.length <= 8 ? undefined : 'must be a string of at most 8 characters'),
        createdAt: date,
      },
      problems,
    );
    if (!r) return;
    if (hashes.has(r.hash)) problems.push(`apiKeys[${i}].hash is a duplicate`);
    hashes.add(r.hash);
    apiKeys.push(r);
  });

  const endpoints: EndpointRecord[] = [];
  const endpointIds = new Set<string>();
  (doc.endpoints as unknown[]).forEach((e, i) => {
    const r = record<EndpointRecord>(
      `endpoints[${i}]`,
      e,
      {
        id: (v) => (typeof v === 'string' && ENDPOINT_ID_RE.test(v) ? undefined : `must match ${ENDPOINT_ID_RE.source}`),
        organizationId: (v) => (typeof v === 'string' && orgIds.has(v) ? undefined : 'must name an organization of the file'),
        url: (v) => {
          if (typeof v !== 'string') return 'must be a string';
          try {
            const u = new URL(v);
            return u.protocol === 'http:' || u.protocol === 'https:' ? undefined : 'must be an http(s) URL';
          } catch {
            return 'must be an absolute URL';
          }
        },
        name: (v) => (v === null || (typeof v === 'string' && v.length <= 120) ? undefined : 'must be null or a string of at most 120 characters'),
        enabled: (v) => (typeof v === 'boolean' ? undefined : 'must be a boolean'),
        eventTypes: (v) =>
          Array.isArray(v) && v.length > 0 && v.every((t) => EVENT_TYPES.includes(t as string)) ? undefined : 'must be a non-empty array of supported event types',
        createdAt: date,
        secret: (v) => secretProblem(v),
        secretIssuedAt: date,
        rotations: (v) => (Number.isSafeInteger(v) && (v as number) >= 0 ? undefined : 'must be a non-negative integer'),
      },
      problems,
    );
    if (!r) return;
    if (endpointIds.has(r.id)) problems.push(`endpoints[${i}].id is a duplicate`);
    endpointIds.add(r.id);
    endpoints.push({ ...r, eventTypes: [...r.eventTypes] });
  });
  if (problems.length) return undefined;
  return { format: STATE_FORMAT, version: STATE_VERSION, organizations, apiKeys, endpoints };
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
