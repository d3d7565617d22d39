/**
 * The files the mock reads and writes its state from (`--state-file`, `--fixture`), checked before
 * anything reads them: a path that is not a regular file (or, for the state, a directory) is
 * refused without being opened (a FIFO would block start-up, `/dev/zero` never ends), a fixture
 * over the size limit is refused without being read, and a symbolic link is followed on purpose
 * (the real path is used, so the link stays a link and two links to one database share its lock).
 *
 * Errors name the file and the problem, never the file's content (it holds secrets).
 */
import fs from 'node:fs';
import os from 'node:os';
import { limit } from '../domain/limits';
import type { StateSnapshot } from '../domain/model';
import { parseSnapshot } from '../domain/snapshot';

export class StateFileError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
    /** The role of the file in messages: `state file` or `fixture`. */
    readonly role = 'state file',
  ) {
    super(`${role} ${file}: ${problem}`);
    this.name = 'StateFileError';
  }
}

const KNOWN_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent of it is not a directory',
  ENOENT: 'no such file or directory',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
  ELOOP: 'too many levels of symbolic links',
  EAGAIN: 'resource temporarily unavailable',
};

/** An errno code's name from its number (LMDB reports numbers). */
export function errnoName(code: number | string | undefined): string | undefined {
  if (typeof code === 'string') return code;
  if (typeof code !== 'number') return undefined;
  for (const [name, value] of Object.entries(os.constants.errno)) if (value === code) return name;
  return undefined;
}

/** Describes a file-system error by its code only (its message may carry paths we already name). */
export function fsProblem(err: { code?: number | string } | undefined): string {
  const code = errnoName(err?.code) ?? 'EIO';
  return `${KNOWN_ERRORS[code] ?? 'input/output error'} (${code})`;
}

export type PathKind = 'missing' | 'file' | 'directory';

export interface InspectedPath {
  kind: PathKind;
  /** The path with symbolic links resolved (the path itself when it does not exist). */
  real: string;
  /** Size in bytes (files). */
  size: number;
  /** True when the path given is a symbolic link. */
  link: boolean;
}

function describeKind(st: fs.Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * What a path is, from stat alone (nothing is opened): missing, a regular file or a directory; any
 * other kind, and a symbolic link whose target does not exist, is a StateFileError.
 */
export function inspectPath(file: string, role = 'state file'): InspectedPath {
  let lst: fs.Stats;
  try {
    lst = fs.lstatSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return { kind: 'missing', real: file, size: 0, link: false };
    throw new StateFileError(file, `cannot be read: ${fsProblem(err)}`, role);
  }
  const link = lst.isSymbolicLink();
  let st = lst;
  let real = file;
  if (link) {
    try {
      real = fs.realpathSync(file);
      st = fs.statSync(real);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOENT')
        throw new StateFileError(file, 'is a symbolic link to a file that does not exist', role);
      throw new StateFileError(file, `cannot be read: ${fsProblem(err)}`, role);
    }
  }
  if (st.isFile()) return { kind: 'file', real, size: st.size, link };
  if (st.isDirectory()) return { kind: 'directory', real, size: 0, link };
  throw new StateFileError(file, `is ${describeKind(st)}, not a regular file: refused without reading it`, role);
}

/**
 * Opens a regular file for reading without blocking (a FIFO swapped in after the check would
 * otherwise block) and checks again, on the open descriptor, that it is a regular file of at most
 * `maxBytes`. Returns the descriptor and the size.
 */
export function openRegularFile(
  file: string,
  real: string,
  maxBytes: number,
  role: string,
): { fd: number; size: number } {
  let fd: number;
  try {
    fd = fs.openSync(real, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw new StateFileError(file, `cannot be read: ${fsProblem(e as NodeJS.ErrnoException)}`, role);
  }
  const st = fs.fstatSync(fd);
  const problem = !st.isFile()
    ? `is ${describeKind(st)}, not a regular file: refused without reading it`
    : st.size > maxBytes
      ? `is ${st.size} bytes, over the limit of ${maxBytes} bytes: refused without reading it`
      : undefined;
  if (problem) {
    fs.closeSync(fd);
    throw new StateFileError(file, problem, role);
  }
  return { fd, size: st.size };
}

/** Reads the first bytes of a regular file (to tell a database from a JSON document). */
export function readHead(file: string, real: string, bytes: number): Buffer {
  const { fd } = openRegularFile(file, real, Number.MAX_SAFE_INTEGER, 'state file');
  try {
    const buf = Buffer.alloc(bytes);
    const n = fs.readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** True when the text starts (after white space) with `{`: a JSON document, not a database. */
export function looksLikeJson(head: Buffer): boolean {
  return /^\s*\{/.test(head.toString('latin1'));
}

/**
 * Parses and checks a JSON state document (`inklink-mock-state`, version 1): the format of
 * fixtures, of the state files of inklink-mock 0.1, and of `GET /__mock/state/export`.
 */
export function parseStateDocument(text: string, file: string, role: string): StateSnapshot {
  if (text.trim() === '') throw new StateFileError(file, 'is empty (expected a JSON state of inklink-mock)', role);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // V8's message quotes the text around the error, and the file holds secrets: not repeated.
    throw new StateFileError(file, 'is not valid JSON: is it truncated or corrupt?', role);
  }
  return checkedSnapshot(doc, file, role);
}

/** Checks a state document field by field; every problem named by field, no value quoted. */
export function checkedSnapshot(doc: unknown, file: string, role: string): StateSnapshot {
  const problems: string[] = [];
  const snapshot = parseSnapshot(doc, problems);
  if (!snapshot || problems.length) {
    const shown = problems.slice(0, 10);
    const more = problems.length > shown.length ? `; and ${problems.length - shown.length} more` : '';
    throw new StateFileError(file, `is not an inklink-mock state: ${shown.join('; ')}${more}`, role);
  }
  return snapshot;
}

/** Reads a JSON fixture (`--fixture FILE`): a regular file under the size limit, a valid state. */
export function readFixture(file: string): StateSnapshot {
  const role = 'fixture';
  const found = inspectPath(file, role);
  if (found.kind === 'missing') throw new StateFileError(file, 'does not exist', role);
  if (found.kind === 'directory') throw new StateFileError(file, 'is a directory, not a JSON state', role);
  const { fd } = openRegularFile(file, found.real, limit('fixtureBytes'), role);
  let text: string;
  try {
    text = fs.readFileSync(fd, 'utf8');
  } catch (e) {
    throw new StateFileError(file, `cannot be read: ${fsProblem(e as NodeJS.ErrnoException)}`, role);
  } finally {
    fs.closeSync(fd);
  }
  return parseStateDocument(text, file, role);
}
