/**
 * `--limit N`, `--sample N` and `--seed S`: their entries in the run table, and the one slice they
 * make (plan/slice.ts chooses the rows). A limit and a sample are refused together: which rows
 * would run is then unclear. A seed alone is refused too: it chooses nothing without a sample.
 */
import type { OptionDef } from './option-def.js';
import type { JobSpec, RunKey, Slice } from './spec.js';
import { given, type RawOptions } from './table.js';
import { OptionValueError, wholeNumber } from './values.js';

const BOTH = ['run', 'estimate'] as const;

export const SLICE_OPTIONS: readonly OptionDef<RunKey>[] = [
  {
    flag: 'limit',
    key: 'limit',
    type: 'number',
    parse: (flag, value) => wholeNumber(flag, value, 1),
    conflicts: { flag: 'sample', why: 'a slice is either the first rows or a sample' },
    group: 'Input',
    commands: BOTH,
    describe: 'Run only the first N rows of the input (a results file of its own unless -o)',
  },
  {
    flag: 'sample',
    key: 'sample',
    type: 'number',
    parse: (flag, value) => wholeNumber(flag, value, 1),
    group: 'Input',
    commands: BOTH,
    describe:
      'Run only N rows: those whose ids hash lowest with --seed, the same ones again after other rows are edited or deleted (a results file of its own unless -o)',
  },
  {
    flag: 'seed',
    key: 'seed',
    type: 'number',
    parse: (flag, value) => wholeNumber(flag, value, 0),
    default: 0,
    group: 'Input',
    commands: BOTH,
    describe: 'Seed of --sample: another seed, another sample of the same size',
  },
];

/** Sets `spec.slice` from --limit / --sample; returns the problems (a --seed without --sample). */
export function finishSlice(spec: JobSpec, raw: RawOptions): OptionValueError[] {
  if (spec.limit !== undefined) spec.slice = { kind: 'limit', rows: spec.limit };
  else if (spec.sample !== undefined) spec.slice = { kind: 'sample', rows: spec.sample, seed: spec.seed };
  else if (given(raw, 'seed'))
    return [new OptionValueError('seed', 'chooses a sample: give it with --sample N')];
  return [];
}

/** The default results file's tag: `sample-120-s7` or `limit-10`. */
export function sliceTag(slice: Slice): string {
  return slice.kind === 'limit' ? `limit-${slice.rows}` : `sample-${slice.rows}-s${slice.seed}`;
}
