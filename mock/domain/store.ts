/**
 * The one place that holds the mock's state: organizations, api keys (by hash) and endpoints with
 * their current secrets. Every change goes through a method here and bumps `version`; `commit()`
 * resolves once the current version is durable (immediately when nothing persists the state).
 */
import type { ApiKeyRecord, EndpointRecord, OrganizationRecord, StateSnapshot } from './model';

export interface Durability {
  /** Resolves when the state as of this call is durable. */
  commit(): Promise<void>;
}

const DONE: Promise<void> = Promise.resolve();

export class Store {
  private readonly orgs = new Map<string, OrganizationRecord>();
  private readonly keysByHash = new Map<string, ApiKeyRecord>();
  private readonly endpointsById = new Map<string, EndpointRecord>();
  private durability: Durability | undefined;
  /** Increments on every change. */
  version = 0;

  constructor(snapshot?: StateSnapshot) {
    if (snapshot) this.load(snapshot);
  }

  setDurability(d: Durability | undefined): void {
    this.durability = d;
  }

  commit(): Promise<void> {
    return this.durability ? this.durability.commit() : DONE;
  }

  /** Replaces the whole state with a snapshot (records are copied). */
  load(snapshot: StateSnapshot): void {
    this.orgs.clear();
    this.keysByHash.clear();
    this.endpointsById.clear();
    for (const o of snapshot.organizations) this.orgs.set(o.id, { ...o });
    for (const k of snapshot.apiKeys) this.keysByHash.set(k.hash, { ...k });
    for (const e of snapshot.endpoints) this.endpointsById.set(e.id, { ...e, eventTypes: [...e.eventTypes] });
    this.version++;
  }

  snapshot(): StateSnapshot {
    return {
      format: 'inklink-mock-state',
      version: 1,
      organizations: [...this.orgs.values()].map((o) => ({ ...o })),
      apiKeys: [...this.keysByHash.values()].map((k) => ({ ...k })),
      endpoints: [...this.endpointsById.values()].map((e) => ({ ...e, eventTypes: [...e.eventTypes] })),
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

  addOrganization(o: OrganizationRecord): void {
    this.orgs.set(o.id, o);
    this.version++;
  }

  addApiKey(k: ApiKeyRecord): void {
    this.keysByHash.set(k.hash, k);
    this.version++;
  }

  addEndpoint(e: EndpointRecord): void {
    this.endpointsById.set(e.id, e);
    this.version++;
  }

  /** Replaces an endpoint's secret; from now on every delivery attempt is signed with it. */
  replaceSecret(endpointId: string, secret: string, issuedAt: string): void {
    const e = this.endpointsById.get(endpointId);
    if (!e) throw new Error(`replaceSecret: no endpoint ${endpointId}`);
    e.secret = secret;
    e.secretIssuedAt = issuedAt;
    e.rotations++;
    this.version++;
  }
}
