/**
 * The one compiled spec. The mock, the validator, the verifier and the pact checks all read
 * `openapi.json` through this module: operations are indexed once, and each ajv validator is
 * compiled once (on first use) per operation x status x content type.
 */
import fs from 'node:fs';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import embeddedDocument from '../openapi.json';
import { definitionsSchema, convertSchema, type Direction } from './oas-schema';

export type OpenApiDocument = Record<string, any>;

export interface ParameterSpec {
  name: string;
  in: 'header' | 'path' | 'query' | 'cookie';
  required: boolean;
  schema?: unknown;
}

export interface ResponseSpec {
  status: string;
  headers: Record<string, { required: boolean; schema?: unknown }>;
  contentTypes: string[];
}

export interface Operation {
  operationId: string;
  method: string;
  path: string;
  parameters: ParameterSpec[];
  requestBody?: { required: boolean; contentTypes: string[] };
  responses: Map<string, ResponseSpec>;
  /** Matches a concrete path; the groups are the path parameters, in `pathParams` order. */
  pathPattern: RegExp;
  pathParams: string[];
}

export interface OperationMatch {
  operation: Operation;
  params: Record<string, string>;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export class CompiledSpec {
  readonly document: OpenApiDocument;
  readonly operations = new Map<string, Operation>();
  /** Path prefix of `servers[0].url` (e.g. `/api/v1`); requests may carry it or not. */
  readonly basePath: string;
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly resolved = new Map<string, any>();

  constructor(document: OpenApiDocument) {
    if (!document || typeof document !== 'object' || typeof document.openapi !== 'string') {
      throw new Error('Not an OpenAPI document: "openapi" version field missing');
    }
    if (!document.openapi.startsWith('3.0')) {
      throw new Error(`Unsupported OpenAPI version ${document.openapi}: 3.0.x expected`);
    }
    this.document = document;
    this.basePath = basePathOf(document);
    this.ajv = new Ajv({
      allErrors: true,
      coerceTypes: false,
      useDefaults: false,
      removeAdditional: false,
      strict: false,
      validateFormats: true,
    });
    addFormats(this.ajv);
    const schemas = document.components?.schemas;
    for (const dir of ['request', 'response'] as Direction[]) this.ajv.addSchema(definitionsSchema(schemas, dir));
    this.indexOperations();
  }

  /** Resolves a local `#/...` reference of the document (parameters, responses, headers, bodies). */
  deref<T = any>(value: any): T {
    let cur = value;
    for (let depth = 0; cur && typeof cur === 'object' && typeof cur.$ref === 'string'; depth++) {
      if (depth > 20) throw new Error(`Reference cycle at ${cur.$ref}`);
      const ref: string = cur.$ref;
      let hit = this.resolved.get(ref);
      if (hit === undefined) {
        if (!ref.startsWith('#/')) throw new Error(`Only local references are supported: ${ref}`);
        hit = ref
          .slice(2)
          .split('/')
          .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
          .reduce((node: any, key) => (node == null ? undefined : node[key]), this.document);
        if (hit === undefined) throw new Error(`Unresolvable reference ${ref}`);
        this.resolved.set(ref, hit);
      }
      cur = hit;
    }
    return cur as T;
  }

  private indexOperations(): void {
    for (const [path, rawItem] of Object.entries<any>(this.document.paths ?? {})) {
      const item = this.deref(rawItem);
      const shared: any[] = item.parameters ?? [];
      for (const method of HTTP_METHODS) {
        const op = item[method];
        if (!op) continue;
        const operationId: string = op.operationId ?? `${method.toUpperCase()} ${path}`;
        const params = new Map<string, ParameterSpec>();
        for (const raw of [...shared, ...(op.parameters ?? [])]) {
          const p = this.deref(raw);
          params.set(`${p.in}:${p.name}`, {
            name: p.name,
            in: p.in,
            required: p.in === 'path' ? true : p.required === true,
            schema: p.schema,
          });
        }
        const body = op.requestBody ? this.deref(op.requestBody) : undefined;
        const responses = new Map<string, ResponseSpec>();
        for (const [status, rawRes] of Object.entries<any>(op.responses ?? {})) {
          const res = this.deref(rawRes);
          const headers: ResponseSpec['headers'] = {};
          for (const [name, rawH] of Object.entries<any>(res.headers ?? {})) {
            const h = this.deref(rawH);
            headers[name.toLowerCase()] = { required: h.required === true, schema: h.schema };
          }
          responses.set(status, { status, headers, contentTypes: Object.keys(res.content ?? {}) });
        }
        const pathParams: string[] = [];
        const pattern = path
          .split(/(\{[^}]+\})/)
          .map((seg) => {
            const m = /^\{([^}]+)\}$/.exec(seg);
            if (m) {
              pathParams.push(m[1]);
              return '([^/]+)';
            }
            return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          })
          .join('');
        this.operations.set(operationId, {
          operationId,
          method: method.toUpperCase(),
          path,
          parameters: [...params.values()],
          requestBody: body
            ? { required: body.required === true, contentTypes: Object.keys(body.content ?? {}) }
            : undefined,
          responses,
          pathPattern: new RegExp(`^${pattern}$`),
          pathParams,
        });
      }
    }
  }

  operation(operationId: string): Operation {
    const op = this.operations.get(operationId);
    if (!op) throw new Error(`Unknown operationId "${operationId}"`);
    return op;
  }

  /**
   * Finds the operation for a method and a concrete path (with or without the servers' base path,
   * query string ignored). Path parameters are percent-decoded; an undecodable one is kept raw.
   */
  findOperation(method: string, rawPath: string): OperationMatch | undefined {
    let path = rawPath.split('?')[0];
    if (this.basePath && (path === this.basePath || path.startsWith(this.basePath + '/'))) {
      path = path.slice(this.basePath.length) || '/';
    }
    const upper = method.toUpperCase();
    for (const op of this.operations.values()) {
      if (op.method !== upper) continue;
      const m = op.pathPattern.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      op.pathParams.forEach((name, i) => {
        params[name] = safeDecode(m[i + 1]);
      });
      return { operation: op, params };
    }
    return undefined;
  }

  /** Finds the declared response for a status: exact, then `4XX`-style range, then `default`. */
  responseFor(op: Operation, status: number): ResponseSpec | undefined {
    return (
      op.responses.get(String(status)) ??
      op.responses.get(`${String(status)[0]}XX`) ??
      op.responses.get('default')
    );
  }

  /** The compiled validator of a request body for a content type (compiled once). */
  requestBodyValidator(op: Operation, contentType: string): ValidateFunction | undefined {
    return this.cached(`${op.operationId}|request|${contentType}`, () => {
      const body = this.deref(this.document.paths[op.path][op.method.toLowerCase()].requestBody);
      const schema = body?.content?.[contentType]?.schema;
      return schema === undefined ? undefined : convertSchema(schema, 'request');
    });
  }

  /** The compiled validator of a response body for a declared status key and content type. */
  responseBodyValidator(op: Operation, statusKey: string, contentType: string): ValidateFunction | undefined {
    return this.cached(`${op.operationId}|${statusKey}|${contentType}`, () => {
      const res = this.deref(this.document.paths[op.path][op.method.toLowerCase()].responses[statusKey]);
      const schema = res?.content?.[contentType]?.schema;
      return schema === undefined ? undefined : convertSchema(schema, 'response');
    });
  }

  /** The compiled validator of a parameter or header schema (compiled once). */
  valueValidator(key: string, schema: unknown, direction: Direction): ValidateFunction | undefined {
    if (schema === undefined) return undefined;
    return this.cached(`value|${direction}|${key}`, () => convertSchema(schema, direction));
  }

  /** Compiles a component schema by name, e.g. `error` (used by checks that name a schema). */
  componentValidator(name: string, direction: Direction = 'response'): ValidateFunction {
    const v = this.cached(`component|${direction}|${name}`, () => ({
      $ref: `inklink-mock:${direction}#/definitions/${name}`,
    }));
    if (!v) throw new Error(`Unknown component schema "${name}"`);
    return v;
  }

  private cached(key: string, make: () => unknown): ValidateFunction | undefined {
    if (this.validators.has(key)) return this.validators.get(key);
    const schema = make();
    const fn = schema === undefined ? undefined : this.ajv.compile(schema as object);
    this.validators.set(key, fn as ValidateFunction);
    return fn;
  }
}

function basePathOf(doc: OpenApiDocument): string {
  const url: unknown = doc.servers?.[0]?.url;
  if (typeof url !== 'string') return '';
  try {
    const p = new URL(url, 'http://placeholder').pathname.replace(/\/+$/, '');
    return p === '/' ? '' : p;
  } catch {
    return '';
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Matches a media type against declared ones (`application/json`, `application/*`, `*\/*`). */
export function matchContentType(actual: string | undefined, declared: string[]): string | undefined {
  if (!actual) return undefined;
  const mt = actual.split(';')[0].trim().toLowerCase();
  for (const d of declared) {
    const dl = d.toLowerCase();
    if (dl === mt) return d;
  }
  for (const d of declared) {
    const dl = d.toLowerCase();
    if (dl === '*/*') return d;
    if (dl.endsWith('/*') && mt.startsWith(dl.slice(0, -1))) return d;
    // `application/problem+json` satisfies `application/json`-style suffix declarations only if declared.
  }
  return undefined;
}

let defaultSpec: CompiledSpec | undefined;

/** The project's `openapi.json`, compiled once per process. */
export function getSpec(): CompiledSpec {
  if (!defaultSpec) defaultSpec = new CompiledSpec(embeddedDocument as OpenApiDocument);
  return defaultSpec;
}

/** Reads and compiles an OpenAPI 3.0 JSON document from a file (`--spec FILE`). */
export function loadSpecFile(file: string): CompiledSpec {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read ${file} as JSON: ${(e as Error).message}`);
  }
  return new CompiledSpec(doc as OpenApiDocument);
}

/** Compiles another document (e.g. `--spec FILE`) with the same rules. */
export function compileSpec(document: OpenApiDocument): CompiledSpec {
  return new CompiledSpec(document);
}

export { embeddedDocument };
