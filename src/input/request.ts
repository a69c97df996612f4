/**
 * Turns an input row into a PromptRequest: its id, prompt (column or template), system prompt,
 * per-row overrides (model, max_tokens, temperature, top_p, top_k, stop_sequences, system),
 * multi-turn `messages`, or a Bedrock batch record's `modelInput`. Every problem is an input
 * error naming file, line and column, raised before anything is sent.
 */
import { RunBatchError } from '../errors.js';
import type { Format, JobSpec } from '../job/spec.js';
import type { ChatMessage, GuardrailRequest, InferenceSettings, PromptRequest } from '../types.js';
import type { InputRow } from './row.js';
import { compileTemplate, lookup, type Template } from './template.js';

export interface RequestDefaults {
  /** How the input file is named in messages. */
  label: string;
  format: Format;
  promptColumn: string;
  template?: string;
  system?: string;
  /** Explicit id column; otherwise `id` (or a batch record's `recordId`) when present, else the row number. */
  idColumn?: string;
  model: string;
  inference: InferenceSettings;
  serviceTier?: 'default' | 'priority' | 'flex';
  cacheSystem?: '5m' | '1h';
  guardrail?: GuardrailRequest;
}

/** The job-wide defaults every row starts from. */
export function requestDefaults(spec: JobSpec, label: string): RequestDefaults {
  return {
    label,
    format: spec.inputFormat,
    promptColumn: spec.promptColumn,
    model: spec.model,
    inference: {
      maxTokens: spec.maxTokens,
      stopSequences: spec.stop,
      ...(spec.temperature === undefined ? {} : { temperature: spec.temperature }),
      ...(spec.topP === undefined ? {} : { topP: spec.topP }),
      ...(spec.topK === undefined ? {} : { topK: spec.topK }),
    },
    ...(spec.template === undefined ? {} : { template: spec.template }),
    ...(spec.system === undefined ? {} : { system: spec.system }),
    ...(spec.idColumn === undefined ? {} : { idColumn: spec.idColumn }),
    ...(spec.serviceTier === undefined ? {} : { serviceTier: spec.serviceTier }),
    ...(spec.cacheSystem === undefined ? {} : { cacheSystem: spec.cacheSystem }),
    ...(spec.guardrail === undefined
      ? {}
      : { guardrail: { ...spec.guardrail, trace: spec.guardrailTrace ?? 'disabled' } }),
  };
}

export type RequestBuilder = (row: InputRow, columns: readonly string[]) => PromptRequest;

export function requestBuilder(defaults: RequestDefaults): RequestBuilder {
  const template = defaults.template === undefined ? undefined : compileTemplate(defaults.template);
  let headerChecked = false;
  return (row, columns) => {
    // A CSV header is the same for every row: check it once and name line 1.
    if (defaults.format === 'csv' && !headerChecked) {
      checkHeader(columns, defaults, template);
      headerChecked = true;
    }
    return build(row, defaults, template);
  };
}

function checkHeader(columns: readonly string[], d: RequestDefaults, template: Template | undefined): void {
  const has = (name: string) => columns.includes(name);
  const list = columns.join(', ');
  if (d.idColumn !== undefined && !has(d.idColumn)) {
    throw new RunBatchError(
      'INPUT',
      `${d.label}:1: no "${d.idColumn}" column for --id-column; the columns are ${list}`,
    );
  }
  if (template) {
    const missing = template.variables.find((v) => v !== '.' && !has(v.split('.')[0] ?? v));
    if (missing !== undefined) {
      throw new RunBatchError(
        'INPUT',
        `${d.label}:1: template variable "${missing}" is not a column; the columns are ${list}`,
      );
    }
  } else if (!has(d.promptColumn)) {
    throw new RunBatchError(
      'INPUT',
      `${d.label}:1: no "${d.promptColumn}" column; the columns are ${list} (name one with --prompt-column, or use --template)`,
    );
  }
}

function build(row: InputRow, d: RequestDefaults, template: Template | undefined): PromptRequest {
  const at = `${d.label}:${row.line}`;
  const data = row.data;
  const batch = isBatchRecord(data);
  const request: PromptRequest = {
    index: row.index,
    line: row.line,
    id: rowId(row, d, batch),
    row: data,
    model: present(data.model) ? stringCell(at, 'model', data.model) : d.model,
    messages: [],
    inference: {
      maxTokens: present(data.max_tokens)
        ? numberCell(at, 'max_tokens', data.max_tokens, 1, 1_000_000, true)
        : d.inference.maxTokens,
      stopSequences: present(data.stop_sequences)
        ? stopCell(at, data.stop_sequences)
        : d.inference.stopSequences,
    },
  };
  const temperature = present(data.temperature)
    ? numberCell(at, 'temperature', data.temperature, 0, 1, false)
    : d.inference.temperature;
  const topP = present(data.top_p) ? numberCell(at, 'top_p', data.top_p, 0, 1, false) : d.inference.topP;
  const topK = present(data.top_k)
    ? numberCell(at, 'top_k', data.top_k, 0, 1_000_000, true)
    : d.inference.topK;
  if (temperature !== undefined) request.inference.temperature = temperature;
  if (topP !== undefined) request.inference.topP = topP;
  if (topK !== undefined) request.inference.topK = topK;
  const system = present(data.system) ? stringCell(at, 'system', data.system) : d.system;
  if (system !== undefined && system !== '') request.system = system;
  const tier = present(data.service_tier) ? tierCell(at, data.service_tier) : d.serviceTier;
  if (tier !== undefined) request.serviceTier = tier;
  if (d.cacheSystem !== undefined) request.cacheSystem = d.cacheSystem;
  if (d.guardrail !== undefined) request.guardrail = d.guardrail;

  if (batch) {
    request.nativeBody = data.modelInput as Record<string, unknown>;
  } else if (data.messages !== undefined) {
    request.messages = messagesCell(at, data.messages);
  } else {
    request.messages = [{ role: 'user', content: [{ text: promptText(at, data, d, template) }] }];
  }
  return request;
}

function isBatchRecord(data: Record<string, unknown>): boolean {
  return data.modelInput !== null && typeof data.modelInput === 'object' && !Array.isArray(data.modelInput);
}

function rowId(row: InputRow, d: RequestDefaults, batch: boolean): string {
  const column =
    d.idColumn ??
    (present(row.data.id) ? 'id' : batch && present(row.data.recordId) ? 'recordId' : undefined);
  if (column === undefined) return String(row.index + 1);
  const value = row.data[column];
  if (!present(value))
    throw new RunBatchError('INPUT', `${d.label}:${row.line}: the id column "${column}" is empty`);
  if (typeof value === 'object') {
    throw new RunBatchError(
      'INPUT',
      `${d.label}:${row.line}: the id column "${column}" must be a string or number`,
    );
  }
  return String(value);
}

function promptText(
  at: string,
  data: Record<string, unknown>,
  d: RequestDefaults,
  template: Template | undefined,
): string {
  if (template) {
    const missing = template.variables.find((v) => lookup(data, v) === undefined);
    if (missing !== undefined)
      throw new RunBatchError('INPUT', `${at}: template variable "${missing}" is missing from the row`);
    const text = template.render(data);
    if (text.trim() === '') throw new RunBatchError('INPUT', `${at}: the template renders an empty prompt`);
    return text;
  }
  const value = data[d.promptColumn];
  if (value === undefined) {
    throw new RunBatchError(
      'INPUT',
      `${at}: no "${d.promptColumn}" field (nor "messages"); name one with --prompt-column or use --template`,
    );
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text.trim() === '')
    throw new RunBatchError('INPUT', `${at}: the prompt in column "${d.promptColumn}" is empty`);
  return text;
}

/** An empty CSV cell means "not given", so the job-wide value applies. */
function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

function stringCell(at: string, column: string, value: unknown): string {
  if (typeof value !== 'string')
    throw new RunBatchError('INPUT', `${at}: column "${column}" must be text, got ${JSON.stringify(value)}`);
  return value;
}

function numberCell(
  at: string,
  column: string,
  value: unknown,
  min: number,
  max: number,
  integer: boolean,
): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : Number.NaN;
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    const expected = integer ? `a whole number from ${min} to ${max}` : `a number from ${min} to ${max}`;
    throw new RunBatchError(
      'INPUT',
      `${at}: column "${column}" must be ${expected}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

function tierCell(at: string, value: unknown): 'default' | 'priority' | 'flex' {
  if (value === 'default' || value === 'priority' || value === 'flex') return value;
  throw new RunBatchError(
    'INPUT',
    `${at}: column "service_tier" must be default, priority or flex, got ${JSON.stringify(value)}`,
  );
}

function stopCell(at: string, value: unknown): string[] {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
  }
  if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === 'string' && s !== '')) {
    throw new RunBatchError(
      'INPUT',
      `${at}: column "stop_sequences" must be a JSON array of non-empty strings, got ${JSON.stringify(value)}`,
    );
  }
  return parsed as string[];
}

function messagesCell(at: string, value: unknown): ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new RunBatchError('INPUT', `${at}: "messages" must be a non-empty array of {role, content}`);
  }
  return value.map((message, i) => {
    const m = message as { role?: unknown; content?: unknown } | null;
    if (m === null || typeof m !== 'object' || (m.role !== 'user' && m.role !== 'assistant')) {
      throw new RunBatchError('INPUT', `${at}: messages[${i}].role must be "user" or "assistant"`);
    }
    // A bare string is accepted as shorthand for one text block.
    if (typeof m.content === 'string') return { role: m.role, content: [{ text: m.content }] };
    if (!Array.isArray(m.content) || m.content.length === 0) {
      throw new RunBatchError(
        'INPUT',
        `${at}: messages[${i}].content must be a string or a non-empty array of content blocks`,
      );
    }
    return { role: m.role, content: m.content as ChatMessage['content'] };
  });
}
