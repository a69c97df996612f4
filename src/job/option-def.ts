/**
 * The shape of one option, for every command. An entry is the whole truth about its option: the
 * flag (also the job-file key), its check, its real default, where the checked value goes, which
 * commands take it. The parser's options, --help, the resolver, job-file keys, shell completion,
 * the man page and docs/options.md are all derived from the tables; adding an option is one entry.
 */

export type OptionType = 'string' | 'number' | 'boolean' | 'list';

export type Command =
  | 'run'
  | 'estimate'
  | 'report'
  | 'emulator'
  | 'batch'
  | 'ledger'
  | 'show-request'
  | 'compare';

export type OptionGroup =
  | 'Job'
  | 'Input'
  | 'Model'
  | 'AWS'
  | 'Batch'
  | 'Scheduling'
  | 'Output'
  | 'Progress and logs'
  | 'Estimate'
  | 'Report'
  | 'Emulator'
  | 'Emulator batch'
  | 'Emulator guardrails'
  | 'Batch status'
  | 'Ledger'
  | 'Compare';

/** What a check may need besides the value: relative paths, the environment (credentials, env defaults). */
export interface ParseContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Checks a raw value (the text typed, a job file's scalar, a list) and returns the value the program
 * uses; throws an OptionValueError naming `flag` and quoting the value.
 */
export type Parse = (flag: string, value: unknown, ctx: ParseContext) => unknown;

export interface OptionDef<K extends string = string> {
  /** Long flag name, also the job-file key. */
  readonly flag: string;
  readonly alias?: string;
  readonly type: OptionType;
  readonly group: OptionGroup;
  readonly describe: string;
  /** Which commands take it; the others neither list it in --help nor accept it. */
  readonly commands: readonly Command[];
  /** Where the checked value goes in the command's settings (a dotted path, e.g. `batch.mode`). */
  readonly key?: K;
  /** The check; by default `text`, `textList`, `boolean`, or `oneOf(choices)` by type. */
  readonly parse?: Parse;
  /** The default as a user would type it; it goes through `parse` like a given value. */
  readonly default?: string | number | boolean | readonly string[];
  /** Shown in --help and the docs when the default is not a plain value (or there is none). */
  readonly defaultDescription?: string;
  readonly choices?: readonly string[];
  /** Environment variables read, first set one wins, when the option is not given. */
  readonly env?: readonly string[];
  /** Refused together with this option (given and not false); the env fallback gives way to it too. */
  readonly conflicts?: { readonly flag: string; readonly why: string };
  /** In a job file the value is a path (`path`) or may be `@path` (`at-file`), relative to the file. */
  readonly jobPath?: 'path' | 'at-file';
}
