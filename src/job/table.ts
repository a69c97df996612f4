/**
 * The one resolver every command's option table goes through: each entry's value is taken as given,
 * else from its environment variables, else its default, and checked by the entry's own check.
 * Every bad value is collected (and conflicts with it), so a command line or a job file is reported
 * whole; the caller throws them at once with `throwProblems`.
 */
import type { OptionDef, Parse, ParseContext } from './option-def.js';
import { boolean, fail, OptionValueError, OptionValueErrors, oneOf, text, textList } from './values.js';

export type RawOptions = Record<string, unknown>;

export function given(raw: RawOptions, key: string): boolean {
  return raw[key] !== undefined && raw[key] !== null;
}

/** Given and not `false`: `--emulate`, a `template:` key. */
function isOn(raw: RawOptions, key: string): boolean {
  return given(raw, key) && raw[key] !== false;
}

export function parseOf(def: OptionDef): Parse {
  if (def.parse) return def.parse;
  const choices = def.choices;
  if (choices) return (flag, value) => oneOf(flag, value, choices);
  if (def.type === 'boolean') return boolean;
  if (def.type === 'list') return textList;
  return text;
}

export interface Resolved {
  /** The checked values, each at its entry's key (dotted keys nest). */
  values: Record<string, unknown>;
  problems: OptionValueError[];
}

export function resolveOptions(defs: readonly OptionDef[], raw: RawOptions, ctx: ParseContext): Resolved {
  const values: Record<string, unknown> = {};
  const problems: OptionValueError[] = [];
  const attempt = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (error) {
      if (!(error instanceof OptionValueError)) throw error;
      problems.push(error);
      return undefined;
    }
  };
  for (const def of defs) {
    const parse = parseOf(def);
    const conflict = def.conflicts !== undefined && isOn(raw, def.conflicts.flag);
    let value: unknown;
    if (given(raw, def.flag)) {
      value = attempt(() => parse(def.flag, raw[def.flag], ctx));
      if (conflict && def.conflicts && raw[def.flag] !== false) {
        const { flag, why } = def.conflicts;
        attempt(() => fail(def.flag, `left out with --${flag} (${why})`, raw[def.flag]));
      }
    } else {
      // A standing setting in the environment gives way to a conflicting option given on this run.
      const name = conflict ? undefined : def.env?.find((n) => ctx.env[n]);
      if (name !== undefined) value = attempt(() => fromEnv(def, parse, name, ctx));
      else if (def.default !== undefined) value = attempt(() => parse(def.flag, def.default, ctx));
    }
    if (value !== undefined && def.key !== undefined) setPath(values, def.key, value);
  }
  return { values, problems };
}

function fromEnv(def: OptionDef, parse: Parse, name: string, ctx: ParseContext): unknown {
  try {
    return parse(def.flag, ctx.env[name], ctx);
  } catch (error) {
    if (!(error instanceof OptionValueError)) throw error;
    throw new OptionValueError(def.flag, `(from ${name}) ${error.problem}`);
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  const last = parts.pop() as string;
  let at = target;
  for (const part of parts) {
    at[part] ??= {};
    at = at[part] as Record<string, unknown>;
  }
  at[last] = value;
}

export function throwProblems(problems: readonly OptionValueError[]): void {
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) throw new OptionValueErrors(problems);
}

/** Resolves a table and throws every problem at once; the values otherwise. */
export function resolveOrThrow<T>(defs: readonly OptionDef[], raw: RawOptions, ctx: ParseContext): T {
  const { values, problems } = resolveOptions(defs, raw, ctx);
  throwProblems(problems);
  return values as T;
}

/**
 * The command line's values as the table means them. The parser makes a repeated flag a list: a
 * scalar takes the last one given (so a wrapper's `-c 4` can be overridden by `-c 8`), a list flag
 * keeps them all. A value flag given with nothing after it arrives as `true`; it becomes "" so the
 * check says a value is missing.
 */
export function fromCommandLine(defs: readonly OptionDef[], argv: RawOptions): RawOptions {
  const raw: RawOptions = { ...argv };
  for (const def of defs) {
    let value = raw[def.flag];
    if (Array.isArray(value) && def.type !== 'list') value = value[value.length - 1];
    if (value === true && def.type !== 'boolean') value = '';
    if (Array.isArray(value)) value = value.map((item) => (item === true ? '' : item));
    if (value !== undefined) raw[def.flag] = value;
  }
  return raw;
}
