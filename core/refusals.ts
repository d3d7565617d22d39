/**
 * The one refusal table: every way the API says no, with its status and its code. The mock answers
 * from it (mock/http/respond.ts), the verifier expects from it (src/verifier/checks), and the Pact
 * builders write it into pacts (src/pact/interactions.ts). To change what a refusal answers (say, a
 * member key gets 403), change its row here, declare the status in openapi.json, and update the
 * tests that state the rule: nothing else restates a status or a code.
 *
 * The first rows are InkLink's documented refusals (/error-handling, the rotate and create pages);
 * the rest are project decisions where the docs are silent (see ../shared/inklink-api.md).
 */
import { ERROR_CODE_BY_STATUS } from './inklink';

export interface Refusal {
  status: number;
  code: string;
  /** What the mock says by default; Pact builders write it as the example (messages are matched by type). */
  message: string;
  /**
   * Answered below the operations (routing, the HTTP server, the body size limit): no operation
   * declares it, so the mock's self-check validates only its envelope.
   */
  transport?: true;
}

export const REFUSALS = {
  /** A missing, empty, malformed or unknown `api-key` (/authentication, /error-handling). */
  unauthenticated: { status: 401, code: 'UNAUTHORIZED', message: 'Missing or invalid api-key header.' },
  /** A key whose role is not owner or admin: "permission denied" is a 500 on the rotate page. */
  forbidden: {
    status: 500,
    code: 'INTERNAL_ERROR',
    message: 'Permission denied: an organization owner or admin api key is required.',
  },
  /** An unknown, malformed or other organization's endpoint id: "endpoint not found" is a 500 too. */
  endpoint_not_found: { status: 500, code: 'INTERNAL_ERROR', message: 'Webhook endpoint not found.' },
  /** A body that breaks the schema or the domain rules, one `details` item per field. */
  invalid_input: { status: 400, code: 'VALIDATION_ERROR', message: 'The request body is invalid.' },
  /** An unknown route or method (CONNECT included). */
  no_route: { status: 404, code: 'NOT_FOUND', message: 'No such route.', transport: true },
  /**
   * A method the spec does not declare on a path it knows; `Allow` lists the declared ones.
   * InkLink documents no code for 405: the code is the one of the closest documented rule, an
   * unknown route or method (404 `NOT_FOUND`).
   */
  method_not_allowed: { status: 405, code: 'NOT_FOUND', message: 'Method not allowed on this path.', transport: true },
  /** A body over the limit (1 MiB), announced or sent. */
  body_too_large: { status: 413, code: 'VALIDATION_ERROR', message: 'The request body is too large.', transport: true },
  /** Request headers over the server's limit. */
  headers_too_large: {
    status: 431,
    code: 'VALIDATION_ERROR',
    message: 'The request headers are too large.',
    transport: true,
  },
  /** Headers or a whole request not received in time. */
  request_timeout: {
    status: 408,
    code: 'VALIDATION_ERROR',
    message: 'The request was not received in time.',
    transport: true,
  },
  /** Bytes that are not HTTP. */
  malformed_request: { status: 400, code: 'VALIDATION_ERROR', message: 'Malformed HTTP request.', transport: true },
  /** Anything that went wrong inside the mock. */
  internal: { status: 500, code: 'INTERNAL_ERROR', message: 'Internal server error.', transport: true },
  /** The mock's control API without its bearer token (when one is set). */
  control_unauthenticated: {
    status: 401,
    code: 'UNAUTHORIZED',
    message: 'The control API requires Authorization: Bearer <control token>.',
  },
  /** A control-API resource that does not exist (e.g. a fault rule by id). */
  control_not_found: { status: 404, code: 'NOT_FOUND', message: 'Not found.' },
  /**
   * A control request addressed (`Host`) to a name that is not a loopback name or address, while no
   * control token is set: a DNS-rebinding page would reach the control API that way.
   */
  control_foreign_host: {
    status: 400,
    code: 'VALIDATION_ERROR',
    message:
      'Without a control token, the control API answers only requests addressed to a loopback name or address (Host).',
    transport: true,
  },
  /** A control request from another site (`Origin`, `Sec-Fetch-Site`): a web page driving the mock. */
  control_cross_site: {
    status: 400,
    code: 'VALIDATION_ERROR',
    message: 'Cross-site requests to the control API are refused.',
    transport: true,
  },
  /**
   * A state-changing control request whose body is not JSON (`text/plain`, a form): the kind of
   * request a web page can send without asking (CSRF).
   */
  control_not_json: {
    status: 400,
    code: 'VALIDATION_ERROR',
    message: 'A control request that changes the state takes a JSON body (Content-Type: application/json) or none.',
    transport: true,
  },
  /** A control request carrying webhook headers: a webhook delivery never drives the control API. */
  control_webhook_request: {
    status: 400,
    code: 'VALIDATION_ERROR',
    message:
      'Requests that carry webhook headers (webhook-id, webhook-timestamp, webhook-signature) never reach ' +
      'the control API.',
    transport: true,
  },
  /** The mock only: moving time (`POST /__mock/clock/advance`) while the mock runs on the system clock. */
  clock_not_virtual: {
    status: 400,
    code: 'VALIDATION_ERROR',
    message:
      'The mock runs on the system clock, which moves by itself: start it with --clock virtual ' +
      "(createMockServer's option clock: 'virtual') to move time.",
  },
  /**
   * The mock only: `Prefer: code=N` (as Prism users send it) with a status the operation does not
   * declare, or a code that is no status. Not every operation declares 400, so it is answered
   * below the operations.
   */
  prefer_undeclared: {
    status: 400,
    code: 'VALIDATION_ERROR',
    message: 'Prefer: code=N asks for a status the operation does not declare.',
    transport: true,
  },
} as const satisfies Record<string, Refusal>;

export type RefusalKind = keyof typeof REFUSALS;

/** `401 UNAUTHORIZED`: how docs, check descriptions and reports name a refusal. */
export function describeRefusal(kind: RefusalKind): string {
  const r: Refusal = REFUSALS[kind];
  return `${r.status} ${r.code}`;
}

/**
 * The code an error answer with this status carries: InkLink's documented status table
 * (/error-handling), and the refusal table where the docs are silent (413, 431, 408).
 */
export function codeForStatus(status: number): string | undefined {
  const documented = ERROR_CODE_BY_STATUS[status];
  if (documented) return documented;
  for (const r of Object.values(REFUSALS) as Refusal[]) if (r.status === status) return r.code;
  return undefined;
}

/**
 * The refusals each of InkLink's operations can give, in the order its checks run: the key first
 * (401), then the body (400), then the role and the endpoint (500). openapi.json declares the
 * status of each (a test checks it).
 */
export const OPERATION_REFUSALS: Readonly<Record<string, readonly RefusalKind[]>> = {
  rotateWebhookEndpointSecret: ['unauthenticated', 'forbidden', 'endpoint_not_found'],
  createWebhookEndpoint: ['unauthenticated', 'invalid_input', 'forbidden'],
};

/**
 * Answers of the validating proxy (src/proxy) itself, never InkLink's: kept apart from REFUSALS so
 * that no status here counts as one InkLink may answer (`codeForStatus` does not read them).
 */
export const PROXY_REFUSALS = {
  /** The upstream API gave no answer (refused, unreachable, or not within the proxy's timeout). */
  upstream_unreachable: {
    status: 502,
    code: 'UPSTREAM_UNREACHABLE',
    message: 'The proxy got no answer from the upstream API.',
  },
} as const satisfies Record<string, Refusal>;
