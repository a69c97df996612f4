/**
 * A judge for free text (`--judge MODEL`, `--rubric TEXT|@file`): their entries in the run table
 * and the check that they come together. The judge reads an answer after it is bought and never
 * changes what the row asks, so neither is part of a row's fingerprint: a new rubric re-judges the
 * answers a run already has, with no answer call (src/judge/).
 */
import { modelId } from './checks.js';
import type { OptionDef } from './option-def.js';
import type { RunKey } from './spec.js';
import { OptionValueError, textOrFile } from './values.js';

export const JUDGE_OPTIONS: readonly OptionDef<RunKey>[] = [
  {
    flag: 'judge',
    key: 'judge',
    type: 'string',
    parse: (flag, value, ctx) => modelId(flag, value, ctx.env),
    group: 'Output',
    commands: ['run'],
    describe:
      'Grade each ok answer with this second model against --rubric (and the --expect column, when given): ' +
      'results gain judge_pass, judge_score (0-1), judge_reason and judge_cost_usd. Not with --mode batch',
  },
  {
    flag: 'rubric',
    key: 'rubric',
    type: 'string',
    parse: (flag, value, ctx) => {
      const rubric = textOrFile(flag, value, ctx.cwd);
      if (rubric.trim() === '') throw new OptionValueError(flag, 'is empty; say what a good answer is');
      return rubric;
    },
    jobPath: 'at-file',
    group: 'Output',
    commands: ['run'],
    describe: 'What --judge grades against: the rubric text, or @file',
  },
];

/**
 * --judge needs a rubric, and a rubric means nothing without a judge. By what was given, not what
 * parsed: a rubric file that cannot be read is its own problem, not also a missing rubric.
 */
export function judgeProblems(given: { judge: boolean; rubric: boolean }): OptionValueError[] {
  if (given.judge && !given.rubric)
    return [
      new OptionValueError('judge', 'needs --rubric TEXT or --rubric @file: what the judge grades against'),
    ];
  if (!given.judge && given.rubric)
    return [new OptionValueError('rubric', 'is for --judge MODEL; give the model that grades the answers')];
  return [];
}
