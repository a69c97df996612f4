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
import { closestKey } from './suggest.js';
import type { RawOptions } from './table.js';
import { boolean, OptionValueError, OptionValueErrors, text } from './values.js';

export { closestKey } from './suggest.js';

const KEY_TYPES = new Map<string, OptionType>([
  ['input', 'string'],
  ...RUN_OPTIONS.map((def) => [def.flag, def.type] as const),
]);
const ALIASES = new Map(RUN_OPTIONS.flatMap((def) => (def.alias ? [[def.alias, def.flag] as const] : [])));
/** Keys holding a path (or an `@path`), resolved against the job file's directory. */
const PATH_KEYS = new Set(['input', ...RUN_OPTIONS.filter((d) => d.jobPath === 'path').map((d) => d.flag)]);
const AT_FILE_KEYS = new Set(RUN_OPTIONS.filter((d) => d.jobPath === 'at-file').map((d) => d.flag));

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
  const file = readJobKeys(path, label);
  for (const [key, value] of Object.entries(file.values)) {
    if (isGiven(flags[key])) continue; // the command line wins
    raw[key] = value;
    fromFile.add(key);
  }
  // The file's unknown keys and the bad values of every option are reported together, each named
  // by where it came from.
  const check = <T>(fn: () => T): T => {
    const name = (e: OptionValueError) =>
      fromFile.has(e.option) ? `${label}: ${e.option} ${e.problem}` : e.message;
    const lines = [...file.problems];
    let fromTheFile = lines.length > 0;
    try {
      const result = fn();
      if (!fromTheFile) return result;
    } catch (error) {
      const errors =
        error instanceof OptionValueErrors
          ? error.errors
          : error instanceof OptionValueError
            ? [error]
            : undefined;
      if (errors === undefined && !fromTheFile) throw error;
      fromTheFile ||= errors?.some((e) => fromFile.has(e.option)) === true;
      if (!fromTheFile) throw error;
      lines.push(...(errors ? errors.map(name) : [(error as Error).message]));
      throw new RunBatchError('CONFIG', lines.join('\n'), { cause: error });
    }
    throw new RunBatchError('CONFIG', lines.join('\n'));
  };
  return { raw, check };
}

/** The file's keys as raw option values (scalars as the text written), paths made absolute. */
export function readJobFile(path: string, label: string): RawOptions {
  const { values, problems } = readJobKeys(path, label);
  if (problems.length > 0) throw new RunBatchError('CONFIG', problems.join('\n'));
  return values;
}

/**
 * The file's keys and what is wrong with its keys (unknown, empty, a bad true/false), each named by
 * file and key; a file that is no mapping of keys at all is thrown at once.
 */
function readJobKeys(path: string, label: string): { values: RawOptions; problems: string[] } {
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
  return { values, problems };
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
  if (PATH_KEYS.has(key)) return value.startsWith('s3://') ? value : resolve(dir, value); // S3: src/remote
  if (AT_FILE_KEYS.has(key) && value.startsWith('@')) return `@${resolve(dir, value.slice(1))}`;
  return value;
}

function isGiven(value: unknown): boolean {
  return value !== undefined && value !== null;
}
