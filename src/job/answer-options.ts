/**
 * The options of `--json-schema`, `--json-mode`, `--json-retries` and `--attach`, resolved like
 * every other option (job/resolve.ts calls this once): the schema is read and compiled here, so a
 * broken one stops the run (exit 2) before any row is read.
 */
import { resolve } from 'node:path';
import { displayPath } from '../errors.js';
import { type AnswerSchema, loadSchema } from './json-schema.js';
import { oneOf, text, textList, wholeNumber } from './values.js';

export type JsonMode = 'auto' | 'native' | 'tool';

export interface AnswerOptions {
  jsonSchema?: AnswerSchema;
  jsonMode: JsonMode;
  jsonRetries: number;
  attach: string[];
}

export function answerOptions(raw: Record<string, unknown>, cwd: string): AnswerOptions {
  const given = (key: string) => raw[key] !== undefined && raw[key] !== null;
  const options: AnswerOptions = {
    jsonMode: given('json-mode')
      ? oneOf('json-mode', raw['json-mode'], ['auto', 'native', 'tool'] as const)
      : 'auto',
    jsonRetries: given('json-retries') ? wholeNumber('json-retries', raw['json-retries'], 0, 20) : 2,
    attach: given('attach') ? [...new Set(textList('attach', raw.attach))] : [],
  };
  if (given('json-schema')) {
    const path = resolve(cwd, text('json-schema', raw['json-schema']));
    options.jsonSchema = loadSchema(path, displayPath(path, cwd));
  }
  return options;
}
