/**
 * The checks over everything the run provoked, run last: the judgements are
 * src/verifier/checks/responses.ts and create.ts.
 */
import { API_KEY_HEADER } from '../../../core/inklink';
import type { CheckName } from '../../../core/validator';
import type { Check } from '../check';
import { judgeCreatedEndpoints } from '../checks/create';
import {
  judgeConformance,
  judgeErrorEnvelope,
  judgeKeysNeverEchoed,
  judgeOneTimeSecret,
  judgeRequestIdUnique,
} from '../checks/responses';
import { EVENT_TYPES } from '../../../core/inklink';

function conformance(name: CheckName, description: string): Check {
  return {
    name,
    description,
    phase: 'review',
    run: async (ctx) => judgeConformance(name, ctx.client.exchanges, ctx.validator),
  };
}

export const createdEndpoint: Check = {
  name: 'created_endpoint',
  description:
    'Every endpoint created is what was asked for: a wh_end_ id of its own, the url and name sent (name null ' +
    'when none), enabled as sent (default true), the event types sent (default every type), created_at now.',
  phase: 'review',
  // It judges the set-up's endpoints too: those created with the defaults, disabled, or subscribed to one type.
  endpoints: ['wide', 'off', 'narrow'],
  async run(ctx) {
    // One endpoint with every field set and one with the url only, beside those of the set-up.
    const all = {
      url: ctx.endpointUrl('x'),
      name: `inklink-mock verify ${ctx.runId} created`,
      enabled: false,
      event_types: EVENT_TYPES.slice(0, 2),
    };
    await ctx.create('created_endpoint: create with every field set', all, ctx.keys.admin, 'success');
    await ctx.create(
      'created_endpoint: create with the url only',
      { url: ctx.endpointUrl('x') },
      ctx.keys.admin,
      'success',
    );
    // Creates that should have been refused but succeeded are the findings of the checks that sent them.
    return judgeCreatedEndpoints(ctx.issued.filter((i) => i.expected).map((i) => i.exchange));
  },
};

export const statusCodeConformance = conformance(
  'status_code_conformance',
  'Every status is one openapi.json declares for the operation.',
);
export const contentTypeConformance = conformance(
  'content_type_conformance',
  'Every response body has a content type the operation declares for its status.',
);
export const responseSchemaConformance = conformance(
  'response_schema_conformance',
  'Every body validates against the declared schema (ajv, no coercion).',
);
export const responseHeadersConformance = conformance(
  'response_headers_conformance',
  'Every declared header (x-request-id, a UUID) is present and valid.',
);

export const errorEnvelope: Check = {
  name: 'error_envelope',
  description:
    "Every error is InkLink's envelope {error: {code, message, details, requestId}}, the code matches the " +
    'status, and requestId equals x-request-id.',
  phase: 'review',
  after: ['status_code_conformance', 'response_schema_conformance'],
  run: async (ctx) => judgeErrorEnvelope(ctx.client.exchanges, ctx.spec.componentValidator('error')),
};

export const requestIdUnique: Check = {
  name: 'request_id_unique',
  description: 'Every response has an x-request-id of its own: no two responses of the run share one.',
  phase: 'review',
  run: async (ctx) => judgeRequestIdUnique(ctx.client.exchanges),
};

export const keysNeverEchoed: Check = {
  name: 'keys_never_echoed',
  description: 'No response (body or header) repeats an api key the run sent, valid or not.',
  phase: 'review',
  run: async (ctx) => judgeKeysNeverEchoed(ctx.client.exchanges, API_KEY_HEADER),
};

export const oneTimeSecret: Check = {
  name: 'one_time_secret',
  description:
    'Create and every rotation return a well-formed secret (whsec_ + base64 of 24 to 64 bytes), all ' +
    'distinct, and no other response of the run, nor any delivery, contains any of them.',
  phase: 'review',
  after: ['status_code_conformance', 'response_schema_conformance'],
  run: async (ctx) => judgeOneTimeSecret(ctx.issued, ctx.client.exchanges, ctx.receiver?.deliveries() ?? []),
};
