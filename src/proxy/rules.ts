/**
 * The rules the validating proxy checks on each exchange: what `openapi.json` says of the request
 * and the response (the one compiled spec, through the core validator), and what InkLink's docs say
 * that one exchange, or the sequence so far, can show:
 *
 * - `error_envelope`: an error is InkLink's envelope, its code is the status's, and its
 *   `requestId` equals the `x-request-id` header;
 * - `secret_format`: a secret handed out is `whsec_` + base64 of 24 to 64 bytes;
 * - `secret_repeated`: a secret handed out is never seen again, in any later response;
 * - `refused_key_accepted`: a key refused as unknown (401) is not accepted (2xx) later.
 *
 * The memory of the sequence keeps SHA-256 hashes only, never a secret or a key.
 */
import { createHash } from 'node:crypto';
import { API_KEY_HEADER } from '../../core/inklink';
import { jsonOrUndefined } from '../../core/json';
import { REFUSALS, codeForStatus } from '../../core/refusals';
import { describeLocation, type CheckName, type Validator } from '../../core/validator';
import { SECRET_PREFIX, secretProblem } from '../../core/webhooks';

export type ProxyRule = CheckName | 'error_envelope' | 'secret_format' | 'secret_repeated' | 'refused_key_accepted';

export interface ProxyViolation {
  rule: ProxyRule;
  /** Where: `response.body.secret`, `request.header.api-key`, `response.status`, … */
  location: string;
  /** What is wrong, never quoting a secret or a key. */
  message: string;
}

/** One request and its answer, as they passed through the proxy. */
export interface Exchange {
  method: string;
  /** Path and query, as the client sent them. */
  path: string;
  requestHeaders: Record<string, string | undefined>;
  requestBody?: string;
  status: number;
  responseHeaders: Record<string, string | undefined>;
  responseBody: string;
}

const hash = (s: string) => createHash('sha256').update(s).digest('hex');
/** A secret's hash is taken without its prefix, so a repeat without `whsec_` is still recognised. */
const secretHash = (s: string) => hash(s.startsWith(SECRET_PREFIX) ? s.slice(SECRET_PREFIX.length) : s);

/** Runs of base64 long enough to be a secret (24 bytes at least), with or without the prefix. */
export const SECRET_LIKE = /(?:whsec_)?[A-Za-z0-9+/]{32,}={0,2}/g;

/** Every string of a JSON value, and every secret-like run in a text. */
function candidates(text: string, json: unknown): string[] {
  const out: string[] = [...(text.match(SECRET_LIKE) ?? [])];
  const walk = (v: unknown, depth: number) => {
    if (depth > 64) return;
    if (typeof v === 'string') out.push(v);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x, depth + 1);
  };
  walk(json, 0);
  return out;
}

const MAX_REMEMBERED = 100_000;

/** A set that forgets its oldest entries past a bound. */
class BoundedSet {
  private readonly items = new Set<string>();
  add(v: string) {
    this.items.add(v);
    if (this.items.size > MAX_REMEMBERED) this.items.delete(this.items.values().next().value as string);
  }
  has(v: string) {
    return this.items.has(v);
  }
}

/** What the sequence so far shows: hashes of the secrets handed out and of the keys refused as unknown. */
export class ExchangeMemory {
  private readonly secrets = new BoundedSet();
  private readonly refusedKeys = new BoundedSet();

  /** Applies the sequence rules to an exchange, then remembers what it shows. */
  check(x: Exchange, json: unknown): ProxyViolation[] {
    const out: ProxyViolation[] = [];
    const headerText = Object.values(x.responseHeaders).filter((v): v is string => typeof v === 'string');
    const seen = [...candidates(x.responseBody, json), ...headerText.flatMap((h) => candidates(h, undefined))];
    if (seen.some((c) => this.secrets.has(secretHash(c)))) {
      out.push({
        rule: 'secret_repeated',
        location: 'response',
        message: 'a secret handed out in an earlier response appears again in this one (a secret is shown once)',
      });
    }
    const key = x.requestHeaders[API_KEY_HEADER];
    if (typeof key === 'string' && key !== '') {
      const k = hash(key);
      if (x.status >= 200 && x.status < 300 && this.refusedKeys.has(k)) {
        out.push({
          rule: 'refused_key_accepted',
          location: `request.header.${API_KEY_HEADER}`,
          message:
            `this key was refused earlier (${REFUSALS.unauthenticated.status}) ` + `and is accepted now (${x.status})`,
        });
      }
      if (x.status === REFUSALS.unauthenticated.status) this.refusedKeys.add(k);
    }
    const secret = issuedSecret(x, json);
    if (secret !== undefined) this.secrets.add(secretHash(secret));
    return out;
  }

  /** Whether a string is a secret handed out earlier (used to redact recordings). */
  isKnownSecret(s: string): boolean {
    return this.secrets.has(secretHash(s));
  }
}

/** The secret a successful answer hands out (its `secret` property), if any. */
export function issuedSecret(x: Exchange, json: unknown): string | undefined {
  if (x.status < 200 || x.status >= 300 || !json || typeof json !== 'object') return undefined;
  const s = (json as Record<string, unknown>).secret;
  return typeof s === 'string' ? s : undefined;
}

function header(headers: Record<string, string | undefined>, name: string): string | undefined {
  return headers[name] ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
}

/** What one exchange shows: the spec's rules, the envelope and the secret's format. */
export function checkOne(
  x: Exchange,
  json: unknown,
  validator: Validator,
): { operationId?: string; violations: ProxyViolation[] } {
  const out: ProxyViolation[] = [];
  const match = validator.spec.findOperation(x.method, x.path);
  const operationId = match?.operation.operationId;
  const query: Record<string, string[]> = {};
  for (const [k, v] of new URL(x.path, 'http://proxy.invalid').searchParams) (query[k] ??= []).push(v);

  let declaredError = false;
  if (!match) {
    out.push({
      rule: 'operation_exists',
      location: 'request',
      message: `${x.method.toUpperCase()} ${x.path.split('?')[0]} is not an operation of openapi.json`,
    });
  } else {
    const requestViolations = validator.validateRequest({
      operationId,
      pathParams: match.params,
      query,
      headers: x.requestHeaders,
      body: x.requestBody === undefined || x.requestBody === '' ? undefined : x.requestBody,
    });
    const declared = validator.spec.responseFor(match.operation, x.status);
    declaredError = declared !== undefined && x.status >= 400;
    // A request the spec forbids is the client's to fix, unless the provider refused it as the operation declares.
    const expectsRefusal = declared !== undefined && x.status >= 400 && x.status < 500;
    if (!expectsRefusal)
      for (const v of requestViolations) out.push({ rule: v.check, location: describeLocation(v), message: v.message });
    const responseViolations = validator.validateResponse({
      operationId: operationId!,
      status: x.status,
      headers: x.responseHeaders,
      body: x.responseBody === '' ? undefined : x.responseBody,
    });
    for (const v of responseViolations) out.push({ rule: v.check, location: describeLocation(v), message: v.message });
  }

  if (x.status >= 400) out.push(...envelopeProblems(x, json, declaredError, match !== undefined));
  const secret = issuedSecret(x, json);
  if (secret !== undefined) {
    const why = secretProblem(secret);
    if (why) out.push({ rule: 'secret_format', location: 'response.body.secret', message: why });
  }
  return { operationId, violations: out };
}

/**
 * InkLink's envelope beyond what the schema checks: its shape where no schema applies (a route or a
 * status the spec does not declare), the code of the status, and `requestId` equal to `x-request-id`.
 */
function envelopeProblems(
  x: Exchange,
  json: unknown,
  schemaChecked: boolean,
  operationFound: boolean,
): ProxyViolation[] {
  const at = (location: string, message: string): ProxyViolation => ({ rule: 'error_envelope', location, message });
  const error =
    json && typeof json === 'object'
      ? (json as { error?: { code?: unknown; message?: unknown; requestId?: unknown } | null }).error
      : undefined;
  if (!error || typeof error !== 'object' || typeof error.code !== 'string' || typeof error.message !== 'string') {
    return schemaChecked
      ? []
      : [at('response.body', "an error answer that is not InkLink's envelope {error: {code, message, requestId}}")];
  }
  const out: ProxyViolation[] = [];
  const expected = codeForStatus(x.status);
  // For an operation, a status it does not declare is the validator's status_code_conformance.
  if (!expected) {
    if (!operationFound) out.push(at('response.status', `status ${x.status} is not one InkLink answers errors with`));
  } else if (error.code !== expected)
    out.push(at('response.body.error.code', `code does not match status ${x.status} (${expected})`));
  const requestId = header(x.responseHeaders, 'x-request-id');
  if (typeof error.requestId !== 'string') {
    if (!schemaChecked) out.push(at('response.body.error.requestId', 'requestId is missing'));
  } else if (requestId === undefined) {
    // The schema's header check names a missing header where the spec declares it.
    if (!schemaChecked)
      out.push(at('response.header.x-request-id', 'requestId cannot equal x-request-id: the header is missing'));
  } else if (error.requestId !== requestId)
    out.push(at('response.body.error.requestId', 'requestId differs from the x-request-id header'));
  return out;
}

/** Every rule, on one exchange and the sequence so far. */
export function checkExchange(
  x: Exchange,
  memory: ExchangeMemory,
  validator: Validator,
): { operationId?: string; violations: ProxyViolation[] } {
  const json = jsonOrUndefined(x.responseBody);
  const one = checkOne(x, json, validator);
  return { operationId: one.operationId, violations: [...one.violations, ...memory.check(x, json)] };
}
