/**
 * The typed, validated job: what runBatch needs, with every default applied.
 * Built once by `resolveSpec` from flags and job files; nothing downstream re-validates. Every
 * default and check comes from the option table (job/options.ts), whose entries name their key
 * here: `RunKey` makes an entry that names no JobSpec key a compile error.
 */

import type { AnswerSchema } from './json-schema.js';

export type Format = 'csv' | 'jsonl' | 'parquet';
export type JsonMode = 'auto' | 'native' | 'tool';
export type Mode = 'ondemand' | 'batch' | 'auto';
export type BatchRetry = 'ondemand' | 'none';
export type GuardrailTrace = 'enabled' | 'enabled_full' | 'disabled';
/** `--match`: how an answer is compared with its expected value (score/match.ts). */
export type MatchMode = 'normalized' | 'exact' | 'contains' | 'regex' | 'number';

/** One `--expect`: COLUMN (the whole answer) or FIELD=COLUMN (a field of a --json-schema answer). */
export interface ExpectEntry {
  field?: string;
  column: string;
}

/** A guardrail as the user named it: its id or ARN, and its version (`DRAFT` when none was given). */
export interface GuardrailName {
  id: string;
  version: string;
}

/** Where batch inputs and outputs go: `s3://bucket/prefix/`, prefix '' or ending in '/'. */
export interface S3Location {
  bucket: string;
  prefix: string;
}

export interface BatchOptions {
  /** @default 'ondemand' */
  mode: Mode;
  s3?: S3Location;
  roleArn?: string;
  /** @default true */
  wait: boolean;
  /** @default false */
  cancel: boolean;
  /** @default 'ondemand' */
  batchRetry: BatchRetry;
  /** @default 100 */
  minRecords: number;
  timeoutHours?: number;
}

export interface JobSpec {
  /** `--metrics-file`: Prometheus text written during and after the run (src/metrics/). */
  metricsFile?: string;
  /** `--metrics-job`: the run_batch_job label; default the results file's stem. */
  metricsJob?: string;
  /** `--otel`: a span per row over OTLP/HTTP. @default false */
  otel?: boolean;
  /** Absolute path of the input file. */
  input: string;
  inputFormat: Format;
  /** Absolute path of the results file. */
  output: string;
  outputFormat: Format;
  /** Column holding the prompt when no template is given. @default 'prompt' */
  promptColumn: string;
  /** Mustache template text (already read when given as @file). */
  template?: string;
  /** System prompt text (already read when given as @file). */
  system?: string;
  /** Id column; when unset, `id` is used if the input has it, else the 1-based row number. */
  idColumn?: string;
  /** @default global.anthropic.claude-haiku-4-5-20251001-v1:0 */
  model: string;
  /** @default 512 */
  maxTokens: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop: string[];
  /** @default AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1 */
  region: string;
  profile?: string;
  endpoint?: string;
  /** Start the built-in emulator in-process and send every call there. */
  emulate: boolean;
  /** @default 'converse' */
  api: 'converse' | 'invoke';
  /** `--service-tier`: sent with every row that has no `service_tier` of its own. */
  serviceTier?: 'default' | 'priority' | 'flex';
  /** `--cache-system`: a cache point after the system prompt, kept this long. */
  cacheSystem?: '5m' | '1h';
  /** `--guardrail ID[:VERSION]`: applied to every call (job/guardrail-options.ts). */
  guardrail?: GuardrailName;
  /** `--guardrail-trace`. @default 'disabled' */
  guardrailTrace: GuardrailTrace;
  /** Use the streaming operations and record first_token_ms. */
  stream: boolean;
  /** Most calls in flight. @default 8 */
  concurrency: number;
  /** Requests per minute, spread evenly. */
  rpm?: number;
  /** Tokens per minute (estimated input + max_tokens reserved per call). */
  tpm?: number;
  /** Redis URL of a limiter shared with other runners (`--limiter`, RUN_BATCH_LIMITER). */
  limiter?: string;
  /** Account part of the shared limiter's key (`--limiter-key`). */
  limiterKey?: string;
  /** Only the rows whose id hashes to shard `index` (1-based) of `count` (`--shard i/N`). */
  shard?: { index: number; count: number };
  /** `--limit N`: only the first N rows of the input. */
  limit?: number;
  /** `--sample N`: only the N rows whose ids hash lowest with `seed` (plan/slice.ts). */
  sample?: number;
  /** `--seed S` of --sample. @default 0 */
  seed: number;
  /** --limit or --sample as one value, set by the resolver. */
  slice?: Slice;
  /** Slow down on throttles, speed up on success. @default true */
  adaptive: boolean;
  /** Attempts per row, the first included. @default 8 */
  maxAttempts: number;
  /** @default 250 */
  backoffBaseMs: number;
  /** @default 20000 */
  backoffCapMs: number;
  /** Per attempt. @default 300 s */
  requestTimeoutMs: number;
  /** Stop once this many rows failed. */
  maxErrors?: number;
  /** Replace an existing results file instead of resuming from it. */
  fresh: boolean;
  /** On resume, keep ok answers whose request changed since they were answered. */
  keepChanged: boolean;
  /** Budget in USD: no row is admitted whose worst case would take the spend past it. */
  maxCost?: number;
  /** How long calls in flight may take to finish after a stop signal. @default 30 s */
  graceMs: number;
  /** Absolute path of a pricing file laid over the shipped table (`--pricing`). */
  pricing?: string;
  /** Batch mode: --mode, --s3, --role-arn, --no-wait, --cancel, --batch-retry, --batch-min-records. */
  batch: BatchOptions;
  /** The answer ledger: --ledger PATH, --no-ledger, --no-reuse (job/ledger-options.ts). */
  ledger: LedgerOptions;
  /** CSV output: prefix `'` to cells that would start a formula (`--no-csv-safe` turns it off). @default true */
  csvSafe: boolean;
  /** `--json-schema`: the answer schema, read and compiled once. */
  jsonSchema?: AnswerSchema;
  /** @default 'auto' */
  jsonMode: JsonMode;
  /** Bad answers retried before the row is an error row. @default 2 */
  jsonRetries: number;
  /** `--attach`: columns holding files to send with the prompt. @default [] */
  attach: string[];
  /** `--attach-root`: absolute directory local attachments must be under. @default the input's directory */
  attachRoot?: string;
  /** `--allow-empty`: an input with no rows is a warning and exit 0, not an input error. @default false */
  allowEmpty: boolean;
  /** `--expect`: the columns answers are scored against (job/score-options.ts). @default [] */
  expect: ExpectEntry[];
  /** `--match`. @default 'normalized' */
  match: MatchMode;
  /** `--tolerance`, for `--match number`. @default 0 */
  tolerance: number;
  /** `--judge MODEL` and `--rubric`: a second model grades each answer (job/judge-options.ts). */
  judge?: string;
  rubric?: string;
  /** `--tag`: request metadata on every call (job/tag-options.ts); a programmatic spec may leave it out. @default {} */
  tags: Record<string, string>;
  /** Send run_id and row_id as request metadata (`--no-request-metadata`). @default true */
  requestMetadata: boolean;
  /** `--checkpoint-every` (job/s3-options.ts): an S3 output's checkpoints. @default 60 s */
  checkpointEvery: CheckpointEvery;
}

export type CheckpointEvery = { rows: number } | { seconds: number };

/** The answer ledger (job/ledger-options.ts). */
export interface LedgerOptions {
  /** Absolute path of the ledger; undefined with --no-ledger. */
  path?: string;
  /** Reuse answers the ledger holds, and pay identical requests in one run once. @default true */
  reuse: boolean;
}

/** How a run reports progress and logs (`--log-format`, `--quiet`): the CLI's concern, not runBatch's. */
export interface LogOptions {
  format: 'text' | 'json';
  quiet: boolean;
}

/** A slice of the input to try first: the first N rows, or a seeded sample of N ids. */
export type Slice = { kind: 'limit'; rows: number } | { kind: 'sample'; rows: number; seed: number };

type Dotted<P extends string, T> = `${P}.${keyof T & string}`;

/** Where a run option's checked value goes: a JobSpec key, a batch option, or a log option. */
export type RunKey =
  | Exclude<keyof JobSpec, 'batch' | 'input' | 'ledger'>
  | Dotted<'batch', BatchOptions>
  | Dotted<'ledger', LedgerOptions>
  | Dotted<'log', LogOptions>;
