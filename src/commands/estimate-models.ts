/**
 * `run-batch estimate INPUT -m a,b,c`: the estimate of each model in turn, as `estimate -m a`,
 * `-m b`, ... would print it, under a line naming the model (text), or one JSON object
 * `{models: [{model, ...estimate}]}` (json). Each duration is the model's alone: a run of several
 * models shares -c among them, so together they take longer than the longest.
 */
import { modelsOf } from '../job/models.js';
import type { RawOptions } from '../job/table.js';
import type { CommandIO } from './io.js';

export async function estimateModels(
  raw: RawOptions,
  io: CommandIO,
  estimateOne: (raw: RawOptions, io: CommandIO) => Promise<number>,
): Promise<number> {
  const outputs: Array<{ model: string; text: string }> = [];
  let exitCode = 0;
  for (const model of modelsOf(raw)) {
    let text = '';
    exitCode = Math.max(
      exitCode,
      await estimateOne({ ...raw, model }, { ...io, stdout: (t) => (text += t) }),
    );
    outputs.push({ model, text });
  }
  const parsed = outputs.map((o) => parseObject(o.text));
  if (parsed.every((p) => p !== undefined)) {
    const models = outputs.map((o, i) => ({ model: o.model, ...parsed[i] }));
    io.stdout(`${JSON.stringify({ models, note: SHARED_NOTE }, null, 2)}\n`);
  } else {
    io.stdout(outputs.map((o) => `model     ${o.model}\n${o.text}`).join('\n'));
    io.stdout(`\nnote      ${SHARED_NOTE}\n`);
  }
  return exitCode;
}

const SHARED_NOTE = 'each duration is the model alone; run together, the models share -c and take longer';

function parseObject(text: string): object | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
