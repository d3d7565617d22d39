/**
 * Request and response validation against the compiled spec, returning structured violations.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { matchContentType } from './media-type';
import { getSpec, type CompiledSpec, type Operation } from './spec';

export type CheckName =
  | 'operation_exists'
  | 'request_parameters_conformance'
  | 'request_content_type_conformance'
  | 'request_schema_conformance'
  | 'status_code_conformance'
  | 'content_type_conformance'
  | 'response_schema_conformance'
  | 'response_headers_conformance';

export interface Violation {
  check: CheckName;
  operationId?: string;
  /** Where it is, e.g. `["response", "body", "secret"]` or `["request", "header", "api-key"]`. */
  location: string[];
  message: string;
}

export type Headers = Record<string, string | string[] | undefined>;

export interface RequestToValidate {
  /** Either the operationId, or method and path to look it up. */
  operationId?: string;
  method?: string;
  path?: string;
  /** Path parameters when already known (otherwise taken from `path`). */
  pathParams?: Record<string, string>;
  query?: Record<string, string | string[] | undefined>;
  headers?: Headers;
  /** The parsed body, or a string to be parsed according to its content type; undefined for none. */
  body?: unknown;
  /** The body is the parsed value: a string is then a JSON string, not text to parse (`"{\"url\": …}"`). */
  bodyParsed?: true;
}

export interface ResponseToValidate {
  operationId: string;
  status: number;
  headers?: Headers;
  /** The parsed body, or the raw text (parsed here when the content type is JSON); undefined for none. */
  body?: unknown;
}

export interface Validator {
  spec: CompiledSpec;
  validateRequest(req: RequestToValidate): Violation[];
  validateResponse(res: ResponseToValidate): Violation[];
}

function header(headers: Headers | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const lower = name.toLowerCase();
  let v = headers[lower];
  if (v === undefined) {
    for (const k of Object.keys(headers)) if (k.toLowerCase() === lower) v = headers[k];
  }
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Whether a declared media type (no parameters) is JSON: `application/json` or `application/…+json`. */
const isJsonType = (mediaType: string) => /^application\/([\w.+-]*\+)?json$/i.test(mediaType);

/** A number as JSON writes it: not hex, octal or binary, no blanks, no `Infinity`, no `1_000`. */
const DECIMAL = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** Parses a string parameter by its schema's type; anything unparsable stays a string and fails. */
function parseParam(value: string, schema: unknown): unknown {
  const type = (schema as { type?: unknown } | undefined)?.type;
  if ((type === 'integer' || type === 'number') && DECIMAL.test(value)) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/**
 * Violations reported for one value at most; the rest are summed up in one more. A 1 MiB body can
 * fail in hundreds of thousands of places, and describing each took seconds (found by the
 * hostile-input suite, test/reliability/hostile-input).
 */
export const MAX_VIOLATIONS = 100;

function ajvViolations(
  errors: ErrorObject[] | null | undefined,
  check: CheckName,
  operationId: string,
  base: string[],
): Violation[] {
  if (!errors) return [];
  const seen = new Set<string>();
  const out: Violation[] = [];
  for (let i = 0; i < errors.length; i++) {
    if (out.length === MAX_VIOLATIONS) {
      out.push({ check, operationId, location: base, message: `and ${errors.length - i} more problems, not listed` });
      break;
    }
    const e = errors[i];
    const loc = [...base, ...pointerSegments(e.instancePath)];
    let text = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      loc.push(String((e.params as { missingProperty: string }).missingProperty));
      text = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      loc.push(String((e.params as { additionalProperty: string }).additionalProperty));
      text = 'is not allowed';
    } else if (e.keyword === 'false schema') {
      text = 'must not be present';
    } else if (e.keyword === 'enum') {
      text += `: ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    }
    const message = `${describePath(loc.slice(base.length))} ${text}`;
    const key = `${loc.join('/')}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ check, operationId, location: loc, message });
  }
  return out;
}

/** `["event_types","0"]` -> `event_types[0]`; the root -> `(root)`. */
export function describePath(segments: string[]): string {
  const path = segments.reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
  return path || '(root)';
}

/** Where a violation is, as reports print it: `response.body.event_types[0]`, `request.header.api-key`. */
export function describeLocation(v: Violation): string {
  const [part, kind, ...rest] = v.location;
  if (kind === 'body') return `${part}.body${rest.length ? `.${describePath(rest)}` : ''}`;
  return v.location.join('.');
}

/** `/a~1b/0` -> `["a/b", "0"]`; the root (`""`) -> `[]`. */
function pointerSegments(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function validateValue(
  spec: CompiledSpec,
  key: string,
  schema: unknown,
  direction: 'request' | 'response',
  value: unknown,
): ErrorObject[] | null {
  const fn: ValidateFunction | undefined = spec.valueValidator(key, schema, direction);
  if (!fn || fn(value)) return null;
  return fn.errors ?? null;
}

export function createValidator(spec: CompiledSpec = getSpec()): Validator {
  function validateRequest(req: RequestToValidate): Violation[] {
    let op: Operation | undefined;
    let pathParams = req.pathParams;
    if (req.operationId) {
      op = spec.operations.get(req.operationId);
      if (!op) {
        return [
          { check: 'operation_exists', location: ['request'], message: `unknown operationId ${req.operationId}` },
        ];
      }
    } else if (req.method && req.path !== undefined) {
      const m = spec.findOperation(req.method, req.path);
      if (!m) {
        return [
          {
            check: 'operation_exists',
            location: ['request'],
            message: `no operation for ${req.method.toUpperCase()} ${req.path}`,
          },
        ];
      }
      op = m.operation;
      pathParams = pathParams ?? m.params;
    } else {
      throw new Error('validateRequest needs operationId, or method and path');
    }
    const id = op.operationId;
    const out: Violation[] = [];

    for (const p of op.parameters) {
      let raw: string | undefined;
      if (p.in === 'header') raw = header(req.headers, p.name);
      else if (p.in === 'path') raw = pathParams?.[p.name];
      else if (p.in === 'query') {
        const q = req.query?.[p.name];
        raw = Array.isArray(q) ? q[0] : q;
      } else continue;
      const loc = ['request', p.in, p.name];
      if (raw === undefined) {
        if (p.required) {
          out.push({
            check: 'request_parameters_conformance',
            operationId: id,
            location: loc,
            message: `required ${p.in} parameter "${p.name}" is missing`,
          });
        }
        continue;
      }
      const errs = validateValue(spec, `${id}|${p.in}|${p.name}`, p.schema, 'request', parseParam(raw, p.schema));
      for (const v of ajvViolations(errs, 'request_parameters_conformance', id, loc)) {
        out.push({ ...v, message: `${p.in} parameter "${p.name}": ${v.message.replace(/^\(root\) /, '')}` });
      }
    }

    const rb = op.requestBody;
    const hasBody = req.body !== undefined && req.body !== '';
    if (rb) {
      if (!hasBody) {
        if (rb.required) {
          out.push({
            check: 'request_schema_conformance',
            operationId: id,
            location: ['request', 'body'],
            message: 'request body is required',
          });
        }
      } else {
        const ct = header(req.headers, 'content-type');
        const declared = matchContentType(ct, rb.contentTypes);
        if (!declared) {
          out.push({
            check: 'request_content_type_conformance',
            operationId: id,
            location: ['request', 'header', 'content-type'],
            message: `content type ${ct ?? '(none)'} is not one of ${rb.contentTypes.join(', ')}`,
          });
        } else {
          // Not push(...all): a spread of a very long array overflows the stack.
          for (const v of validateBody(
            spec.requestBodyValidator(op, declared),
            declared,
            req.body,
            'request_schema_conformance',
            id,
            ['request', 'body'],
            req.bodyParsed,
          ))
            out.push(v);
        }
      }
    }
    return out;
  }

  function validateResponse(res: ResponseToValidate): Violation[] {
    const plan = spec.responsePlan(res.operationId, res.status);
    if (plan === undefined)
      return [{ check: 'operation_exists', location: ['response'], message: `unknown operationId ${res.operationId}` }];
    const id = res.operationId;
    if (plan === null) {
      const op = spec.operation(id);
      return [
        {
          check: 'status_code_conformance',
          operationId: id,
          location: ['response', 'status'],
          message: `status ${res.status} is not declared for ${id} (declared: ${[...op.responses.keys()].join(', ')})`,
        },
      ];
    }
    const out: Violation[] = [];
    for (const h of plan.headers) {
      const value = header(res.headers, h.name);
      if (value === undefined) {
        if (h.required) {
          out.push({
            check: 'response_headers_conformance',
            operationId: id,
            location: ['response', 'header', h.name],
            message: `required header ${h.name} is missing`,
          });
        }
        continue;
      }
      if (h.validate && !h.validate(parseParam(value, h.schema))) {
        for (const v of ajvViolations(h.validate.errors, 'response_headers_conformance', id, [
          'response',
          'header',
          h.name,
        ])) {
          out.push({ ...v, message: `header ${h.name}: ${v.message.replace(/^\(root\) /, '')}` });
        }
      }
    }

    const hasBody = res.body !== undefined && res.body !== '';
    const ct = header(res.headers, 'content-type');
    if (plan.contentTypes.length === 0) {
      if (hasBody) {
        out.push({
          check: 'content_type_conformance',
          operationId: id,
          location: ['response', 'header', 'content-type'],
          message: `status ${res.status} declares no content, but the response has a body (${ct ?? 'no content type'})`,
        });
      }
      return out;
    }
    const media = matchContentType(ct, plan.contentTypes);
    if (!media) {
      out.push({
        check: 'content_type_conformance',
        operationId: id,
        location: ['response', 'header', 'content-type'],
        message: `content type ${ct ?? '(none)'} is not one of ${plan.contentTypes.join(', ')}`,
      });
      return out;
    }
    if (!hasBody) {
      out.push({
        check: 'response_schema_conformance',
        operationId: id,
        location: ['response', 'body'],
        message: 'response body is missing',
      });
      return out;
    }
    for (const v of validateBody(plan.bodies.get(media), media, res.body, 'response_schema_conformance', id, [
      'response',
      'body',
    ]))
      out.push(v);
    return out;
  }

  return { spec, validateRequest, validateResponse };
}

function validateBody(
  fn: ValidateFunction | undefined,
  mediaType: string,
  body: unknown,
  check: CheckName,
  operationId: string,
  base: string[],
  parsed?: true,
): Violation[] {
  if (!fn) return [];
  let value = body;
  if (parsed) {
    // Already the value: nothing to parse.
  } else if (typeof body === 'string' && isJsonType(mediaType)) {
    try {
      value = JSON.parse(body);
    } catch {
      return [{ check, operationId, location: base, message: 'body is not valid JSON' }];
    }
  } else if (Buffer.isBuffer(body)) {
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      return [{ check, operationId, location: base, message: 'body is not valid JSON' }];
    }
  }
  if (fn(value)) return [];
  return ajvViolations(fn.errors, check, operationId, base);
}

/**
 * Whether a response refuses its request as the operation documents: a 4xx status it declares (a
 * 401 to a request without a key, a 400 to an invalid body). The request's own violations are then
 * what the exchange is about, an expected refusal, not a mismatch. `pact-check` (src/pact/check.ts)
 * and `validate --har` (src/cli/validate.ts) both judge recorded exchanges by it.
 */
export function isDeclaredRefusal(spec: CompiledSpec, op: Operation, status: number): boolean {
  return status >= 400 && status < 500 && spec.responseFor(op, status) !== undefined;
}

let defaultValidator: Validator | undefined;
/** The validator over the project's `openapi.json` (one per process). */
export function getValidator(): Validator {
  if (!defaultValidator) defaultValidator = createValidator();
  return defaultValidator;
}
