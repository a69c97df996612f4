/** `run-batch report <files...>`: usage and cost totals over results files, to stdout or --output. */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadPriceTable } from '../cost/load.js';
import { buildReport, renderReport } from '../cost/report.js';
import { expandFiles, type ResultsFile } from '../cost/results.js';
import { RunBatchError } from '../errors.js';
import { resolveOrThrow } from '../job/table.js';
import { textList } from '../job/values.js';
import type { CommandIO } from './io.js';
import { REPORT_OPTIONS, type ReportSettings } from './report-options.js';
import { writeOutput } from './write-output.js';

export async function reportCommand(raw: Record<string, unknown>, io: CommandIO): Promise<number> {
  const files = textList('files', raw.files ?? []);
  if (files.length === 0)
    throw new RunBatchError('USAGE', 'no results files given: run-batch report <files...>');
  const settings = resolveOrThrow<ReportSettings>(REPORT_OPTIONS, raw, { cwd: io.cwd, env: io.env });
  const { by, format, pricing } = settings;
  const prices = loadPriceTable(pricing === undefined ? undefined : resolve(io.cwd, pricing), pricing);
  const output = settings.output === undefined ? undefined : resolve(io.cwd, settings.output);
  if (output !== undefined) refuseOverwrite(output, await expandFiles(files, io.cwd));
  return writeOutput(
    renderReport(await buildReport(files, by, io.cwd, prices), format),
    output,
    io,
    'report',
  );
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
