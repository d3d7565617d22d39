/**
 * `pact-check`: validates every interaction of a pact against `openapi.json` with the project's
 * validator (the one compiled spec), offline: what swagger-mock-validator does for a broker.
 *
 * - A request must be one the spec allows, unless the interaction expects the provider to refuse
 *   it: when the response is a 4xx the operation declares (400, 401), the request's own violations
 *   are what the interaction is about, and are listed as `expected`, not as mismatches.
 * - A response must be declared (status), and what the pact states of it must conform: its headers,
 *   content type and body. A pact says only what the consumer relies on, so a required property or
 *   header it leaves out is not a mismatch. Response objects are closed, as PactFlow's comparator
 *   reads them: a property `openapi.json` does not declare is a mismatch (closed.ts).
 * - A query parameter the operation does not declare is a warning: the provider may ignore it.
 * - Matchers: the pact's example values are validated (they are what the consumer was tested with).
 * - Asynchronous messages (webhook deliveries): `openapi.json` declares no webhooks; a payload's
 *   `type` is checked against `webhookEventType`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { matchContentType } from '../../core/media-type';
import {
  getValidator,
  describeLocation,
  describePath,
  isDeclaredRefusal,
  type Validator,
  type Violation,
  type CheckName,
} from '../../core/validator';
import { undeclaredProperties } from './closed';

export interface PactMismatch {
  /** The pact file (or source name). */
  source: string;
  /** The interaction's description. */
  interaction: string;
  /** Its provider states, as `name {params}`. */
  states: string[];
  /** Index in the pact's interactions. */
  index: number;
  check: CheckName | 'message_conformance' | 'pact_format';
  /** Where: e.g. `response.body.secret`, `request.header.api-key`, `response.status`. */
  location: string;
  message: string;
}

export interface PactCheckResult {
  source: string;
  consumer?: string;
  provider?: string;
  specification?: string;
  interactions: number;
  mismatches: PactMismatch[];
  /** Request violations an interaction expects the provider to refuse (e.g. the 401 without a key). */
  expected: PactMismatch[];
  /** What does not fail the check but deserves a look (e.g. a query parameter the operation does not declare). */
  warnings: PactMismatch[];
  /** Interactions not checked, and why. */
  skipped: { interaction: string; index: number; reason: string }[];
}

export class PactFileError extends Error {}

type Headers = Record<string, string>;

/** Headers of V2/V3 (`string`) and V4 (`string[]`) pacts, names lower-cased. */
function headersOf(raw: unknown): Headers {
  const out: Headers = {};
  if (!raw || typeof raw !== 'object') return out;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    out[k.toLowerCase()] = Array.isArray(v) ? v.map(String).join(', ') : String(v);
  }
  return out;
}

function queryOf(raw: unknown): Record<string, string | string[]> {
  if (!raw) return {};
  if (typeof raw === 'string') {
    const out: Record<string, string[]> = {};
    for (const [k, v] of new URLSearchParams(raw)) (out[k] ??= []).push(v);
    return out;
  }
  if (typeof raw === 'object') return raw as Record<string, string | string[]>;
  return {};
}

/**
 * What this check reads of a pact file (V2 to V4, HTTP interactions and messages). The file comes
 * from anywhere, so every member may be missing, and each is checked before it is relied on.
 */
interface PactFile {
  metadata?: {
    pactSpecification?: { version?: string };
    'pact-specification'?: { version?: string };
    pactSpecificationVersion?: string;
  };
  consumer?: { name?: string };
  provider?: { name?: string };
  interactions?: PactInteraction[];
  messages?: PactInteraction[];
}

interface PactInteraction {
  description?: string;
  type?: string;
  providerStates?: { name?: string; params?: Record<string, unknown> }[];
  providerState?: string;
  request?: PactHttpPart;
  response?: PactHttpPart;
  /** A V4 message's body. */
  contents?: unknown;
  /** A V3 message's body. */
  content?: unknown;
}

interface PactHttpPart {
  method?: string;
  path?: string;
  status?: number;
  headers?: unknown;
  query?: unknown;
  body?: unknown;
}

/** A V4 body: `content` is the value, or base64 text when `encoded`. */
interface V4Body {
  content: unknown;
  contentType?: string;
  encoded?: string | boolean;
}

interface Body {
  present: boolean;
  value?: unknown;
  contentType?: string;
}

/** A V4 body (`{content, contentType, encoded}`) or a V2/V3 one (the value itself). */
function bodyOf(part: { body?: unknown } | undefined, v4: boolean, headers: Headers): Body {
  if (!part || !('body' in part) || part.body === undefined) return { present: false };
  const raw = part.body;
  if (v4 && raw && typeof raw === 'object' && 'content' in raw) {
    const v4Body = raw as V4Body;
    let value = v4Body.content;
    const contentType: string | undefined = v4Body.contentType ?? headers['content-type'];
    if (v4Body.encoded === 'base64' || v4Body.encoded === true)
      value = Buffer.from(String(value), 'base64').toString('utf8');
    if (typeof value === 'string' && contentType && /json/i.test(contentType)) {
      try {
        value = JSON.parse(value);
      } catch {
        // Left as text: the validator reports it is not JSON.
      }
    }
    return { present: true, value, contentType };
  }
  return {
    present: true,
    value: raw,
    contentType: headers['content-type'] ?? (typeof raw === 'object' ? 'application/json' : undefined),
  };
}

function statesOf(i: PactInteraction): string[] {
  const list: { name?: string; params?: Record<string, unknown> }[] = Array.isArray(i.providerStates)
    ? i.providerStates
    : i.providerState
      ? [{ name: i.providerState }]
      : [];
  return list.map((s) =>
    s.params && Object.keys(s.params).length ? `${s.name} ${JSON.stringify(s.params)}` : String(s.name),
  );
}

/** A required property or header the pact leaves out: the consumer does not rely on it. */
function isOmission(v: Violation): boolean {
  if (v.check === 'response_headers_conformance') return / is missing$/.test(v.message);
  if (v.check === 'response_schema_conformance')
    return / is required$/.test(v.message) || v.message === 'response body is missing';
  return false;
}

export function checkPact(pact: unknown, source = '(pact)', validator: Validator = getValidator()): PactCheckResult {
  if (!pact || typeof pact !== 'object') throw new PactFileError(`${source}: not a pact (not a JSON object)`);
  const p = pact as PactFile;
  const spec: string | undefined =
    p.metadata?.pactSpecification?.version ??
    p.metadata?.['pact-specification']?.version ??
    p.metadata?.pactSpecificationVersion;
  const v4 = typeof spec === 'string' && spec.startsWith('4');
  const interactions: PactInteraction[] = [
    ...(Array.isArray(p.interactions) ? p.interactions : []),
    ...(Array.isArray(p.messages) ? p.messages.map((m) => ({ ...m, type: 'Asynchronous/Messages' })) : []),
  ];
  if (!Array.isArray(p.interactions) && !Array.isArray(p.messages)) {
    throw new PactFileError(`${source}: not a pact (no "interactions" or "messages")`);
  }
  const result: PactCheckResult = {
    source,
    consumer: p.consumer?.name,
    provider: p.provider?.name,
    specification: spec,
    interactions: interactions.length,
    mismatches: [],
    expected: [],
    warnings: [],
    skipped: [],
  };
  const eventType = validator.spec.componentValidator('webhookEventType');

  interactions.forEach((i, index) => {
    const description = String(i.description ?? `interaction ${index}`);
    const states = statesOf(i);
    const at = (check: PactMismatch['check'], location: string, message: string): PactMismatch => ({
      source,
      interaction: description,
      states,
      index,
      check,
      location,
      message,
    });
    const type: string = i.type ?? (i.request ? 'Synchronous/HTTP' : 'Asynchronous/Messages');

    if (type === 'Asynchronous/Messages') {
      const content =
        i.contents !== undefined
          ? bodyOf({ body: i.contents }, true, { 'content-type': 'application/json' }).value
          : i.content;
      if (content && typeof content === 'object' && 'type' in content) {
        if (!eventType(content.type)) {
          result.mismatches.push(
            at(
              'message_conformance',
              'message.contents.type',
              `type ${JSON.stringify(content.type)} is not one of the webhookEventType values`,
            ),
          );
        }
      } else {
        result.skipped.push({
          interaction: description,
          index,
          reason: 'a message without a "type": openapi.json declares no webhook payloads',
        });
      }
      return;
    }
    if (type !== 'Synchronous/HTTP') {
      result.skipped.push({
        interaction: description,
        index,
        reason: `${type} interactions are not HTTP operations of openapi.json`,
      });
      return;
    }
    const req = i.request;
    const res = i.response;
    if (
      !req ||
      typeof req.method !== 'string' ||
      typeof req.path !== 'string' ||
      !res ||
      typeof res.status !== 'number'
    ) {
      result.mismatches.push(
        at('pact_format', 'interaction', 'an HTTP interaction needs request.method, request.path and response.status'),
      );
      return;
    }

    const reqHeaders = headersOf(req.headers);
    const reqBody = bodyOf(req, v4, reqHeaders);
    if (reqBody.present && reqBody.contentType && !reqHeaders['content-type'])
      reqHeaders['content-type'] = reqBody.contentType;
    const requestViolations = validator.validateRequest({
      method: req.method,
      path: req.path,
      headers: reqHeaders,
      query: queryOf(req.query),
      body: reqBody.present ? reqBody.value : undefined,
    });
    const unknownOperation = requestViolations.find((v) => v.check === 'operation_exists');
    if (unknownOperation) {
      result.mismatches.push(
        at('operation_exists', 'request', `${req.method.toUpperCase()} ${req.path}: no such operation in openapi.json`),
      );
      return;
    }
    const op = validator.spec.findOperation(req.method, req.path)!.operation;

    const resHeaders = headersOf(res.headers);
    const resBody = bodyOf(res, v4, resHeaders);
    if (resBody.present && resBody.contentType && !resHeaders['content-type'])
      resHeaders['content-type'] = resBody.contentType;
    const responseViolations = validator
      .validateResponse({
        operationId: op.operationId,
        status: res.status,
        headers: resHeaders,
        body: resBody.present ? resBody.value : undefined,
      })
      .filter((v) => !isOmission(v))
      // No body in the pact: the consumer does not look at it, whatever its type.
      .filter((v) => resBody.present || v.check !== 'content_type_conformance');
    for (const v of responseViolations) result.mismatches.push(at(v.check, describeLocation(v), v.message));

    const declared = validator.spec.responseFor(op, res.status);
    const media =
      declared && resBody.present ? matchContentType(resHeaders['content-type'], declared.contentTypes) : undefined;
    if (declared && media) {
      const schema = validator.spec.responseSchema(op, declared.status, media);
      for (const p of undeclaredProperties(validator.spec, schema, resBody.value)) {
        const message =
          `${describePath(p)} is not declared in openapi.json: response objects are closed, ` +
          'so a consumer may rely only on documented properties';
        result.mismatches.push(at('response_schema_conformance', `response.body.${describePath(p)}`, message));
      }
    }
    const declaredQuery = new Set(op.parameters.filter((p) => p.in === 'query').map((p) => p.name));
    for (const name of Object.keys(queryOf(req.query))) {
      if (!declaredQuery.has(name)) {
        result.warnings.push(
          at(
            'request_parameters_conformance',
            `request.query.${name}`,
            `query parameter "${name}" is not declared in openapi.json: the provider may ignore it`,
          ),
        );
      }
    }
    const expectsRefusal = isDeclaredRefusal(validator.spec, op, res.status);
    for (const v of requestViolations) {
      (expectsRefusal ? result.expected : result.mismatches).push(at(v.check, describeLocation(v), v.message));
    }
  });
  return result;
}

/** Files given, and the `*.json` files of directories given (sorted). */
export function expandPactPaths(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      throw new PactFileError(`${p}: no such file or directory`);
    }
    if (st.isDirectory()) {
      const files = fs
        .readdirSync(p)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => path.join(p, f));
      if (files.length === 0) throw new PactFileError(`${p}: no pact files (*.json) in this directory`);
      out.push(...files);
    } else out.push(p);
  }
  return out;
}

export function checkPactFile(file: string, validator: Validator = getValidator()): PactCheckResult {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new PactFileError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PactFileError(`${file}: not JSON`);
  }
  return checkPact(json, file, validator);
}

export function formatMismatch(m: PactMismatch): string {
  const given = m.states.length ? ` (given ${m.states.join(' and ')})` : '';
  return `interaction #${m.index} "${m.interaction}"${given}: ${m.location}: ${m.message} [${m.check}]`;
}

export function formatCheckResults(results: PactCheckResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    const pair = r.consumer && r.provider ? ` (${r.consumer} -> ${r.provider})` : '';
    const verdict = r.mismatches.length
      ? `${r.mismatches.length} mismatch${r.mismatches.length === 1 ? '' : 'es'}`
      : 'conforms to openapi.json';
    lines.push(`${r.source}${pair}: ${r.interactions} interaction${r.interactions === 1 ? '' : 's'}, ${verdict}`);
    for (const m of r.mismatches) lines.push(`  ✗ ${formatMismatch(m)}`);
    for (const m of r.expected) lines.push(`  · expected refusal: ${formatMismatch(m)}`);
    for (const m of r.warnings) lines.push(`  ! warning: ${formatMismatch(m)}`);
    for (const s of r.skipped) lines.push(`  - skipped interaction #${s.index} "${s.interaction}": ${s.reason}`);
  }
  const total = results.reduce((n, r) => n + r.mismatches.length, 0);
  lines.push(
    total
      ? `${total} mismatch${total === 1 ? '' : 'es'} with openapi.json`
      : `All ${results.length} pact file${results.length === 1 ? '' : 's'} conform to openapi.json`,
  );
  return `${lines.join('\n')}\n`;
}
