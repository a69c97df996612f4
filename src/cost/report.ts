/**
 * `report` as a function: expand the file names and globs, stream every results file into the
 * totals (with the price table, for what caching saved), and render them in the chosen format.
 */
import { Aggregator, type GroupBy, type Report } from './aggregate.js';
import { renderHtml } from './html.js';
import { type ReportFormat, renderCsv, renderJson, renderMarkdown, renderTable } from './render.js';
import { expandFiles, readResults } from './results.js';
import { type PriceTable, shippedTable } from './table.js';

export async function buildReport(
  patterns: readonly string[],
  by: GroupBy,
  cwd: string,
  prices: PriceTable = shippedTable(),
): Promise<Report> {
  const files = await expandFiles(patterns, cwd);
  const aggregator = new Aggregator(
    by,
    files.map((f) => f.label),
    prices,
  );
  for (const file of files) {
    for await (const row of readResults(file)) aggregator.add(row);
  }
  return aggregator.report();
}

export function renderReport(report: Report, format: ReportFormat): string {
  switch (format) {
    case 'table':
      return renderTable(report);
    case 'csv':
      return renderCsv(report);
    case 'json':
      return renderJson(report);
    case 'md':
      return renderMarkdown(report);
    case 'html':
      return renderHtml(report);
  }
}
