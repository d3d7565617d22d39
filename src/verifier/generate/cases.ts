/**
 * generated_requests' cases: from the compiled openapi.json, for each operation the refusal table
 * lists, requests with each part (the api key, the path id, the body) valid or missing, empty or
 * malformed; and what each should get, derived from the documented order of the operation's
 * refusals (OPERATION_REFUSALS) and never from an implementation. A case is data (which form each
 * part takes), so that it can be described, sent, shrunk and printed as a curl command.
 */
import { API_KEY_HEADER, ID_PREFIX } from '../../../core/inklink';
import { matchContentType } from '../../../core/media-type';
import { describeRefusal, OPERATION_REFUSALS, type RefusalKind } from '../../../core/refusals';
import type { CompiledSpec, Operation } from '../../../core/spec';
import type { Expectation } from '../context';
import { OPERATION_REQUESTS } from '../requests';
import type { Random } from './random';

/** Which organization a key or an endpoint belongs to. */
export type Org = 'primary' | 'other';

/** The keys a case may use, by role. */
export type KeyRole = 'admin' | 'member' | 'otherOrg';

/** How a case edits a real key or id it is a near miss of (applied in memory, printed as shell). */
export type Edit =
  | { op: 'swapcase' }
  | { op: 'swapcaseAt'; at: number }
  | { op: 'cut'; keep: number }
  | { op: 'extend'; add: string }
  | { op: 'replaceAt'; at: number; with: string }
  | { op: 'prefix'; add: string }
  | { op: 'double' };

/** Where a valid key is sent instead of the api-key header. */
export type Elsewhere = 'query api-key' | 'query api_key' | 'Authorization: Bearer' | 'Authorization' | 'x-api-key';

export type KeyForm =
  | { kind: 'valid'; role: KeyRole }
  | { kind: 'absent' }
  /** A value made up by the case (empty, odd bytes, odd lengths): never a real key. */
  | { kind: 'literal'; value: string; what: string }
  | { kind: 'near'; role: KeyRole; edit: Edit; what: string }
  | { kind: 'elsewhere'; role: KeyRole; where: Elsewhere };

export type IdForm =
  | { kind: 'own' }
  | { kind: 'foreign' }
  | { kind: 'literal'; value: string; what: string }
  | { kind: 'near'; edit: Edit; what: string };

/** One change to a body field: removed, or set to a value; `valid` says whether the schema allows it. */
export interface FieldEdit {
  field: string;
  what: string;
  remove?: true;
  value?: unknown;
  valid: boolean;
}

/** A body as a whole that is not a JSON object of the declared content type (or is, in another spelling). */
export interface WholeBody {
  what: string;
  /** The bytes sent (undefined: no body at all). */
  text?: string;
  contentType?: string;
  valid: boolean;
}

export type BodyForm = { kind: 'fields'; edits: FieldEdit[] } | { kind: 'whole'; body: WholeBody };

export interface GeneratedCase {
  operationId: string;
  key: KeyForm;
  /** Operations with `{id}` in their path. */
  id?: IdForm;
  /** Operations with a request body. */
  body?: BodyForm;
}

/** What the cases are made from: the run's keys, endpoints and a url a created endpoint may have. */
export interface CaseValues {
  keys: { admin: string; member: string; otherOrg?: string };
  /** An endpoint of the primary organization the run may rotate. */
  ownId: string;
  /** An endpoint of the other organization (with --other-org-key). */
  foreignId?: string;
  /** A url an endpoint may be created with. */
  validUrl: string;
  runId: string;
}

/** An operation generated_requests can send: its parts and its body's schema. */
export interface OperationModel {
  operationId: string;
  /** The refusals it can give, in the order it checks them (OPERATION_REFUSALS). */
  refusals: readonly RefusalKind[];
  hasId: boolean;
  body?: BodyModel;
  /** The success statuses it declares (openapi.json): what a request that breaks no rule gets. */
  successStatuses: number[];
}

export interface BodyModel {
  contentTypes: string[];
  required: boolean;
  /** The object schema's properties (references resolved), the required ones, and extra members. */
  properties: Record<string, SchemaObject>;
  requiredFields: string[];
  additionalProperties: boolean;
}

/** The parts of an OpenAPI 3.0 schema object the generator reads. */
export interface SchemaObject {
  type?: string;
  format?: string;
  enum?: unknown[];
  nullable?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  items?: SchemaObject;
  properties?: Record<string, SchemaObject>;
  required?: string[];
  additionalProperties?: unknown;
}

/** The operations of the spec that the refusal table orders and requests.ts can send. */
export function operationModels(
  spec: CompiledSpec,
  table: Readonly<Record<string, readonly RefusalKind[]>> = OPERATION_REFUSALS,
): OperationModel[] {
  const out: OperationModel[] = [];
  for (const op of spec.operations.values()) {
    const refusals = table[op.operationId];
    if (!refusals || !OPERATION_REQUESTS[op.operationId]) continue;
    if (!op.parameters.some((p) => p.in === 'header' && p.name.toLowerCase() === API_KEY_HEADER && p.required))
      continue;
    const successStatuses = [...op.responses.keys()].filter((s) => /^2\d\d$/.test(s)).map(Number);
    out.push({
      operationId: op.operationId,
      refusals,
      hasId: op.pathParams.includes('id'),
      body: bodyModel(spec, op),
      successStatuses,
    });
  }
  return out;
}

function bodyModel(spec: CompiledSpec, op: Operation): BodyModel | undefined {
  if (!op.requestBody) return undefined;
  const raw = spec.deref<{ content?: Record<string, { schema?: unknown }> }>(
    spec.document.paths[op.path][op.method.toLowerCase()].requestBody,
  );
  const json = matchContentType('application/json', op.requestBody.contentTypes);
  const schema = resolve(spec, json ? raw.content?.[json]?.schema : undefined);
  const properties: Record<string, SchemaObject> = {};
  for (const [name, s] of Object.entries(schema.properties ?? {})) properties[name] = resolve(spec, s);
  return {
    contentTypes: op.requestBody.contentTypes,
    required: op.requestBody.required,
    properties,
    requiredFields: schema.required ?? [],
    additionalProperties: schema.additionalProperties !== false,
  };
}

/** A schema with its references resolved, its items' too. */
function resolve(spec: CompiledSpec, s: unknown): SchemaObject {
  const out = { ...spec.deref<SchemaObject>(s ?? {}) };
  if (out.items) out.items = resolve(spec, out.items);
  return out;
}

// ---- What a case should get -----------------------------------------------------------------

const keyOrg = (role: KeyRole): Org => (role === 'otherOrg' ? 'other' : 'primary');

/** The refusals a case provokes, whatever their order (the operation's table orders them). */
export function provoked(c: GeneratedCase): RefusalKind[] {
  const out = new Set<RefusalKind>();
  const key = c.key.kind === 'valid' ? c.key.role : undefined;
  if (!key) out.add('unauthenticated');
  else if (key === 'member') out.add('forbidden');
  if (c.id) {
    const owner = c.id.kind === 'own' ? 'primary' : c.id.kind === 'foreign' ? 'other' : undefined;
    if (!owner || (key && owner !== keyOrg(key))) out.add('endpoint_not_found');
  }
  if (c.body && !bodyValid(c.body)) out.add('invalid_input');
  return [...out];
}

export const bodyValid = (b: BodyForm): boolean => (b.kind === 'whole' ? b.body.valid : b.edits.every((e) => e.valid));

/**
 * What a case should get: the first of the refusals it provokes in the operation's documented
 * order, or success when it provokes none.
 */
export function expectedAnswer(c: GeneratedCase, refusals: readonly RefusalKind[]): Expectation {
  const kinds = provoked(c);
  const stray = kinds.filter((k) => !refusals.includes(k));
  if (stray.length) throw new Error(`${c.operationId} does not list ${stray.join(', ')} in OPERATION_REFUSALS`);
  return refusals.find((k) => kinds.includes(k)) ?? 'success';
}

// ---- The forms each part may take ----------------------------------------------------------

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const randomText = (r: Random, n: number, alphabet = ALNUM) =>
  Array.from({ length: n }, () => alphabet[r.int(alphabet.length)]).join('');
const isLetter = (ch: string) => ch.toLowerCase() !== ch.toUpperCase();
const swap = (ch: string) => (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase());

/** A character other than `ch` (from the alphabet a real value is made of). */
const otherThan = (r: Random, ch: string) => {
  const pool = ALNUM.replace(ch, '');
  return pool[r.int(pool.length)];
};

/** The near misses of a real value (a key or an id), each different from it. */
function nearMisses(r: Random, value: string): { edit: Edit; what: string }[] {
  const letters = [...value].flatMap((ch, i) => (isLetter(ch) ? [i] : []));
  const out: { edit: Edit; what: string }[] = [];
  if (letters.length) {
    out.push({ edit: { op: 'swapcase' }, what: 'with its case changed' });
    out.push({ edit: { op: 'swapcaseAt', at: r.pick(letters) }, what: 'with the case of one letter changed' });
  }
  if (value.length > 1) {
    out.push({ edit: { op: 'cut', keep: value.length - 1 }, what: 'cut short by one character' });
    out.push({ edit: { op: 'cut', keep: 1 + r.int(value.length - 1) }, what: 'cut short' });
  }
  out.push({ edit: { op: 'extend', add: randomText(r, 1 + r.int(3)) }, what: 'extended' });
  const at = r.int(value.length);
  out.push({ edit: { op: 'replaceAt', at, with: otherThan(r, value[at]) }, what: 'one character off' });
  out.push({ edit: { op: 'double' }, what: 'twice over' });
  return out;
}

export function applyEdit(value: string, e: Edit): string {
  switch (e.op) {
    case 'swapcase':
      return [...value].map(swap).join('');
    case 'swapcaseAt':
      return value.slice(0, e.at) + swap(value[e.at]) + value.slice(e.at + 1);
    case 'cut':
      return value.slice(0, e.keep);
    case 'extend':
      return value + e.add;
    case 'replaceAt':
      return value.slice(0, e.at) + e.with + value.slice(e.at + 1);
    case 'prefix':
      return e.add + value;
    case 'double':
      return value + value;
  }
}

/** Every form of the api key a case may take but the valid admin key (the default). */
export function keyForms(r: Random, v: CaseValues): KeyForm[] {
  const forms: KeyForm[] = [
    { kind: 'absent' },
    { kind: 'literal', value: '', what: 'empty' },
    { kind: 'literal', value: ID_PREFIX.apiKey, what: 'only the key prefix' },
    { kind: 'literal', value: randomText(r, 1), what: 'one character long' },
    { kind: 'literal', value: randomText(r, 1024 + r.int(1024)), what: 'over a thousand characters long' },
    { kind: 'literal', value: `${ID_PREFIX.apiKey} ${randomText(r, 20)}`, what: 'with a space inside' },
    { kind: 'literal', value: `${ID_PREFIX.apiKey}\t${randomText(r, 20)}`, what: 'with a tab inside' },
    {
      kind: 'literal',
      value: `${ID_PREFIX.apiKey}${randomText(r, 12, '\u00e9\u00ff\u00a0\u00c0\u0080')}`,
      what: 'with bytes outside ASCII',
    },
    { kind: 'literal', value: `${ID_PREFIX.apiKey}"';\\%00<>`, what: 'with quotes and punctuation' },
    { kind: 'valid', role: 'member' },
  ];
  if (v.keys.otherOrg) forms.push({ kind: 'valid', role: 'otherOrg' });
  for (const n of nearMisses(r, v.keys.admin))
    forms.push({ kind: 'near', role: 'admin', edit: n.edit, what: `the admin key ${n.what}` });
  forms.push({
    kind: 'near',
    role: 'admin',
    edit: { op: 'prefix', add: 'Bearer ' },
    what: 'the admin key after "Bearer "',
  });
  const elsewhere: Elsewhere[] = [
    'query api-key',
    'query api_key',
    'Authorization: Bearer',
    'Authorization',
    'x-api-key',
  ];
  for (const where of elsewhere) forms.push({ kind: 'elsewhere', role: 'admin', where });
  return forms;
}

/** Every form of the path id but the run's own endpoint (the default). */
export function idForms(r: Random, v: CaseValues): IdForm[] {
  const rest = v.ownId.slice(ID_PREFIX.endpoint.length);
  const forms: IdForm[] = [
    { kind: 'literal', value: `${ID_PREFIX.endpoint}${v.runId}${randomText(r, 16)}`, what: 'unknown' },
    { kind: 'literal', value: randomText(r, 1 + r.int(24)), what: 'without the wh_end_ prefix' },
    { kind: 'literal', value: ID_PREFIX.endpoint, what: 'only the wh_end_ prefix' },
    { kind: 'literal', value: `${ID_PREFIX.event}${rest}`, what: 'with the prefix of an event id' },
    { kind: 'literal', value: `${ID_PREFIX.endpoint.toUpperCase()}${rest}`, what: 'with its prefix upper-cased' },
    { kind: 'literal', value: `${ID_PREFIX.endpoint}${randomText(r, 129 + r.int(200))}`, what: 'too long' },
    {
      kind: 'literal',
      value: `${ID_PREFIX.endpoint}${randomText(r, 8, ' \u00e9%+&=~!*()\'"<>@$,;:[]{}|^`')}`,
      what: 'with characters an id never has',
    },
    ...nearMisses(r, v.ownId).map((n) => ({
      kind: 'near' as const,
      edit: n.edit,
      what: `the endpoint's id ${n.what}`,
    })),
  ];
  if (v.foreignId) forms.push({ kind: 'foreign' });
  // A near miss that is the id itself (its case changed, in an id without letters) is none.
  return forms.filter((f) => f.kind !== 'near' || applyEdit(v.ownId, f.edit) !== v.ownId);
}

/** A valid value of a schema (the body's defaults, and what wrong types are told apart from). */
function validValue(s: SchemaObject, v: CaseValues, r: Random): unknown {
  if (s.enum?.length) return r.pick(s.enum);
  switch (s.type) {
    case 'string':
      return s.format === 'uri' ? v.validUrl : 'x'.repeat(Math.max(1, s.minLength ?? 1));
    case 'boolean':
      return r.int(2) === 0;
    case 'integer':
    case 'number':
      return 1;
    case 'array': {
      const n = Math.max(1, s.minItems ?? 1);
      const pool = s.items?.enum;
      if (pool?.length) return shuffled(r, pool).slice(0, Math.max(n, 1 + r.int(pool.length)));
      return Array.from({ length: n }, () => validValue(s.items ?? {}, v, r));
    }
    default:
      return {};
  }
}

function shuffled<T>(r: Random, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Values of every other JSON type than the schema's. */
function wrongTypes(s: SchemaObject): { what: string; value: unknown }[] {
  const all: Record<string, { what: string; value: unknown }> = {
    string: { what: 'a string', value: 'true' },
    number: { what: 'a number', value: 5 },
    boolean: { what: 'a boolean', value: true },
    array: { what: 'an array', value: [] },
    object: { what: 'an object', value: {} },
  };
  const own = s.type === 'integer' ? 'number' : s.type;
  return Object.entries(all)
    .filter(([t]) => t !== own)
    .map(([, w]) => w);
}

/** Strings shaped like a member of an enum and not in it. */
function nearMembers(r: Random, members: readonly unknown[]): { what: string; value: string }[] {
  const m = String(r.pick(members));
  const candidates = [
    { what: 'upper-cased', value: m.toUpperCase() },
    { what: 'with a suffix', value: `${m}_x` },
    { what: 'with a trailing space', value: `${m} ` },
    { what: 'with its last part unknown', value: m.replace(/[^.]+$/, 'unknown') },
  ];
  return candidates.filter((c) => !members.includes(c.value));
}

/** Every edit of each field of a body: each one valid or not by its schema, never by an implementation. */
export function fieldEdits(r: Random, body: BodyModel, v: CaseValues): FieldEdit[] {
  const out: FieldEdit[] = [];
  for (const [field, s] of Object.entries(body.properties)) {
    const required = body.requiredFields.includes(field);
    const edit = (what: string, value: unknown, valid: boolean) => out.push({ field, what, value, valid });
    out.push({ field, what: 'absent', remove: true, valid: !required });
    edit('null', null, s.nullable === true);
    for (const w of wrongTypes(s)) edit(w.what, w.value, false);
    edit('valid', validValue(s, v, r), true);
    if (s.type === 'string') {
      const free = !s.format && !s.pattern && !s.enum;
      if (s.maxLength !== undefined && free) {
        edit(`${s.maxLength} characters long (its limit)`, randomText(r, s.maxLength), true);
        edit(`${s.maxLength} characters outside ASCII (its limit)`, '\u00e9'.repeat(s.maxLength), true);
        edit(`${s.maxLength + 1} characters long (over its limit)`, randomText(r, s.maxLength + 1), false);
      }
      if (s.minLength !== undefined && s.minLength > 0 && free)
        edit(`${s.minLength - 1} characters long (under its limit)`, 'x'.repeat(s.minLength - 1), false);
      if (s.format === 'uri') {
        edit('not a URI', `not a uri ${randomText(r, 4)}`, false);
        edit('a relative reference', `hooks/${randomText(r, 6)}`, false);
        edit('empty', '', false);
      }
      if (s.enum) for (const n of nearMembers(r, s.enum)) edit(`an enum member ${n.what}`, n.value, false);
    }
    if (s.type === 'array') {
      if (s.minItems !== undefined && s.minItems > 0) edit(`${s.minItems - 1} items (under its limit)`, [], false);
      const items = s.items ?? {};
      const good = validValue(s, v, r) as unknown[];
      if (items.enum?.length) {
        for (const n of nearMembers(r, items.enum))
          edit(`with an item that is an enum member ${n.what}`, [...good, n.value], false);
        edit('every member of the enum', [...items.enum], true);
      }
      for (const w of wrongTypes(items).slice(0, 2)) edit(`with an item that is ${w.what}`, [...good, w.value], false);
      edit('with a null item', [...good, null], items.nullable === true);
    }
  }
  out.push({
    field: `x_generated_${randomText(r, 4).toLowerCase()}`,
    what: 'an extra field',
    value: randomText(r, 6),
    valid: body.additionalProperties,
  });
  return out;
}

/** Every body of the operation that is not a JSON object of its declared content type, or is one spelt otherwise. */
export function wholeBodies(r: Random, body: BodyModel, v: CaseValues): WholeBody[] {
  const json = matchContentType('application/json', body.contentTypes) ?? 'application/json';
  const good = JSON.stringify(baseBody(body, v));
  const declared = (t: string) => matchContentType(t, body.contentTypes) !== undefined;
  const other = (what: string, text: string, contentType: string): WholeBody => ({
    what,
    text,
    contentType,
    valid: declared(contentType) && isJsonObject(text),
  });
  return [
    { what: 'no body', valid: !body.required },
    other('an empty body', '', json),
    other('JSON cut short', good.slice(0, 1 + r.int(good.length - 1)), json),
    other('JSON with single quotes', good.replace(/"/g, "'"), json),
    other('a form-encoded body labelled JSON', `url=${encodeURIComponent(v.validUrl)}`, json),
    other('an array', `[${good}]`, json),
    other('a string', JSON.stringify(good), json),
    other('a number', String(r.int(1000)), json),
    other('null', 'null', json),
    other('true', 'true', json),
    other('the body as text/plain', good, 'text/plain'),
    other('the body as a form', `url=${encodeURIComponent(v.validUrl)}`, 'application/x-www-form-urlencoded'),
    other('the body as XML', `<body><url>${v.validUrl}</url></body>`, 'application/xml'),
    other('the body with a charset', good, `${json}; charset=utf-8`),
  ];
}

const isJsonObject = (text: string) => {
  try {
    const v: unknown = JSON.parse(text);
    return !!v && typeof v === 'object' && !Array.isArray(v);
  } catch {
    return false;
  }
};

/** The smallest valid body: the required fields only. */
export function baseBody(body: BodyModel, v: CaseValues): Record<string, unknown> {
  const fixed: Random = { int: () => 0, pick: (xs) => xs[0], fork: () => fixed };
  return Object.fromEntries(body.requiredFields.map((f) => [f, validValue(body.properties[f] ?? {}, v, fixed)]));
}

/** The body a case sends, with its content type (undefined text: none). */
export function bodyOf(b: BodyForm, body: BodyModel, v: CaseValues): { text?: string; contentType?: string } {
  if (b.kind === 'whole') return { text: b.body.text, contentType: b.body.contentType };
  const out = baseBody(body, v);
  for (const e of b.edits) {
    if (e.remove) delete out[e.field];
    else out[e.field] = e.value;
  }
  return { text: JSON.stringify(out), contentType: matchContentType('application/json', body.contentTypes) };
}

// ---- Cases ---------------------------------------------------------------------------------

/** What the catalogue of one operation is: every form of each part, one part changed at a time. */
export function singleCases(r: Random, op: OperationModel, v: CaseValues): GeneratedCase[] {
  const base = defaultCase(op);
  const out: GeneratedCase[] = keyForms(r, v).map((key) => ({ ...base, key }));
  if (op.hasId) for (const id of idForms(r, v)) out.push({ ...base, id });
  if (op.body) {
    for (const e of fieldEdits(r, op.body, v)) out.push({ ...base, body: { kind: 'fields', edits: [e] } });
    for (const w of wholeBodies(r, op.body, v)) out.push({ ...base, body: { kind: 'whole', body: w } });
  }
  return out;
}

/** The forms of each part that provoke a refusal, by kind (the others are valid forms, or provoke another). */
function provoking(r: Random, op: OperationModel, v: CaseValues, kind: RefusalKind): Partial<GeneratedCase>[] {
  const base = defaultCase(op);
  const only = (c: Partial<GeneratedCase>) => {
    const kinds = provoked({ ...base, ...c });
    return kinds.length === 1 && kinds[0] === kind;
  };
  const forms: Partial<GeneratedCase>[] = [
    ...keyForms(r, v).map((key) => ({ key })),
    ...(op.hasId ? idForms(r, v).map((id) => ({ id })) : []),
    ...(op.body
      ? [
          ...fieldEdits(r, op.body, v).map((e) => ({ body: { kind: 'fields' as const, edits: [e] } })),
          ...wholeBodies(r, op.body, v).map((w) => ({ body: { kind: 'whole' as const, body: w } })),
        ]
      : []),
  ];
  return forms.filter(only);
}

/**
 * Which part of a request a form changes, and how, coarsely: the key by kind and role, the id by
 * kind, a body by the field it edits (or as a whole). Pairs cover each group of each side.
 */
function formGroup(f: Partial<GeneratedCase>): string {
  if (f.key) return `key:${f.key.kind}:${'role' in f.key ? f.key.role : ''}`;
  if (f.id) return `id:${f.id.kind}`;
  if (f.body?.kind === 'fields') return `field:${f.body.edits.map((e) => e.field).join(',')}`;
  return 'body:whole';
}

/** The forms, one per group (the first of each group the seed's shuffle gives). */
function onePerGroup(r: Random, forms: Partial<GeneratedCase>[]): Partial<GeneratedCase>[] {
  const groups = new Map<string, Partial<GeneratedCase>>();
  for (const f of shuffled(r, forms)) if (!groups.has(formGroup(f))) groups.set(formGroup(f), f);
  return [...groups.values()];
}

/**
 * For every two refusals of an operation that answer differently and can meet in one request (they
 * are provoked by different parts), cases that provoke both: each group of forms provoking either
 * (onePerGroup) meets a form provoking the other, so the order is at stake for every part and
 * field, whatever the seed.
 */
export function pairCases(r: Random, op: OperationModel, v: CaseValues): GeneratedCase[] {
  const out: GeneratedCase[] = [];
  op.refusals.forEach((a, i) => {
    for (const b of op.refusals.slice(i + 1)) {
      if (describeRefusal(a) === describeRefusal(b)) continue;
      // Only cases that still provoke both (some forms provoke theirs only beside a valid key).
      const meet = (x: Partial<GeneratedCase>, others: Partial<GeneratedCase>[]) => {
        const ys = others
          .filter((f) => Object.keys(f).every((part) => !(part in x)))
          .map((y) => ({ ...defaultCase(op), ...x, ...y }))
          .filter((c) => {
            const kinds = provoked(c);
            return kinds.includes(a) && kinds.includes(b);
          });
        if (ys.length) out.push(r.pick(ys));
      };
      const as = provoking(r, op, v, a);
      const bs = provoking(r, op, v, b);
      for (const x of onePerGroup(r, as)) meet(x, bs);
      for (const y of onePerGroup(r, bs)) meet(y, as);
    }
  });
  return out;
}

/** The request of an operation that should succeed: the admin key, the run's endpoint, the smallest valid body. */
export function defaultCase(op: OperationModel): GeneratedCase {
  return {
    operationId: op.operationId,
    key: { kind: 'valid', role: 'admin' },
    ...(op.hasId ? { id: { kind: 'own' } } : {}),
    ...(op.body ? { body: { kind: 'fields', edits: [] } } : {}),
  };
}

/** A case with several parts changed at once (the order of the refusals is at stake). */
function combinedCase(r: Random, op: OperationModel, v: CaseValues): GeneratedCase {
  for (;;) {
    const c = defaultCase(op);
    if (r.int(2)) c.key = r.pick(keyForms(r, v));
    if (op.hasId && r.int(2)) c.id = r.pick(idForms(r, v));
    if (op.body && r.int(2)) {
      if (r.int(4) === 0) c.body = { kind: 'whole', body: r.pick(wholeBodies(r, op.body, v)) };
      else {
        const edits = fieldEdits(r, op.body, v);
        const chosen = new Map<string, FieldEdit>();
        for (let i = 1 + r.int(3); i > 0; i--) {
          const e = r.pick(edits);
          chosen.set(e.field, e);
        }
        c.body = { kind: 'fields', edits: [...chosen.values()] };
      }
    }
    if (changedParts(c).length >= 2 || (changedParts(c).length === 1 && !op.hasId && !op.body)) return c;
  }
}

/** The parts of a case that are not those of a request that should succeed. */
export function changedParts(c: GeneratedCase): ('key' | 'id' | 'body')[] {
  const out: ('key' | 'id' | 'body')[] = [];
  if (!(c.key.kind === 'valid' && c.key.role === 'admin')) out.push('key');
  if (c.id && c.id.kind !== 'own') out.push('id');
  if (c.body && !(c.body.kind === 'fields' && c.body.edits.length === 0)) out.push('body');
  return out;
}

/**
 * The cases of a run: first every form of every part of every operation once (each on its own),
 * and a few cases for every two refusals that can meet in one request, in an order the seed
 * shuffles; then cases that change several parts at once, `count` in all.
 */
export function generateCases(
  r: Random,
  ops: readonly OperationModel[],
  v: CaseValues,
  count: number,
): GeneratedCase[] {
  const singles = shuffled(
    r,
    ops.flatMap((op) => [...singleCases(r.fork(), op, v), ...pairCases(r.fork(), op, v)]),
  );
  const out = singles.slice(0, count);
  while (out.length < count) {
    const op = r.pick(ops);
    out.push(combinedCase(r.fork(), op, v));
  }
  return out;
}

// ---- Describing and shrinking ----------------------------------------------------------------

const ROLE_TEXT: Record<KeyRole, string> = {
  admin: 'the admin key',
  member: 'a member key',
  otherOrg: "another organization's key",
};

export function describeKey(k: KeyForm): string {
  switch (k.kind) {
    case 'valid':
      return ROLE_TEXT[k.role];
    case 'absent':
      return 'no api-key';
    case 'literal':
      return `an api-key ${k.what}`;
    case 'near':
      return k.what;
    case 'elsewhere': {
      const where = k.where.startsWith('query') ? `the query (${k.where.slice(6)})` : k.where;
      return `${ROLE_TEXT[k.role]} in ${where} instead of the api-key header`;
    }
  }
}

export function describeId(i: IdForm): string {
  switch (i.kind) {
    case 'own':
      return "the organization's endpoint";
    case 'foreign':
      return "another organization's endpoint";
    case 'literal':
      return `an endpoint id ${i.what}`;
    case 'near':
      return i.what;
  }
}

export function describeBody(b: BodyForm): string {
  if (b.kind === 'whole') return b.body.what;
  if (b.edits.length === 0) return 'a valid body';
  return b.edits.map((e) => `${e.field} ${e.what}`).join(', ');
}

/** `createWebhookEndpoint with the admin key cut short and name 121 characters long`. */
export function describeCase(c: GeneratedCase): string {
  const parts = changedParts(c).map((p) =>
    p === 'key' ? describeKey(c.key) : p === 'id' ? describeId(c.id!) : describeBody(c.body!),
  );
  return `${c.operationId} with ${parts.length ? parts.join(' and ') : 'every part valid'}`;
}

/** How big a case is, to shrink towards: the parts it changes first, then its length. */
export function caseSize(c: GeneratedCase, v: CaseValues): number {
  const key =
    c.key.kind === 'literal'
      ? c.key.value.length
      : c.key.kind === 'near'
        ? applyEdit(v.keys.admin, c.key.edit).length
        : 0;
  const id = c.id?.kind === 'literal' ? c.id.value.length : 0;
  const body =
    c.body?.kind === 'whole'
      ? (c.body.body.text ?? '').length
      : JSON.stringify(c.body?.kind === 'fields' ? c.body.edits : []).length;
  const edits = c.body?.kind === 'fields' ? c.body.edits.length : 0;
  return changedParts(c).length * 100_000 + edits * 10_000 + key + id + body;
}

/**
 * The simpler cases a failing case shrinks to, smallest first: each changed part put back as a
 * request that should succeed has it, each of several body edits dropped, a key or an id replaced
 * by the simplest of its kind.
 */
export function shrinkCandidates(c: GeneratedCase, op: OperationModel, v: CaseValues): GeneratedCase[] {
  const base = defaultCase(op);
  const out: GeneratedCase[] = [];
  for (const part of changedParts(c)) out.push({ ...c, [part]: base[part] });
  if (c.body?.kind === 'fields' && c.body.edits.length > 1) {
    const { edits } = c.body;
    edits.forEach((_, i) => out.push({ ...c, body: { kind: 'fields', edits: edits.filter((__, j) => j !== i) } }));
  }
  if (c.key.kind !== 'absent' && c.key.kind !== 'valid') out.push({ ...c, key: { kind: 'absent' } });
  if (c.key.kind === 'literal' && c.key.value.length > 1)
    out.push({
      ...c,
      key: {
        ...c.key,
        value: c.key.value.slice(0, Math.ceil(c.key.value.length / 2)),
        what: `${c.key.what.replace(/ \(.*\)$/, '')} (shortened)`,
      },
    });
  if (c.id && c.id.kind !== 'own' && !(c.id.kind === 'literal' && c.id.value.length <= 1))
    out.push({ ...c, id: { kind: 'literal', value: 'x', what: 'one character long' } });
  return out.sort((a, b) => caseSize(a, v) - caseSize(b, v));
}

/** The endpoint id a case sends (undefined for an operation without one). */
export function idOf(c: GeneratedCase, v: CaseValues): string | undefined {
  if (!c.id) return undefined;
  switch (c.id.kind) {
    case 'own':
      return v.ownId;
    case 'foreign':
      return v.foreignId;
    case 'literal':
      return c.id.value;
    case 'near':
      return applyEdit(v.ownId, c.id.edit);
  }
}
