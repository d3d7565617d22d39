/** The mock's domain records and results. Nothing here knows about HTTP. */
import type { Role } from '../../src/core/inklink';
import type { RefusalKind } from '../../src/core/refusals';

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
 * Why an operation was refused, in domain terms: a row of the refusal table (src/core/refusals.ts),
 * which gives the HTTP layer its status and code.
 */
export type DomainErrorKind = Extract<RefusalKind, 'unauthenticated' | 'forbidden' | 'endpoint_not_found' | 'invalid_input'>;

export interface DomainError {
  kind: DomainErrorKind;
  message: string;
  details?: FieldError[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: DomainError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(error: DomainError): Result<T> => ({ ok: false, error });
export const invalid = <T = never>(details: FieldError[]): Result<T> =>
  fail({ kind: 'invalid_input', message: 'The request is invalid.', details });

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
  return { id: e.id, url: e.url, name: e.name, enabled: e.enabled, event_types: [...e.eventTypes], created_at: e.createdAt };
}
