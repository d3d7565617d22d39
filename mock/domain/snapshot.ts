/**
 * The state document (`inklink-mock-state`, version 1) checked field by field: what a state file
 * must hold before the mock starts from it. Problems name the field, never its value (the
 * document holds secrets).
 */
import { EVENT_TYPES, ROLES } from '../../core/inklink';
import { secretProblem } from '../../core/webhooks';
import { ENDPOINT_ID_RE } from './ids';
import { LIMITS } from './limits';
import type { ApiKeyRecord, EndpointRecord, OrganizationRecord, StateSnapshot } from './model';

export const STATE_FORMAT = 'inklink-mock-state';
export const STATE_VERSION = 1;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isDate = (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v));

type FieldCheck = (v: unknown) => string | undefined;
const str: FieldCheck = (v) => (typeof v === 'string' && v.length > 0 ? undefined : 'must be a non-empty string');
const date: FieldCheck = (v) => (isDate(v) ? undefined : 'must be an ISO 8601 date-time');

/**
 * Checks a record's fields (exactly these, no others) and returns a copy of it, or undefined. The
 * problems name the field, never its value.
 */
function record<T>(where: string, v: unknown, fields: Record<string, FieldCheck>, problems: string[]): T | undefined {
  if (!isObject(v)) {
    problems.push(`${where} must be an object`);
    return undefined;
  }
  const before = problems.length;
  for (const [name, check] of Object.entries(fields)) {
    if (!Object.prototype.hasOwnProperty.call(v, name)) {
      problems.push(`${where}.${name} is missing`);
      continue;
    }
    const why = check(v[name]);
    if (why) problems.push(`${where}.${name} ${why}`);
  }
  for (const name of Object.keys(v)) {
    if (!Object.prototype.hasOwnProperty.call(fields, name))
      problems.push(`${where} has an unknown field "${name.slice(0, 40)}"`);
  }
  if (problems.length > before) return undefined;
  const copy: Record<string, unknown> = {};
  for (const name of Object.keys(fields)) copy[name] = v[name];
  return copy as T;
}

/** Validates a parsed state document and returns it as a snapshot (problems are collected). */
export function parseSnapshot(doc: unknown, problems: string[]): StateSnapshot | undefined {
  if (!isObject(doc)) {
    problems.push('the top level must be a JSON object');
    return undefined;
  }
  if (doc.format !== STATE_FORMAT) {
    problems.push(`"format" must be "${STATE_FORMAT}"`);
    return undefined;
  }
  if (doc.version !== STATE_VERSION) {
    problems.push(
      `"version" ${typeof doc.version === 'number' ? doc.version : '(missing)'} is not supported (expected ` +
        `${STATE_VERSION})`,
    );
    return undefined;
  }
  for (const name of Object.keys(doc)) {
    if (!['format', 'version', 'organizations', 'apiKeys', 'endpoints'].includes(name))
      problems.push(`unknown top-level field "${name.slice(0, 40)}"`);
  }
  const missing = ['organizations', 'apiKeys', 'endpoints'].filter((list) => !Array.isArray(doc[list]));
  for (const list of missing) problems.push(`"${list}" must be an array`);
  if (missing.length) return undefined;

  const organizations: OrganizationRecord[] = [];
  const orgIds = new Set<string>();
  (doc.organizations as unknown[]).forEach((o, i) => {
    const r = record<OrganizationRecord>(
      `organizations[${i}]`,
      o,
      { id: str, name: (v) => (typeof v === 'string' ? undefined : 'must be a string'), createdAt: date },
      problems,
    );
    if (!r) return;
    if (orgIds.has(r.id)) problems.push(`organizations[${i}].id is a duplicate`);
    orgIds.add(r.id);
    organizations.push(r);
  });

  const apiKeys: ApiKeyRecord[] = [];
  const hashes = new Set<string>();
  (doc.apiKeys as unknown[]).forEach((k, i) => {
    const r = record<ApiKeyRecord>(
      `apiKeys[${i}]`,
      k,
      {
        id: str,
        organizationId: (v) =>
          typeof v === 'string' && orgIds.has(v) ? undefined : 'must name an organization of the file',
        role: (v) => ((ROLES as readonly unknown[]).includes(v) ? undefined : `must be one of ${ROLES.join(', ')}`),
        hash: (v) =>
          typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) ? undefined : 'must be the 64 hex digits of a SHA-256',
        hint: (v) => (typeof v === 'string' && v.length <= 8 ? undefined : 'must be a string of at most 8 characters'),
        createdAt: date,
      },
      problems,
    );
    if (!r) return;
    if (hashes.has(r.hash)) problems.push(`apiKeys[${i}].hash is a duplicate`);
    hashes.add(r.hash);
    apiKeys.push(r);
  });

  const endpoints: EndpointRecord[] = [];
  const endpointIds = new Set<string>();
  (doc.endpoints as unknown[]).forEach((e, i) => {
    const r = record<EndpointRecord>(
      `endpoints[${i}]`,
      e,
      {
        id: (v) =>
          typeof v === 'string' && ENDPOINT_ID_RE.test(v) ? undefined : `must match ${ENDPOINT_ID_RE.source}`,
        organizationId: (v) =>
          typeof v === 'string' && orgIds.has(v) ? undefined : 'must name an organization of the file',
        url: (v) => {
          if (typeof v !== 'string') return 'must be a string';
          if (v.length > LIMITS.urlLength.value) return `must be at most ${LIMITS.urlLength.value} characters`;
          try {
            const u = new URL(v);
            return u.protocol === 'http:' || u.protocol === 'https:' ? undefined : 'must be an http(s) URL';
          } catch {
            return 'must be an absolute URL';
          }
        },
        name: (v) =>
          v === null || (typeof v === 'string' && v.length <= 120)
            ? undefined
            : 'must be null or a string of at most 120 characters',
        enabled: (v) => (typeof v === 'boolean' ? undefined : 'must be a boolean'),
        eventTypes: (v) =>
          Array.isArray(v) && v.length > 0 && v.every((t) => EVENT_TYPES.includes(t as string))
            ? undefined
            : 'must be a non-empty array of supported event types',
        createdAt: date,
        secret: (v) => secretProblem(v),
        secretIssuedAt: date,
        rotations: (v) =>
          Number.isSafeInteger(v) && (v as number) >= 0 ? undefined : 'must be a non-negative integer',
      },
      problems,
    );
    if (!r) return;
    if (endpointIds.has(r.id)) problems.push(`endpoints[${i}].id is a duplicate`);
    endpointIds.add(r.id);
    endpoints.push({ ...r, eventTypes: [...r.eventTypes] });
  });
  if (problems.length) return undefined;
  return { format: STATE_FORMAT, version: STATE_VERSION, organizations, apiKeys, endpoints };
}
