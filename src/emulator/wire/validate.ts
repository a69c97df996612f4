/**
 * Request-shape checks with the wording Bedrock's front door uses for constraint violations:
 * `1 validation error detected: Value '1.5' at 'inferenceConfig.temperature' failed to satisfy
 * constraint: Member must have value less than or equal to 1`.
 */
import { EmulatedError } from './exceptions.js';

export class Violations {
  private readonly items: string[] = [];

  add(path: string, value: unknown, constraint: string): void {
    this.items.push(`Value ${render(value)} at '${path}' failed to satisfy constraint: ${constraint}`);
  }

  /**
   * A violation whose value Bedrock leaves out of the message (`Value at 'messages.1.member...'`):
   * it does so for members inside messages and for sensitive shapes such as requestMetadata.
   */
  hidden(path: string, constraint: string): void {
    this.items.push(`Value at '${path}' failed to satisfy constraint: ${constraint}`);
  }

  /** A required member that is absent: `Value null at '...': Member must not be null`. */
  required(path: string, value: unknown): boolean {
    if (value !== undefined && value !== null) return true;
    this.add(path, null, 'Member must not be null');
    return false;
  }

  /** An enum member; the set is listed sorted, as Bedrock lists it (`[jpeg, png]`). */
  oneOf(path: string, value: unknown, values: readonly string[]): void {
    if (value === undefined || (typeof value === 'string' && values.includes(value))) return;
    this.hidden(path, `Member must satisfy enum value set: [${[...values].sort().join(', ')}]`);
  }

  get count(): number {
    return this.items.length;
  }

  number(path: string, value: unknown, min: number, max: number, integer = false): void {
    if (value === undefined) return;
    if (typeof value !== 'number' || (integer && !Number.isInteger(value))) {
      this.add(path, value, `Member must be ${integer ? 'an integer' : 'a number'}`);
    } else if (value < min) {
      this.add(path, value, `Member must have value greater than or equal to ${min}`);
    } else if (value > max) {
      this.add(path, value, `Member must have value less than or equal to ${max}`);
    }
  }

  throwIfAny(): void {
    if (this.items.length === 0) return;
    const n = this.items.length;
    throw new EmulatedError(
      'ValidationException',
      `${n} validation error${n === 1 ? '' : 's'} detected: ${this.items.join('; ')}`,
    );
  }
}

function render(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  return `'${typeof value === 'string' ? value : JSON.stringify(value)}'`;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Parses a JSON body, or fails the way Bedrock does for a body that is not JSON. */
export function parseJson(
  body: Buffer,
  message = 'Malformed input request, please reformat your input and try again.',
): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new EmulatedError('ValidationException', message);
  }
}

/**
 * Checks of a model-native InvokeModel body against its JSON schema, worded as Bedrock words them
 * (it validates with a JSON-schema library and wraps the result): `Malformed input request: #:
 * required key [max_tokens] not found, please reformat your input and try again.`, or
 * `Malformed input request: 2 schema violations found, ...` when there are several.
 */
export class SchemaViolations {
  private readonly items: string[] = [];

  add(path: string, problem: string): void {
    this.items.push(`${path}: ${problem}`);
  }

  /** Required keys, then keys outside `allowed`, of the object at `path`. */
  keys(path: string, value: Record<string, unknown>, required: string[], allowed: string[]): void {
    for (const key of required) if (!(key in value)) this.add(path, `required key [${key}] not found`);
    for (const key of Object.keys(value))
      if (!allowed.includes(key)) this.add(path, `extraneous key [${key}] is not permitted`);
  }

  /** The whole body, which must be an object: anything else fails at once. */
  root(value: unknown): Record<string, unknown> {
    if (isObject(value)) return value;
    this.add('#', `expected type: JSONObject, found: ${javaType(value)}`);
    this.throwIfAny();
    return {};
  }

  /** The object at `path`, or undefined (recording a type violation) when it is something else. */
  object(path: string, value: unknown): Record<string, unknown> | undefined {
    if (value === undefined) return undefined;
    if (isObject(value)) return value;
    this.add(path, `expected type: JSONObject, found: ${javaType(value)}`);
    return undefined;
  }

  /** A number (integer if asked) within [min, max]; absent is fine. */
  number(path: string, value: unknown, min: number, max: number, integer = false): void {
    if (value === undefined) return;
    if (typeof value !== 'number' || (integer && !Number.isInteger(value))) {
      this.add(path, `expected type: ${integer ? 'Integer' : 'Number'}, found: ${javaType(value)}`);
    } else if (value < min) {
      this.add(path, `${value} is not greater or equal to ${min}`);
    } else if (value > max) {
      this.add(path, `${value} is not less or equal to ${max}`);
    }
  }

  string(path: string, value: unknown): void {
    if (value !== undefined && typeof value !== 'string')
      this.add(path, `expected type: String, found: ${javaType(value)}`);
  }

  /** A list of strings; absent is fine. */
  strings(path: string, value: unknown): void {
    if (value === undefined) return;
    if (!Array.isArray(value)) this.add(path, `expected type: JSONArray, found: ${javaType(value)}`);
    else for (const [i, item] of value.entries()) this.string(`${path}/${i}`, item);
  }

  throwIfAny(): void {
    if (this.items.length === 0) return;
    const what = this.items.length === 1 ? this.items[0] : `${this.items.length} schema violations found`;
    throw new EmulatedError(
      'ValidationException',
      `Malformed input request: ${what}, please reformat your input and try again.`,
    );
  }
}

/** The type names the schema library reports (Java's, as Bedrock's validator runs on the JVM). */
function javaType(value: unknown): string {
  if (value === null) return 'Null';
  if (Array.isArray(value)) return 'JSONArray';
  if (typeof value === 'number') return Number.isInteger(value) ? 'Integer' : 'BigDecimal';
  if (typeof value === 'string') return 'String';
  if (typeof value === 'boolean') return 'Boolean';
  return 'JSONObject';
}
