/**
 * The Store and its committer (mock/domain/store.ts, committer.ts) against a database that fails
 * on command: only changed records are written, a failed write puts back every record it touched
 * and every one changed after it, and the secret that signs is always one on disk.
 */
import { StateCommitter } from '../../mock/domain/committer';
import { seedState } from '../../mock/domain/seed';
import { RECORD_KEY, Store } from '../../mock/domain/store';
import { FaultyDatabase } from '../helpers/faulty-db';

function setUp() {
  const seed = seedState(42, { webhookUrl: 'https://receiver.example/hook' });
  const store = new Store(seed.snapshot);
  const db = new FaultyDatabase();
  const committer = new StateCommitter(store, db);
  store.setDurability(committer);
  const endpoint = seed.snapshot.endpoints[0];
  return { store, db, committer, endpoint, initialSecret: endpoint.secret };
}

const secret = (n: number) => 'whsec_' + Buffer.alloc(32, n).toString('base64');

describe('the store with a durability', () => {
  it('writes only the records that changed; concurrent changes share the next write', async () => {
    const { store, db, committer, endpoint } = setUp();
    store.replaceSecret(endpoint.id, secret(1), new Date().toISOString());
    const first = store.commit();
    store.replaceSecret(endpoint.id, secret(2), new Date().toISOString());
    const second = store.commit();
    store.replaceSecret(endpoint.id, secret(3), new Date().toISOString());
    const third = store.commit();
    await Promise.all([first, second, third]);
    expect(db.writes).toBe(2);
    expect(committer.stats.records).toBe(2);
    expect(db.kept.get(RECORD_KEY.endpoint(endpoint.id))).toMatchObject({ secret: secret(3), rotations: 3 });
  });

  it('a secret signs only once its write is durable; while it is pending, the one on disk signs', async () => {
    const { store, db, endpoint, initialSecret } = setUp();
    db.delayMs = 20;
    store.replaceSecret(endpoint.id, secret(1), new Date().toISOString());
    const record = store.endpoint(endpoint.id)!;
    const written = store.commit();
    expect(record.secret).toBe(secret(1));
    expect(store.signingSecret(record)).toBe(initialSecret);
    await written;
    expect(store.signingSecret(record)).toBe(secret(1));
  });

  it('a failed write puts back its records and all changed after it; every waiting commit rejects', async () => {
    const { store, db, endpoint, initialSecret } = setUp();
    db.delayMs = 20;
    db.failWhen = (n) => n === 0;
    const versionBefore = store.version;
    store.replaceSecret(endpoint.id, secret(1), new Date().toISOString());
    const a = store.commit();
    // Made while the first write is in flight: it builds on it (rotations 2), and fails with it.
    store.replaceSecret(endpoint.id, secret(2), new Date().toISOString());
    store.addOrganization({ id: 'org_new', name: 'New', createdAt: new Date().toISOString() });
    const b = store.commit();
    await expect(a).rejects.toThrow(/ENOSPC/);
    await expect(b).rejects.toThrow(/ENOSPC/);
    const record = store.endpoint(endpoint.id)!;
    expect(record.secret).toBe(initialSecret);
    expect(record.rotations).toBe(0);
    expect(store.organization('org_new')).toBeUndefined();
    expect(store.signingSecret(record)).toBe(initialSecret);
    expect(store.version).toBeGreaterThan(versionBefore);
    // The disk empties: the next change is written whole.
    store.replaceSecret(endpoint.id, secret(3), new Date().toISOString());
    await store.commit();
    expect(db.kept.get(RECORD_KEY.endpoint(endpoint.id))).toMatchObject({ secret: secret(3), rotations: 1 });
  });

  it('an endpoint whose creation is not durable yet has no signing secret; rolled back, it is gone', async () => {
    const { store, db } = setUp();
    db.delayMs = 10;
    db.failWhen = () => true;
    const now = new Date().toISOString();
    store.addEndpoint({
      id: 'wh_end_new',
      organizationId: store.organizations()[Symbol.iterator]().next().value!.id,
      url: 'https://e.example/h',
      name: null,
      enabled: true,
      eventTypes: ['kyc.result.approved'],
      createdAt: now,
      secret: secret(9),
      secretIssuedAt: now,
      rotations: 0,
    });
    const e = store.endpoint('wh_end_new')!;
    expect(store.signingSecret(e)).toBeUndefined();
    await expect(store.commit()).rejects.toThrow();
    expect(store.endpoint('wh_end_new')).toBeUndefined();
  });

  it('a reset (load) that fails changes nothing; one that succeeds writes removals too', async () => {
    const { store, db, endpoint } = setUp();
    const snapshot = store.snapshot();
    store.replaceSecret(endpoint.id, secret(1), new Date().toISOString());
    await store.commit();
    db.failWhen = () => true;
    store.load(snapshot);
    await expect(store.commit()).rejects.toThrow();
    expect(store.endpoint(endpoint.id)!.secret).toBe(secret(1));
    db.failWhen = () => false;
    store.load({ ...snapshot, endpoints: snapshot.endpoints.slice(1) });
    await store.commit();
    expect(db.kept.has(RECORD_KEY.endpoint(endpoint.id))).toBe(false);
    expect(store.endpoint(endpoint.id)).toBeUndefined();
  });

  it('without a durability nothing is tracked: the current secret signs at once', () => {
    const seed = seedState(42, { webhookUrl: 'https://receiver.example/hook' });
    const store = new Store(seed.snapshot);
    const e = store.endpoint(seed.snapshot.endpoints[0].id)!;
    store.replaceSecret(e.id, secret(1), new Date().toISOString());
    expect(store.signingSecret(e)).toBe(secret(1));
    expect(store.hasChanges).toBe(false);
  });
});
