/**
 * OpenAPI 3.0 Schema Objects -> JSON Schema (draft-07) that ajv validates without surprises.
 *
 * - `nullable: true` beside `type` becomes a union with "null"; beside `$ref`, `allOf`, `oneOf`,
 *   `anyOf` or without a type it becomes `anyOf: [<schema>, {type: "null"}]` (a `$ref` with siblings
 *   is otherwise ignored by JSON Schema draft-07, which is how other validators lose `nullable`).
 * - `readOnly` properties are not required in requests and must not be sent in them; `writeOnly`
 *   properties are not required in responses and must not appear in them.
 * - OpenAPI-only keywords (`example`, `xml`, `externalDocs`, `discriminator`, `deprecated`, `x-*`)
 *   are dropped; references to `#/components/schemas/X` point at the converted definition of the
 *   same direction, so recursive schemas keep working.
 */

export type Direction = 'request' | 'response';
type Json = Record<string, unknown>;

const DROPPED = new Set(['example', 'xml', 'externalDocs', 'discriminator', 'deprecated', 'nullable']);
const SCHEMA_ARRAYS = ['allOf', 'anyOf', 'oneOf'];
const SCHEMA_MAPS = ['properties', 'patternProperties'];

export function definitionsId(direction: Direction): string {
  return `inklink-mock:${direction}`;
}

function rewriteRef(ref: string, direction: Direction): string {
  const m = /^#\/components\/schemas\/(.+)$/.exec(ref);
  if (!m) throw new Error(`Unsupported $ref "${ref}": only #/components/schemas/... is supported`);
  return `${definitionsId(direction)}#/definitions/${m[1]}`;
}

export function convertSchema(input: unknown, direction: Direction): unknown {
  if (typeof input === 'boolean') return input;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new Error(`Not a schema object: ${JSON.stringify(input)}`);
  }
  const src = input as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(src)) {
    if (DROPPED.has(key) || key.startsWith('x-')) continue;
    if (key === '$ref') {
      out.$ref = rewriteRef(String(value), direction);
    } else if (SCHEMA_ARRAYS.includes(key) && Array.isArray(value)) {
      out[key] = value.map((s) => convertSchema(s, direction));
    } else if (SCHEMA_MAPS.includes(key) && value && typeof value === 'object') {
      out[key] = Object.fromEntries(Object.entries(value as Json).map(([k, s]) => [k, convertSchema(s, direction)]));
    } else if ((key === 'items' || key === 'not') && value && typeof value === 'object') {
      out[key] = convertSchema(value, direction);
    } else if (key === 'additionalProperties' && value && typeof value === 'object') {
      out[key] = convertSchema(value, direction);
    } else {
      out[key] = value;
    }
  }

  applyReadWriteOnly(src, out, direction);

  if (src.nullable === true) return makeNullable(out);
  return out;
}

function applyReadWriteOnly(src: Json, out: Json, direction: Direction): void {
  const props = src.properties as Record<string, Json> | undefined;
  if (!props || typeof props !== 'object') return;
  const hidden = direction === 'request' ? 'readOnly' : 'writeOnly';
  const names = Object.keys(props).filter((k) => props[k] && props[k][hidden] === true);
  if (names.length === 0) return;
  if (Array.isArray(out.required)) {
    out.required = (out.required as string[]).filter((r) => !names.includes(r));
    if ((out.required as string[]).length === 0) delete out.required;
  }
  const outProps = out.properties as Json;
  for (const n of names) outProps[n] = false;
}

function makeNullable(schema: Json): Json {
  const t = schema.type;
  const composite = '$ref' in schema || SCHEMA_ARRAYS.some((k) => k in schema);
  if (typeof t === 'string' && !composite) {
    const res: Json = { ...schema, type: [t, 'null'] };
    if (Array.isArray(schema.enum) && !schema.enum.includes(null)) res.enum = [...schema.enum, null];
    return res;
  }
  if (Array.isArray(t) && !composite) {
    return t.includes('null') ? schema : { ...schema, type: [...t, 'null'] };
  }
  // `$ref` beside `nullable`, composites, or no type at all.
  return { anyOf: [schema, { type: 'null' }] };
}

/** The `components.schemas` of a document as one JSON Schema with `definitions`, per direction. */
export function definitionsSchema(components: Record<string, unknown> | undefined, direction: Direction): Json {
  const definitions: Json = {};
  for (const [name, s] of Object.entries(components ?? {})) definitions[name] = convertSchema(s, direction);
  return { $id: definitionsId(direction), definitions };
}
