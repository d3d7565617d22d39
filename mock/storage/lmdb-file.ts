/**
 * LMDB's data file, checked before the native library maps it. LMDB trusts the file: a page it is
 * sent to that lies past the end of a file cut short (a full disk, an interrupted copy) is a
 * SIGBUS or a SIGSEGV in the mock's process, with nothing printed. So the file is read first, with
 * plain reads, the way LMDB would read it at start-up:
 *
 * - the two meta pages (pages 0 and 1) are whole and say the same page size (a power of two of 256
 *   to 65,536 bytes), name themselves, and each names a last page that its map size covers and
 *   roots within it;
 * - from each meta page, every page of the free-space tree and of the main tree (branches, leaves,
 *   overflow pages, sub-databases) lies whole inside the file and is the page it should be (its
 *   page number and kind). LMDB keeps both snapshots whole until a later commit frees their pages,
 *   so a database LMDB wrote passes, and one cut short anywhere a page is needed does not.
 *
 * The layout is LMDB's on a 64-bit little-endian machine (`dependencies/lmdb/libraries/liblmdb/mdb.c`
 * of the `lmdb` package: MDB_page_header, MDB_meta, MDB_db, MDB_node); the file is only read.
 */
import fs from 'node:fs';

/** MDB_page_header: pgno (8), txnid (8), pad (2), flags (2), lower/upper or overflow pages (4). */
const PAGE_HEADER = 24;
const P_BRANCH = 0x01;
const P_LEAF = 0x02;
const P_OVERFLOW = 0x04;
const P_META = 0x08;
const P_LEAF2 = 0x20;
/** MDB_meta, after the page header: magic, version, address, map size, two MDB_db, last page, txnid. */
const MDB_MAGIC = 0xbeefc0de;
const META = {
  magic: PAGE_HEADER,
  mapSize: PAGE_HEADER + 16,
  dbs: PAGE_HEADER + 24,
  lastPage: PAGE_HEADER + 120,
  end: PAGE_HEADER + 144,
};
/** MDB_db: pad (the page size in the free DB's), flags, depth, page counts, entries, root. */
const DB_SIZE = 48;
const DB_ROOT = 40;
/** MDB_node: lo, hi, flags, key size (2 each), then key and data. */
const NODE_HEADER = 8;
const F_BIGDATA = 0x01;
const F_SUBDATA = 0x02;
const P_INVALID = 2n ** 64n - 1n;

/** What is wrong with the file, for a one-line refusal; undefined when LMDB may map it. */
export type LmdbFileProblem = { kind: 'short'; size: number; needs: number } | { kind: 'damaged'; what: string };

class Problem extends Error {
  constructor(readonly problem: LmdbFileProblem) {
    super(problem.kind);
  }
}

/**
 * Checks the LMDB data file open at `fd` (`size` bytes, known to start with LMDB's magic): its meta
 * pages and every page they reach. Reads at most each page once.
 */
export function lmdbFileProblem(fd: number, size: number): LmdbFileProblem | undefined {
  try {
    check(fd, size);
    return undefined;
  } catch (e) {
    if (e instanceof Problem) return e.problem;
    throw e;
  }
}

function check(fd: number, size: number): void {
  const short = (needs: number): never => {
    throw new Problem({ kind: 'short', size, needs });
  };
  const damaged = (what: string): never => {
    throw new Problem({ kind: 'damaged', what });
  };
  const read = (at: number, bytes: number): Buffer => {
    if (at + bytes > size) short(at + bytes);
    const buf = Buffer.alloc(bytes);
    if (fs.readSync(fd, buf, 0, bytes, at) !== bytes) short(at + bytes);
    return buf;
  };

  // Both meta pages, whole: the page size is in the first.
  if (size < META.dbs + 4) short(2 * 4096);
  const pageSize = read(META.dbs, 4).readUInt32LE(0);
  if (pageSize < 256 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0)
    damaged('its first meta page names no valid page size');
  if (size < 2 * pageSize) short(2 * pageSize);
  const metas = [read(0, META.end), read(pageSize, META.end)];
  const roots: bigint[] = [];
  metas.forEach((meta, i) => {
    if (
      meta.readBigUInt64LE(0) !== BigInt(i) ||
      !(meta.readUInt16LE(18) & P_META) ||
      meta.readUInt32LE(META.magic) !== MDB_MAGIC
    )
      damaged(`meta page ${i} is not a meta page`);
    if (meta.readUInt32LE(META.dbs) !== pageSize) damaged('its meta pages name different page sizes');
    const last = meta.readBigUInt64LE(META.lastPage);
    const mapSize = meta.readBigUInt64LE(META.mapSize);
    if (last < 1n || (last + 1n) * BigInt(pageSize) > mapSize)
      damaged(`meta page ${i} names a last page outside its map`);
    for (const db of [0, 1]) {
      const root = meta.readBigUInt64LE(META.dbs + db * DB_SIZE + DB_ROOT);
      if (root === P_INVALID) continue;
      if (root < 2n || root > last) damaged(`meta page ${i} names a root page outside the database`);
      roots.push(root);
    }
  });
  const pages = Math.floor(size / pageSize);
  const seen = new Set<number>();
  const visit = (root: bigint) => {
    const stack: { pgno: bigint; kind: 'tree' | number }[] = [{ pgno: root, kind: 'tree' }];
    while (stack.length) {
      const { pgno: big, kind } = stack.pop()!;
      const span = kind === 'tree' ? 1n : BigInt(kind);
      if ((big + span) * BigInt(pageSize) > BigInt(size)) short(Number((big + span) * BigInt(pageSize)));
      const pgno = Number(big);
      if (seen.has(pgno)) continue;
      seen.add(pgno);
      if (seen.size > pages) damaged('its pages refer to each other in a loop');
      const page = read(pgno * pageSize, pageSize);
      const flags = page.readUInt16LE(18);
      if (page.readBigUInt64LE(0) !== big) damaged(`page ${pgno} holds another page`);
      if (kind !== 'tree') {
        if (!(flags & P_OVERFLOW) || page.readUInt32LE(20) < kind) damaged(`page ${pgno} is not an overflow page`);
        continue;
      }
      if (!(flags & (P_BRANCH | P_LEAF))) damaged(`page ${pgno} is not a tree page`);
      if (flags & P_LEAF2) continue; // fixed-size duplicates: keys only
      const count = page.readUInt16LE(20) >> 1;
      for (let k = 0; k < count; k++) {
        const at = PAGE_HEADER + page.readUInt16LE(PAGE_HEADER + 2 * k);
        if (at + NODE_HEADER > pageSize) damaged(`page ${pgno} has a node outside it`);
        const lo = page.readUInt16LE(at);
        const hi = page.readUInt16LE(at + 2);
        const nodeFlags = page.readUInt16LE(at + 4);
        const data = at + NODE_HEADER + page.readUInt16LE(at + 6);
        if (flags & P_BRANCH) {
          stack.push({ pgno: BigInt(lo) | (BigInt(hi) << 16n) | (BigInt(nodeFlags) << 32n), kind: 'tree' });
        } else if (nodeFlags & F_BIGDATA) {
          if (data + 8 > pageSize) damaged(`page ${pgno} has a node outside it`);
          const bytes = lo + hi * 65536;
          stack.push({ pgno: page.readBigUInt64LE(data), kind: Math.floor((PAGE_HEADER - 1 + bytes) / pageSize) + 1 });
        } else if (nodeFlags & F_SUBDATA) {
          if (data + DB_SIZE > pageSize) damaged(`page ${pgno} has a node outside it`);
          const sub = page.readBigUInt64LE(data + DB_ROOT);
          if (sub !== P_INVALID) stack.push({ pgno: sub, kind: 'tree' });
        }
      }
    }
  };
  for (const root of roots) visit(root);
}
