/** `report`'s options: one table, like every command's (job/option-def.ts). */
import { GROUP_BY, type GroupBy } from '../cost/aggregate.js';
import { FORMATS } from '../cost/render.js';
import type { OptionDef } from '../job/option-def.js';
import { OptionValueError } from '../job/values.js';

/** One of GROUP_BY, or `tag:KEY` with a key. */
function groupBy(flag: string, value: unknown): GroupBy {
  if (typeof value === 'string' && value.startsWith('tag:')) {
    if (value.length === 4) throw new OptionValueError(flag, 'tag: needs a key, e.g. --by tag:team');
    return value as GroupBy;
  }
  if (typeof value === 'string' && (GROUP_BY as readonly string[]).includes(value)) return value as GroupBy;
  throw new OptionValueError(
    flag,
    `must be one of ${GROUP_BY.join(', ')}, or tag:KEY, got ${JSON.stringify(value)}`,
  );
}

export interface ReportSettings {
  by: GroupBy;
  format: (typeof FORMATS)[number];
  /** As typed: shown in messages about the file. */
  pricing?: string;
  /** As typed; the command makes it absolute. */
  output?: string;
}

export const REPORT_OPTIONS: readonly OptionDef<keyof ReportSettings>[] = [
  {
    flag: 'by',
    key: 'by',
    type: 'string',
    choices: [...GROUP_BY, 'tag:KEY'],
    parse: groupBy,
    default: 'model',
    group: 'Report',
    commands: ['report'],
    describe:
      'Group the totals by (profile: the inference profile ARN; tag:KEY: a tag from --tag or the profile, see docs/attribution.md)',
  },
  {
    flag: 'format',
    key: 'format',
    type: 'string',
    choices: FORMATS,
    default: 'table',
    group: 'Report',
    commands: ['report'],
    describe: 'Output format',
  },
  {
    flag: 'pricing',
    key: 'pricing',
    type: 'string',
    group: 'Report',
    commands: ['report'],
    describe: 'Pricing file laid over the shipped table, for what caching saved (costs are as recorded)',
    defaultDescription: 'the shipped table',
  },
  {
    flag: 'output',
    alias: 'o',
    key: 'output',
    type: 'string',
    group: 'Report',
    commands: ['report'],
    describe: 'Write the report to this file',
    defaultDescription: 'stdout',
  },
];
