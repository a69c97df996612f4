/**
 * Jobs Bedrock Batch Inference cannot run as asked: with --guardrail (a job takes no guardrail) or
 * --attach (a record would have to carry every file's bytes; run-batch does not build such records).
 * `--mode batch` is refused for them, and `--mode auto` runs on demand and says why.
 */
import { guardrailModeNote, guardrailModeProblems } from './guardrail-options.js';
import type { BatchOptions, JobSpec } from './spec.js';
import { OptionValueError } from './values.js';

type Asked = Pick<JobSpec, 'guardrail' | 'attach'>;

const ATTACH = '--attach files are not put in batch records (each record would have to carry their bytes)';

export function onDemandOnlyProblems(
  batch: Pick<BatchOptions, 'mode' | 'cancel'>,
  spec: Asked,
): OptionValueError[] {
  const problems = guardrailModeProblems(batch, spec.guardrail);
  if (problems.length > 0 || spec.attach.length === 0 || batch.mode !== 'batch' || batch.cancel)
    return problems;
  return [
    new OptionValueError(
      'mode',
      `batch cannot run this job: ${ATTACH}; use --mode ondemand (or auto, which then runs on demand)`,
    ),
  ];
}

/** What `--mode auto` does with such a job; undefined when it changes nothing. */
export function onDemandOnlyNote(mode: BatchOptions['mode'], spec: Asked): string | undefined {
  const note = guardrailModeNote(mode, spec.guardrail);
  if (note !== undefined || mode !== 'auto' || spec.attach.length === 0) return note;
  return `--mode auto runs on demand: ${ATTACH}`;
}
