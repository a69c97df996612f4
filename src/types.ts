/**
 * Plain data shared across layers: what a row asks for (PromptRequest), what a call returned
 * (CallResult) and what is written per row (ResultRecord). Types only, so no layer depends on
 * another's code through here.
 */

/**
 * `--json-schema` as a request carries it: how the answer is asked for (decided once per model by
 * plan/answers.ts) and what is needed to check it.
 */
export interface AnswerPlan {
  /** Native structured output, or one forced tool. */
  wire: 'native' | 'tool';
  /** The schema file as named in messages. */
  label: string;
  schema: Record<string, unknown>;
  /** The schema as compact JSON text: Converse's `jsonSchema.schema` is a string. */
  schemaText: string;
  /** Top-level property names, in the schema's order: the json_* CSV columns. */
  properties: string[];
  /** What the schema adds to the request's input tokens. */
  tokens: number;
  /** Bad answers retried before the row is an error row. */
  retries: number;
  /** The most max_tokens a truncation retry may ask for: the model's output limit. */
  maxTokensLimit: number;
}

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';
export type DocumentFormat = 'pdf' | 'csv' | 'doc' | 'docx' | 'xls' | 'xlsx' | 'html' | 'txt' | 'md';

/** One `--attach` file, checked in the plan pass; its bytes are read only when the row is sent. */
export interface Attachment {
  column: string;
  kind: 'image' | 'document';
  format: ImageFormat | DocumentFormat;
  /** Absolute path of a local file; absent for `s3://`. */
  path?: string;
  s3Uri?: string;
  /** An `s3://` object's ETag, looked at before anything is sent: its content, in the fingerprint. */
  etag?: string;
  /** Size in bytes; 0 when unknown (an S3 object is not looked at). */
  bytes: number;
  /** Document blocks only: the name Bedrock shows the model. */
  name?: string;
  tokens: number;
}

export type AttachmentSource = { bytes: Uint8Array } | { s3Location: { uri: string } };
/** An attachment as a Converse content block. */
export type AttachmentBlock =
  | { image: { format: ImageFormat; source: AttachmentSource } }
  | { document: { format: DocumentFormat; name: string; source: AttachmentSource } };

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
  /** `--json-schema`: how the answer is asked for and checked (src/answers/request.ts). */
  answer?: AnswerPlan;
  /** `--attach`: files checked in the plan pass, read only when the row is sent. */
  attachments?: Attachment[];
  /** The attachments' content blocks, loaded at call time (never held for a row not in flight). */
  attachmentBlocks?: AttachmentBlock[];
  /** `--guardrail`: part of what the row asks, so of its fingerprint and ledger key. */
  guardrail?: GuardrailRequest;
}

/** A guardrail applied to a call (Converse `guardrailConfig`, InvokeModel's guardrail headers). */
export interface GuardrailRequest {
  id: string;
  /** `DRAFT` or a version number. */
  version: string;
  trace: 'enabled' | 'enabled_full' | 'disabled';
}

/** Text units a guardrail evaluated, per policy type, as its trace reports them (`usage`). */
export interface GuardrailUnits {
  topicPolicyUnits: number;
  contentPolicyUnits: number;
  wordPolicyUnits: number;
  sensitiveInformationPolicyUnits: number;
  sensitiveInformationPolicyFreeUnits: number;
  contextualGroundingPolicyUnits: number;
  contentPolicyImageUnits: number;
  automatedReasoningPolicyUnits: number;
}

/** What a guardrail did to one call. */
export interface GuardrailOutcome {
  action: 'INTERVENED' | 'NONE';
  /** With a trace: what each policy found (guardrail/trace.ts condenses Bedrock's). */
  findings?: Record<string, unknown>[];
  /** With a trace: the text units evaluated; absent without one (Bedrock reports them nowhere else). */
  units?: GuardrailUnits;
  /** With a trace: Bedrock's `actionReason`, when it gave one. */
  reason?: string;
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
  /** The first toolUse block's input as JSON text (a forced answer tool's answer). */
  toolInput?: string;
  /** With --guardrail: what it did. */
  guardrail?: GuardrailOutcome;
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
  /** Written from the answer ledger with no call (src/run/run-ledger.ts). */
  reused?: boolean;
  /** What this results file paid for the row: cost_usd when this output bought it, else 0. */
  paid_usd?: number | null;
  /** With --guardrail: INTERVENED or NONE (empty on an error row). */
  guardrail_action?: string;
  /** With --guardrail-trace: what each policy found, as JSON text. */
  guardrail_trace?: string;
  /** With --guardrail: the guardrail's share of cost_usd; empty when its units are unknown (a response without a trace). */
  guardrail_usd?: number | null;
}

/** The answer ledger's result fields, written after the others (before the levers'). */
export const LEDGER_FIELDS = ['reused', 'paid_usd'] as const;

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
