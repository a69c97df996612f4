/** `compare`'s options: one table, like every command's (job/option-def.ts). */
import { COMPARE_FORMATS, type CompareFormat } from '../compare/render.js';
import type { OptionDef } from '../job/option-def.js';
import { decimal, wholeNumber } from '../job/values.js';

export interface CompareSettings {
  format: CompareFormat;
  rows?: number;
  /** As typed; the command makes it absolute and counts its rows. */
  input?: string;
  minAccuracy: number;
  answer: string;
  pricing?: string;
  output?: string;
}

const common = { group: 'Compare', commands: ['compare'] } as const;

export const COMPARE_OPTIONS: readonly OptionDef<keyof CompareSettings>[] = [
  {
    ...common,
    flag: 'format',
    key: 'format',
    type: 'string',
    choices: COMPARE_FORMATS,
    default: 'table',
    describe: 'Output format',
  },
  {
    ...common,
    flag: 'rows',
    key: 'rows',
    type: 'number',
    parse: (flag, value) => wholeNumber(flag, value, 1),
    describe: 'Rows of the full input, for its projected cost on-demand, at flex and at batch prices',
  },
  {
    ...common,
    flag: 'input',
    key: 'input',
    type: 'string',
    describe: 'The full input file (CSV, JSONL or Parquet): its rows are counted for the projected cost',
  },
  {
    ...common,
    flag: 'min-accuracy',
    key: 'minAccuracy',
    type: 'number',
    parse: (flag, value) => decimal(flag, value, 0, 1),
    default: 0.9,
    describe: 'The HTML chart marks the cheapest model and pricing mode at or above this accuracy (0-1)',
  },
  {
    ...common,
    flag: 'answer',
    key: 'answer',
    type: 'string',
    default: 'response',
    describe:
      'The results column holding the answer compared with `expected` for macro F1 (json_<field> with a schema)',
  },
  {
    ...common,
    flag: 'pricing',
    key: 'pricing',
    type: 'string',
    describe: 'Pricing file laid over the shipped table',
    defaultDescription: 'the shipped table',
  },
  {
    ...common,
    flag: 'output',
    alias: 'o',
    key: 'output',
    type: 'string',
    describe: 'Write the comparison to this file',
    defaultDescription: 'stdout',
  },
];
