/**
 * The answer schema of `--json-schema FILE`: read once (JSON or YAML), compiled once with ajv (and
 * ajv-formats, so `format: date` and friends are checked rather than ignored), and described for
 * the rest of the run: the schema object for the wire, its JSON text and its top-level properties
 * (the CSV's json_* columns). A broken schema is a CONFIG error (exit 2) naming the file and the
 * problem, raised before anything is sent. `validatorOf` gives the engine the compiled validator
 * (compiled once, when the schema was loaded).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, Options, ValidateFunction } from 'ajv';
import type { FormatsPlugin } from 'ajv-formats';
import { parseDocument } from 'yaml';
import { RunBatchError } from '../errors.js';

export interface AnswerSchema {
  /** How the file is named in messages. */
  label: string;
  schema: Record<string, unknown>;
  /** The schema as compact JSON text: Converse's `jsonSchema.schema` is a string. */
  text: string;
  /** Top-level property names, in the schema's order: one `json_<name>` CSV column each. */
  properties: string[];
  validate: ValidateFunction;
}

/**
 * ajv and ajv-formats are CommonJS, required when a schema is first compiled: most runs have no
 * schema, and loading ajv is a tenth of the CLI's start-up.
 */
const require = createRequire(import.meta.url);
function newAjv(draft2020: boolean, options: Options): Ajv {
  const { Ajv: Draft7 } = require('ajv') as typeof import('ajv');
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const addFormats = require('ajv-formats') as FormatsPlugin;
  const ajv = draft2020 ? new Ajv2020(options) : new Draft7(options);
  addFormats(ajv);
  return ajv;
}

export function loadSchema(path: string, label: string): AnswerSchema {
  const schema = parseSchemaFile(path, label);
  if (schema.type !== 'object' || schema.properties === undefined) {
    throw new RunBatchError(
      'CONFIG',
      `${label}: the schema's top level must be {"type": "object", "properties": {...}} ` +
        `(a forced tool's input must be an object, and each property becomes a json_<name> column); got type ${JSON.stringify(schema.type ?? null)}`,
    );
  }
  const validate = compile(schema, label);
  const properties = Object.keys(schema.properties as Record<string, unknown>);
  const text = JSON.stringify(schema);
  compiled.set(text, validate);
  return { label, schema, text, properties, validate };
}

/** Validators by schema text: each schema is compiled once, whoever asks for it. */
const compiled = new Map<string, ValidateFunction>();

/** The compiled validator of a schema (by its JSON text), compiling it if it was not loaded here. */
export function validatorOf(schemaText: string): ValidateFunction {
  let validate = compiled.get(schemaText);
  if (!validate) {
    validate = compile(JSON.parse(schemaText) as Record<string, unknown>, 'the answer schema');
    compiled.set(schemaText, validate);
  }
  return validate;
}

function parseSchemaFile(path: string, label: string): Record<string, unknown> {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code;
    throw new RunBatchError('CONFIG', `--json-schema ${label}: cannot read it: ${reason}`, { cause: error });
  }
  // YAML is a superset of JSON, so one parser reads both and reports a line for either.
  const doc = parseDocument(source);
  const [syntax] = doc.errors;
  if (syntax) {
    const at = syntax.linePos?.[0];
    const words = syntax.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '');
    throw new RunBatchError('CONFIG', `${label}${at ? `:${at.line}:${at.col}` : ''}: ${words}`);
  }
  const value: unknown = doc.toJS();
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new RunBatchError('CONFIG', `${label}: a JSON Schema must be an object, got ${kindOf(value)}`);
  return value as Record<string, unknown>;
}

function compile(schema: Record<string, unknown>, label: string): ValidateFunction {
  const draft2020 = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12');
  // strict: an unknown keyword (a typo such as "propertes") is an error, not a silently ignored
  // constraint. strictTypes off: it warns about valid schemas that merely omit "type".
  const options = { strict: true, strictTypes: false, strictTuples: false, allErrors: false } as const;
  const ajv = newAjv(draft2020, options);
  try {
    return ajv.compile(schema);
  } catch (error) {
    throw new RunBatchError('CONFIG', `${label}: not a usable JSON Schema: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'nothing';
  return Array.isArray(value) ? 'a list' : `a ${typeof value}`;
}

/** Keywords Bedrock's native structured output is documented to refuse (reference §10.2). */
const NATIVE_REFUSED = new Set([
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'minProperties',
  'maxProperties',
]);

/**
 * What in the schema a model's native structured output refuses, as `path: problem` lines: every
 * object needs `additionalProperties: false`, numeric and length constraints are not supported, and
 * neither is recursion. Empty when native mode can take it.
 */
export function nativeProblems(schema: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const walk = (node: unknown, path: string) => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const [i, item] of node.entries()) walk(item, `${path}/${i}`);
      return;
    }
    const obj = node as Record<string, unknown>;
    if (obj.type === 'object' && obj.additionalProperties !== false)
      problems.push(`${path || '/'}: an object needs "additionalProperties": false`);
    if (
      typeof obj.$ref === 'string' &&
      (obj.$ref === '#' || obj.$ref.startsWith('#/')) &&
      isRecursive(obj.$ref)
    )
      problems.push(`${path || '/'}: recursive "$ref" ${obj.$ref} is not supported`);
    for (const [key, value] of Object.entries(obj)) {
      if (NATIVE_REFUSED.has(key) && typeof value !== 'object')
        problems.push(`${path || '/'}: "${key}" is not supported`);
      else if (key !== 'enum' && key !== 'const' && key !== 'default' && key !== 'examples')
        walk(value, `${path}/${key}`);
    }
  };
  const isRecursive = (ref: string) => ref === '#' || (ref.startsWith('#/$defs') && refersToItself(ref));
  const refersToItself = (ref: string) => {
    const target = resolvePointer(schema, ref.slice(1));
    return JSON.stringify(target ?? null).includes(`"${ref}"`);
  };
  walk(schema, '');
  return problems;
}

function resolvePointer(root: unknown, pointer: string): unknown {
  let node = root;
  for (const part of pointer.split('/').slice(1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

/** The first violation, named by its path and what was expected, e.g. `/urgency: must be one of low, high`. */
export function describeViolation(error: ErrorObject): string {
  const path = error.instancePath === '' ? '(root)' : error.instancePath;
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${path}: missing required property "${String(p.missingProperty)}"`;
    case 'additionalProperties':
      return `${path}: unexpected property "${String(p.additionalProperty)}"`;
    case 'enum':
      return `${path}: must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${path}: must be ${JSON.stringify(p.allowedValue)}`;
    case 'type':
      return `${path}: must be ${String(p.type)}`;
    default:
      return `${path}: ${error.message ?? error.keyword}`;
  }
}
