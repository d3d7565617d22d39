/**
 * Response objects read as closed, as PactFlow's comparator reads them: a property a pact expects
 * that `openapi.json` does not declare (a `rotated_at`, an `error.hint`) is one the consumer would
 * rely on although the provider never promised it. JSON Schema leaves objects open unless they say
 * `additionalProperties: false`, and adding that to each part of an `allOf` would refuse the other
 * parts' properties, so the declared properties are collected over `allOf`, `anyOf` and `oneOf`
 * first, then compared with the value.
 */
import type { CompiledSpec } from '../../core/spec';

/** The properties and items the schemas of one value declare, merged. */
interface Shape {
  properties: Map<string, unknown[]>;
  items: unknown[];
  /** Any property goes: `additionalProperties` allows it, or no schema lists properties (a free-form object). */
  open: boolean;
}

const MAX_DEPTH = 64;

function collect(spec: CompiledSpec, raw: unknown, shape: Shape & { listsProperties: boolean }, depth: number): void {
  if (depth > MAX_DEPTH) return;
  const schema = spec.deref(raw);
  if (schema === true || schema === undefined) {
    shape.open = true;
    return;
  }
  if (!schema || typeof schema !== 'object') return;
  if (schema.properties && typeof schema.properties === 'object') {
    shape.listsProperties = true;
    for (const [name, sub] of Object.entries<unknown>(schema.properties)) {
      const list = shape.properties.get(name) ?? [];
      list.push(sub);
      shape.properties.set(name, list);
    }
  }
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) shape.open = true;
  if (schema.items !== undefined) shape.items.push(schema.items);
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    if (Array.isArray(schema[key])) for (const sub of schema[key]) collect(spec, sub, shape, depth + 1);
  }
}

function shapeOf(spec: CompiledSpec, schemas: unknown[]): Shape {
  const shape = {
    properties: new Map<string, unknown[]>(),
    items: [] as unknown[],
    open: false,
    listsProperties: false,
  };
  for (const s of schemas) collect(spec, s, shape, 0);
  if (!shape.listsProperties) shape.open = true;
  return shape;
}

/** The paths (e.g. `["error", "hint"]`) of the properties in `value` that `schema` does not declare. */
export function undeclaredProperties(spec: CompiledSpec, schema: unknown, value: unknown): string[][] {
  const out: string[][] = [];
  const walk = (v: unknown, schemas: unknown[], path: string[]) => {
    if (path.length > MAX_DEPTH || schemas.length === 0 || !v || typeof v !== 'object') return;
    const shape = shapeOf(spec, schemas);
    if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, shape.items, [...path, String(i)]));
      return;
    }
    for (const [name, child] of Object.entries(v as Record<string, unknown>)) {
      const declared = shape.properties.get(name);
      if (declared) walk(child, declared, [...path, name]);
      else if (!shape.open) out.push([...path, name]);
    }
  };
  walk(value, [schema], []);
  return out;
}
