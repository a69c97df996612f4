/**
 * Plain data shared across layers: what a row asks for (PromptRequest), what a call returned
 * (CallResult) and what is written per row (ResultRecord). Types only, so no layer depends on
 * another's code through here.
 */

export interface TextBlock {
  text: string;
}

/** A Converse-shaped message; content blocks other than text are passed through untouched. */
export interface ChatMessage {
  role: 'user' | 'assistant';
  content: Array<TextBlock | Record<string, unknown>>;
}

export interface InferenceSettings {
  maxTokens: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences: string[];
}

/** One input row turned into a model call. */
export interface PromptRequest {
  /** 0-based position in the input, the order of the finished file. */
  index: number;
  /** 1-based line where the row starts, for messages. */
  line: number;
  id: string;
  /** The row exactly as read. */
  row: Record<string, unknown>;
  model: string;
  system?: string;
  messages: ChatMessage[];
  inference: InferenceSettings;
  /** A Bedrock batch-inference record's `modelInput`, sent as it is through InvokeModel. */
  nativeBody?: Record<string, unknown>;
  /** `--service-tier` or the row's `service_tier`; absent: Bedrock's default (standard) tier. */
  serviceTier?: 'default' | 'priority' | 'flex';
  /** `--cache-system`: a cache point with this TTL after the system prompt (when the row has one). */
  cacheSystem?: '5m' | '1h';
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** Of the cache writes, those kept for 1 hour (Converse `cacheDetails`); the rest are 5-minute. */
  cacheWrite1hTokens?: number;
}

/** What one successful call returned, in Converse's vocabulary whatever the API or family. */
export interface CallResult {
  text: string;
  stopReason: string;
  usage: Usage;
  /** Time to the first content delta, streaming only. */
  firstTokenMs?: number;
  /** The tier the response says served the call (Converse `serviceTier`, InvokeModel's header). */
  serviceTier?: string;
}

export type RowStatus = 'ok' | 'error';

/** The fields every results file carries per row, named exactly as the README's "Output" section lists them. */
export interface ResultRecord {
  id: string;
  status: RowStatus;
  model: string;
  response: string;
  stop_reason: string;
  input_tokens: number | null;
  output_tokens: number | null;
  total_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  cost_usd: number | null;
  latency_ms: number;
  attempts: number;
  finished_at: string;
  error_code: string;
  error_message: string;
  /** The fingerprint of the request this record answered (plan/fingerprint.ts), for resume. */
  request_hash: string;
  first_token_ms?: number | null;
  /** The tier that served the row; written when a tier was asked for. */
  service_tier?: string;
  /** Of cache_write_tokens, those cached for 1 hour; written with --cache-system. */
  cache_write_1h_tokens?: number | null;
}

export const RESULT_FIELDS = [
  'id',
  'status',
  'model',
  'response',
  'stop_reason',
  'input_tokens',
  'output_tokens',
  'total_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cost_usd',
  'latency_ms',
  'attempts',
  'finished_at',
  'error_code',
  'error_message',
  'request_hash',
] as const satisfies ReadonlyArray<keyof ResultRecord>;
