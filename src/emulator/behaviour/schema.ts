/**
 * A deterministic value for a JSON Schema, for tool inputs and structured output: the same schema
 * and seed give the same value, and the value validates against the schema. Supported: type (a
 * list takes its first non-null member), enum, const, properties (every one is filled, required or
 * not), items and prefixItems, min/maxItems, min/maxLength, minimum/maximum and their exclusive
 * forms, multipleOf for integers, anyOf/oneOf (first branch), allOf (merged), $ref to local
 * definitions, and the string formats date, date-time, time, email, uuid, uri and ipv4.
 */
import { prng } from './text.js';

type Schema = Record<string, unknown>;

const WORDS = ['alpha', 'bravo', 'delta', 'echo', 'kilo', 'lima', 'nova', 'oscar', 'sierra', 'tango'];

export function sampleSchema(schema: unknown, seed: number): unknown {
  const random = prng(seed);
  const root = isSchema(schema) ? schema : {};
  return value(root, root, random, 0);
}

function isSchema(value: unknown): value is Schema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `#/$defs/x` or `#/definitions/x` (or `#` itself) within the root schema. */
function deref(root: Schema, schema: Schema, depth: number): Schema {
  let current = schema;
  for (let hops = 0; typeof current.$ref === 'string' && hops < 16; hops++) {
    const ref = current.$ref as string;
    let target: unknown = root;
    for (const part of ref.replace(/^#\/?/, '').split('/').filter(Boolean))
      target = isSchema(target) ? target[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
    const { $ref: _, ...rest } = current;
    current = { ...(isSchema(target) ? target : {}), ...rest };
  }
  if (Array.isArray(current.allOf) && depth < 32) {
    const merged: Schema = { ...current };
    delete merged.allOf;
    for (const part of current.allOf) {
      if (!isSchema(part)) continue;
      const resolved = deref(root, part, depth + 1);
      merged.properties = { ...(merged.properties as object), ...(resolved.properties as object) };
      merged.required = [
        ...((merged.required as unknown[]) ?? []),
        ...((resolved.required as unknown[]) ?? []),
      ];
      for (const [key, v] of Object.entries(resolved))
        if (key !== 'properties' && key !== 'required' && !(key in merged)) merged[key] = v;
    }
    current = merged;
  }
  return current;
}

function typeOf(schema: Schema): string | undefined {
  const { type } = schema;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return (type.find((t) => t !== 'null') ?? type[0]) as string | undefined;
  if (isSchema(schema.properties)) return 'object';
  if (schema.items !== undefined) return 'array';
  return undefined;
}

function value(root: Schema, raw: Schema, random: () => number, depth: number): unknown {
  const schema = deref(root, raw, depth);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const branches = (schema.anyOf ?? schema.oneOf) as unknown;
  if (Array.isArray(branches) && isSchema(branches[0])) {
    const { anyOf: _a, oneOf: _o, ...rest } = schema;
    return value(root, { ...rest, ...branches[0] }, random, depth + 1);
  }
  switch (typeOf(schema)) {
    case 'object':
      return object(root, schema, random, depth);
    case 'array':
      return array(root, schema, random, depth);
    case 'integer':
      return integer(schema, random);
    case 'number':
      return number(schema, random);
    case 'boolean':
      return random() < 0.5;
    case 'null':
      return null;
    case 'string':
      return string(schema, random);
    default:
      // No type at all: any value validates; a string is what models write most.
      return string({}, random);
  }
}

function object(root: Schema, schema: Schema, random: () => number, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.filter((k) => typeof k === 'string') : [];
  // Deep optional branches stop at a depth, so a recursive schema still gets a finite value.
  const keys = depth > 8 ? required : [...new Set([...Object.keys(properties), ...required])];
  for (const key of keys) {
    const sub = properties[key];
    out[key] = value(root, isSchema(sub) ? sub : {}, random, depth + 1);
  }
  return out;
}

function array(root: Schema, schema: Schema, random: () => number, depth: number): unknown[] {
  const min = count(schema.minItems, 0);
  const max = count(schema.maxItems, Number.POSITIVE_INFINITY);
  const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems.filter(isSchema) : [];
  let length = Math.max(min, prefix.length, depth > 8 ? 0 : 1 + Math.floor(random() * 2));
  length = Math.min(length, max);
  const items = isSchema(schema.items) ? schema.items : {};
  const out: unknown[] = [];
  for (let i = 0; i < length; i++) out.push(value(root, prefix[i] ?? items, random, depth + 1));
  return out;
}

function count(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback;
}

function bounds(schema: Schema, step: number): [number, number] {
  let low = typeof schema.minimum === 'number' ? schema.minimum : Number.NEGATIVE_INFINITY;
  let high = typeof schema.maximum === 'number' ? schema.maximum : Number.POSITIVE_INFINITY;
  if (typeof schema.exclusiveMinimum === 'number') low = Math.max(low, schema.exclusiveMinimum + step);
  if (typeof schema.exclusiveMaximum === 'number') high = Math.min(high, schema.exclusiveMaximum - step);
  if (low === Number.NEGATIVE_INFINITY) low = high === Number.POSITIVE_INFINITY ? 1 : Math.min(1, high - 99);
  if (high === Number.POSITIVE_INFINITY) high = low + 99;
  return [low, high];
}

function integer(schema: Schema, random: () => number): number {
  const [low, high] = bounds(schema, 1);
  const multiple = typeof schema.multipleOf === 'number' && schema.multipleOf > 0 ? schema.multipleOf : 1;
  const first = Math.ceil(Math.ceil(low) / multiple) * multiple;
  const steps = Math.max(0, Math.floor((Math.floor(high) - first) / multiple));
  return first + multiple * Math.floor(random() * (steps + 1));
}

function number(schema: Schema, random: () => number): number {
  const [low, high] = bounds(schema, 0.01);
  return Math.round((low + (high - low) * random()) * 100) / 100;
}

function string(schema: Schema, random: () => number): string {
  const pick = () => WORDS[Math.floor(random() * WORDS.length)] ?? 'alpha';
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
  const day = () =>
    `20${10 + Math.floor(random() * 20)}-${pad(1 + Math.floor(random() * 12))}-${pad(1 + Math.floor(random() * 28))}`;
  const time = () =>
    `${pad(Math.floor(random() * 24))}:${pad(Math.floor(random() * 60))}:${pad(Math.floor(random() * 60))}`;
  switch (schema.format) {
    case 'date':
      return day();
    case 'date-time':
      return `${day()}T${time()}Z`;
    case 'time':
      return `${time()}Z`;
    case 'email':
      return `${pick()}.${pick()}@example.com`;
    case 'uuid':
      return `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(random() * 4)]}${hex(3)}-${hex(12)}`;
    case 'uri':
    case 'url':
      return `https://example.com/${pick()}`;
    case 'ipv4':
      return `10.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`;
  }
  const min = count(schema.minLength, 0);
  const max = count(schema.maxLength, Number.POSITIVE_INFINITY);
  let text = `${pick()} ${pick()}`;
  while (text.length < min) text += ` ${pick()}`;
  if (text.length > max)
    text = text
      .slice(0, max)
      .trimEnd()
      .padEnd(Math.min(max, Math.max(min, 0)), 'a');
  return text;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
