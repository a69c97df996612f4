/**
 * Amazon Titan Text (reference §5.2): `inputText` and `textGenerationConfig`; the reply in
 * `results[0]` with `tokenCount` and `completionReason` FINISH / LENGTH / STOP_CRITERIA_MET.
 */

import { canonicalJson, type Generation, type Planned } from '../../behaviour/generation.js';
import type { Reply } from '../../behaviour/text.js';
import type { ModelInfo } from '../../catalogue/catalogue.js';
import { SchemaViolations } from '../../wire/validate.js';
import { type Family, type NativeChunk, outputLimit } from './family.js';

const CONFIG = ['temperature', 'topP', 'maxTokenCount', 'stopSequences'];

function parse(raw: unknown, model: ModelInfo): Generation {
  const v = new SchemaViolations();
  const request = v.root(raw);
  v.keys('#', request, ['inputText'], ['inputText', 'textGenerationConfig']);
  v.string('#/inputText', request.inputText);
  const config = v.object('#/textGenerationConfig', request.textGenerationConfig) ?? {};
  v.keys('#/textGenerationConfig', config, [], CONFIG);
  v.number('#/textGenerationConfig/maxTokenCount', config.maxTokenCount, 0, model.maxOutputTokens, true);
  v.number('#/textGenerationConfig/temperature', config.temperature, 0, 1);
  v.number('#/textGenerationConfig/topP', config.topP, 0, 1);
  v.strings('#/textGenerationConfig/stopSequences', config.stopSequences);
  v.throwIfAny();
  const { maxTokenCount, stopSequences, ...seeded } = config;
  return {
    model,
    texts: [request.inputText as string],
    ...outputLimit(model, maxTokenCount, 512),
    stopSequences: (stopSequences as string[] | undefined) ?? [],
    canonical: canonicalJson({ inputText: request.inputText, config: seeded }),
  };
}

function completionReason(reply: Reply): string {
  if (reply.stopReason === 'max_tokens') return 'LENGTH';
  return reply.stopReason === 'stop_sequence' ? 'STOP_CRITERIA_MET' : 'FINISH';
}

function response(planned: Planned): Record<string, unknown> {
  const { reply, inputTokens } = planned;
  return {
    inputTextTokenCount: inputTokens,
    results: [
      { tokenCount: reply.outputTokens, outputText: reply.text, completionReason: completionReason(reply) },
    ],
  };
}

function stream(planned: Planned): NativeChunk[] {
  const { reply, inputTokens } = planned;
  const chunks: NativeChunk[] = reply.pieces.map((outputText, i) => ({
    body: {
      outputText,
      index: 0,
      totalOutputTextTokenCount: i + 1,
      completionReason: null,
      inputTextTokenCount: i === 0 ? inputTokens : null,
    },
    delta: true,
  }));
  chunks.push({
    body: {
      outputText: '',
      index: 0,
      totalOutputTextTokenCount: reply.outputTokens,
      completionReason: completionReason(reply),
      inputTextTokenCount: chunks.length === 0 ? inputTokens : null,
    },
    delta: false,
  });
  return chunks;
}

export const titan: Family = { parse, response, stream };
