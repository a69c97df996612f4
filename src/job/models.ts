/**
 * Several models at once, `-m a,b,c`: the list of models, each model's short name in file names
 * (its slug), and one resolved run per model: the same options, that model, and its own results
 * file (`<stem>.<slug>.results.<ext>` beside the input, or `-o` with `{model}` in it).
 *
 * A comma-separated value and not a repeated flag, so a repeated `-m` stays "the last one wins" as
 * for every scalar flag; a job file may hold the models as a list.
 */
import { RunBatchError } from '../errors.js';
import type { OptionDef } from './option-def.js';
import { defaultOutputPath, type ResolveContext, type ResolvedRun, resolveRun } from './resolve.js';
import { sliceTag } from './slice-options.js';
import { given, type RawOptions } from './table.js';

/** In `-o`, replaced by each model's slug. */
export const MODEL_PLACEHOLDER = '{model}';

/** The models `-m` names: one, or several separated by commas (or a job file's list). */
export function modelsOf(raw: RawOptions): string[] {
  const value = raw.model;
  const list = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [];
  return list.map((model) => model.trim());
}

export function severalModels(raw: RawOptions): boolean {
  return modelsOf(raw).length > 1;
}

/**
 * A model id as a file name part: an ARN's last segment (the profile's id), and every character
 * but letters, digits, `.`, `_` and `-` made `-` (`us.amazon.nova-pro-v1:0` -> `us.amazon.nova-pro-v1-0`).
 */
export function modelSlug(model: string): string {
  const id = model.startsWith('arn:') ? model.slice(model.lastIndexOf('/') + 1) : model;
  return (
    id
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 120) || 'model'
  );
}

/** `-o` with `{model}` filled in; `-o` without it names one file for several models: exit 2. */
export function outputFor(output: string, model: string): string {
  return output.split(MODEL_PLACEHOLDER).join(modelSlug(model));
}

/** One model and `-o` with `{model}` in it: filled in as for several (a job file shared by runs of each model). */
export function withModelInOutput(raw: RawOptions): RawOptions {
  const [model] = modelsOf(raw);
  if (model === undefined || typeof raw.output !== 'string' || !raw.output.includes(MODEL_PLACEHOLDER))
    return raw;
  return { ...raw, output: outputFor(raw.output, model) };
}

/**
 * One resolved run per model, in the order `-m` names them. Every problem with the list itself
 * (an empty name, a model twice, two models with one file name, `-o` without `{model}`) is exit 2
 * before anything is read.
 */
export function resolveModels(
  raw: RawOptions,
  ctx: ResolveContext,
  command: 'run' | 'estimate' = 'run',
  extra: readonly OptionDef[] = [],
): ResolvedRun[] {
  const models = modelsOf(raw);
  checkList(models, String(raw.model));
  const output = given(raw, 'output') ? String(raw.output) : undefined;
  if (output !== undefined && !output.includes(MODEL_PLACEHOLDER) && command === 'run') {
    throw new RunBatchError(
      'USAGE',
      `--output ${output} names one results file, but -m names ${models.length} models (${models.join(', ')}): put ${MODEL_PLACEHOLDER} in it (e.g. -o results.${MODEL_PLACEHOLDER}.csv), or leave -o out (each model gets <input>.<model>.results.<ext>)`,
    );
  }
  return models.map((model) => {
    const one: RawOptions = {
      ...raw,
      model,
      ...(output === undefined ? {} : { output: outputFor(output, model) }),
    };
    const run = resolveRun(one, ctx, command, extra);
    if (output === undefined) {
      const { spec } = run;
      const forced = given(raw, 'output-format') ? spec.outputFormat : undefined;
      const tags = [modelSlug(model), ...(spec.slice ? [sliceTag(spec.slice)] : [])];
      spec.output = defaultOutputPath(spec.input, forced, tags.join('.'));
    }
    // One metrics file per model (a textfile collector reads every *.prom of its directory):
    // each model's run rewrites its file whole, so one shared file would hold the last writer's.
    const { spec } = run;
    if (spec.metricsFile !== undefined && models.length > 1)
      spec.metricsFile = perModelFile(spec.metricsFile, model);
    return run;
  });
}

/** `metrics.prom` -> `metrics.<model-slug>.prom`; a `{model}` in the name is filled instead. */
function perModelFile(path: string, model: string): string {
  if (path.includes(MODEL_PLACEHOLDER)) return outputFor(path, model);
  const dot = path.lastIndexOf('.');
  const slash = path.lastIndexOf('/');
  return dot > slash + 1
    ? `${path.slice(0, dot)}.${modelSlug(model)}${path.slice(dot)}`
    : `${path}.${modelSlug(model)}`;
}

function checkList(models: readonly string[], given: string): void {
  if (models.some((model) => model === ''))
    throw new RunBatchError(
      'USAGE',
      `--model "${given}" has an empty model name; separate the models with single commas`,
    );
  const seen = new Map<string, string>();
  for (const model of models) {
    const slug = modelSlug(model);
    const before = seen.get(slug);
    if (before === model)
      throw new RunBatchError('USAGE', `--model names ${model} twice; name each model once`);
    if (before !== undefined)
      throw new RunBatchError(
        'USAGE',
        `--model: ${before} and ${model} would share the results file name part "${slug}"; run them separately`,
      );
    seen.set(slug, model);
  }
}
