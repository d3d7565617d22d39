/**
 * Ready-made Pact interactions for InkLink's operations and webhook deliveries, so a client team's
 * own consumer tests use the provider states of `states/vocabulary.ts` and matchers that accept
 * every answer InkLink may give (a new secret on every call, random ids and request ids), never
 * literals. A team states only the fields its code reads (`fields: ['secret']`), so the provider
 * can tell which fields nobody relies on.
 *
 *   await rotateSecretInteraction(pact, { case: 'rotated' }).executeTest(async (server) => { ... });
 */
import type { V4ConsumerPact } from '@pact-foundation/pact/src/v4/types';
import type { V4InteractionWithRequest, V4InteractionWithResponse } from '@pact-foundation/pact/src/v4/http/types';
import type { V4AsynchronousMessageWithContent } from '@pact-foundation/pact/src/v4/message/types';
import type { CreateWebhookEndpointInput, WebhookEventType } from '../client/client';
import { API_KEY_HEADER } from '../../core/inklink';
import { REFUSALS, type Refusal, type RefusalKind } from '../../core/refusals';
import { sign } from '../../core/webhooks';
import { given, type GivenState } from './states/vocabulary';
import { pactLib } from './lib';

/** The provider's name in pact files and on a broker. */
export const PROVIDER_NAME = 'inklink';

/** Full-string patterns (Pact regexes must match the whole value). */
export const PATTERNS = {
  secret: '^whsec_[A-Za-z0-9+/]+={0,2}$',
  endpointId: '^wh_end_[A-Za-z0-9_-]+$',
  eventId: '^wh_evt_[A-Za-z0-9_-]+$',
  uuid: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
  dateTime: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$',
  eventType: '^(kyc|web)\\.result\\.(pending|manual_review|approved|rejected|failed)$',
  unixSeconds: '^\\d+$',
  signature: '^(\\S+ )*v1,[A-Za-z0-9+/]+={0,2}( \\S+)*$',
  inquiryId: '^(kyc|web)_iq_[A-Za-z0-9_-]+$',
} as const;

/** Example values written into the pacts (fixed, so regenerated pacts are byte-stable). */
export const EXAMPLES = {
  endpointId: 'wh_end_PactExampleEndpoint0001',
  unknownEndpointId: 'wh_end_PactUnknownEndpoint0001',
  /** A placeholder: the verifier's request filter swaps in a real key of the state's role. */
  apiKey: 'secret_live_PactPlaceholderKey000000000000000000',
  secret: 'whsec_ZXhhbXBsZS1zZWNyZXQtb2YtMzItYnl0ZXMtLS0tLS0=',
  requestId: '3f8b9a2e-5c1d-4e7f-9a0b-1c2d3e4f5a6b',
  createdAt: '2025-06-11T14:30:00.000Z',
  eventId: 'wh_evt_PactExampleEvent00000001',
  webhookTimestamp: '1749652200',
  webhookUrl: 'https://client.example.com/inklink/webhooks',
} as const;

/** The path of the rotate operation, with the endpoint id injected by the provider state. */
function rotatePath(endpointId: string): string {
  const example = `/webhook/endpoints/${endpointId}/rotate-secret`;
  return pactLib().MatchersV3.fromProviderState(
    '/webhook/endpoints/${endpoint_id}/rotate-secret',
    example,
  ) as unknown as string;
}

/**
 * The `api-key` header, matched by type: the consumer may send any key (its own test key, or
 * `EXAMPLES.apiKey`), and the provider verification replaces it with a key of the state's role.
 */
function apiKeyHeader() {
  return { [API_KEY_HEADER]: pactLib().MatchersV3.string(EXAMPLES.apiKey) };
}

function requestIdHeader() {
  return { 'x-request-id': pactLib().MatchersV3.regex(PATTERNS.uuid, EXAMPLES.requestId) };
}

function applyStates<T extends { given(state: string, params?: GivenState['params']): T }>(
  i: T,
  states: GivenState[],
): T {
  return states.reduce((acc, s) => acc.given(s.name, s.params), i);
}

/**
 * The fields a consumer reads, each with its standard matcher: all of `table` when `fields` is not
 * given, else only those named (`a.b` names a nested field). A field the table does not have is an
 * error naming the ones it has.
 */
function only(
  table: Record<string, () => unknown>,
  fields: readonly string[] | undefined,
  what: string,
): Record<string, unknown> {
  const names = fields ?? Object.keys(table);
  const unknown = names.filter((f) => !Object.hasOwn(table, f));
  if (unknown.length)
    throw new Error(
      `${what}: no field ${unknown.map((f) => `"${f}"`).join(', ')}; the fields are ${Object.keys(table).join(', ')}`,
    );
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const path = name.split('.');
    let at = out;
    for (const seg of path.slice(0, -1)) at = (at[seg] ??= {}) as Record<string, unknown>;
    at[path[path.length - 1]] = table[name]();
  }
  return out;
}

/** A JSON response of only the fields named (none: no body is stated, so the provider's is not compared). */
function respond(
  interaction: V4InteractionWithRequest,
  status: number,
  body: Record<string, unknown>,
): V4InteractionWithResponse {
  return interaction.willRespondWith(status, (b) => {
    b.headers(requestIdHeader());
    if (Object.keys(body).length) b.jsonBody(body);
  });
}

/** The refusal each case shows: its status, code and example message come from the refusal table. */
const CASE_REFUSAL = {
  'missing-api-key': 'unauthenticated',
  'unknown-api-key': 'unauthenticated',
  'member-key': 'forbidden',
  'unknown-endpoint': 'endpoint_not_found',
  'foreign-endpoint': 'endpoint_not_found',
  'invalid-body': 'invalid_input',
} as const satisfies Record<string, RefusalKind>;

/** The fields of InkLink's error envelope (`{"error": {…}}`) a consumer may read. */
export type ErrorField = 'code' | 'message' | 'details' | 'requestId';

function refusal(
  interaction: V4InteractionWithRequest,
  kase: keyof typeof CASE_REFUSAL,
  fields: readonly string[] | undefined,
  invalidField = 'url',
): V4InteractionWithResponse {
  const M = pactLib().MatchersV3;
  const { status, code, message }: Refusal = REFUSALS[CASE_REFUSAL[kase]];
  const table: Record<string, () => unknown> = {
    code: () => code,
    message: () => M.string(message),
    requestId: () => M.regex(PATTERNS.uuid, EXAMPLES.requestId),
  };
  if (kase === 'invalid-body')
    table.details = () =>
      M.eachLike({ field: M.string(invalidField), message: M.string('must match format "uri"') }, 1);
  const error = only(table, fields, `the ${kase} refusal`);
  return respond(interaction, status, Object.keys(error).length ? { error } : {});
}

export type RotateCase =
  'rotated' | 'missing-api-key' | 'unknown-api-key' | 'member-key' | 'unknown-endpoint' | 'foreign-endpoint';
/** The fields of the rotate answer a consumer may read. */
export type RotateField = 'secret';

export interface RotateSecretInteractionOptions {
  /** What the interaction shows (default `rotated`). */
  case?: RotateCase;
  /** The endpoint id your test uses (default `EXAMPLES.endpointId`, or `unknownEndpointId`). */
  endpointId?: string;
  /** Privileged role of the key for `rotated`, `unknown-endpoint` and `foreign-endpoint` (default admin). */
  role?: 'owner' | 'admin';
  /**
   * Only the fields your code reads, each with its standard matcher (default: all): `secret` for
   * `rotated`; `code`, `message`, `requestId` of the error for a refusal.
   */
  fields?: readonly (RotateField | ErrorField)[];
  description?: string;
}

const ROTATE_DESCRIPTIONS: Record<RotateCase, (role: string) => string> = {
  rotated: (role) => `a request to rotate an endpoint's signing secret with an ${role} key`,
  'missing-api-key': () => 'a request to rotate a signing secret without an api key',
  'unknown-api-key': () => 'a request to rotate a signing secret with an unknown api key',
  'member-key': () => 'a request to rotate a signing secret with a member key',
  'unknown-endpoint': () => 'a request to rotate the signing secret of an unknown endpoint',
  'foreign-endpoint': () => "a request to rotate the signing secret of another organization's endpoint",
};

/**
 * `POST /webhook/endpoints/{id}/rotate-secret`. Cases: `rotated` (200, a `whsec_` secret matched
 * by a regex), and the refusals `missing-api-key` and `unknown-api-key` (unauthenticated),
 * `member-key` (forbidden), `unknown-endpoint` and `foreign-endpoint` (endpoint not found), with
 * the status and code of the refusal table. Send an `api-key` header (any value) in every case but
 * `missing-api-key`.
 */
export function rotateSecretInteraction(
  pact: V4ConsumerPact,
  options: RotateSecretInteractionOptions = {},
): V4InteractionWithResponse {
  const M = pactLib().MatchersV3;
  const kase = options.case ?? 'rotated';
  const role = options.role ?? 'admin';
  const endpointId =
    options.endpointId ?? (kase === 'unknown-endpoint' ? EXAMPLES.unknownEndpointId : EXAMPLES.endpointId);
  const states: GivenState[] = [
    kase === 'unknown-endpoint'
      ? given.noEndpoint(endpointId)
      : kase === 'foreign-endpoint'
        ? given.foreignEndpointExists(endpointId)
        : given.endpointExists(endpointId),
  ];
  if (kase === 'rotated' || kase === 'unknown-endpoint' || kase === 'foreign-endpoint')
    states.push(given.apiKeyHasRole(role));
  if (kase === 'member-key') states.push(given.apiKeyHasRole('member'));
  if (kase === 'unknown-api-key') states.push(given.apiKeyUnknown());

  const interaction = applyStates(pact.addInteraction(), states)
    .uponReceiving(options.description ?? ROTATE_DESCRIPTIONS[kase](role))
    .withRequest('POST', rotatePath(endpointId), (b) => {
      if (kase !== 'missing-api-key') b.headers(apiKeyHeader());
    });
  if (kase !== 'rotated') return settled(refusal(interaction, kase, options.fields));
  const body = only({ secret: () => M.regex(PATTERNS.secret, EXAMPLES.secret) }, options.fields, 'the rotate answer');
  return settled(respond(interaction, 200, body));
}

export type CreateCase = 'created' | 'invalid-body' | 'missing-api-key' | 'unknown-api-key' | 'member-key';
/** The fields of the create answer a consumer may read. */
export type CreateField = 'id' | 'url' | 'name' | 'enabled' | 'event_types' | 'created_at' | 'secret';

export interface CreateEndpointInteractionOptions {
  case?: CreateCase;
  /** The body your code sends (default: a valid one; for `invalid-body`, `{url: 'not a url'}`). */
  body?: CreateWebhookEndpointInput | Record<string, unknown>;
  /** For `invalid-body`: the field the provider names in `details` (default `url`). */
  invalidField?: string;
  role?: 'owner' | 'admin';
  /**
   * Only the fields your code reads, each with its standard matcher (default: all): the endpoint's
   * for `created`; `code`, `message`, `details` (invalid-body), `requestId` of the error for a refusal.
   */
  fields?: readonly (CreateField | ErrorField)[];
  description?: string;
}

export const DEFAULT_CREATE_BODY: CreateWebhookEndpointInput = {
  url: EXAMPLES.webhookUrl,
  name: 'Pact example endpoint',
  event_types: ['kyc.result.approved', 'kyc.result.rejected'],
};

const CREATE_DESCRIPTIONS: Record<CreateCase, (role: string) => string> = {
  created: (role) => `a request to create a webhook endpoint with an ${role} key`,
  'invalid-body': () => 'a request to create a webhook endpoint with an invalid url',
  'missing-api-key': () => 'a request to create a webhook endpoint without an api key',
  'unknown-api-key': () => 'a request to create a webhook endpoint with an unknown api key',
  'member-key': () => 'a request to create a webhook endpoint with a member key',
};

/**
 * `POST /webhook/endpoints`. Cases: `created` (200, the endpoint with a `wh_end_` id and a
 * `whsec_` secret), and the refusals `invalid-body` (with `details`), `missing-api-key`,
 * `unknown-api-key` and `member-key`, with the status and code of the refusal table.
 */
export function createEndpointInteraction(
  pact: V4ConsumerPact,
  options: CreateEndpointInteractionOptions = {},
): V4InteractionWithResponse {
  const M = pactLib().MatchersV3;
  const kase = options.case ?? 'created';
  const role = options.role ?? 'admin';
  // What the consumer sends, valid or not: each field is read as what it is.
  const body: { url?: unknown; name?: unknown; enabled?: unknown; event_types?: unknown } =
    options.body ?? (kase === 'invalid-body' ? { url: 'not a url' } : DEFAULT_CREATE_BODY);
  const states: GivenState[] = [];
  if (kase === 'created' || kase === 'invalid-body') states.push(given.apiKeyHasRole(role));
  if (kase === 'member-key') states.push(given.apiKeyHasRole('member'));
  if (kase === 'unknown-api-key') states.push(given.apiKeyUnknown());

  const interaction = applyStates(pact.addInteraction(), states)
    .uponReceiving(options.description ?? CREATE_DESCRIPTIONS[kase](role))
    .withRequest('POST', '/webhook/endpoints', (b) => {
      if (kase !== 'missing-api-key') b.headers(apiKeyHeader());
      b.jsonBody(body);
    });
  if (kase !== 'created') return settled(refusal(interaction, kase, options.fields, options.invalidField));
  const fields: Record<string, () => unknown> = {
    id: () => M.regex(PATTERNS.endpointId, EXAMPLES.endpointId),
    url: () => M.string(String(body.url)),
    // `name` is null when none was sent; a name sent comes back.
    name: () => (typeof body.name === 'string' ? M.string(body.name) : M.nullValue()),
    enabled: () => M.boolean((body.enabled as boolean | undefined) ?? true),
    event_types: () =>
      M.eachLike(
        M.regex(PATTERNS.eventType, (body.event_types as string[] | undefined)?.[0] ?? 'kyc.result.approved'),
        1,
      ),
    created_at: () => M.regex(PATTERNS.dateTime, EXAMPLES.createdAt),
    secret: () => M.regex(PATTERNS.secret, EXAMPLES.secret),
  };
  return settled(respond(interaction, 200, only(fields, options.fields, 'the create answer')));
}

/**
 * Makes `executeTest` wait, after the test, until Pact's mock server has recorded what it
 * answered. Pact 16.3 and later (its Rust mock server) can read the verification before the
 * server recorded a request it did answer, and report it "expected but not received", under CPU
 * load (pact-foundation/pact-reference#535, pact-core-mock-server#13). The wait ends as soon as
 * every interaction matched, or after 1 s, when Pact reports the real mismatch as before.
 */
export function settled(interaction: V4InteractionWithResponse): V4InteractionWithResponse {
  const core = (interaction as unknown as { pact?: { mockServerMatchedSuccessfully?: (port: number) => boolean } })
    .pact;
  const matched = core?.mockServerMatchedSuccessfully?.bind(core);
  if (!matched) return interaction;
  const execute = interaction.executeTest.bind(interaction);
  type Server = Parameters<Parameters<V4InteractionWithResponse['executeTest']>[0]>[0];
  interaction.executeTest = <T>(testFn: (server: Server) => Promise<T>) =>
    execute<T>(async (server) => {
      const value = await testFn(server);
      for (let i = 0; i < 100 && !matched(server.port); i++) await new Promise((r) => setTimeout(r, 10));
      return value;
    });
  return interaction;
}

/** The fields of a webhook payload a consumer may read. */
export type WebhookField = 'type' | 'timestamp' | 'data.inquiry_id' | 'data.subject_id';

export interface WebhookDeliveryInteractionOptions {
  type?: WebhookEventType;
  /** Only the payload fields your handler reads, each with its standard matcher (default: all). */
  fields?: readonly WebhookField[];
  description?: string;
}

/**
 * A webhook delivery as an asynchronous message: the payload `{type, timestamp, data}` and the
 * delivery headers as metadata (`contentType`, `webhook-id`, `webhook-timestamp`,
 * `webhook-signature`). The provider verifies it against a real delivery of the mock.
 */
export function webhookDeliveryInteraction(
  pact: V4ConsumerPact,
  options: WebhookDeliveryInteractionOptions = {},
): V4AsynchronousMessageWithContent {
  const M = pactLib().MatchersV3;
  const type = options.type ?? 'kyc.result.approved';
  const kind = type.startsWith('kyc.') ? 'kyc' : 'web';
  const s = given.endpointReceivesDeliveries(type);
  const payload = only(
    {
      type: () => type,
      timestamp: () => M.regex(PATTERNS.dateTime, EXAMPLES.createdAt),
      'data.inquiry_id': () => M.regex(PATTERNS.inquiryId, `${kind}_iq_PactExampleInquiry01`),
      'data.subject_id': () => M.string('user_123'),
    },
    options.fields,
    'the webhook payload',
  );
  return pact
    .addAsynchronousInteraction()
    .given(s.name, s.params)
    .expectsToReceive(options.description ?? `a ${type} webhook delivery`, (b) =>
      b.withJSONContent(payload).withMetadata({
        contentType: 'application/json',
        'webhook-id': M.regex(PATTERNS.eventId, EXAMPLES.eventId),
        'webhook-timestamp': M.regex(PATTERNS.unixSeconds, EXAMPLES.webhookTimestamp),
        'webhook-signature': M.regex(PATTERNS.signature, 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4='),
      }),
    );
}

/**
 * Turns a message of a consumer test into a delivery your real webhook handler can verify: the
 * contents serialised, the metadata's `webhook-id`, a current timestamp, and a `v1` signature made
 * with a test secret (the example signature in the pact cannot verify re-serialised contents).
 */
export function signedDelivery(
  message: { contents: unknown; metadata?: Record<string, unknown> },
  secret: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): { rawBody: string; headers: Record<string, string> } {
  const raw = (message.contents as { content?: unknown } | null | undefined)?.content ?? message.contents;
  const rawBody = Buffer.isBuffer(raw) ? raw.toString('utf8') : typeof raw === 'string' ? raw : JSON.stringify(raw);
  // Metadata values are whatever the consumer test gave (strings, as headers are).
  const webhookId: unknown = message.metadata?.['webhook-id'] ?? EXAMPLES.eventId;
  const contentType: unknown = message.metadata?.contentType ?? 'application/json';
  const id = String(webhookId);
  return {
    rawBody,
    headers: {
      'content-type': String(contentType),
      'webhook-id': id,
      'webhook-timestamp': String(nowSeconds),
      'webhook-signature': sign(secret, id, nowSeconds, rawBody),
    },
  };
}
