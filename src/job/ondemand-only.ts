/**
 * Jobs Bedrock Batch Inference cannot run as asked: with --guardrail (a job takes no guardrail) or
 * --attach (a record would have to carry every file's bytes; run-batch does not build such records),
 * or with --judge (the judge grades answers as they arrive, on demand; it is not run after a batch
 * job's collection).
 * `--mode batch` is refused for them, and `--mode auto` runs on demand and says why.
 */
import { guardrailModeNote, guardrailModeProblems } from './guardrail-options.js';
import type { BatchOptions, JobSpec } from './spec.js';
import { OptionValueError } from './values.js';

type Asked = Pick<JobSpec, 'guardrail' | 'attach' | 'judge'>;

const ATTACH = '--attach files are not put in batch records (each record would have to carry their bytes)';
const JUDGE = '--judge grades answers as they arrive on demand, not after a batch job is collected';

/** Why batch mode cannot run this job (other than a guardrail), or undefined. */
function batchRefusal(spec: Asked): string | undefined {
  if (spec.attach.length > 0) return ATTACH;
  return spec.judge === undefined ? undefined : JUDGE;
}

export function onDemandOnlyProblems(
  batch: Pick<BatchOptions, 'mode' | 'cancel'>,
  spec: Asked,
): OptionValueError[] {
  const problems = guardrailModeProblems(batch, spec.guardrail);
  const why = batchRefusal(spec);
  if (problems.length > 0 || why === undefined || batch.mode !== 'batch' || batch.cancel) return problems;
  return [
    new OptionValueError(
      'mode',
      `batch cannot run this job: ${why}; use --mode ondemand (or auto, which then runs on demand)`,
    ),
  ];
}

/** What `--mode auto` does with such a job; undefined when it changes nothing. */
export function onDemandOnlyNote(mode: BatchOptions['mode'], spec: Asked): string | undefined {
  const note = guardrailModeNote(mode, spec.guardrail);
  const why = batchRefusal(spec);
  if (note !== undefined || mode !== 'auto' || why === undefined) return note;
  return `--mode auto runs on demand: ${why}`;
}
