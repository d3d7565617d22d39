/**
 * Deliberately broken variants of the mock, to prove the verifier (and provider verification)
 * catch what they should. Each one is the real mock with one defect, introduced from outside:
 * a patched domain object, a rewritten request or answer (a proxy in front of the mock), or a
 * proxy that tampers with deliveries on their way to the receiver.
 * Test code only: the verifier itself never imports the mock.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMockServer, type MockServer } from '../../mock/server';
import type { MockServerOptions } from '../../mock/config';
import { ok, fail, type Result } from '../../mock/domain/model';
import { createLogger } from '../../core/log';
import { ENDPOINT_ID_RE, EVENT_TYPES } from '../../core/inklink';
import { REFUSALS } from '../../core/refusals';
import { generateSecret, sign } from '../../core/webhooks';

export interface RunningVariant {
  name: string;
  url: string;
  mock: MockServer;
  keys: { admin: string; member: string; owner: string; otherOrg: string };
  close(): Promise<void>;
}

/** A request on its way to the mock (a variant may change it). */
interface Incoming {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

interface Answer {
  path: string;
  status: number;
  body: string;
  json: any;
  /** The request's headers and body, as the mock got them. */
  requestHeaders: Record<string, string>;
  requestBody: string;
  setHeader(name: string, value: string): void;
  removeHeader(name: string): void;
  setStatus(status: number): void;
}

/** A delivery on its way to the receiver. */
interface Outgoing {
  method: string;
  headers: Record<string, string>;
  body: string;
}

interface TamperContext {
  mock: MockServer;
  /** The endpoint's current secret. */
  secret: string;
  /** The secrets the endpoint had before, oldest first. */
  previousSecrets: string[];
  /** The headers of the first attempt with the same webhook-id (undefined on a first attempt). */
  firstAttempt?: Record<string, string>;
  /** The id of the endpoint the delivery is for. */
  endpointId: string;
}

/** Re-signs a delivery whose id, timestamp or body a variant changed (with the endpoint's current secret, or `key`). */
const resign = (d: Outgoing, secret: string | Buffer): Outgoing => ({
  ...d,
  headers: {
    ...d.headers,
    'webhook-signature': sign(secret, d.headers['webhook-id'], Number(d.headers['webhook-timestamp']), d.body),
  },
});

export interface Variant {
  /** What is broken, in a line. */
  description: string;
  /** The checks `verify` must fail on this variant, and only these. */
  fails: string[];
  /** The checks `verify` must report as blocked (by the failures above), and only these. */
  blocked?: string[];
  /**
   * Checks that are blocked by the failures above when the run's timing lets the defect reach them
   * (e.g. another check's rotation re-keys their endpoint before their delivery), and pass otherwise.
   */
  mayBlock?: string[];
  /** Changes the mock's domain before it serves. */
  patch?(mock: MockServer): void;
  /** Changes a request before the mock sees it. */
  rewriteRequest?(req: Incoming, mock: MockServer): void;
  /** Rewrites an answer before it is sent; returns the new body, or undefined to keep it. */
  rewrite?(answer: Answer, mock: MockServer): string | undefined;
  /** Tampers with each delivery on its way to the receiver: returns what to send instead. */
  tamper?(d: Outgoing, ctx: TamperContext): Outgoing;
  /** Deliveries follow redirects (the delivery proxy does, instead of handing the 3xx back). */
  followRedirects?: true;
  /** What the mock is told the receiver answered. */
  answerToMock?(status: number): number;
}

const isRotate = (path: string) => /\/rotate-secret$/.test(path.split('?')[0]);
const isCreate = (path: string) => /\/webhook\/endpoints$/.test(path.split('?')[0]);
const isApi = (path: string) => !path.startsWith('/__mock');
const endpointIdOf = (path: string) => decodeURIComponent(path.split('?')[0].split('/').slice(-2)[0]);

const parseObject = (text: string): Record<string, any> | undefined => {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
};

/** Whether a create body has no usable url (what the mock would answer 400). */
function badCreateBody(text: string): boolean {
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return true;
  }
  if (!body || typeof body !== 'object' || typeof body.url !== 'string') return true;
  try {
    return !/^https?:$/.test(new URL(body.url).protocol);
  } catch {
    return true;
  }
}

/** Owner keys are taken as member keys, for rotate and create. */
function demoteOwners(mock: MockServer): void {
  const rotate = mock.service.rotateSecret.bind(mock.service);
  const create = mock.service.createEndpoint.bind(mock.service);
  const demoted = <P extends { role: string }>(p: P): P => (p.role === 'owner' ? { ...p, role: 'member' } : p);
  mock.service.rotateSecret = (principal, id) => rotate(demoted(principal), id);
  mock.service.createEndpoint = (principal, input, problems) => create(demoted(principal), input, problems);
}

/** A privileged key rotates any organization's endpoint (the endpoint's organization is taken as the key's). */
function rotateAnyOrganization(mock: MockServer): void {
  const original = mock.service.rotateSecret.bind(mock.service);
  mock.service.rotateSecret = (principal, id) => {
    const e = mock.store.endpoint(id);
    return original(e ? { ...principal, organizationId: e.organizationId } : principal, id);
  };
}

const roleOf = (mock: MockServer, key: string | undefined) => {
  const p = mock.service.authenticate(key);
  return p.ok ? p.value.role : undefined;
};

/** Runs a synchronous emit with every endpoint record changed by `change`, then puts them back. */
function emitWith(mock: MockServer, change: (e: { enabled: boolean; eventTypes: string[] }, type: string) => void) {
  const original = mock.deliveries.emitEvent.bind(mock.deliveries);
  mock.deliveries.emitEvent = (input) => {
    const saved = [...mock.store.endpoints()].map((e) => [e, e.enabled, e.eventTypes] as const);
    for (const [e] of saved) change(e, input.type);
    try {
      return original(input);
    } finally {
      for (const [e, enabled, eventTypes] of saved) Object.assign(e, { enabled, eventTypes });
    }
  };
}

/**
 * Wraps rotate: `after` gets its answer (refused or not), the endpoint's id and its secret before
 * the rotation, and returns the answer to give.
 */
function afterRotate(
  mock: MockServer,
  after: (r: Result<{ secret: string }>, id: string, before: string | undefined) => Result<{ secret: string }>,
) {
  const original = mock.service.rotateSecret.bind(mock.service);
  mock.service.rotateSecret = async (principal, id) => {
    const before = mock.store.endpoint(id)?.secret;
    return after(await original(principal, id), id, before);
  };
}

/** rotate-answers-previous-secret: each new secret, and the secret it replaced. */
const replaced = new Map<string, string>();

export const VARIANTS: Record<string, Variant> = {
  'same-secret-every-rotation': {
    description: 'rotate answers 200 with the current secret and changes nothing',
    fails: ['one_time_secret'],
    blocked: ['immediate_invalidation', 'retry_after_rotation'],
    patch(mock) {
      mock.service.rotateSecret = async (principal, id) => {
        const e = mock.store.endpoint(id);
        if (!e || e.organizationId !== principal.organizationId || principal.role === 'member') {
          return fail({ kind: 'endpoint_not_found', message: 'Webhook endpoint not found.' });
        }
        return ok({ secret: e.secret });
      };
    },
  },
  'member-may-rotate': {
    description: 'the role check is missing on rotate',
    fails: ['role_enforced', 'generated_requests'],
    patch(mock) {
      const original = mock.service.rotateSecret.bind(mock.service);
      mock.service.rotateSecret = (principal, id) => original({ ...principal, role: 'admin' }, id);
    },
  },
  'owner-refused': {
    description: 'an owner key is refused like a member key (only admin keys may create and rotate)',
    fails: ['privileged_roles'],
    patch: demoteOwners,
  },
  'permission-denied-is-403': {
    description: 'permission denied is answered 403 instead of 500',
    fails: ['role_enforced', 'status_code_conformance', 'generated_requests'],
    blocked: ['error_envelope'],
    rewrite(a) {
      if (a.status === 500 && /^Permission denied/.test(a.json?.error?.message ?? '')) a.setStatus(403);
      return undefined;
    },
  },
  'other-org-may-rotate': {
    description: "an owner or admin key may rotate another organization's endpoint (200, and the secret changes)",
    fails: ['not_found_indistinguishable', 'generated_requests'],
    patch: rotateAnyOrganization,
  },
  'secret-without-prefix': {
    description: 'secrets are returned without the `whsec_` prefix',
    fails: ['one_time_secret'],
    rewrite(a) {
      if (a.status === 200 && typeof a.json?.secret === 'string')
        return JSON.stringify({ ...a.json, secret: a.json.secret.replace(/^whsec_/, '') });
      return undefined;
    },
  },
  'old-secret-keeps-signing': {
    description: 'a rotation hands out a new secret but deliveries stay signed with the old one',
    fails: ['immediate_invalidation'],
    blocked: ['retry_after_rotation'],
    patch(mock) {
      mock.store.replaceSecret = () => undefined;
    },
  },
  'request-id-missing': {
    description: 'error envelopes have no `requestId`',
    fails: ['response_schema_conformance'],
    blocked: ['error_envelope'],
    rewrite(a) {
      if (a.status >= 400 && a.json?.error) {
        const { requestId: _drop, ...rest } = a.json.error;
        return JSON.stringify({ error: rest });
      }
      return undefined;
    },
  },
  'request-id-differs': {
    description: "an error's `requestId` is not its `x-request-id`",
    fails: ['error_envelope'],
    rewrite(a) {
      if (a.status >= 400 && a.json?.error)
        return JSON.stringify({ error: { ...a.json.error, requestId: randomUUID() } });
      return undefined;
    },
  },
  'request-id-reused': {
    description: 'every answer carries the same `x-request-id` (and `requestId`)',
    fails: ['request_id_unique'],
    rewrite(a) {
      if (!isApi(a.path)) return undefined;
      const id = '3f1c2a5e-8d4b-4c7a-9e2f-1a2b3c4d5e6f';
      a.setHeader('x-request-id', id);
      if (a.json?.error) return JSON.stringify({ error: { ...a.json.error, requestId: id } });
      return undefined;
    },
  },
  'error-code-not-documented': {
    description: 'a 400 carries the code `BAD_REQUEST` instead of `VALIDATION_ERROR`',
    fails: ['create_validation', 'error_envelope', 'generated_requests'],
    blocked: ['refusal_order'],
    rewrite(a) {
      if (a.status === 400 && a.json?.error) return JSON.stringify({ error: { ...a.json.error, code: 'BAD_REQUEST' } });
      return undefined;
    },
  },
  'missing-key-accepted': {
    description: "a request without an `api-key` is treated as the first organization's owner (200)",
    fails: ['auth_required', 'generated_requests'],
    blocked: ['refusal_order'],
    patch(mock) {
      const original = mock.service.authenticate.bind(mock.service);
      const owner = mock.seeded[0].apiKeys[0].key;
      mock.service.authenticate = (key) => original(key === undefined ? owner : key);
    },
  },
  'near-miss-key-accepted': {
    description: 'api keys are compared without their case: the admin key with its case changed is the admin key',
    fails: ['generated_requests'],
    patch(mock) {
      const original = mock.service.authenticate.bind(mock.service);
      const keys = mock.seeded.flatMap((o) => o.apiKeys.map((k) => k.key));
      mock.service.authenticate = (key) =>
        original(keys.find((k) => key !== undefined && k.toLowerCase() === key.toLowerCase()) ?? key);
    },
  },
  'key-echoed-in-401': {
    description: 'a 401 repeats the api key it refused in its message',
    fails: ['keys_never_echoed'],
    rewrite(a) {
      const key = a.requestHeaders['api-key'];
      if (a.status === 401 && a.json?.error && key)
        return JSON.stringify({ error: { ...a.json.error, message: `${a.json.error.message} (${key})` } });
      return undefined;
    },
  },
  'body-checked-before-key': {
    description: 'create validates the body before the key: no key and a bad body get 400',
    fails: ['refusal_order', 'generated_requests'],
    rewriteRequest(req, mock) {
      if (
        req.method === 'POST' &&
        isCreate(req.path) &&
        req.headers['api-key'] === undefined &&
        badCreateBody(req.body)
      ) {
        req.headers['api-key'] = mock.seeded[0].apiKeys.find((k) => k.role === 'admin')!.key;
      }
    },
  },
  'role-checked-before-body': {
    description: 'create checks the role before the body: a member key and a bad body get 500',
    fails: ['refusal_order', 'generated_requests'],
    rewriteRequest(req, mock) {
      if (
        req.method === 'POST' &&
        isCreate(req.path) &&
        roleOf(mock, req.headers['api-key']) === 'member' &&
        badCreateBody(req.body)
      ) {
        req.body = JSON.stringify({ url: 'https://example.com/hooks' });
      }
    },
  },
  'endpoint-checked-before-key': {
    description: 'rotate looks the endpoint up before the key: no key and an unknown id get 500',
    fails: ['refusal_order', 'generated_requests'],
    rewriteRequest(req, mock) {
      if (
        req.method === 'POST' &&
        isRotate(req.path) &&
        req.headers['api-key'] === undefined &&
        !mock.store.endpoint(endpointIdOf(req.path))
      ) {
        req.headers['api-key'] = mock.seeded[0].apiKeys.find((k) => k.role === 'admin')!.key;
      }
    },
  },
  'malformed-id-is-401': {
    description: 'rotating a malformed endpoint id is answered 401 UNAUTHORIZED',
    fails: ['unknown_endpoint', 'generated_requests'],
    rewrite(a) {
      if (isRotate(a.path) && !ENDPOINT_ID_RE.test(endpointIdOf(a.path)) && a.status === 500) {
        const r = REFUSALS.unauthenticated;
        a.setStatus(r.status);
        return JSON.stringify({ error: { ...a.json.error, code: r.code, message: r.message } });
      }
      return undefined;
    },
  },
  'secret-repeated-later': {
    description: "an error on rotate repeats the endpoint's current secret (which also tells that the id exists)",
    fails: ['one_time_secret', 'not_found_indistinguishable'],
    rewrite(a, mock) {
      if (a.status === 500 && isRotate(a.path)) {
        const e = mock.store.endpoint(endpointIdOf(a.path));
        if (e)
          return JSON.stringify({
            error: { ...a.json.error, message: `${a.json.error.message} (current secret ${e.secret})` },
          });
      }
      return undefined;
    },
  },
  'foreign-endpoint-distinguishable': {
    description: "another organization's endpoint is refused with a message of its own",
    fails: ['not_found_indistinguishable'],
    patch(mock) {
      const original = mock.service.rotateSecret.bind(mock.service);
      mock.service.rotateSecret = async (principal, id) => {
        const e = mock.store.endpoint(id);
        if (e && e.organizationId !== principal.organizationId)
          return fail({ kind: 'endpoint_not_found', message: 'This endpoint belongs to another organization.' });
        return original(principal, id);
      };
    },
  },
  'details-collapsed': {
    description: 'a bad create body gets a details item for its first problem only',
    fails: ['create_validation'],
    rewrite(a) {
      if (a.status === 400 && isCreate(a.path) && Array.isArray(a.json?.error?.details)) {
        return JSON.stringify({ error: { ...a.json.error, details: a.json.error.details.slice(0, 1) } });
      }
      return undefined;
    },
  },
  'answer-event-types-default-partial': {
    description:
      'create answers, for an endpoint asked without `event_types`, that it subscribed to five types (it has all ten)',
    fails: ['created_endpoint'],
    rewrite(a) {
      if (a.status === 200 && isCreate(a.path) && a.json?.event_types?.length === EVENT_TYPES.length) {
        return JSON.stringify({ ...a.json, event_types: a.json.event_types.slice(0, 5) });
      }
      return undefined;
    },
  },
  'create-answer-without-created-at': {
    description: 'create answers without `created_at`',
    fails: ['response_schema_conformance'],
    rewrite(a) {
      if (a.status === 200 && isCreate(a.path) && a.json) {
        const { created_at: _drop, ...rest } = a.json;
        return JSON.stringify(rest);
      }
      return undefined;
    },
  },
  'success-is-201': {
    description: 'create and rotate answer 201 instead of 200',
    fails: ['status_code_conformance', 'generated_requests'],
    rewrite(a) {
      if (a.status === 200 && isApi(a.path)) a.setStatus(201);
      return undefined;
    },
  },
  'unsubscribed-types-delivered': {
    description: 'event_types is ignored when delivering: every endpoint receives every type',
    fails: ['subscriptions'],
    patch(mock) {
      emitWith(mock, (e) => (e.eventTypes = [...EVENT_TYPES]));
    },
  },
  'default-subscription-partial': {
    description: 'an endpoint created without `event_types` receives `kyc.*` events only (it says it has all ten)',
    fails: ['subscriptions'],
    patch(mock) {
      emitWith(mock, (e, type) => {
        if (e.eventTypes.length === EVENT_TYPES.length && type.startsWith('web.')) e.eventTypes = [];
      });
    },
  },
  'payload-type-swapped': {
    description:
      'to an endpoint subscribed to several types of a family, a delivery says the next of them, not the type ' +
      'triggered (re-signed)',
    fails: ['subscriptions'],
    tamper(d, { mock, secret, endpointId }) {
      const body = parseObject(d.body);
      const endpoint = [...mock.store.endpoints()].find((e) => e.id === endpointId);
      if (!body || !endpoint || typeof body.type !== 'string') return d;
      const family = body.type.split('.')[0];
      const same = endpoint.eventTypes.filter((t) => t.startsWith(`${family}.`));
      const at = same.indexOf(body.type);
      if (at < 0 || same.length < 2) return d;
      return resign({ ...d, body: JSON.stringify({ ...body, type: same[(at + 1) % same.length] }) }, secret);
    },
  },
  'disabled-still-delivers': {
    description: 'an endpoint created with `enabled: false` receives deliveries',
    fails: ['disabled_endpoint'],
    patch(mock) {
      emitWith(mock, (e) => (e.enabled = true));
    },
  },
  'signed-with-wrong-key': {
    description: "deliveries are signed with a key that is not the endpoint's secret",
    fails: ['delivery_signature'],
    blocked: [
      'role_enforced',
      'not_found_indistinguishable',
      'immediate_invalidation',
      'rotation_scoped',
      'retry_after_rotation',
    ],
    tamper: (d) => resign(d, generateSecret()),
  },
  'new-webhook-id-per-attempt': {
    description: 'each attempt gets a fresh `webhook-id` (correctly signed), so retries are not idempotent',
    fails: ['retry_after_rotation'],
    tamper: (d, { secret }) =>
      resign({ ...d, headers: { ...d.headers, 'webhook-id': `wh_evt_${randomBytes(12).toString('hex')}` } }, secret),
  },
  'retry-replays-first-signature': {
    description: "a retry carries the first attempt's timestamp and signature, made with the secret in force then",
    fails: ['retry_after_rotation'],
    tamper(d, { firstAttempt }) {
      if (!firstAttempt) return d;
      return {
        ...d,
        headers: {
          ...d.headers,
          'webhook-timestamp': firstAttempt['webhook-timestamp'],
          'webhook-signature': firstAttempt['webhook-signature'],
        },
      };
    },
  },
  'retry-keeps-first-timestamp': {
    description: "a retry is signed with the current secret but keeps the first attempt's timestamp",
    fails: ['retry_after_rotation'],
    tamper(d, { firstAttempt, secret }) {
      if (!firstAttempt) return d;
      return resign(
        { ...d, headers: { ...d.headers, 'webhook-timestamp': firstAttempt['webhook-timestamp'] } },
        secret,
      );
    },
  },
  'redirects-followed': {
    description: 'deliveries follow redirects (a 307 is re-sent to its Location, whose 204 counts as success)',
    fails: ['failed_attempts_retried'],
    followRedirects: true,
    tamper: (d) => d,
  },
  'gone-is-final': {
    description: 'an attempt answered 410 counts as delivered: it is not retried',
    fails: ['failed_attempts_retried'],
    tamper: (d) => d,
    answerToMock: (status) => (status === 410 ? 200 : status),
  },
  'member-may-create': {
    description: 'the role check is missing on create',
    fails: ['role_enforced', 'generated_requests'],
    patch(mock) {
      const original = mock.service.createEndpoint.bind(mock.service);
      mock.service.createEndpoint = (principal, input, problems) =>
        original({ ...principal, role: 'admin' }, input, problems);
    },
  },
  'short-secret': {
    description: 'rotate issues secrets of 16 random bytes (InkLink secrets are 24 to 64)',
    fails: ['one_time_secret'],
    patch(mock) {
      afterRotate(mock, (r, id) => {
        if (!r.ok) return r;
        const secret = `whsec_${randomBytes(16).toString('base64')}`;
        mock.store.replaceSecret(id, secret, new Date().toISOString());
        return ok({ secret });
      });
    },
  },
  'overlap-window': {
    description: 'after a rotation, deliveries carry a signature with the previous secret too (an overlap window)',
    fails: ['immediate_invalidation'],
    blocked: ['retry_after_rotation'],
    tamper(d, { previousSecrets }) {
      const previous = previousSecrets[previousSecrets.length - 1];
      if (!previous) return d;
      const old = sign(previous, d.headers['webhook-id'], Number(d.headers['webhook-timestamp']), d.body);
      return { ...d, headers: { ...d.headers, 'webhook-signature': `${d.headers['webhook-signature']} ${old}` } };
    },
  },
  'create-url-unchecked': {
    description: 'create accepts a missing url, one that is not a URI, and one that is not http(s)',
    fails: ['create_validation', 'generated_requests'],
    blocked: ['refusal_order'],
    rewriteRequest(req) {
      if (req.method !== 'POST' || !isCreate(req.path)) return;
      const body = parseObject(req.body);
      if (body && badCreateBody(req.body)) req.body = JSON.stringify({ ...body, url: 'https://example.com/hooks' });
    },
  },
  'create-fields-unchecked': {
    description: 'create ignores a bad `name`, `enabled` or `event_types` (it drops them)',
    fails: ['create_validation', 'generated_requests'],
    rewriteRequest(req) {
      if (req.method !== 'POST' || !isCreate(req.path)) return;
      const body = parseObject(req.body);
      if (!body) return;
      if (typeof body.name !== 'string' || body.name.length > 120) delete body.name;
      if (typeof body.enabled !== 'boolean') delete body.enabled;
      if (
        !Array.isArray(body.event_types) ||
        body.event_types.length === 0 ||
        body.event_types.some((t: unknown) => !EVENT_TYPES.includes(t as string))
      )
        delete body.event_types;
      req.body = JSON.stringify(body);
    },
  },
  'root-problem-not-blank-field': {
    description: 'a body that is not JSON is named by a details item with `field: "body"` instead of `""`',
    fails: ['create_validation'],
    rewrite(a) {
      if (a.status === 400 && isCreate(a.path) && Array.isArray(a.json?.error?.details)) {
        return JSON.stringify({
          error: {
            ...a.json.error,
            details: a.json.error.details.map((d: any) => (d.field === '' ? { ...d, field: 'body' } : d)),
          },
        });
      }
      return undefined;
    },
  },
  'answer-enabled-default-false': {
    description: 'create answers `enabled: false` for an endpoint asked without `enabled` (it is enabled)',
    fails: ['created_endpoint'],
    rewrite(a) {
      if (a.status === 200 && isCreate(a.path) && parseObject(a.requestBody)?.enabled === undefined)
        return JSON.stringify({ ...a.json, enabled: false });
      return undefined;
    },
  },
  'enabled-default-false': {
    description: 'an endpoint created without `enabled` is disabled (and its answer says so)',
    fails: ['created_endpoint'],
    rewriteRequest(req) {
      const body = req.method === 'POST' && isCreate(req.path) ? parseObject(req.body) : undefined;
      if (body && body.enabled === undefined) req.body = JSON.stringify({ ...body, enabled: false });
    },
  },
  'enabled-default-false-hidden': {
    description: 'an endpoint created without `enabled` is disabled, though its answer says `enabled: true`',
    fails: ['created_endpoint'],
    rewriteRequest(req) {
      const body = req.method === 'POST' && isCreate(req.path) ? parseObject(req.body) : undefined;
      if (body && body.enabled === undefined) {
        req.body = JSON.stringify({ ...body, enabled: false });
        req.headers['x-variant-enabled-defaulted'] = '1';
      }
    },
    rewrite(a) {
      if (a.status === 200 && a.requestHeaders['x-variant-enabled-defaulted'] === '1')
        return JSON.stringify({ ...a.json, enabled: true });
      return undefined;
    },
  },
  'answer-name-not-null': {
    description: 'create answers `name: ""` for an endpoint asked without a name (it should be null)',
    fails: ['created_endpoint'],
    rewrite(a) {
      if (a.status === 200 && isCreate(a.path) && a.json?.name === null) return JSON.stringify({ ...a.json, name: '' });
      return undefined;
    },
  },
  'endpoint-id-unprefixed': {
    description: 'endpoint ids are `ep_…` instead of `wh_end_…` (consistently: the API takes them back)',
    fails: ['created_endpoint'],
    rewriteRequest(req) {
      req.path = req.path.replace('/webhook/endpoints/ep_', '/webhook/endpoints/wh_end_');
      if (req.path.startsWith('/__mock/events'))
        req.body = req.body.replace('"endpoint_id":"ep_', '"endpoint_id":"wh_end_');
    },
    rewrite(a) {
      if (a.status === 200 && isCreate(a.path) && typeof a.json?.id === 'string')
        return JSON.stringify({ ...a.json, id: a.json.id.replace(/^wh_end_/, 'ep_') });
      return undefined;
    },
  },
  'event-id-unprefixed': {
    description: '`webhook-id` is `msg_…` instead of `wh_evt_…` (the same on every attempt, correctly signed)',
    fails: ['delivery_conformance'],
    tamper: (d, { secret }) =>
      resign(
        { ...d, headers: { ...d.headers, 'webhook-id': d.headers['webhook-id'].replace(/^wh_evt_/, 'msg_') } },
        secret,
      ),
  },
  'payload-not-thin': {
    description: 'the payload carries the whole inquiry beside type, timestamp and data',
    fails: ['delivery_conformance'],
    tamper: (d, { secret }) =>
      resign(
        { ...d, body: JSON.stringify({ ...JSON.parse(d.body), inquiry: { status: 'approved', fields: {} } }) },
        secret,
      ),
  },
  'delivery-content-type-text': {
    description: 'deliveries are labelled `text/plain`',
    fails: ['delivery_conformance'],
    tamper: (d) => ({ ...d, headers: { ...d.headers, 'content-type': 'text/plain' } }),
  },
  'deliveries-are-put': {
    description: 'deliveries are sent with PUT',
    fails: ['delivery_conformance'],
    tamper: (d) => ({ ...d, method: 'PUT' }),
  },
  'undocumented-event-type': {
    description: 'payload types carry a version suffix (`kyc.result.approved.v2`), correctly signed',
    fails: ['delivery_conformance', 'subscriptions'],
    tamper: (d, { secret }) => {
      const payload = JSON.parse(d.body);
      return resign({ ...d, body: JSON.stringify({ ...payload, type: `${payload.type}.v2` }) }, secret);
    },
  },
  'timestamp-in-milliseconds': {
    description: '`webhook-timestamp` is in milliseconds (and signed so)',
    fails: ['delivery_conformance', 'delivery_signature'],
    blocked: [
      'role_enforced',
      'not_found_indistinguishable',
      'immediate_invalidation',
      'rotation_scoped',
      'retry_after_rotation',
    ],
    tamper: (d, { secret }) =>
      resign({ ...d, headers: { ...d.headers, 'webhook-timestamp': `${d.headers['webhook-timestamp']}000` } }, secret),
  },
  'signature-not-v1': {
    description: 'signatures are labelled `v2,` (the HMAC is right)',
    fails: ['delivery_conformance', 'delivery_signature'],
    blocked: [
      'role_enforced',
      'not_found_indistinguishable',
      'immediate_invalidation',
      'rotation_scoped',
      'retry_after_rotation',
    ],
    tamper: (d) => ({
      ...d,
      headers: { ...d.headers, 'webhook-signature': d.headers['webhook-signature'].replace(/^v1,/, 'v2,') },
    }),
  },
  'body-reformatted-after-signing': {
    description: 'the body is signed compact and sent pretty-printed: the signed bytes are not the bytes sent',
    fails: ['delivery_signature'],
    blocked: [
      'role_enforced',
      'not_found_indistinguishable',
      'immediate_invalidation',
      'rotation_scoped',
      'retry_after_rotation',
    ],
    tamper: (d) => ({ ...d, body: JSON.stringify(JSON.parse(d.body), null, 2) }),
  },
  'key-not-base64-decoded': {
    description: 'the HMAC key is the secret string itself, not the bytes its base64 decodes to',
    fails: ['delivery_signature'],
    blocked: [
      'role_enforced',
      'not_found_indistinguishable',
      'immediate_invalidation',
      'rotation_scoped',
      'retry_after_rotation',
    ],
    tamper: (d, { secret }) => resign(d, Buffer.from(secret, 'utf8')),
  },
  'wrong-user-agent': {
    description: 'deliveries carry another User-Agent',
    fails: ['delivery_conformance'],
    tamper: (d) => ({ ...d, headers: { ...d.headers, 'user-agent': 'node' } }),
  },
  'success-as-text-plain': {
    description: '200 answers are labelled `text/plain`',
    fails: ['content_type_conformance'],
    rewrite(a) {
      if (a.status === 200 && isApi(a.path)) a.setHeader('content-type', 'text/plain; charset=utf-8');
      return undefined;
    },
  },
  'x-request-id-missing-on-success': {
    description: '200 answers lack the `x-request-id` header',
    fails: ['response_headers_conformance'],
    rewrite(a) {
      if (a.status === 200 && isApi(a.path)) a.removeHeader('x-request-id');
      return undefined;
    },
  },
  'secret-not-a-string': {
    description: 'rotate answers `{"secret": <number>}`',
    fails: ['response_schema_conformance'],
    blocked: ['one_time_secret', 'immediate_invalidation', 'retry_after_rotation'],
    rewrite(a) {
      if (a.status === 200 && isRotate(a.path) && typeof a.json?.secret === 'string')
        return JSON.stringify({ secret: 12345 });
      return undefined;
    },
  },
  'secret-in-delivery-header': {
    description: "deliveries carry the endpoint's current secret in a header of their own (`webhook-secret`)",
    fails: ['one_time_secret'],
    tamper: (d, { secret }) => ({ ...d, headers: { ...d.headers, 'webhook-secret': secret } }),
  },
  'payload-data-not-thin': {
    description: "the payload's `data` carries the inquiry's details beside `inquiry_id` and `subject_id`",
    fails: ['delivery_conformance'],
    tamper: (d, { secret }) => {
      const payload = JSON.parse(d.body);
      return resign(
        {
          ...d,
          body: JSON.stringify({
            ...payload,
            data: { ...payload.data, document_number: 'X1234567', status: 'approved' },
          }),
        },
        secret,
      );
    },
  },
  'payload-timestamp-not-iso': {
    description: "the payload's `timestamp` is an HTTP date (Wed, 11 Jun 2025 14:30:00 GMT), not ISO 8601",
    fails: ['delivery_conformance'],
    tamper: (d, { secret }) => {
      const payload = JSON.parse(d.body);
      return resign(
        { ...d, body: JSON.stringify({ ...payload, timestamp: new Date(payload.timestamp).toUTCString() }) },
        secret,
      );
    },
  },
  'webhook-id-per-endpoint': {
    description:
      '`webhook-id` identifies the endpoint, not the event: every event to an endpoint has the same id ' +
      '(correctly signed)',
    fails: ['delivery_conformance'],
    tamper: (d, { secret, endpointId }) =>
      resign({ ...d, headers: { ...d.headers, 'webhook-id': `wh_evt_${endpointId.replace(/^wh_end_/, '')}` } }, secret),
  },
  'rotation-applies-late': {
    description:
      'a rotation answers its new secret at once but signs with it only 150 ms later (asynchronous propagation)',
    fails: ['immediate_invalidation'],
    patch(mock) {
      const replace = mock.store.replaceSecret.bind(mock.store);
      mock.store.replaceSecret = (id, secret, at) => void setTimeout(() => replace(id, secret, at), 150);
    },
  },
  'refused-rotation-applied': {
    description:
      "a rotation refused with 500 (a member key, another organization's endpoint) still replaces the secret",
    fails: ['role_enforced', 'not_found_indistinguishable'],
    patch(mock) {
      afterRotate(mock, (r, id, before) => {
        if (!r.ok && before) mock.store.replaceSecret(id, generateSecret(), new Date().toISOString());
        return r;
      });
    },
  },
  'unknown-endpoint-is-404': {
    description: "an unknown (or another organization's) endpoint is answered 404 `NOT_FOUND` instead of 500",
    fails: ['unknown_endpoint', 'not_found_indistinguishable', 'status_code_conformance', 'generated_requests'],
    rewrite(a) {
      if (isRotate(a.path) && a.status === 500 && a.json?.error?.message === REFUSALS.endpoint_not_found.message) {
        const r = REFUSALS.no_route;
        a.setStatus(r.status);
        return JSON.stringify({ error: { ...a.json.error, code: r.code } });
      }
      return undefined;
    },
  },
  'rotation-rekeys-organization': {
    description: 'a rotation also gives every other endpoint of the organization a new secret (one it never hands out)',
    fails: ['rotation_scoped'],
    // Every check that verifies a delivery with a secret the run was given, once another check's rotation re-keyed it.
    mayBlock: ['role_enforced', 'not_found_indistinguishable', 'immediate_invalidation', 'retry_after_rotation'],
    patch(mock) {
      afterRotate(mock, (r, id) => {
        const org = mock.store.endpoint(id)?.organizationId;
        if (r.ok)
          for (const e of [...mock.store.endpoints()])
            if (e.organizationId === org && e.id !== id)
              mock.store.replaceSecret(e.id, generateSecret(), new Date().toISOString());
        return r;
      });
    },
  },
  'rotate-answers-previous-secret': {
    description: 'rotate answers the secret it replaced beside the new one (`{"secret", "previous_secret"}`)',
    fails: ['one_time_secret'],
    patch(mock) {
      afterRotate(mock, (r, _id, before) => {
        if (r.ok && before) replaced.set(r.value.secret, before);
        return r;
      });
    },
    rewrite(a) {
      const previous = a.status === 200 && isRotate(a.path) ? replaced.get(a.json?.secret) : undefined;
      return previous ? JSON.stringify({ ...a.json, previous_secret: previous }) : undefined;
    },
  },
};

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

const HOP_BY_HOP = ['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding'];
const withoutHopByHop = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).filter(([k]) => !HOP_BY_HOP.includes(k)));
const flat = (headers: http.IncomingHttpHeaders) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]));

/** Deliveries go through this proxy, which tampers with them, then on to the real receiver. */
async function deliveryProxy(
  variant: Omit<Variant, 'fails'>,
  mock: MockServer,
  servers: http.Server[],
): Promise<(to: string) => string> {
  const firstAttempts = new Map<string, Record<string, string>>();
  // Every secret each endpoint has had, as the proxy saw them.
  const secrets = new Map<string, string[]>();
  const proxy = http.createServer(async (req, res) => {
    const body = await readBody(req);
    const to = new URL(req.url ?? '/', 'http://x').searchParams.get('to')!;
    const endpoint = [...mock.store.endpoints()].find((e) => e.url === proxyUrl(to));
    const secret = endpoint?.secret ?? '';
    const seen = secrets.get(endpoint?.id ?? '') ?? [];
    if (endpoint && seen[seen.length - 1] !== secret) secrets.set(endpoint.id, (seen.push(secret), seen));
    const headers = withoutHopByHop(flat(req.headers));
    const id = headers['webhook-id'];
    const out = variant.tamper!(
      { method: req.method ?? 'POST', headers, body },
      {
        mock,
        secret,
        previousSecrets: seen.slice(0, -1),
        firstAttempt: firstAttempts.get(id),
        endpointId: endpoint?.id ?? '',
      },
    );
    if (!firstAttempts.has(id)) firstAttempts.set(id, headers);
    const answer = await fetch(to, {
      method: out.method,
      headers: out.headers,
      body: out.body,
      redirect: variant.followRedirects ? 'follow' : 'manual',
    }).catch(() => undefined);
    const status = answer ? answer.status : 502;
    res.writeHead(variant.answerToMock?.(status) ?? status).end();
  });
  servers.push(proxy);
  const proxyBase = await listen(proxy);
  const proxyUrl = (to: string) => `${proxyBase}/forward?to=${encodeURIComponent(to)}`;
  return proxyUrl;
}

/** A proxy in front of the mock that rewrites requests and answers. */
async function frontProxy(
  variant: Omit<Variant, 'fails'>,
  mock: MockServer,
  mockUrl: string,
  servers: http.Server[],
): Promise<string> {
  const front = http.createServer(async (req, res) => {
    const incoming: Incoming = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: flat(req.headers),
      body: await readBody(req),
    };
    variant.rewriteRequest?.(incoming, mock);
    const out = await fetch(mockUrl + incoming.path, {
      method: incoming.method,
      headers: withoutHopByHop(incoming.headers),
      body: incoming.body === '' ? undefined : incoming.body,
      redirect: 'manual',
    });
    const text = await out.text();
    const headers: Record<string, string> = {};
    out.headers.forEach((v, k) => {
      if (!HOP_BY_HOP.includes(k)) headers[k] = v;
    });
    let status = out.status;
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const answer: Answer = {
      path: incoming.path,
      status,
      body: text,
      json,
      requestHeaders: incoming.headers,
      requestBody: incoming.body,
      setHeader: (n, v) => (headers[n.toLowerCase()] = v),
      removeHeader: (n) => delete headers[n.toLowerCase()],
      setStatus: (s) => (status = s),
    };
    const body = variant.rewrite?.(answer, mock) ?? text;
    res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) }).end(body);
  });
  servers.push(front);
  return listen(front);
}

/** Starts the correct mock (name `correct`) or a broken variant, on a random port. */
export async function startVariant(name: string, options: MockServerOptions = {}): Promise<RunningVariant> {
  const variant: Omit<Variant, 'fails'> | undefined =
    name === 'correct' ? undefined : (VARIANTS[name] ?? CONTRACT_VARIANTS[name]);
  if (name !== 'correct' && !variant) throw new Error(`no variant ${name}`);
  // The correct mock checks its own answers; any violation fails the test when it closes.
  const selfCheckLines: string[] = [];
  const logger = createLogger('warn', { write: (line: string) => selfCheckLines.push(line) }, { write: () => true });
  const mock = createMockServer({
    retrySchedule: [0, 50, 100],
    deliveryTimeoutMs: 2000,
    ...(variant ? { logLevel: 'silent' as const } : { selfCheck: true, logger }),
    ...options,
  });
  variant?.patch?.(mock);

  const servers: http.Server[] = [];
  if (variant?.tamper) {
    const proxyUrl = await deliveryProxy(variant, mock, servers);
    // The endpoint delivers through the proxy; its answers still show the URL it was created with.
    const add = mock.service.addEndpoint.bind(mock.service);
    mock.service.addEndpoint = (org, input, chosen) => add(org, { ...input, url: proxyUrl(input.url) }, chosen);
    const create = mock.service.createEndpoint.bind(mock.service);
    mock.service.createEndpoint = async (principal, input, problems) => {
      const r = await create(principal, input, problems);
      return r.ok ? ok({ ...r.value, endpoint: { ...r.value.endpoint, url: (input as { url: string }).url } }) : r;
    };
  }
  const mockUrl = await mock.listen();
  const url = variant?.rewrite || variant?.rewriteRequest ? await frontProxy(variant, mock, mockUrl, servers) : mockUrl;

  const org = (i: number, role: string) => mock.seeded[i].apiKeys.find((k) => k.role === role)!.key;
  return {
    name,
    url,
    mock,
    // The other organization's admin: variants that break the owner role must not break its set-up.
    keys: { admin: org(0, 'admin'), member: org(0, 'member'), owner: org(0, 'owner'), otherOrg: org(1, 'admin') },
    async close() {
      await mock.close();
      for (const s of servers) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
      logger.flush();
      const violations = selfCheckLines.filter((l) => l.includes('self-check'));
      if (violations.length) throw new Error(`the correct mock flagged its own answers:\n${violations.join('')}`);
    },
  };
}

// ------------------------------------------------------------------------------------------------
// Variants for the Pact contracts and the validating proxy (issue 12 points 3 and 4). Kept apart
// from VARIANTS above, which `verify` runs expecting each variant's `fails`: these are the defects
// the committed pacts (contracts/provider/broken-variants.verify.test.ts) and the proxy's sequence
// rules (test/proxy/) must catch. `startVariant` starts either kind by name.
// ------------------------------------------------------------------------------------------------

export const CONTRACT_VARIANTS: Record<string, Omit<Variant, 'fails'>> = {
  'owner-key-refused': {
    description: 'an owner key is refused as if it were a member key (rotate and create)',
    patch: demoteOwners,
  },
  'unknown-key-accepted': {
    description: 'a well-formed api key that no organization has is taken as the first organization’s owner',
    patch(mock) {
      const original = mock.service.authenticate.bind(mock.service);
      const owner = mock.seeded[0].apiKeys[0].key;
      mock.service.authenticate = (key) => {
        const r = original(key);
        return r.ok || key === undefined ? r : original(owner);
      };
    },
  },
  'foreign-endpoint-rotatable': {
    description: "a privileged key may rotate another organization's endpoint",
    patch: rotateAnyOrganization,
  },
  'refused-key-accepted-later': {
    description: 'an unknown api key is refused the first time, and taken as the first organization’s owner after that',
    patch(mock) {
      const original = mock.service.authenticate.bind(mock.service);
      const owner = mock.seeded[0].apiKeys[0].key;
      const refusedOnce = new Set<string>();
      mock.service.authenticate = (key) => {
        const r = original(key);
        if (r.ok || key === undefined) return r;
        if (refusedOnce.has(key)) return original(owner);
        refusedOnce.add(key);
        return r;
      };
    },
  },
};
