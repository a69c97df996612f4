/**
 * The S3 output's option (`--checkpoint-every`): how often answers are checkpointed to S3 beside
 * the output (src/remote/checkpoint.ts). Rows (`500`) or seconds (`60s`); a run writing to a local
 * file ignores it.
 */
import type { OptionDef } from './option-def.js';
import type { CheckpointEvery, RunKey } from './spec.js';
import { fail } from './values.js';

export const S3_OPTIONS: readonly OptionDef<RunKey>[] = [
  {
    flag: 'checkpoint-every',
    key: 'checkpointEvery',
    type: 'string',
    parse: (flag, value): CheckpointEvery => {
      const match =
        typeof value === 'string' || typeof value === 'number'
          ? /^(\d+)(s?)$/.exec(String(value).trim())
          : null;
      const n = match ? Number(match[1]) : 0;
      if (!match || n < 1 || n > 1_000_000_000)
        return fail(flag, 'a number of rows (500) or of seconds with an s (60s), at least 1', value);
      return match[2] === 's' ? { seconds: n } : { rows: n };
    },
    default: '60s',
    group: 'Output',
    commands: ['run'],
    describe:
      'With -o s3://...: checkpoint the answers bought to S3 every N rows, or every N seconds with an s suffix; a run resumed elsewhere pays again at most what came after the last checkpoint plus those in flight',
  },
];
