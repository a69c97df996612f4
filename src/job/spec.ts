/**
 * The typed, validated job: what runBatch needs, with every default applied.
 * Built once by `resolveSpec` from flags and job files; nothing downstream re-validates. Every
 * default comes from DEFAULTS in job/options.ts.
 */

import type { JsonMode } from './answer-options.js';
import type { BatchOptions } from './batch-options.js';
import type { AnswerSchema } from './json-schema.js';
import type { LedgerOptions } from './ledger-options.js';

export type Format = 'csv' | 'jsonl';

export interface JobSpec {
  /** Absolute path of the input file. */
  input: string;
  inputFormat: Format;
  /** Absolute path of the results file. */
  output: string;
  outputFormat: Format;
  /** Column holding the prompt when no template is given. @default DEFAULTS.promptColumn (job/options.ts) */
  promptColumn: string;
  /** Mustache template text (already read when given as @file). */
  template?: string;
  /** System prompt text (already read when given as @file). */
  system?: string;
  /** Id column; when unset, `id` is used if the input has it, else the 1-based row number. */
  idColumn?: string;
  /** @default DEFAULTS.model */
  model: string;
  /** @default DEFAULTS.maxTokens */
  maxTokens: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop: string[];
  /** @default process.env.AWS_REGION ?? DEFAULTS.region */
  region: string;
  profile?: string;
  endpoint?: string;
  /** Start the built-in emulator in-process and send every call there. */
  emulate: boolean;
  /** @default DEFAULTS.api */
  api: 'converse' | 'invoke';
  /** `--service-tier`: sent with every row that has no `service_tier` of its own. */
  serviceTier?: 'default' | 'priority' | 'flex';
  /** `--cache-system`: a cache point after the system prompt, kept this long. */
  cacheSystem?: '5m' | '1h';
  /** Use the streaming operations and record first_token_ms. */
  stream: boolean;
  /** Most calls in flight. @default DEFAULTS.concurrency */
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
  /** Slow down on throttles, speed up on success. @default true */
  adaptive: boolean;
  /** Attempts per row, the first included. @default DEFAULTS.maxAttempts */
  maxAttempts: number;
  /** @default DEFAULTS.backoffBaseMs */
  backoffBaseMs: number;
  /** @default DEFAULTS.backoffCapMs */
  backoffCapMs: number;
  /** Per attempt. @default DEFAULTS.requestTimeoutSeconds x 1000 */
  requestTimeoutMs: number;
  /** Stop once this many rows failed. */
  maxErrors?: number;
  /** Replace an existing results file instead of resuming from it. */
  fresh: boolean;
  /** On resume, keep ok answers whose request changed since they were answered. */
  keepChanged: boolean;
  /** Budget in USD: no row is admitted whose worst case would take the spend past it. */
  maxCost?: number;
  /** How long calls in flight may take to finish after a stop signal. @default DEFAULTS.gracePeriodSeconds x 1000 */
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
}
