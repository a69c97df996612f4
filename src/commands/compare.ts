/** `run-batch compare <files...>`: the models of results files side by side, to stdout or --output. */
import { resolve } from 'node:path';
import { buildComparison, type Comparison } from '../compare/build.js';
import { renderCompareHtml } from '../compare/html.js';
import {
  renderCompareCsv,
  renderCompareJson,
  renderCompareMarkdown,
  renderCompareTable,
} from '../compare/render.js';
import { loadPriceTable } from '../cost/load.js';
import { expandFiles } from '../cost/results.js';
import { RunBatchError } from '../errors.js';
import { openSource } from '../input/source.js';
import { formatFromPath } from '../job/resolve.js';
import { resolveOrThrow } from '../job/table.js';
import { textList } from '../job/values.js';
import { COMPARE_OPTIONS, type CompareSettings } from './compare-options.js';
import type { CommandIO } from './io.js';
import { writeOutput } from './write-output.js';

export async function compareCommand(raw: Record<string, unknown>, io: CommandIO): Promise<number> {
  const patterns = textList('files', raw.files ?? []);
  if (patterns.length === 0)
    throw new RunBatchError('USAGE', 'no results files given: run-batch compare <files...>');
  const s = resolveOrThrow<CompareSettings>(COMPARE_OPTIONS, raw, { cwd: io.cwd, env: io.env });
  if (s.rows !== undefined && s.input !== undefined)
    throw new RunBatchError('USAGE', "--rows and --input both give the full input's rows: give one");
  const prices = loadPriceTable(s.pricing === undefined ? undefined : resolve(io.cwd, s.pricing), s.pricing);
  const fullRows = s.input === undefined ? (s.rows ?? null) : await countRows(s.input, io.cwd);
  const files = await expandFiles(patterns, io.cwd);
  const output = s.output === undefined ? undefined : resolve(io.cwd, s.output);
  if (output !== undefined && files.some((f) => f.path === output))
    throw new RunBatchError(
      'USAGE',
      `--output ${s.output} is a file this comparison reads; write it to another file`,
    );
  return writeOutput(
    render(await buildComparison(files, prices, fullRows, s.answer), s),
    output,
    io,
    'comparison',
  );
}

function render(c: Comparison, s: CompareSettings): string {
  switch (s.format) {
    case 'table':
      return renderCompareTable(c);
    case 'csv':
      return renderCompareCsv(c);
    case 'json':
      return renderCompareJson(c);
    case 'md':
      return renderCompareMarkdown(c);
    case 'html':
      return renderCompareHtml(c, s.minAccuracy);
  }
}

/** The rows of the full input, read by the input readers (so a CSV's quoted newlines count right). */
async function countRows(input: string, cwd: string): Promise<number> {
  const path = resolve(cwd, input);
  const format = formatFromPath(path);
  if (format === undefined)
    throw new RunBatchError('USAGE', `--input ${input}: expected a .csv, .jsonl or .ndjson file`);
  let n = 0;
  try {
    for await (const _ of openSource(path, format, input).rows()) n++;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new RunBatchError('INPUT', `--input ${input}: no such file`, { cause: error });
    throw error;
  }
  return n;
}
