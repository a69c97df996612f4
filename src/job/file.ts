/**
 * Job files: `run-batch run --job jobs/nightly.yaml`. A YAML (or JSON) mapping whose keys are the
 * long option names, exactly as on the command line, plus `input`. The keys come from the option
 * table, so a job file and the flags cannot drift apart. Paths in the file are relative to the file;
 * flags given on the command line override its keys. Values go through the same validator as flags
 * (job/resolve.ts), and a bad one is named by file and key: `jobs/nightly.yaml: concurrency must be
 * a whole number from 1 to 10000, got "0"`.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, type Node, parseDocument } from 'yaml';
import { displayPath, RunBatchError } from '../errors.js';
import { type OptionType, RUN_OPTIONS } from './options.js';
import type { RawOptions } from './resolve.js';
import { boolean, OptionValueError, OptionValueErrors, text } from './values.js';

const KEY_TYPES = new Map<string, OptionType>([
  ['input', 'string'],
  ...RUN_OPTIONS.map((def) => [def.flag, def.type] as const),
]);
const ALIASES = new Map(RUN_OPTIONS.flatMap((def) => (def.alias ? [[def.alias, def.flag] as const] : [])));
/** Keys holding a path, resolved against the job file's directory. */
const PATH_KEYS = new Set(['input', 'output', 'pricing', 'json-schema']);
/** Keys whose `@file` form names a path. */
const AT_FILE_KEYS = new Set(['template', 'system']);

export interface Job {
  /** The options to resolve: the job file's keys with the command line's flags over them. */
  raw: RawOptions;
  /** Runs a check over `raw`; an option value from the job file is then named by file and key. */
  check<T>(fn: () => T): T;
}

/** The options of a run: the flags alone, or the flags over the `--job` file's keys. */
export function loadJob(flags: RawOptions, cwd: string): Job {
  if (!isGiven(flags.job)) return { raw: flags, check: (fn) => fn() };
  const path = resolve(cwd, text('job', flags.job));
  const label = displayPath(path, cwd);
  const raw: RawOptions = { ...flags };
  const fromFile = new Set<string>();
  for (const [key, value] of Object.entries(readJobFile(path, label))) {
    if (isGiven(flags[key])) continue; // the command line wins
    raw[key] = value;
    fromFile.add(key);
  }
  const check = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      const name = (e: OptionValueError) =>
        fromFile.has(e.option) ? `${label}: ${e.option} ${e.problem}` : e.message;
      if (error instanceof OptionValueError && fromFile.has(error.option))
        throw new RunBatchError('CONFIG', name(error), { cause: error });
      // Several bad values: every one is reported, each named by where it came from.
      if (error instanceof OptionValueErrors && error.errors.some((e) => fromFile.has(e.option)))
        throw new RunBatchError('CONFIG', error.errors.map(name).join('\n'), { cause: error });
      throw error;
    }
  };
  return { raw, check };
}

/** The file's keys as raw option values (scalars as the text written), paths made absolute. */
export function readJobFile(path: string, label: string): RawOptions {
  const doc = parseDocument(readText(path, label));
  const [syntax] = doc.errors;
  if (syntax) {
    // The parser's message ends with " at line L, column C:" and a code frame; keep the words.
    const at = syntax.linePos?.[0];
    const words = syntax.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '');
    throw new RunBatchError('CONFIG', `${label}${at ? `:${at.line}:${at.col}` : ''}: ${words}`);
  }
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null))
    throw new RunBatchError('CONFIG', `${label}: is empty; expected option keys such as "model: ..."`);
  if (!isMap(root))
    throw new RunBatchError(
      'CONFIG',
      `${label}: expected a mapping of option keys to values, got ${isSeq(root) ? 'a list' : 'a single value'}`,
    );

  const values: RawOptions = {};
  const problems: string[] = [];
  for (const pair of root.items) {
    const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const type = KEY_TYPES.get(key);
    if (type === undefined) {
      const suggestion = ALIASES.get(key) ?? closestKey(key, [...KEY_TYPES.keys()]);
      problems.push(`${label}: unknown key "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`);
      continue;
    }
    const value = plain(pair.value as Node | null, doc);
    if (value === null) {
      problems.push(`${label}: ${key} has no value; give one, or remove the key`);
      continue;
    }
    try {
      values[key] = withBase(key, type === 'boolean' ? boolean(key, value) : value, dirname(path));
    } catch (error) {
      if (!(error instanceof OptionValueError)) throw error;
      problems.push(`${label}: ${key} ${error.problem}`);
    }
  }
  if (problems.length > 0) throw new RunBatchError('CONFIG', problems.join('\n'));
  return values;
}

function readText(path: string, label: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new RunBatchError('CONFIG', `--job ${label}: cannot read ${path}: ${reason}`, { cause: error });
  }
}

/**
 * A YAML value as a flag would carry it. Numbers keep the text written (`id-column: 007` stays
 * "007", and `concurrency: 0` is quoted back as "0", as on the command line); true and false are
 * booleans; an empty value is null. Lists and mappings become arrays and objects.
 */
function plain(node: Node | null, doc: ReturnType<typeof parseDocument>): unknown {
  if (node === null) return null;
  if (isAlias(node)) return plain(node.resolve(doc) ?? null, doc);
  if (isScalar(node)) {
    if (typeof node.value === 'number') return node.source ?? String(node.value);
    return node.value ?? null;
  }
  if (isSeq(node)) return node.items.map((item) => plain(item as Node | null, doc));
  return node.toJSON();
}

/** Paths in a job file are relative to the file, wherever the command runs from. */
function withBase(key: string, value: unknown, dir: string): unknown {
  if (typeof value !== 'string' || value === '') return value;
  if (PATH_KEYS.has(key)) return resolve(dir, value);
  if (AT_FILE_KEYS.has(key) && value.startsWith('@')) return `@${resolve(dir, value.slice(1))}`;
  return value;
}

function isGiven(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/**
 * The known key a mistyped one most likely meant: `concurency`, `max_tokens` and `maxTokens` all
 * point at theirs. None when nothing is close, so a suggestion is never a wild guess.
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const wanted = key
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase();
  let best: string | undefined;
  // Short keys allow one edit; longer ones about a third of their length.
  let bestDistance = (wanted.length <= 3 ? 1 : Math.max(2, Math.floor(wanted.length / 3))) + 1;
  for (const candidate of known) {
    const distance = editDistance(wanted, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/**
 * Edits between two keys, a swap of neighbours counting one (optimal string alignment): `modle` is
 * one edit from `model`, as it is from `mode`, and the tie goes to the key of the same length.
 */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length) + (a.length === b.length ? 0 : 0.5);
}
