/**
 * Small checkers for option values. Each takes the flag name and the raw value, and throws a
 * USAGE error that quotes both, e.g. `--concurrency must be a whole number from 1 up, got "0"`.
 * The error keeps the option and the problem apart, so a value from a job file can be named by the
 * file and key instead (`jobs/nightly.yaml: concurrency must be ...`) with the same checks.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RunBatchError } from '../errors.js';

/** A bad option value: `--${option} ${problem}`. */
export class OptionValueError extends RunBatchError {
  constructor(
    readonly option: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super('USAGE', `--${option} ${problem}`, options);
  }
}

function quote(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  // Job files can hold lists and mappings where a scalar belongs: show them as written.
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

export function fail(flag: string, expected: string, value: unknown): never {
  throw new OptionValueError(flag, `must be ${expected}, got ${quote(value)}`);
}

/**
 * Several bad option values at once: a job file (or a command line) is reported whole, so the user
 * fixes every value in one go instead of one per run.
 */
export class OptionValueErrors extends RunBatchError {
  constructor(readonly errors: readonly OptionValueError[]) {
    super('USAGE', errors.map((error) => error.message).join('\n'));
  }
}

// Written as a person writes a number: `Number()` alone would also take " 3", "0x10", "1e3" and
// "0b11", and a typo would then run with a value nobody meant.
const WHOLE = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function toNumber(value: unknown, pattern: RegExp): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && pattern.test(value)) return Number(value);
  return Number.NaN;
}

export function wholeNumber(
  flag: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const n = toNumber(value, WHOLE);
  if (!Number.isInteger(n) || n < min || n > max) {
    fail(
      flag,
      max === Number.MAX_SAFE_INTEGER
        ? `a whole number from ${min} up`
        : `a whole number from ${min} to ${max}`,
      value,
    );
  }
  return n;
}

export function decimal(flag: string, value: unknown, min: number, max: number): number {
  const n = toNumber(value, DECIMAL);
  if (!Number.isFinite(n) || n < min || n > max) fail(flag, `a number from ${min} to ${max}`, value);
  return n;
}

export function text(flag: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') fail(flag, 'a non-empty text', value);
  return value;
}

export function oneOf<T extends string>(flag: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== 'string' || !choices.includes(value as T))
    fail(flag, `one of ${choices.join(', ')}`, value);
  return value as T;
}

/** Flags arrive as booleans from the parser; job files can hold anything. */
export function boolean(flag: string, value: unknown): boolean {
  if (typeof value !== 'boolean') fail(flag, 'true or false', value);
  return value;
}

/** A list flag arrives as one string or, when repeated, an array of them. */
export function textList(flag: string, value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => text(flag, item));
}

/** `@path` reads the file (relative to baseDir); anything else is the text itself. */
export function textOrFile(flag: string, value: unknown, baseDir: string): string {
  const raw = text(flag, value);
  if (!raw.startsWith('@')) return raw;
  const path = resolve(baseDir, raw.slice(1));
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new OptionValueError(flag, `${raw}: cannot read ${path}: ${reason}`, { cause: error });
  }
}

/** A table's check for a whole number in a range: `wholeIn(1, 10_000)`. */
export const wholeIn =
  (min: number, max?: number) =>
  (flag: string, value: unknown): number =>
    wholeNumber(flag, value, min, max);

/** A table's check for a decimal number in a range. */
export const decimalIn =
  (min: number, max: number) =>
  (flag: string, value: unknown): number =>
    decimal(flag, value, min, max);
