/**
 * Ready-made Pact interactions for InkLink's operations and webhook deliveries, so a client team's
 * own consumer tests use the provider states of `states.ts` and matchers that accept every answer
 * InkLink may give (a new secret on every call, random ids and request ids), never literals.
 *
 *   await rotateSecretInteraction(pact, { case: 'rotated' }).executeTest(async (server) => { ... });
 */
import type { V4ConsumerPact } from '@pact-foundation/pact/src/v4/types';
import type { V4InteractionWithRequest, V4InteractionWithResponse } from '@pact-foundation/pact/src/v4/http/types';
import type { V4AsynchronousMessageWithContent } from '@pact-foundation/pact/src/v4/message/types';
import type { CreateWebhookEndpointInput, WebhookEventType } from '../client/client';
import { API_KEY_HEADER } from '../core/inklink';
import { REFUSALS, type Refusal, type RefusalKind } from '../core/refusals';
import { sign } from '../core/webhooks';
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
function rotatePath(endpointId: string, injected: boolean): unknown {
  const example = `/webhook/endpoints/${endpointId}/rotate-secret`;
  return injected ? pactLib().MatchersV3.fromProviderState('/webhook/endpoints/${endpoint_id}/rotate-secret', example) : example;
}

function errorBody(code: string, message: string, details?: { field: string; message: string }) {
  const M = pactLib().MatchersV3;
  return {
    error: {
      code,
      message: M.string(message),
      ...(details ? { details: M.eachLike({ field: M.string(details.field), message: M.string(details.message) }, 1) } : {}),
      requestId: M.regex(PATTERNS.uuid, EXAMPLES.requestId),
    },
  };
}

function requestIdHeader() {
  return { 'x-request-id': pactLib().MatchersV3.regex(PATTERNS.uuid, EXAMPLES.requestId) };
}

function applyStates<T extends { given(state: string, params?: any): T }>(i: T, states: GivenState[]): T {
  return states.reduce((acc, s) => acc.given(s.name, s.params), i);
}

/** The refusal each case shows: its status, code and example message come from the refusal table. */
const CASE_REFUSAL = {
  'missing-api-key': 'unauthenticated',
  'member-key': 'forbidden',
  'unknown-endpoint': 'endpoint_not_found',
  'invalid-body': 'invalid_input',
} as const satisfies Record<string, RefusalKind>;

function refusal(interaction: V4InteractionWithRequest, kase: keyof typeof CASE_REFUSAL, invalidField = 'url'): V4InteractionWithResponse {
  const { status, code, message }: Refusal = REFUSALS[CASE_REFUSAL[kase]];
  const details = kase === 'invalid-body' ? { field: invalidField, message: 'must match format "uri"' } : undefined;
  return interaction.willRespondWith(status, (b) => b.headers(requestIdHeader()).jsonBody(errorBody(code, message, details)));
}

export type RotateCase = 'rotated' | 'missing-api-key' | 'member-key' | 'unknown-endpoint';

export interface RotateSecretInteractionOptions {
  /** What the interaction shows (default `rotated`). */
  case?: RotateCase;
  /** The endpoint id your test uses (default `EXAMPLES.endpointId`, or `unknownEndpointId`). */
  endpointId?: string;
  /** Privileged role of the key for `rotated` (default admin). */
  role?: 'owner' | 'admin';
  description?: string;
}

const ROTATE_DESCRIPTIONS: Record<RotateCase, (role: string) => string> = {
  rotated: (role) => `a request to rotate an endpoint's signing secret with an ${role} key`,
  'missing-api-key': () => 'a request to rotate a signing secret without an api key',
  'member-key': () => 'a request to rotate a signing secret with a member key',
  'unknown-endpoint': () => 'a request to rotate the signing secret of an unknown endpoint',
};

/**
 * `POST /webhook/endpoints/{id}/rotate-secret`. Cases: `rotated` (200, a `whsec_` secret matched
 * by a regex), and the refusals `missing-api-key` (unauthenticated), `member-key` (forbidden) and
 * `unknown-endpoint` (endpoint not found), with the status and code of the refusal table. Send the
 * `api-key` header (any placeholder) in every case but `missing-api-key`.
 */
export function rotateSecretInteraction(pact: V4ConsumerPact, options: RotateSecretInteractionOptions = {}): V4InteractionWithResponse {
  const M = pactLib().MatchersV3;
  const kase = options.case ?? 'rotated';
  const role = options.role ?? 'admin';
  const unknown = kase === 'unknown-endpoint';
  const endpointId = options.endpointId ?? (unknown ? EXAMPLES.unknownEndpointId : EXAMPLES.endpointId);
  const states: GivenState[] = unknown ? [given.noEndpoint(endpointId)] : [given.endpointExists(endpointId)];
  if (kase === 'rotated') states.push(given.apiKeyHasRole(role));
  if (kase === 'member-key') states.push(given.apiKeyHasRole('member'));
  if (unknown) states.push(given.apiKeyHasRole('admin'));

  const interaction = applyStates(pact.addInteraction(), states)
    .uponReceiving(options.description ?? ROTATE_DESCRIPTIONS[kase](role))
    .withRequest('POST', rotatePath(endpointId, !unknown) as string, (b) => {
      if (kase !== 'missing-api-key') b.headers({ [API_KEY_HEADER]: EXAMPLES.apiKey });
    });
  if (kase !== 'rotated') return settled(refusal(interaction, kase));
  return settled(interaction.willRespondWith(200, (b) => b.headers(requestIdHeader()).jsonBody({ secret: M.regex(PATTERNS.secret, EXAMPLES.secret) })));
}

export type CreateCase = 'created' | 'invalid-body' | 'missing-api-key' | 'member-key';

export interface CreateEndpointInteractionOptions {
  case?: CreateCase;
  /** The body your code sends (default: a valid one; for `invalid-body`, `{url: 'not a url'}`). */
  body?: CreateWebhookEndpointInput | Record<string, unknown>;
  /** For `invalid-body`: the field the provider names in `details` (default `url`). */
  invalidField?: string;
  role?: 'owner' | 'admin';
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
  'member-key': () => 'a request to create a webhook endpoint with a member key',
};

/**
 * `POST /webhook/endpoints`. Cases: `created` (200, the endpoint with a `wh_end_` id and a
 * `whsec_` secret), and the refusals `invalid-body` (with `details`), `missing-api-key` and
 * `member-key`, with the status and code of the refusal table.
 */
export function createEndpointInteraction(pact: V4ConsumerPact, options: CreateEndpointInteractionOptions = {}): V4InteractionWithResponse {
  const M = pactLib().MatchersV3;
  const kase = options.case ?? 'created';
  const role = options.role ?? 'admin';
  const body: Record<string, any> = options.body ?? (kase === 'invalid-body' ? { url: 'not a url' } : DEFAULT_CREATE_BODY);
  const states: GivenState[] = [];
  if (kase === 'created' || kase === 'invalid-body') states.push(given.apiKeyHasRole(role));
  if (kase === 'member-key') states.push(given.apiKeyHasRole('member'));

  const interaction = applyStates(pact.addInteraction(), states)
    .uponReceiving(options.description ?? CREATE_DESCRIPTIONS[kase](role))
    .withRequest('POST', '/webhook/endpoints', (b) => {
      if (kase !== 'missing-api-key') b.headers({ [API_KEY_HEADER]: EXAMPLES.apiKey });
      b.jsonBody(body);
    });
  if (kase !== 'created') return settled(refusal(interaction, kase, options.invalidField));
  const expected: Record<string, unknown> = {
    id: M.regex(PATTERNS.endpointId, EXAMPLES.endpointId),
    url: M.string(String(body.url)),
    enabled: M.boolean(body.enabled ?? true),
    event_types: M.eachLike(M.regex(PATTERNS.eventType, (body.event_types as string[] | undefined)?.[0] ?? 'kyc.result.approved'), 1),
    created_at: M.regex(PATTERNS.dateTime, EXAMPLES.createdAt),
    secret: M.regex(PATTERNS.secret, EXAMPLES.secret),
  };
  // `name` is null when none was sent; a name sent comes back.
  if (typeof body.name === 'string') expected.name = M.string(body.name);
  return settled(interaction.willRespondWith(200, (b) => b.headers(requestIdHeader()).jsonBody(expected)));
}

/**
 * Makes `executeTest` wait, after the test, until Pact's mock server has recorded what it
 * answered. Pact 16.3 and later (its Rust mock server) can read the verification before the
 * server recorded a request it did answer, and report it "expected but not received", under CPU
 * load (pact-foundation/pact-reference#535, pact-core-mock-server#13). The wait ends as soon as
 * every interaction matched, or after 1 s, when Pact reports the real mismatch as before.
 */
export function settled(interaction: V4InteractionWithResponse): V4InteractionWithResponse {
  const core = (interaction as unknown as { pact?: { mockServerMatchedSuccessfully?: (port: number) => boolean } }).pact;
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

export interface WebhookDeliveryInteractionOptions {
  type?: WebhookEventType;
  description?: string;
}

/**
 * A webhook delivery as an asynchronous message: the payload `{type, timestamp, data}` and the
 * delivery headers as metadata (`contentType`, `webhook-id`, `webhook-timestamp`,
 * `webhook-signature`). The provider verifies it against a real delivery of the mock.
 */
export function webhookDeliveryInteraction(pact: V4ConsumerPact, options: WebhookDeliveryInteractionOptions = {}): V4AsynchronousMessageWithContent {
  const M = pactLib().MatchersV3;
  const type = options.type ?? 'kyc.result.approved';
  const kind = type.startsWith('kyc.') ? 'kyc' : 'web';
  const s = given.webhookDelivered(type);
  return pact
    .addAsynchronousInteraction()
    .given(s.name, s.params)
    .expectsToReceive(options.description ?? `a ${type} webhook delivery`, (b) =>
      b
        .withJSONContent({
          type,
          timestamp: M.regex(PATTERNS.dateTime, EXAMPLES.createdAt),
          data: {
            inquiry_id: M.regex(PATTERNS.inquiryId, `${kind}_iq_PactExampleInquiry01`),
            subject_id: M.string('user_123'),
          },
        })
        .withMetadata({
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
  const raw = (message.contents as any)?.content ?? message.contents;
  const rawBody = Buffer.isBuffer(raw) ? raw.toString('utf8') : typeof raw === 'string' ? raw : JSON.stringify(raw);
  const id = String(message.metadata?.['webhook-id'] ?? EXAMPLES.eventId);
  return {
    rawBody,
    headers: {
      'content-type': String(message.metadata?.contentType ?? 'application/json'),
      'webhook-id': id,
      'webhook-timestamp': String(nowSeconds),
      'webhook-signature': sign(secret, id, nowSeconds, rawBody),
    },
  };
}
