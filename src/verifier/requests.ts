/**
 * The requests verify sends, one builder per operation of openapi.json: the one place that knows
 * an operation's method, path and body. The preflight, the set-up and the checks name an operation
 * and the parts they choose (which endpoint, which body); RunContext.send sends and records it. An
 * operation without a builder here cannot be sent: it is never quietly sent as another one.
 */

/** The parts of a request a check chooses. */
export interface RequestParts {
  /** The endpoint the request is about (an operation with `{id}` in its path). */
  endpointId?: string;
  /** The JSON body (a string is sent as it is, e.g. malformed JSON). */
  body?: unknown;
}

/** A request ready to send, relative to the base URL. */
export interface OperationRequest {
  operationId: string;
  method: string;
  path: string;
  json?: unknown;
}

/** How a probe sets the parts of a request it does not leave as a request that would succeed has them. */
export interface RequestChoice {
  body?: 'invalid';
  endpoint?: 'unknown';
}

/** What a probe's parts are made of. */
export interface ProbeValues {
  /** A body that would be accepted, and one that breaks the schema. */
  validBody: unknown;
  invalidBody: unknown;
  /** An endpoint of the run, and an id no implementation has. */
  endpointId: string;
  unknownEndpointId: string;
}

export interface OperationRequests {
  build(parts: RequestParts): Omit<OperationRequest, 'operationId'>;
  /** The parts of a probe that chose `choice` (refusal_order provokes refusals with these). */
  probe(choice: RequestChoice, values: ProbeValues): RequestParts;
  /**
   * What the `secret` of a successful answer is to the run's model: a secret the API issued
   * (`issued`), or one that also replaces the endpoint's (`replaces`).
   */
  secret?: 'issued' | 'replaces';
}

function needed<T>(value: T | undefined, what: string, operationId: string): T {
  if (value === undefined) throw new Error(`a ${operationId} request needs ${what}`);
  return value;
}

export const rotatePath = (id: string) => `/webhook/endpoints/${encodeURIComponent(id)}/rotate-secret`;

/** Every operation verify can send, by operationId. */
export const OPERATION_REQUESTS: Readonly<Record<string, OperationRequests>> = {
  createWebhookEndpoint: {
    build: ({ body }) => ({ method: 'POST', path: '/webhook/endpoints', json: body }),
    probe: ({ body }, v) => ({ body: body === 'invalid' ? v.invalidBody : v.validBody }),
    secret: 'issued',
  },
  rotateWebhookEndpointSecret: {
    build: ({ endpointId }) => ({
      method: 'POST',
      path: rotatePath(needed(endpointId, 'an endpoint id', 'rotateWebhookEndpointSecret')),
    }),
    probe: ({ endpoint }, v) => ({ endpointId: endpoint === 'unknown' ? v.unknownEndpointId : v.endpointId }),
    secret: 'replaces',
  },
};

export function operationRequests(operationId: string): OperationRequests {
  const o = OPERATION_REQUESTS[operationId];
  if (!o) throw new Error(`verify has no request builder for operation ${operationId} (src/verifier/requests.ts)`);
  return o;
}

/** The request for an operation, from the parts a check chose. */
export function buildRequest(operationId: string, parts: RequestParts): OperationRequest {
  return { operationId, ...operationRequests(operationId).build(parts) };
}
