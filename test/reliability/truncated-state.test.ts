/**
 * A state database cut short (issue 22, point 3): a full disk or an interrupted copy left a file
 * that LMDB mapped and trusted, and `serve` died at start with SIGSEGV (cut to 100 or 4096 bytes)
 * or SIGBUS (8192 bytes, half, or without its last page), printing nothing. Now the file is read
 * before LMDB maps it (mock/storage/lmdb-file.ts): every way of cutting it gets one clear line on
 * stderr and exit 1, and the file is left as it was (bytes, mode, no lock file made).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createMockServer } from '../../mock/server';
import { lmdbFileProblem } from '../../mock/storage/lmdb-file';
import { runCli } from '../helpers/cli';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-cut-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** LMDB's page size, as the first meta page states it (MDB_meta's first MDB_db, after the 24-byte page header). */
const pageSizeOf = (db: Buffer) => db.readUInt32LE(48);

/** A whole database as the mock writes it: the seeded state. */
async function wholeDatabase(): Promise<Buffer> {
  const file = path.join(dir, 'whole.db');
  await createMockServer({ stateFile: file, logLevel: 'silent' }).close();
  const bytes = fs.readFileSync(file);
  fs.rmSync(file);
  fs.rmSync(`${file}-lock`);
  return bytes;
}

/** The check on the first `n` bytes of `db`, as `serve` runs it. */
function problemOf(db: Buffer, n: number) {
  const file = path.join(dir, `cut-${n}.db`);
  fs.writeFileSync(file, db.subarray(0, n));
  const fd = fs.openSync(file, 'r');
  try {
    return lmdbFileProblem(fd, n);
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file);
  }
}

const REFUSAL = (file: string) =>
  new RegExp(
    `^inklink-mock serve: state file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: is not a whole inklink-mock ` +
      `state database \\(cut short: \\d+ bytes, its pages need \\d+; a full disk or an interrupted copy\\?\\): ` +
      `refused, left as it is\\n$`,
  );

describe('a state database cut short: refused at start, with one line, left as it is', () => {
  const cuts: [string, (db: Buffer) => number][] = [
    ['to 100 bytes', () => 100],
    ['to 4096 bytes', () => 4096],
    ['to 8192 bytes', () => 8192],
    ['to half', (db) => Math.floor(db.length / 2)],
    ['by its last page', (db) => db.length - pageSizeOf(db)],
    ['by one byte', (db) => db.length - 1],
    ['to less than its two meta pages (the second one partly there)', (db) => pageSizeOf(db) + 100],
  ];
  it.each(cuts)('cut %s: exit 1, the reason on stderr, the file unchanged', async (_how, cut) => {
    const db = await wholeDatabase();
    const n = cut(db);
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(db.length);
    const file = path.join(dir, 'state.db');
    fs.writeFileSync(file, db.subarray(0, n), { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    const r = await runCli(['serve', '--port', '0', '--state-file', file]);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 1, stdout: '' });
    expect(r.stderr).toMatch(REFUSAL(file));
    expect(r.stderr).toContain(`cut short: ${n} bytes`);
    expect(fs.readFileSync(file)).toEqual(db.subarray(0, n));
    expect(fs.statSync(file).mode & 0o777).toBe(0o644);
    expect(fs.readdirSync(dir)).toEqual(['state.db']);
  });

  it('a directory whose data.mdb is cut short: the same', async () => {
    const db = await wholeDatabase();
    const state = path.join(dir, 'state');
    fs.mkdirSync(state);
    const data = path.join(state, 'data.mdb');
    fs.writeFileSync(data, db.subarray(0, 8192));
    const r = await runCli(['serve', '--port', '0', '--state-file', state]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(REFUSAL(state));
    expect(fs.readFileSync(data)).toEqual(db.subarray(0, 8192));
    expect(fs.readdirSync(state)).toEqual(['data.mdb']);
  });

  it('a database with overflow pages: every cut found, at and inside pages; the whole one passes', async () => {
    const file = path.join(dir, 'big.db');
    const mock = createMockServer({ stateFile: file, logLevel: 'silent' });
    const org = mock.seeded[0].id;
    // URLs of up to 2 KB in endpoints: records over half a page go to overflow pages.
    for (let i = 0; i < 40; i++) {
      const seeded = await mock.control.seedEndpoint({
        organizationId: org,
        url: `https://receiver.example/${'p'.repeat(50 * i)}`,
      });
      expect(seeded.ok).toBe(true);
    }
    await mock.committer!.idle();
    await mock.close();
    const db = fs.readFileSync(file);
    const pageSize = pageSizeOf(db);
    expect(db.length / pageSize).toBeGreaterThan(20);
    expect(problemOf(db, db.length)).toBeUndefined();
    for (let n = 1; n < db.length; n += n < 2 * pageSize ? 97 : pageSize) {
      expect({ n, problem: problemOf(db, n)?.kind }).toEqual({ n, problem: 'short' });
      const inside = n + Math.floor(pageSize / 2);
      if (inside < db.length)
        expect({ inside, problem: problemOf(db, inside)?.kind }).toEqual({ inside, problem: 'short' });
    }
  });

  it('a whole database, and one with zeros past its last page, start as before', async () => {
    const db = await wholeDatabase();
    const file = path.join(dir, 'state.db');
    for (const bytes of [db, Buffer.concat([db, Buffer.alloc(pageSizeOf(db) * 3)])]) {
      fs.writeFileSync(file, bytes);
      const mock = createMockServer({ stateFile: file, logLevel: 'silent' });
      expect(mock.stateSource).toMatchObject({ kind: 'file', created: false });
      await mock.close();
    }
  });
});
