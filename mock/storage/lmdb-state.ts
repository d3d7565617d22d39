/**
 * The state database of `serve --state-file PATH`: LMDB (the `lmdb` package, whose prebuilt
 * binaries ship inside its npm packages), one record per organization, api key and endpoint.
 * Why LMDB, and what the file promises, is in docs/state-file.md.
 *
 * - Durable before acknowledged: each write is one synchronous transaction (`transactionSync`) in a
 *   database opened with `overlappingSync: false`, so when it returns the transaction is committed
 *   and flushed to disk (with lmdb-js's default, a commit would be reported before its flush). The
 *   write runs on the next turn of the event loop (`setImmediate`), so the changes of every request
 *   read meanwhile share it (the committer's group commit, mock/domain/committer.ts), and it blocks
 *   the loop only for one commit. lmdb-js's asynchronous writes are not used: their promises are
 *   shared between writes and settled by a worker thread, which made the moment a write is durable
 *   harder to pin down than a call that returns (and a failed commit rejected an internal promise
 *   nobody held, which ends the process).
 * - Crash-safe: LMDB never overwrites the last committed state (copy-on-write pages, two meta
 *   pages), so after `kill -9` the file holds the last durable transaction.
 * - Owner-only: the data file and LMDB's lock file (`PATH-lock`) are created, or changed, to 0600.
 * - One process: a second process (or a second mock in this process) on the same database refuses
 *   to start. The database is identified by what it is, the device and inode of its data file, not
 *   by the path given: a hard link, or `DIR` beside `DIR/data.mdb`, would each get a lock file of
 *   their own from LMDB. So before LMDB opens the data file, the process claims that identity in the
 *   user's owner database, `$TMPDIR/inklink-mock-UID/owners` (a small LMDB environment every mock of
 *   the user shares, one record per identity): its pid is recorded there and checked, in a write
 *   transaction (LMDB's lock serialises it across processes), against the live processes that have
 *   the owner database open (LMDB's reader table), so a crashed owner never locks the file. The
 *   same claim is made in the state database itself (as before), and in this process by identity.
 * - A path that is a directory holds the database as LMDB lays it out there (`data.mdb`,
 *   `lock.mdb`); a symbolic link is followed (the database is written where it points).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RootDatabase } from 'lmdb';
import type { StateDatabase } from '../domain/committer';
import type { ApiKeyRecord, EndpointRecord, OrganizationRecord, StateSnapshot } from '../domain/model';
import { STATE_FORMAT, STATE_VERSION } from '../domain/snapshot';
import { RECORD_KEY, type RecordChange, type StoredRecord } from '../domain/store';
import { lmdbFileProblem, type LmdbFileProblem } from './lmdb-file';
import {
  StateFileError,
  checkedSnapshot,
  fsProblem,
  inspectPath,
  looksLikeJson,
  openRegularFile,
  readHead,
} from './paths';

/** Owner read and write only: the database holds the endpoints' secrets. */
export const STATE_FILE_MODE = 0o600;

const META_KEY = '!meta';
const OWNER_KEY = '!owner';
export const DATABASE_FORMAT = 'inklink-mock-state-db';
export const DATABASE_VERSION = 1;
/** LMDB's meta page magic (0xBEEFC0DE, little-endian), within the first page's header. */
const LMDB_MAGIC = Buffer.from([0xde, 0xc0, 0xef, 0xbe]);

/** Databases open in this process, by identity (LMDB must not open one file twice in a process). */
const openHere = new Set<string>();

export interface OpenedState {
  database: LmdbStateDatabase;
  /** The state in the database; undefined when it was created now (empty). */
  snapshot: StateSnapshot | undefined;
}

interface Files {
  /** What LMDB is given: the data file, or the directory that holds it. */
  lmdbPath: string;
  dataFile: string;
  lockFile: string;
  directory: boolean;
}

function filesOf(file: string): Files {
  const found = inspectPath(file);
  if (found.kind === 'directory') {
    return {
      lmdbPath: found.real,
      dataFile: path.join(found.real, 'data.mdb'),
      lockFile: path.join(found.real, 'lock.mdb'),
      directory: true,
    };
  }
  if (found.kind === 'missing' && /\.json$/i.test(file)) {
    throw new StateFileError(
      file,
      'the state file is a database now, not JSON: name it e.g. state.db (to start from a JSON state, use ' +
        '--fixture FILE.json; see docs/state-file.md)',
    );
  }
  return { lmdbPath: found.real, dataFile: found.real, lockFile: `${found.real}-lock`, directory: false };
}

/** Refuses a data file that is neither an LMDB database nor empty, reading only its first bytes. */
function checkDataFile(file: string, dataFile: string): void {
  const found = inspectPath(dataFile);
  if (found.kind !== 'file' || found.size === 0) return;
  const head = readHead(file, found.real, 64);
  if (looksLikeJson(head)) {
    throw new StateFileError(
      file,
      'holds a JSON state (the state-file format of inklink-mock 0.1): the state file is a database now. ' +
        'Start once with --fixture ' +
        file +
        ' --state-file NEW.db to move the state into a database (see docs/state-file.md)',
    );
  }
  if (head.indexOf(LMDB_MAGIC) === -1)
    throw new StateFileError(file, 'is not an inklink-mock state database (nor a JSON state): refused, left as it is');
  // Before LMDB maps it: a page past the end of a file cut short would be a SIGBUS, not an error.
  const { fd, size } = openRegularFile(file, found.real, Number.MAX_SAFE_INTEGER, 'state file');
  let problem: LmdbFileProblem | undefined;
  try {
    problem = lmdbFileProblem(fd, size);
  } catch (e) {
    throw new StateFileError(file, `cannot be read: ${fsProblem(e as NodeJS.ErrnoException)}`);
  } finally {
    fs.closeSync(fd);
  }
  if (problem?.kind === 'short') {
    throw new StateFileError(
      file,
      `is not a whole inklink-mock state database (cut short: ${size} bytes, its pages need ${problem.needs}; ` +
        'a full disk or an interrupted copy?): refused, left as it is',
    );
  }
  if (problem) throw new StateFileError(file, `is a damaged state database (${problem.what}): refused, left as it is`);
}

/** Creates a file owner-only if it does not exist, and makes an existing one owner-only. */
function ownerOnly(file: string, display: string): void {
  try {
    const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_NONBLOCK, STATE_FILE_MODE);
    try {
      // The mode of open() applies only when the file is created; an existing one keeps its own.
      fs.fchmodSync(fd, STATE_FILE_MODE);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    throw new StateFileError(display, `cannot be opened for writing: ${fsProblem(e as NodeJS.ErrnoException)}`);
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

/** Pids of the processes that have the database open (LMDB's reader table), stale entries cleared. */
function readerPids(db: RootDatabase): Set<number> {
  db.readerCheck();
  const pids = new Set<number>();
  for (const line of db.readerList().split('\n')) {
    const m = /^\s*(\d+)\s/.exec(line);
    if (m) pids.add(Number(m[1]));
  }
  return pids;
}

/** How this process opens a database: the path given, and its data file. */
interface Opened {
  path: string;
  dataFile: string;
}

interface OwnerRecord {
  pid?: unknown;
  path?: unknown;
  data?: unknown;
}

/** True when the process `pid` is alive and has `db` open (it is in the reader table `readers`). */
function holds(pid: unknown, readers: ReadonlySet<number>): pid is number {
  return typeof pid === 'number' && pid !== process.pid && isAlive(pid) && readers.has(pid);
}

function inUse(file: string, owner: OwnerRecord & { pid: number }, openedAs: Opened): StateFileError {
  const elsewhere =
    typeof owner.path === 'string' && owner.path !== openedAs.path
      ? ` (it has this database open as ${owner.path}: the same file under another name)`
      : '';
  return new StateFileError(
    file,
    `is in use by another inklink-mock process (pid ${owner.pid}): stop it first, or use another ` +
      `--state-file${elsewhere}`,
  );
}

/**
 * Records this process as the owner of the state database `db`, unless a live process that has it
 * open is: then a StateFileError.
 */
function claim(db: RootDatabase, file: string, openedAs: Opened): void {
  db.get(OWNER_KEY); // a read: this process now has its entry in the reader table
  const readers = readerPids(db);
  db.transactionSync(() => {
    const owner = db.get(OWNER_KEY) as OwnerRecord | undefined;
    if (owner && holds(owner.pid, readers)) throw inUse(file, { ...owner, pid: owner.pid }, openedAs);
    db.putSync(OWNER_KEY, { pid: process.pid, path: openedAs.path, since: new Date().toISOString() });
  });
}

/** Gives up `key` of `db` if this process has it; a failure is left to the next start. */
function release(db: RootDatabase, key: string): void {
  try {
    const owner = db.get(key) as { pid?: number } | undefined;
    if (owner?.pid === process.pid) db.transactionSync(() => db.removeSync(key));
  } catch {
    // A full disk may refuse even this: the next start sees the pid is gone.
  }
}

/** What a file is, whatever the path to it: its device and inode. */
function fileIdentity(file: string): string {
  const st = fs.statSync(file, { bigint: true });
  return `${st.dev}-${st.ino}`;
}

function identityOf(dataFile: string, file: string): string {
  try {
    return fileIdentity(dataFile);
  } catch (e) {
    throw new StateFileError(file, `cannot be read: ${fsProblem(e as NodeJS.ErrnoException)}`);
  }
}

/**
 * True when the owner's data file is still the file of this identity. A process that kept a
 * database open after its file was removed holds another file, whose inode a new one may reuse.
 */
function sameFile(dataFile: unknown, identity: string): boolean {
  if (typeof dataFile !== 'string') return true;
  try {
    return fileIdentity(dataFile) === identity;
  } catch {
    return false;
  }
}

/**
 * The owner database: `$TMPDIR/inklink-mock-UID/owners` (and its `-lock`), in a directory only this
 * user may use, one record per claimed identity. Every mock of this process shares one handle (LMDB
 * must not open one file twice in a process); the last to close it closes it.
 */
let ownerDatabase: { db: RootDatabase; users: number } | undefined;

function openOwners(file: string): RootDatabase {
  if (ownerDatabase) {
    ownerDatabase.users++;
    return ownerDatabase.db;
  }
  const dir = path.join(os.tmpdir(), `inklink-mock-${process.getuid?.() ?? 'user'}`);
  const owners = path.join(dir, 'owners');
  const problem = (why: string) =>
    new StateFileError(file, `cannot be claimed for this process: the owner database ${owners} ${why}`);
  try {
    fs.mkdirSync(dir, { mode: 0o700, recursive: true });
  } catch (e) {
    throw problem(`cannot be made: ${fsProblem(e as NodeJS.ErrnoException)}`);
  }
  const st = fs.lstatSync(dir);
  if (!st.isDirectory() || (process.getuid && (st.uid !== process.getuid() || st.mode & 0o077)))
    throw problem(`lies in ${dir}, which is not a directory of this user's alone (mode 0700): remove it`);
  checkDataFile(owners, owners);
  ownerOnly(owners, owners);
  ownerOnly(`${owners}-lock`, owners);
  let db: RootDatabase;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: lmdb loads only with --state-file
    const { open } = require('lmdb') as typeof import('lmdb');
    db = open({ path: owners, noSubdir: true, overlappingSync: false });
    db.get(''); // a read: this process now has its entry in the reader table
  } catch (e) {
    throw problem(`cannot be opened: ${fsProblem(e as NodeJS.ErrnoException)}`);
  }
  ownerDatabase = { db, users: 1 };
  return db;
}

function closeOwners(): Promise<void> {
  if (!ownerDatabase || --ownerDatabase.users > 0) return Promise.resolve();
  const { db } = ownerDatabase;
  ownerDatabase = undefined;
  return db.close();
}

/**
 * Claims the data file's identity for this process in the owner database, before LMDB opens the
 * data file (another process may have it open under another name, through a lock file of its
 * own), unless a live process that has the owner database open holds it. Records of processes
 * that are gone are removed on the way.
 */
function claimIdentity(identity: string, file: string, openedAs: Opened): void {
  const db = openOwners(file);
  const key = `owner:${identity}`;
  try {
    const readers = readerPids(db);
    db.transactionSync(() => {
      for (const { key: k, value } of db.getRange()) {
        const pid = (value as OwnerRecord | undefined)?.pid;
        if (k !== key && pid !== process.pid && !holds(pid, readers)) db.removeSync(k);
      }
      const owner = db.get(key) as OwnerRecord | undefined;
      if (owner && holds(owner.pid, readers) && sameFile(owner.data, identity))
        throw inUse(file, { ...owner, pid: owner.pid }, openedAs);
      db.putSync(key, {
        pid: process.pid,
        path: openedAs.path,
        data: openedAs.dataFile,
        since: new Date().toISOString(),
      });
    });
  } catch (e) {
    void closeOwners();
    if (e instanceof StateFileError) throw e;
    throw new StateFileError(
      file,
      `cannot be claimed for this process: ${fsProblem(e as NodeJS.ErrnoException)} in the owner database`,
    );
  }
}

/** Gives the identity back and lets go of the owner database. */
async function releaseIdentity(identity: string): Promise<void> {
  if (ownerDatabase) release(ownerDatabase.db, `owner:${identity}`);
  await closeOwners();
}

/**
 * A record as stored: the record and its place in the order records were added (the database is
 * ordered by key; the state lists records in the order they were made, as the mock did in memory).
 */
interface Stored {
  seq: number;
  record: StoredRecord;
}

export class LmdbStateDatabase implements StateDatabase {
  private closed = false;
  /** The place of each record in the order of creation (a new record gets the next one). */
  private readonly seqs = new Map<string, number>();
  private nextSeq = 0;

  private constructor(
    private readonly db: RootDatabase,
    readonly file: string,
    /** The data file's identity (device and inode), as `openHere` holds it. */
    private readonly identity: string,
  ) {}

  /**
   * Opens (or creates) the database at `file`: checks the path, takes ownership, and reads the
   * state. A database that is broken or another process's is a StateFileError.
   */
  static open(file: string): OpenedState {
    const files = filesOf(file);
    checkDataFile(file, files.dataFile);
    ownerOnly(files.dataFile, file);
    // The data file exists now: what it is decides, not the path to it.
    const identity = identityOf(files.dataFile, file);
    if (openHere.has(identity))
      throw new StateFileError(file, 'is already open in this process: one mock per state file');
    const openedAs = { path: path.resolve(file), dataFile: files.dataFile };
    // Before LMDB opens the data file: another process may have it open through another lock file.
    claimIdentity(identity, file, openedAs);
    let db: RootDatabase;
    try {
      ownerOnly(files.lockFile, file);
      // Loaded here, not at module load: only --state-file needs it.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: lmdb loads only with --state-file
      const { open } = require('lmdb') as typeof import('lmdb');
      db = open({ path: files.lmdbPath, noSubdir: !files.directory, overlappingSync: false });
    } catch (e) {
      void releaseIdentity(identity);
      if (e instanceof StateFileError) throw e;
      throw new StateFileError(file, `cannot be opened as a database: ${fsProblem(e as NodeJS.ErrnoException)}`);
    }
    const database = new LmdbStateDatabase(db, file, identity);
    openHere.add(identity);
    try {
      claim(db, file, openedAs);
      return { database, snapshot: database.read() };
    } catch (e) {
      void database.close();
      throw e;
    }
  }

  /** The state in the database, checked record by record; undefined when the database is new. */
  private read(): StateSnapshot | undefined {
    const meta = this.db.get(META_KEY) as { format?: unknown; version?: unknown } | undefined;
    const kinds: Record<string, Stored[]> = { o: [], k: [], e: [] };
    let records = 0;
    const unknown: string[] = [];
    for (const { key, value } of this.db.getRange()) {
      const k = String(key);
      if (k === META_KEY || k === OWNER_KEY) continue;
      records++;
      const stored = value as Stored;
      const list = kinds[k.slice(0, 1)];
      if (!list || k[1] !== ':' || typeof stored?.seq !== 'number') {
        unknown.push(k.slice(0, 2));
        continue;
      }
      list.push(stored);
      this.seqs.set(k, stored.seq);
      this.nextSeq = Math.max(this.nextSeq, stored.seq + 1);
    }
    const inOrder = <T>(list: Stored[]) => list.sort((a, b) => a.seq - b.seq).map((s) => s.record as T);
    const organizations = inOrder<OrganizationRecord>(kinds.o);
    const apiKeys = inOrder<ApiKeyRecord>(kinds.k);
    const endpoints = inOrder<EndpointRecord>(kinds.e);
    if (!meta) {
      if (records === 0) return undefined;
      throw new StateFileError(
        this.file,
        'is a database that inklink-mock did not write (no format record): refused, left as it is',
      );
    }
    if (meta.format !== DATABASE_FORMAT)
      throw new StateFileError(
        this.file,
        `is not an inklink-mock state database (format record: not "${DATABASE_FORMAT}")`,
      );
    if (meta.version !== DATABASE_VERSION) {
      throw new StateFileError(
        this.file,
        `database version ${typeof meta.version === 'number' ? meta.version : '(missing)'} is not supported ` +
          `(expected ${DATABASE_VERSION})`,
      );
    }
    if (unknown.length) throw new StateFileError(this.file, `holds ${unknown.length} records of no known kind`);
    return checkedSnapshot(
      { format: STATE_FORMAT, version: STATE_VERSION, organizations, apiKeys, endpoints },
      this.file,
      'state file',
    );
  }

  /** Writes a whole state into the new, empty database (start-up only): one synchronous transaction. */
  initialize(snapshot: StateSnapshot): void {
    try {
      this.db.transactionSync(() => {
        this.db.putSync(META_KEY, { format: DATABASE_FORMAT, version: DATABASE_VERSION });
        for (const o of snapshot.organizations)
          this.db.putSync(RECORD_KEY.organization(o.id), this.stored(RECORD_KEY.organization(o.id), o));
        for (const k of snapshot.apiKeys)
          this.db.putSync(RECORD_KEY.apiKey(k.hash), this.stored(RECORD_KEY.apiKey(k.hash), k));
        for (const e of snapshot.endpoints)
          this.db.putSync(RECORD_KEY.endpoint(e.id), this.stored(RECORD_KEY.endpoint(e.id), e));
      });
    } catch (e) {
      throw new StateFileError(this.file, `cannot be written: ${fsProblem(e as NodeJS.ErrnoException)}`);
    }
  }

  async write(changes: readonly RecordChange[]): Promise<void> {
    // The next turn: the changes of the requests read in this one join the write.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.closed) throw new StateFileError(this.file, 'cannot be written: the database is closed');
    try {
      this.db.transactionSync(() => {
        for (const c of changes) {
          if (c.value) this.db.putSync(c.key, this.stored(c.key, c.value));
          else {
            this.seqs.delete(c.key);
            this.db.removeSync(c.key);
          }
        }
      });
    } catch (e) {
      throw new StateFileError(this.file, `cannot be written: ${fsProblem(e as { code?: number | string })}`);
    }
  }

  /** A record with its place in the order of creation (a new one: the next place). */
  private stored(key: string, record: StoredRecord): Stored {
    let seq = this.seqs.get(key);
    if (seq === undefined) {
      seq = this.nextSeq++;
      this.seqs.set(key, seq);
    }
    return { seq, record };
  }

  /** Gives up ownership and closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    release(this.db, OWNER_KEY);
    try {
      await this.db.close();
    } finally {
      // The identity is given back last: until the state database is closed, it is this process's.
      try {
        await releaseIdentity(this.identity);
      } finally {
        openHere.delete(this.identity);
      }
    }
  }
}
