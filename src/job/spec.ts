/**
 * The typed, validated job: what runBatch needs, with every default applied.
 * Built once by `resolveSpec` from flags (and later job files); nothing downstream re-validates.
 */

export type Format = 'csv' | 'jsonl';

export interface JobSpec {
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
  /** @default 'global.anthropic.claude-haiku-4-5-20251001-v1:0' */
  model: string;
  /** @default 512 */
  maxTokens: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop: string[];
  /** @default process.env.AWS_REGION ?? 'us-east-1' */
  region: string;
  profile?: string;
  endpoint?: string;
  /** Start the built-in emulator in-process and send every call there. */
  emulate: boolean;
  /** @default 'converse' */
  api: 'converse' | 'invoke';
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
  /** Slow down on throttles, speed up on success. @default true */
  adaptive: boolean;
  /** Attempts per row, the first included. @default 8 */
  maxAttempts: number;
  /** @default 250 */
  backoffBaseMs: number;
  /** @default 20000 */
  backoffCapMs: number;
  /** Per attempt. @default 300000 */
  requestTimeoutMs: number;
  /** Stop once this many rows failed. */
  maxErrors?: number;
  /** Replace an existing results file instead of resuming from it. */
  fresh: boolean;
  /** Budget in USD: no row is admitted whose worst case would take the spend past it. */
  maxCost?: number;
  /** How long calls in flight may take to finish after a stop signal. @default 30000 */
  graceMs: number;
  /** Absolute path of a pricing file laid over the shipped table (`--pricing`). */
  pricing?: string;
  /** CSV output: prefix `'` to cells that would start a formula (`--no-csv-safe` turns it off). @default true */
  csvSafe: boolean;
}
