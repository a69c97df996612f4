/** `run-batch report <files...>`: usage and cost totals over results files, to stdout or --output. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Options } from 'yargs';
import { GROUP_BY } from '../cost/aggregate.js';
import { loadPriceTable } from '../cost/load.js';
import { FORMATS } from '../cost/render.js';
import { buildReport, renderReport } from '../cost/report.js';
import { RunBatchError } from '../errors.js';
import { oneOf, text, textList } from '../job/values.js';
import type { CommandIO } from './io.js';

/** The report's flags; values stay raw strings, checked below. */
export const reportOptions: Record<string, Options> = {
  by: { type: 'string', describe: 'Group the totals by', choices: GROUP_BY, default: 'model' },
  format: { type: 'string', describe: 'Output format', choices: FORMATS, default: 'table' },
  pricing: {
    type: 'string',
    describe: 'Pricing file laid over the shipped table, for what caching saved (costs are as recorded)',
    defaultDescription: 'the shipped table',
  },
  output: {
    type: 'string',
    alias: 'o',
    describe: 'Write the report to this file',
    defaultDescription: 'stdout',
  },
};

export async function reportCommand(raw: Record<string, unknown>, io: CommandIO): Promise<number> {
  const files = textList('files', raw.files ?? []);
  if (files.length === 0)
    throw new RunBatchError('USAGE', 'no results files given: run-batch report <files...>');
  const by = oneOf('by', raw.by ?? 'model', GROUP_BY);
  const format = oneOf('format', raw.format ?? 'table', FORMATS);
  const pricing = raw.pricing === undefined ? undefined : text('pricing', raw.pricing);
  const prices = loadPriceTable(pricing === undefined ? undefined : resolve(io.cwd, pricing), pricing);
  const rendered = renderReport(await buildReport(files, by, io.cwd, prices), format);
  if (raw.output === undefined) {
    io.stdout(rendered);
    return 0;
  }
  const output = resolve(io.cwd, text('output', raw.output));
  try {
    writeFileSync(output, rendered);
  } catch (error) {
    throw new RunBatchError('OUTPUT', `--output ${output}: cannot write: ${(error as Error).message}`, {
      cause: error,
    });
  }
  io.stderr(`run-batch: report written to ${output}\n`);
  return 0;
}
