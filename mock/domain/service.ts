/**
 * The one place that decides: who is authenticated, who may create endpoints and rotate secrets,
 * and what a rotation does. It works on the Store and returns domain results; HTTP is elsewhere.
 */
import { EVENT_TYPES, PRIVILEGED_ROLES } from '../../core/inklink';
import { REFUSALS } from '../../core/refusals';
import { MAX_VIOLATIONS } from '../../core/validator';
import { fingerprint, generateSecret } from '../../core/webhooks';
import { API_KEY_RE, ENDPOINT_ID_RE, hashApiKey, newEndpointId } from './ids';
import { LIMITS } from './limits';
import type { LiveFeed } from './live';
import {
  type DomainError,
  type EndpointRecord,
  type EndpointView,
  type FieldError,
  type Principal,
  type Result,
  endpointView,
  fail,
  invalid,
  ok,
  onePerField,
} from './model';
import type { Store } from './store';
import type { SelfAddress } from './urls';

export interface CreateEndpointInput {
  url: string;
  name?: string | null;
  enabled?: boolean;
  event_types?: string[];
}

export interface ServiceOptions {
  /** URL schemes an endpoint may use. InkLink allows HTTP only in development, which the mock is. */
  allowedUrlSchemes?: readonly string[];
  now?: () => Date;
  /** Where the mock listens, once it does: no endpoint may deliver there. */
  self?: () => SelfAddress | undefined;
  /** Where rotations and created endpoints are published (the dashboard's stream). */
  live?: LiveFeed;
}

// Frozen, shared refusals: the hot paths allocate nothing to say no.
const UNAUTHENTICATED: DomainError = Object.freeze({
  kind: 'unauthenticated',
  message: REFUSALS.unauthenticated.message,
});
/** Unknown, malformed and other organizations' ids get this same error, so none can be told apart. */
const ENDPOINT_NOT_FOUND: DomainError = Object.freeze({
  kind: 'endpoint_not_found',
  message: REFUSALS.endpoint_not_found.message,
});
const forbidden = (action: string): DomainError =>
  Object.freeze({
    kind: 'forbidden',
    message: `Permission denied: ${action} requires an organization owner or admin api key.`,
  });
const FORBIDDEN_ROTATE = forbidden('rotating a webhook signing secret');
const FORBIDDEN_CREATE = forbidden('creating a webhook endpoint');

export class WebhookEndpointService {
  private readonly schemes: readonly string[];
  private readonly now: () => Date;
  private readonly self: () => SelfAddress | undefined;
  private readonly live: LiveFeed | undefined;

  constructor(
    private readonly store: Store,
    options: ServiceOptions = {},
  ) {
    this.schemes = options.allowedUrlSchemes ?? ['https:', 'http:'];
    this.now = options.now ?? (() => new Date());
    this.self = options.self ?? (() => undefined);
    this.live = options.live;
  }

  authenticate(apiKey: string | undefined): Result<Principal> {
    if (typeof apiKey !== 'string' || !API_KEY_RE.test(apiKey)) return fail(UNAUTHENTICATED);
    const key = this.store.keyByHash(hashApiKey(apiKey));
    if (!key) return fail(UNAUTHENTICATED);
    return ok({ keyId: key.id, organizationId: key.organizationId, role: key.role });
  }

  /**
   * Issues a new secret and makes it the only one that signs from now on (no overlap). Resolves
   * once the change is durable, so a secret is never handed out before it is kept.
   */
  async rotateSecret(principal: Principal, endpointId: string): Promise<Result<{ secret: string }>> {
    if (!PRIVILEGED_ROLES.includes(principal.role)) return fail(FORBIDDEN_ROTATE);
    const endpoint = ENDPOINT_ID_RE.test(endpointId) ? this.store.endpoint(endpointId) : undefined;
    if (!endpoint || endpoint.organizationId !== principal.organizationId) return fail(ENDPOINT_NOT_FOUND);
    const secret = generateSecret();
    const previous = endpoint.secret;
    this.store.replaceSecret(endpoint.id, secret, this.now().toISOString());
    await this.store.commit();
    // Fingerprints only, and only while someone watches: nothing is computed otherwise.
    if (this.live?.wants()) {
      this.live.publish('rotation', {
        endpoint_id: endpoint.id,
        organization_id: endpoint.organizationId,
        previous_fingerprint: fingerprint(previous),
        secret_fingerprint: fingerprint(secret),
        rotations: endpoint.rotations,
        secret_issued_at: endpoint.secretIssuedAt,
        role: principal.role,
      });
    }
    return ok({ secret });
  }

  /**
   * Creates an endpoint in the principal's organization. `schemaProblems`: what the request schema
   * found wrong with the body (the HTTP layer validates it); the domain rules are checked too, and
   * every problem goes into one answer, one details item per field. The body first (400), then
   * the role (500).
   */
  async createEndpoint(
    principal: Principal,
    input: unknown,
    schemaProblems: readonly FieldError[] = [],
  ): Promise<Result<{ endpoint: EndpointView; secret: string }>> {
    const fields =
      input !== null && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
    // A list the schema already cut short (MAX_VIOLATIONS and a count of the rest) is the answer.
    const problems =
      schemaProblems.length > MAX_VIOLATIONS
        ? [...schemaProblems]
        : onePerField([...schemaProblems], this.endpointProblems(fields));
    if (problems.length) return invalid(problems);
    if (!PRIVILEGED_ROLES.includes(principal.role)) return fail(FORBIDDEN_CREATE);
    const full = this.roomProblems(principal.organizationId);
    if (full.length) return invalid(full);
    const record = this.addEndpoint(principal.organizationId, fields as unknown as CreateEndpointInput);
    await this.store.commit();
    if (this.live?.wants()) this.live.publish('state', { change: 'endpoint_created' });
    return ok({ endpoint: endpointView(record), secret: record.secret });
  }

  /**
   * Adds a valid endpoint with defaults applied (enabled, every event type, a new secret). Shared by
   * create and the control API's seeding, which may choose the id and the initial secret.
   */
  addEndpoint(
    organizationId: string,
    input: CreateEndpointInput,
    chosen: { id?: string; secret?: string } = {},
  ): EndpointRecord {
    const now = this.now().toISOString();
    const record: EndpointRecord = {
      id: chosen.id ?? newEndpointId(),
      organizationId,
      url: input.url,
      name: input.name ?? null,
      enabled: input.enabled ?? true,
      eventTypes: input.event_types ? [...new Set(input.event_types)] : [...EVENT_TYPES],
      createdAt: now,
      secret: chosen.secret ?? generateSecret(),
      secretIssuedAt: now,
      rotations: 0,
    };
    this.store.addEndpoint(record);
    return record;
  }

  /** The organization's room for one more endpoint (docs/limits.md). */
  roomProblems(organizationId: string): FieldError[] {
    const max = LIMITS.endpointsPerOrganization.value;
    if (this.store.endpointCount(organizationId) < max) return [];
    return [
      { field: '', message: `the organization already has ${max} endpoints, the most one organization may have` },
    ];
  }

  /**
   * Domain rules beyond the schema: an absolute http(s) URL of at most the URL limit that does not
   * reach the mock itself, and known event types. Values of another type than the schema's are left
   * to it (a body may break both: each says what it found).
   */
  endpointProblems(input: { url?: unknown; event_types?: unknown }): FieldError[] {
    const problems: FieldError[] = [];
    if (typeof input.url === 'string') {
      const maxUrl = LIMITS.urlLength.value;
      let url: URL | undefined;
      if (input.url.length > maxUrl) problems.push({ field: 'url', message: `must be at most ${maxUrl} characters` });
      else {
        try {
          url = new URL(input.url);
        } catch {
          problems.push({ field: 'url', message: 'must be an absolute URL' });
        }
      }
      if (url && !this.schemes.includes(url.protocol)) {
        problems.push({ field: 'url', message: `must use ${this.schemes.map((s) => s.slice(0, -1)).join(' or ')}` });
      } else if (url && this.self()?.reachedBy(input.url)) {
        problems.push({
          field: 'url',
          message: "must not reach the mock itself: its deliveries would call the mock's own API",
        });
      }
    }
    if (Array.isArray(input.event_types)) {
      if (input.event_types.length === 0)
        problems.push({ field: 'event_types', message: 'must contain at least 1 event type' });
      input.event_types.forEach((t: unknown, i) => {
        // The value is not echoed: error messages never repeat what a client sent.
        if (typeof t === 'string' && !EVENT_TYPES.includes(t))
          problems.push({ field: `event_types[${i}]`, message: 'is not a supported event type' });
      });
    }
    return problems;
  }
}
