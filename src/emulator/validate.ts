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
