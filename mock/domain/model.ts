/** The mock's domain records and results. Nothing here knows about HTTP. */
import type { Role } from '../../core/inklink';
import { REFUSALS, type RefusalKind } from '../../core/refusals';
import { MAX_VIOLATIONS } from '../../core/validator';

export interface OrganizationRecord {
  id: string;
  name: string;
  createdAt: string;
}

/** An api key is stored only as its SHA-256 (and a 4-character hint); the key itself never is. */
export interface ApiKeyRecord {
  id: string;
  organizationId: string;
  role: Role;
  hash: string;
  hint: string;
  createdAt: string;
}

export interface EndpointRecord {
  id: string;
  organizationId: string;
  url: string;
  name: string | null;
  enabled: boolean;
  eventTypes: string[];
  createdAt: string;
  /** The current signing secret; it signs every delivery attempt from the moment it is set. */
  secret: string;
  secretIssuedAt: string;
  rotations: number;
}

export interface StateSnapshot {
  format: 'inklink-mock-state';
  version: 1;
  organizations: OrganizationRecord[];
  apiKeys: ApiKeyRecord[];
  endpoints: EndpointRecord[];
}

export interface Principal {
  keyId: string;
  organizationId: string;
  role: Role;
}

export interface FieldError {
  field: string;
  message: string;
}

/**
 * One details item per field (the first said of it), in the order given: every field in one answer,
 * at most MAX_VIOLATIONS of them and then one item saying how many more there are (a body can
 * fail in hundreds of thousands of places).
 */
export function onePerField(...lists: readonly FieldError[][]): FieldError[] {
  const byField = new Map<string, FieldError>();
  let more = 0;
  for (const list of lists) {
    for (const p of list) {
      if (byField.has(p.field)) continue;
      if (byField.size < MAX_VIOLATIONS) byField.set(p.field, p);
      else more++;
    }
  }
  const out = [...byField.values()];
  if (more) out.push({ field: '', message: `and ${more} more problems, not listed` });
  return out;
}

/**
 * Why an operation was refused, in domain terms: a row of the refusal table (core/refusals.ts),
 * which gives the HTTP layer its status and code.
 */
export type DomainErrorKind = Extract<
  RefusalKind,
  'unauthenticated' | 'forbidden' | 'endpoint_not_found' | 'invalid_input' | 'clock_not_virtual'
>;

export interface DomainError {
  kind: DomainErrorKind;
  message: string;
  details?: FieldError[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: DomainError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(error: DomainError): Result<T> => ({ ok: false, error });
export const invalid = <T = never>(details: FieldError[]): Result<T> =>
  fail({ kind: 'invalid_input', message: REFUSALS.invalid_input.message, details });

/** The endpoint as InkLink's API shows it (no secret). */
export interface EndpointView {
  id: string;
  url: string;
  name: string | null;
  enabled: boolean;
  event_types: string[];
  created_at: string;
}

export function endpointView(e: EndpointRecord): EndpointView {
  return {
    id: e.id,
    url: e.url,
    name: e.name,
    enabled: e.enabled,
    event_types: [...e.eventTypes],
    created_at: e.createdAt,
  };
}
