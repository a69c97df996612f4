/** BatchRows for batch-engine tests: real PromptRequests, as src/input/request.ts builds them. */
import type { BatchRow } from '../../src/engines/batch/index.js';
import type { PromptRequest } from '../../src/types.js';

export const MODEL = 'anthropic.claude-haiku-4-5-20251001-v1:0';

export function promptRequest(
  index: number,
  prompt: string,
  extra: Partial<PromptRequest> = {},
): PromptRequest {
  return {
    index,
    line: index + 2,
    id: `row-${index + 1}`,
    row: { prompt },
    model: MODEL,
    messages: [{ role: 'user', content: [{ text: prompt }] }],
    inference: { maxTokens: 64, stopSequences: [] },
    ...extra,
  };
}

/** `count` rows asking "Question N"; `prompt` picks another text per row. */
export function batchRows(
  count: number,
  prompt: (index: number) => string = (i) => `Question ${i + 1}`,
  extra: Partial<PromptRequest> = {},
): BatchRow[] {
  return Array.from({ length: count }, (_, index) => {
    const request = promptRequest(index, prompt(index), extra);
    return { index, id: request.id, request };
  });
}
