/**
 * The one place that holds the mock's state: organizations, api keys (by hash) and endpoints with
 * their current secrets. Every change goes through a method here and bumps `version`; `commit()`
 * resolves once the changes made so far are durable (at once when nothing persists the state).
 *
 * With a durability (a state database), the Maps are the database's cache and the database is the
 * truth on disk: each change marks its record dirty, and the committer (committer.ts) writes the
 * dirty records, and only those, so the cost of a change does not depend on the size of the state.
 * Until a record's write is durable, the Store keeps the record as it was on disk (its "durable
 * copy"): a write that fails puts it back, and deliveries sign with the durable copy's secret, so a
 * secret signs only once it is kept (a rolled-back rotation's secret never signs).
 */
import type { ApiKeyRecord, EndpointRecord, OrganizationRecord, StateSnapshot } from './model';
import { STATE_FORMAT, STATE_VERSION } from './snapshot';

export interface Durability {
  /** Resolves when the state as of this call is durable; rejects when it could not be kept. */
  commit(): Promise<void>;
}

export type StoredRecord = OrganizationRecord | ApiKeyRecord | EndpointRecord;

/** One record to write: its key and its value, or null when it is to be removed. */
export interface RecordChange {
  key: string;
  value: StoredRecord | null;
}

/** Database keys of the records: a prefix per kind. */
export const RECORD_KEY = {
  organization: (id: string) => `o:${id}`,
  apiKey: (hash: string) => `k:${hash}`,
  endpoint: (id: string) => `e:${id}`,
} as const;

const DONE: Promise<void> = Promise.resolve();

function copy<T extends StoredRecord>(r: T): T {
  return 'eventTypes' in r ? { ...r, eventTypes: [...r.eventTypes] } : { ...r };
}

export class Store {
  private readonly orgs = new Map<string, OrganizationRecord>();
  private readonly keysByHash = new Map<string, ApiKeyRecord>();
  private readonly endpointsById = new Map<string, EndpointRecord>();
  private readonly endpointCounts = new Map<string, number>();
  private durability: Durability | undefined;
  /** Keys changed since the committer last took the changes. */
  private dirty = new Set<string>();
  /** Per record not yet durable: its value on disk (null: not on disk). Empty without durability. */
  private readonly durable = new Map<string, StoredRecord | null>();
  /** Increments on every change. */
  version = 0;

  constructor(snapshot?: StateSnapshot) {
    if (snapshot) this.load(snapshot);
  }

  setDurability(d: Durability | undefined): void {
    this.durability = d;
    this.dirty.clear();
    this.durable.clear();
  }

  commit(): Promise<void> {
    return this.durability ? this.durability.commit() : DONE;
  }

  /** Replaces the whole state with a snapshot (records are copied). */
  load(snapshot: StateSnapshot): void {
    if (this.durability) {
      for (const o of this.orgs.values()) this.touch(RECORD_KEY.organization(o.id), o);
      for (const k of this.keysByHash.values()) this.touch(RECORD_KEY.apiKey(k.hash), k);
      for (const e of this.endpointsById.values()) this.touch(RECORD_KEY.endpoint(e.id), e);
    }
    this.orgs.clear();
    this.keysByHash.clear();
    this.endpointsById.clear();
    this.endpointCounts.clear();
    for (const o of snapshot.organizations) this.addOrganization(copy(o));
    for (const k of snapshot.apiKeys) this.addApiKey(copy(k));
    for (const e of snapshot.endpoints) this.addEndpoint(copy(e));
    this.version++;
  }

  snapshot(): StateSnapshot {
    return {
      format: STATE_FORMAT,
      version: STATE_VERSION,
      organizations: [...this.orgs.values()].map(copy),
      apiKeys: [...this.keysByHash.values()].map(copy),
      endpoints: [...this.endpointsById.values()].map(copy),
    };
  }

  organization(id: string): OrganizationRecord | undefined {
    return this.orgs.get(id);
  }

  keyByHash(hash: string): ApiKeyRecord | undefined {
    return this.keysByHash.get(hash);
  }

  endpoint(id: string): EndpointRecord | undefined {
    return this.endpointsById.get(id);
  }

  organizations(): Iterable<OrganizationRecord> {
    return this.orgs.values();
  }

  apiKeys(): Iterable<ApiKeyRecord> {
    return this.keysByHash.values();
  }

  endpoints(): Iterable<EndpointRecord> {
    return this.endpointsById.values();
  }

  /** Endpoints of an organization (kept as a count, so the per-organization limit costs no scan). */
  endpointCount(organizationId: string): number {
    return this.endpointCounts.get(organizationId) ?? 0;
  }

  addOrganization(o: OrganizationRecord): void {
    this.touch(RECORD_KEY.organization(o.id), this.orgs.get(o.id));
    this.orgs.set(o.id, o);
    this.version++;
  }

  addApiKey(k: ApiKeyRecord): void {
    this.touch(RECORD_KEY.apiKey(k.hash), this.keysByHash.get(k.hash));
    this.keysByHash.set(k.hash, k);
    this.version++;
  }

  addEndpoint(e: EndpointRecord): void {
    const before = this.endpointsById.get(e.id);
    this.touch(RECORD_KEY.endpoint(e.id), before);
    if (before) this.countEndpoint(before.organizationId, -1);
    this.endpointsById.set(e.id, e);
    this.countEndpoint(e.organizationId, 1);
    this.version++;
  }

  /** Replaces an endpoint's secret; it signs deliveries once it is durable (see signingSecret). */
  replaceSecret(endpointId: string, secret: string, issuedAt: string): void {
    const e = this.endpointsById.get(endpointId);
    if (!e) throw new Error(`replaceSecret: no endpoint ${endpointId}`);
    // The in-memory mock's hot path: nothing to track, not even a key to build.
    if (this.durability) this.touch(RECORD_KEY.endpoint(e.id), e);
    e.secret = secret;
    e.secretIssuedAt = issuedAt;
    e.rotations++;
    this.version++;
  }

  /**
   * The secret that signs this endpoint's deliveries: its current one once durable; while a write of
   * it is pending, the one on disk; undefined when the endpoint itself is not on disk yet (a create
   * still being written, or one rolled back).
   */
  signingSecret(e: EndpointRecord): string | undefined {
    if (this.durable.size === 0) return e.secret;
    const onDisk = this.durable.get(RECORD_KEY.endpoint(e.id));
    if (onDisk === undefined) return e.secret;
    return onDisk === null ? undefined : (onDisk as EndpointRecord).secret;
  }

  // ---- for the committer -------------------------------------------------------------------

  /** True when changes wait to be taken. */
  get hasChanges(): boolean {
    return this.dirty.size > 0;
  }

  /** The changed records as they are now (copies), to be written; the changes are taken. */
  takeChanges(): RecordChange[] {
    const out: RecordChange[] = [];
    for (const key of this.dirty) {
      const r = this.current(key);
      out.push({ key, value: r ? copy(r) : null });
    }
    this.dirty = new Set();
    return out;
  }

  /** A batch is durable: its values are what is on disk now. */
  settle(batch: readonly RecordChange[]): void {
    for (const { key, value } of batch) {
      // Changed again since the batch was taken: its durable copy is now the batch's value.
      if (this.dirty.has(key)) this.durable.set(key, value);
      else this.durable.delete(key);
    }
  }

  /**
   * A batch failed (and with it every change taken after it): each record it touched, and each
   * changed since, goes back to what is on disk.
   */
  rollback(batch: readonly RecordChange[]): void {
    const keys = new Set([...batch.map((c) => c.key), ...this.dirty]);
    this.dirty = new Set();
    for (const key of keys) {
      const onDisk = this.durable.get(key);
      if (onDisk === undefined) continue;
      this.durable.delete(key);
      this.restore(key, onDisk);
    }
    this.version++;
  }

  /** Marks a record changed, keeping its durable copy (taken before its first change). */
  private touch(key: string, before: StoredRecord | undefined): void {
    if (!this.durability) return;
    this.dirty.add(key);
    if (!this.durable.has(key)) this.durable.set(key, before ? copy(before) : null);
  }

  private current(key: string): StoredRecord | undefined {
    const id = key.slice(2);
    switch (key[0]) {
      case 'o':
        return this.orgs.get(id);
      case 'k':
        return this.keysByHash.get(id);
      default:
        return this.endpointsById.get(id);
    }
  }

  private restore(key: string, value: StoredRecord | null): void {
    const id = key.slice(2);
    switch (key[0]) {
      case 'o':
        if (value) this.orgs.set(id, value as OrganizationRecord);
        else this.orgs.delete(id);
        return;
      case 'k':
        if (value) this.keysByHash.set(id, value as ApiKeyRecord);
        else this.keysByHash.delete(id);
        return;
      default: {
        const before = this.endpointsById.get(id);
        if (before) this.countEndpoint(before.organizationId, -1);
        if (value) {
          this.endpointsById.set(id, value as EndpointRecord);
          this.countEndpoint((value as EndpointRecord).organizationId, 1);
        } else this.endpointsById.delete(id);
      }
    }
  }

  private countEndpoint(organizationId: string, delta: number): void {
    const n = (this.endpointCounts.get(organizationId) ?? 0) + delta;
    if (n > 0) this.endpointCounts.set(organizationId, n);
    else this.endpointCounts.delete(organizationId);
  }
}
