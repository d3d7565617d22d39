/**
 * Reads a state database (`--state-file`) from outside the mock, as another process would: LMDB
 * read-only, every record, checked as the mock checks them. LMDB lets readers in while a writer
 * works, so this also serves the crash test's reader.
 *
 * Opened with the mock's flags (`overlappingSync: false`): an lmdb-js process that opens the
 * database with its default (`overlappingSync: true`) right after the mock was killed may take an
 * older meta page as the last flushed one, and the mock then continues from it, losing the last
 * acknowledged transaction (the crash stress test caught it once in 20 rounds). docs/state-file.md
 * says so to users.
 */
import type { StateSnapshot } from '../../mock/domain/model';
import { parseSnapshot } from '../../mock/domain/snapshot';

export interface DatabaseRead {
  snapshot: StateSnapshot;
  /** The problems parseSnapshot found (none for a whole state). */
  problems: string[];
  meta: unknown;
}

export function readStateDatabase(file: string): DatabaseRead {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: only tests that read a database load lmdb
  const { open } = require('lmdb') as typeof import('lmdb');
  const db = open({ path: file, noSubdir: true, readOnly: true, overlappingSync: false });
  try {
    const doc = {
      format: 'inklink-mock-state',
      version: 1,
      organizations: [] as unknown[],
      apiKeys: [] as unknown[],
      endpoints: [] as unknown[],
    };
    // Each record is stored with its place in the order of creation: { seq, record }.
    for (const { key, value } of db.getRange()) {
      const k = String(key);
      if (k.startsWith('o:')) doc.organizations.push(value.record);
      else if (k.startsWith('k:')) doc.apiKeys.push(value.record);
      else if (k.startsWith('e:')) doc.endpoints.push(value.record);
    }
    const problems: string[] = [];
    const snapshot = parseSnapshot(doc, problems) ?? (doc as unknown as StateSnapshot);
    return { snapshot, problems, meta: db.get('!meta') };
  } finally {
    // lmdb-js closes asynchronously; this reader's environment is released on the next turn.
    void db.close();
  }
}

/** An endpoint's record in the database. */
export function endpointInDatabase(file: string, endpointId: string) {
  return readStateDatabase(file).snapshot.endpoints.find((e) => e.id === endpointId);
}
