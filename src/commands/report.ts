/** `run-batch report <files...>`: usage and cost totals over results files, to stdout or --output. */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Options } from 'yargs';
import { writeFileAtomic } from '../atomic-write.js';
import { GROUP_BY } from '../cost/aggregate.js';
import { loadPriceTable } from '../cost/load.js';
import { FORMATS } from '../cost/render.js';
import { buildReport, renderReport } from '../cost/report.js';
import { expandFiles, type ResultsFile } from '../cost/results.js';
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
  const output = raw.output === undefined ? undefined : resolve(io.cwd, text('output', raw.output));
  if (output !== undefined) refuseOverwrite(output, await expandFiles(files, io.cwd));
  const rendered = renderReport(await buildReport(files, by, io.cwd, prices), format);
  if (output === undefined) {
    io.stdout(rendered);
    return 0;
  }
  // Beside it, then renamed over it: a failed write never leaves half a report where one was.
  try {
    writeFileAtomic(output, rendered);
  } catch (error) {
    throw new RunBatchError('OUTPUT', `--output ${output}: cannot write: ${(error as Error).message}`, {
      cause: error,
    });
  }
  io.stderr(`run-batch: report written to ${output}\n`);
  return 0;
}

/**
 * `-o` never replaces a file the report reads, nor any results file: `report z.results.csv -o
 * z.results.csv` would put a report where 500 paid rows were. Files are compared by device and
 * inode, so a symlink or a hard link to one is caught too.
 */
function refuseOverwrite(output: string, files: readonly ResultsFile[]): void {
  let target: ReturnType<typeof statSync>;
  try {
    target = statSync(output);
  } catch {
    return; // nothing there yet
  }
  const same = files.find((file) => {
    const read = statSync(file.path);
    return read.dev === target.dev && read.ino === target.ino;
  });
  if (same) {
    throw new RunBatchError(
      'USAGE',
      `--output ${output} is ${same.label}, a file this report reads; write the report to another file`,
    );
  }
  if (looksLikeResults(output)) {
    throw new RunBatchError(
      'USAGE',
      `--output ${output} is a run-batch results file; write the report to another file`,
    );
  }
}

/** A results file starts with a header (CSV) or a record (JSONL) naming status and cost_usd. */
function looksLikeResults(path: string): boolean {
  const buffer = Buffer.alloc(64 * 1024);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const firstLine = buffer
      .subarray(0, readSync(fd, buffer, 0, buffer.length, 0))
      .toString('utf8')
      .split('\n')[0];
    return (
      /\bstatus\b/.test(firstLine ?? '') &&
      /\bcost_usd\b/.test(firstLine ?? '') &&
      /\bfinished_at\b/.test(firstLine ?? '')
    );
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
