/**
 * The options of `--json-schema`, `--json-mode`, `--json-retries`, `--attach` and `--attach-root`: their rows in the
 * run options table. The schema is read and compiled by its check, so a broken one stops the run
 * (exit 2) before any row is read.
 */
import { resolve } from 'node:path';
import { displayPath } from '../errors.js';
import { loadSchema } from './json-schema.js';
import type { OptionDef } from './option-def.js';
import type { JsonMode, RunKey } from './spec.js';
import { text, textList, wholeIn } from './values.js';

export type { JsonMode } from './spec.js';

const BOTH = ['run', 'estimate'] as const;

export const ANSWER_OPTIONS: readonly OptionDef<RunKey>[] = [
  {
    flag: 'attach',
    key: 'attach',
    type: 'list',
    parse: (flag, value) => [...new Set(textList(flag, value))],
    default: [],
    group: 'Input',
    commands: BOTH,
    describe:
      'Column holding files to send with the prompt (repeatable): paths relative to the input file or s3:// URIs, several separated by ";"',
  },
  {
    flag: 'attach-root',
    key: 'attachRoot',
    type: 'string',
    parse: (flag, value, ctx) => resolve(ctx.cwd, text(flag, value)),
    jobPath: 'path',
    group: 'Input',
    commands: BOTH,
    describe:
      'Directory --attach may read local files under (a path leaving it by .., an absolute path or a symlink is refused)',
    defaultDescription: "the input file's directory",
  },
  {
    flag: 'json-schema',
    key: 'jsonSchema',
    type: 'string',
    parse: (flag, value, ctx) => {
      const path = resolve(ctx.cwd, text(flag, value));
      return loadSchema(path, displayPath(path, ctx.cwd));
    },
    jobPath: 'path',
    group: 'Model',
    commands: BOTH,
    describe: 'JSON Schema (JSON or YAML) every answer must match; CSV results get json_<property> columns',
  },
  {
    flag: 'json-mode',
    key: 'jsonMode',
    type: 'string',
    choices: ['auto', 'native', 'tool'] satisfies JsonMode[],
    default: 'auto',
    group: 'Model',
    commands: BOTH,
    describe:
      'How the schema is sent: native structured output, one forced tool, or auto (native where the model has it)',
  },
  {
    flag: 'json-retries',
    key: 'jsonRetries',
    type: 'number',
    parse: wholeIn(0, 20),
    default: 2,
    group: 'Model',
    commands: BOTH,
    describe:
      'Retries of an answer that is not JSON, does not match, or was cut off, before the row is an error',
  },
];
