/**
 * The operations of an OpenAPI 3.0 document, indexed for routing: each operation's parameters,
 * request body and declared responses (references resolved), and a pattern that matches its
 * concrete paths, with or without the servers' base path. No schema is compiled here (spec.ts
 * compiles them); routing a request needs only this.
 */
/** A JSON document walked generically (here and by the mock): each part is checked where it is read. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an OpenAPI document read generically
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

/** Resolves a local `#/...` reference of the document. */
export type Deref = <T = unknown>(value: unknown) => T;

/** The parts of the OpenAPI objects that indexing reads (references resolved by `Deref`). */
interface PathItemObject {
  parameters?: unknown[];
  [method: string]: unknown;
}
interface OperationObject {
  operationId?: string;
  parameters?: unknown[];
  requestBody?: unknown;
  responses?: Record<string, unknown>;
}
interface ParameterObject {
  name: string;
  in: ParameterSpec['in'];
  required?: boolean;
  schema?: unknown;
}
interface RequestBodyObject {
  required?: boolean;
  content?: Record<string, unknown>;
}
interface ResponseObject {
  headers?: Record<string, unknown>;
  content?: Record<string, unknown>;
}
interface HeaderObject {
  required?: boolean;
  schema?: unknown;
}

/** The document's operations by operationId, and by upper-case method for routing. */
export interface OperationIndex {
  operations: Map<string, Operation>;
  byMethod: Map<string, Operation[]>;
  /** Path prefix of `servers[0].url` (e.g. `/api/v1`); requests may carry it or not. */
  basePath: string;
}

export function indexOperations(document: OpenApiDocument, deref: Deref): OperationIndex {
  const operations = new Map<string, Operation>();
  const byMethod = new Map<string, Operation[]>();
  for (const [path, rawItem] of Object.entries<unknown>(document.paths ?? {})) {
    const item = deref<PathItemObject>(rawItem);
    const shared: unknown[] = item.parameters ?? [];
    for (const method of HTTP_METHODS) {
      const op = item[method] as OperationObject | undefined;
      if (!op) continue;
      const operationId: string = op.operationId ?? `${method.toUpperCase()} ${path}`;
      const params = new Map<string, ParameterSpec>();
      for (const raw of [...shared, ...(op.parameters ?? [])]) {
        const p = deref<ParameterObject>(raw);
        params.set(`${p.in}:${p.name}`, {
          name: p.name,
          in: p.in,
          required: p.in === 'path' ? true : p.required === true,
          schema: p.schema,
        });
      }
      const body = op.requestBody ? deref<RequestBodyObject>(op.requestBody) : undefined;
      const responses = new Map<string, ResponseSpec>();
      for (const [status, rawRes] of Object.entries<unknown>(op.responses ?? {})) {
        const res = deref<ResponseObject>(rawRes);
        const headers: ResponseSpec['headers'] = {};
        for (const [name, rawH] of Object.entries<unknown>(res.headers ?? {})) {
          const h = deref<HeaderObject>(rawH);
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
      const operation: Operation = {
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
      };
      operations.set(operationId, operation);
      const upper = method.toUpperCase();
      if (!byMethod.has(upper)) byMethod.set(upper, []);
      byMethod.get(upper)!.push(operation);
    }
  }
  return { operations, byMethod, basePath: basePathOf(document) };
}

/**
 * Finds the operation for a method and a concrete path (with or without the servers' base path,
 * query string ignored). Path parameters are percent-decoded; an undecodable one is kept raw.
 */
export function findOperation(index: OperationIndex, method: string, rawPath: string): OperationMatch | undefined {
  const q = rawPath.indexOf('?');
  let path = q < 0 ? rawPath : rawPath.slice(0, q);
  const base = index.basePath;
  if (base && path.startsWith(base) && (path.length === base.length || path.charCodeAt(base.length) === 47)) {
    path = path.slice(base.length) || '/';
  }
  const candidates = index.byMethod.get(method) ?? index.byMethod.get(method.toUpperCase());
  if (!candidates) return undefined;
  for (let i = 0; i < candidates.length; i++) {
    const op = candidates[i];
    const m = op.pathPattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    for (let j = 0; j < op.pathParams.length; j++) params[op.pathParams[j]] = safeDecode(m[j + 1]);
    return { operation: op, params };
  }
  return undefined;
}

/**
 * The methods the document declares for a concrete path (any method), in the document's order:
 * empty when no operation has that path. A wrong method on a known path is answered 405 with them
 * in `Allow`.
 */
export function allowedMethods(index: OperationIndex, rawPath: string): string[] {
  const q = rawPath.indexOf('?');
  let path = q < 0 ? rawPath : rawPath.slice(0, q);
  const base = index.basePath;
  if (base && path.startsWith(base) && (path.length === base.length || path.charCodeAt(base.length) === 47)) {
    path = path.slice(base.length) || '/';
  }
  const methods: string[] = [];
  for (const op of index.operations.values()) {
    if (op.pathPattern.test(path) && !methods.includes(op.method)) methods.push(op.method);
  }
  return methods;
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
  if (s.indexOf('%') < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
