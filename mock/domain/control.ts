/**
 * Test set-up operations of the mock's control API (not part of InkLink's surface): mint keys,
 * seed endpoints, show the state without secrets, reset. Nothing here knows about HTTP.
 */
import { ROLES, type Role } from '../../core/inklink';
import { maskUrl } from '../../core/log';
import { fingerprint, secretProblem } from '../../core/webhooks';
import type { DeliveryEngine } from './deliveries';
import type { FaultPlan } from './faults';
import type { LiveFeed, StateChange } from './live';
import type { RequestJournal } from './request-journal';
import { ENDPOINT_ID_RE, apiKeyHint, hashApiKey, maskApiKey, newApiKey, newId } from './ids';
import {
  type EndpointView,
  type FieldError,
  type Result,
  type StateSnapshot,
  endpointView,
  invalid,
  ok,
} from './model';
import type { WebhookEndpointService } from './service';
import type { Store } from './store';

export interface MintKeyInput {
  role: Role;
  organizationId?: string;
}

export interface MintedKey {
  id: string;
  api_key: string;
  role: Role;
  organization_id: string;
}

export interface SeedEndpointInput {
  organizationId: string;
  id?: string;
  url?: string;
  name?: string | null;
  enabled?: boolean;
  event_types?: string[];
  /** A chosen initial secret (`whsec_` + base64 of 24 to 64 bytes); generated when absent. */
  secret?: string;
}

export interface StateView {
  organizations: {
    id: string;
    name: string;
    created_at: string;
    api_keys: { id: string; role: Role; key: string; created_at: string }[];
    endpoints: (EndpointView & { secret_fingerprint: string; secret_issued_at: string; rotations: number })[];
  }[];
}

export class MockControl {
  constructor(
    private readonly store: Store,
    private readonly service: WebhookEndpointService,
    private readonly deliveries: DeliveryEngine,
    private readonly faults: FaultPlan,
    private readonly initial: () => StateSnapshot,
    private readonly defaultWebhookUrl: string,
    /** The request journal (emptied by a reset), the live feed (told of state changes), the mock's time. */
    private readonly watch: { requests?: RequestJournal; live?: LiveFeed; now?: () => Date } = {},
  ) {}

  private changed(change: StateChange): void {
    if (this.watch.live?.wants()) this.watch.live.publish('state', { change });
  }

  /**
   * Back to the initial state: seeded (or loaded) records, empty journals, nothing pending, no fault
   * rule. All or nothing: the state is written first, and only once it is kept are the journals and
   * the fault rules cleared; a write that fails leaves everything as it was (and rejects).
   */
  async reset(): Promise<void> {
    this.store.load(this.initial());
    await this.store.commit();
    this.deliveries.clear();
    this.faults.clear();
    this.watch.requests?.clear();
    this.changed('reset');
  }

  view(): StateView {
    const orgs = [...this.store.organizations()];
    const keys = [...this.store.apiKeys()];
    const endpoints = [...this.store.endpoints()];
    return {
      organizations: orgs.map((o) => ({
        id: o.id,
        name: o.name,
        created_at: o.createdAt,
        api_keys: keys
          .filter((k) => k.organizationId === o.id)
          .map((k) => ({ id: k.id, role: k.role, key: maskApiKey(k.hint), created_at: k.createdAt })),
        endpoints: endpoints
          .filter((e) => e.organizationId === o.id)
          .map((e) => ({
            ...endpointView(e),
            // Credentials in an endpoint URL (userinfo, a key in the query) are shown masked here, as
            // everywhere but in the answers that made it (create, seeding) and the export.
            url: maskUrl(e.url),
            secret_fingerprint: fingerprint(e.secret),
            secret_issued_at: e.secretIssuedAt,
            rotations: e.rotations,
          })),
      })),
    };
  }

  /** Mints a key, in a new organization when none is given. The key is returned once. */
  async mintKey(input: MintKeyInput): Promise<Result<MintedKey>> {
    const problems: FieldError[] = [];
    if (!ROLES.includes(input.role)) problems.push({ field: 'role', message: `must be one of ${ROLES.join(', ')}` });
    if (input.organizationId !== undefined && !this.store.organization(input.organizationId)) {
      problems.push({ field: 'organization_id', message: 'no such organization' });
    }
    if (problems.length) return invalid(problems);
    const now = (this.watch.now?.() ?? new Date()).toISOString();
    let organizationId = input.organizationId;
    if (organizationId === undefined) {
      organizationId = newId('org_', 16);
      this.store.addOrganization({
        id: organizationId,
        name: `Organization ${organizationId.slice(4, 10)}`,
        createdAt: now,
      });
    }
    const key = newApiKey();
    const id = newId('key_', 16);
    this.store.addApiKey({
      id,
      organizationId,
      role: input.role,
      hash: hashApiKey(key),
      hint: apiKeyHint(key),
      createdAt: now,
    });
    await this.store.commit();
    this.changed('api_key_minted');
    return ok({ id, api_key: key, role: input.role, organization_id: organizationId });
  }

  /** The whole state as a JSON fixture (`inklink-mock-state` v1): key hashes, secrets (docs/state-file.md). */
  exportState(): StateSnapshot {
    return this.store.snapshot();
  }

  /** Seeds an endpoint directly (no api key involved), optionally with a chosen id and secret. */
  async seedEndpoint(
    input: SeedEndpointInput,
  ): Promise<Result<EndpointView & { organization_id: string; secret: string }>> {
    const url = input.url ?? this.defaultWebhookUrl;
    const problems: FieldError[] = [];
    if (!this.store.organization(input.organizationId))
      problems.push({ field: 'organization_id', message: 'no such organization' });
    else problems.push(...this.service.roomProblems(input.organizationId));
    if (input.id !== undefined) {
      if (!ENDPOINT_ID_RE.test(input.id))
        problems.push({ field: 'id', message: `must match ${ENDPOINT_ID_RE.source}` });
      else if (this.store.endpoint(input.id))
        problems.push({ field: 'id', message: 'an endpoint with this id already exists' });
    }
    if (input.secret !== undefined) {
      const why = secretProblem(input.secret);
      // The problem is described without repeating the value.
      if (why) problems.push({ field: 'secret', message: why });
    }
    problems.push(...this.service.endpointProblems({ ...input, url }));
    if (problems.length) return invalid(problems);
    const record = this.service.addEndpoint(
      input.organizationId,
      { ...input, url },
      { id: input.id, secret: input.secret },
    );
    await this.store.commit();
    this.changed('endpoint_seeded');
    return ok({ ...endpointView(record), organization_id: record.organizationId, secret: record.secret });
  }
}
