/**
 * What the client knows about one model family, in one place: the InvokeModel body it takes, how
 * its response bodies and stream chunks read (into Converse's vocabulary), which settings it cannot
 * take through each API, where Converse puts its top_k, and how its body names the output limit.
 * Adding a family is one file that implements this, plus its line in index.ts.
 */
import type {
  AnswerPlan,
  Attachment,
  AttachmentBlock,
  CallResult,
  ChatMessage,
  PromptRequest,
  Usage,
} from '../../types.js';

export type Json = Record<string, unknown>;
export type Api = 'converse' | 'invoke';

export class UnsupportedRequest extends Error {
  override readonly name = 'UnsupportedRequest';
}

/** A response body read by its family: the native stop reason is mapped by the registry. */
export interface Read {
  text: string;
  stop: unknown;
  usage: Partial<Usage>;
}

/** What a stream accumulates across chunks. */
export interface StreamState {
  stop: unknown;
  /** Sets the counts a chunk carries, keeping earlier ones where it has none. */
  setUsage(values: Partial<Usage>): void;
}

export interface FamilyCodec {
  readonly name: string;
  /** Whether a base model id (no profile prefix, no ARN) belongs to this family. */
  owns(baseId: string): boolean;
  /** The InvokeModel body for a request; throws UnsupportedRequest when it cannot be expressed. */
  body(request: PromptRequest): Json;
  /** Reads a response body of this family's shape; undefined when the body is another family's. */
  read(body: Json): Read | undefined;
  /** Reads one stream chunk of this family's shape: the text it adds; undefined when not its shape. */
  readChunk(chunk: Json, state: StreamState): string | undefined;
  /** A setting the family cannot take through the API, as a message; undefined when all is well. */
  unsupported(request: PromptRequest, api: Api): string | undefined;
  /** Converse has no top_k: where this family takes it in additionalModelRequestFields. */
  converseTopK(topK: number): Json;
  /** The output limit a native body names (max_tokens, max_gen_len, ...), when it names one. */
  outputLimit(body: Json): number | undefined;
  /** Whether its Converse honours `toolChoice.tool` (a forced answer tool). @default false */
  readonly forcesTool?: boolean;
  /** `--json-schema` in its native body (a forced tool or a native format); absent: it has none. */
  invokeAnswer?(plan: AnswerPlan): Json;
  /** Attachments in its native body; absent: it takes none through InvokeModel. */
  readonly invokeAttachments?: {
    /** Why these cannot go in its body; undefined when they can. */
    problem(attachments: readonly Attachment[]): string | undefined;
    blocks(blocks: readonly AttachmentBlock[]): Json[];
  };
  /** The Converse cache point after the system prompt, for a TTL. @default { type: 'default', ttl } */
  cachePoint?(ttl: '5m' | '1h' | undefined): Json;
}

/** A message's text blocks joined; any other block cannot go through a text-only native body. */
export function textOf(message: ChatMessage, family: string): string {
  return message.content
    .map((block) => {
      if (typeof (block as { text?: unknown }).text === 'string' && Object.keys(block).length === 1)
        return (block as { text: string }).text;
      const kind = Object.keys(block)[0] ?? 'unknown';
      throw new UnsupportedRequest(
        `a "${kind}" content block cannot be sent to ${family} through --api invoke; use --api converse`,
      );
    })
    .join('\n');
}

export function nonEmpty(list: string[]): string[] | undefined {
  return list.length === 0 ? undefined : list;
}

/** Drops undefined members: the native schemas reject unknown or null keys. */
export function compact(body: Json): Json {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}

export function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The message a top_k the family cannot take gets. */
export function noTopK(request: PromptRequest, api: Api): string {
  return `top_k cannot be sent to "${request.model}" through --api ${api}; remove --top-k (or the top_k column)`;
}

export function noStopSequences(request: PromptRequest): string {
  return `stop sequences cannot be sent to "${request.model}" through --api invoke; use --api converse, or remove --stop (or the stop_sequences column)`;
}

export type { CallResult };
