/** The InvokeModel codec for a model: its family's, Mistral split by chat or text completion. */
import type { ModelInfo } from '../../catalogue/catalogue.js';
import { anthropic } from './anthropic.js';
import type { Family } from './family.js';
import { llama } from './llama.js';
import { mistralChat, mistralText } from './mistral.js';
import { nova } from './nova.js';
import { titan } from './titan.js';

export type { Family, NativeChunk, ReplyContext } from './family.js';

export function familyOf(model: ModelInfo): Family {
  switch (model.family) {
    case 'anthropic':
      return anthropic;
    case 'nova':
      return nova;
    case 'titan':
      return titan;
    case 'llama':
      return llama;
    case 'mistral':
      return model.mistralChat ? mistralChat : mistralText;
  }
}
