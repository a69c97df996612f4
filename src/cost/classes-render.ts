/**
 * The report's class figures (--expect with few expected values) as text, Markdown and JSON:
 * per class precision, recall, F1 and support, macro and micro averages, and the confusion matrix
 * (rows: expected, columns: predicted). The HTML heat map is classes-html.ts.
 */
import { type ClassMetrics, MAX_CLASSES } from '../score/classes.js';
import type { ClassReport, Report } from './aggregate.js';

const pct = (x: number) => x.toFixed(3);
const title = (c: ClassReport) => (c.name === '' ? 'response' : c.name);

function figureRows(m: ClassMetrics): string[][] {
  return [
    ...m.perClass.map((c) => [c.class, pct(c.precision), pct(c.recall), pct(c.f1), String(c.support)]),
    ['macro avg', pct(m.macro.precision), pct(m.macro.recall), pct(m.macro.f1), String(m.rows)],
    ['micro avg', pct(m.micro.precision), pct(m.micro.recall), pct(m.micro.f1), String(m.rows)],
  ];
}

function matrixRows(m: ClassMetrics): string[][] {
  return m.classes.map((c, i) => [c, ...(m.matrix[i] ?? []).map(String)]);
}

function aligned(header: string[], body: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line)];
}

const tooMany = (c: ClassReport) =>
  `classes of ${title(c)}: more than ${MAX_CLASSES} distinct expected values, so no per-class figures`;

export function classesText(report: Report): string[] {
  const lines: string[] = [];
  for (const c of report.classes ?? []) {
    lines.push('');
    if (!c.metrics) {
      lines.push(tooMany(c));
      continue;
    }
    lines.push(`classes of ${title(c)} (${c.metrics.rows} scored rows)`, '');
    lines.push(...aligned(['class', 'precision', 'recall', 'f1', 'support'], figureRows(c.metrics)));
    lines.push('', 'confusion matrix (rows: expected, columns: predicted)', '');
    lines.push(...aligned(['expected \\ predicted', ...c.metrics.predicted], matrixRows(c.metrics)));
  }
  return lines;
}

export function classesMarkdown(report: Report, cell: (text: string) => string): string[] {
  const row = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const lines: string[] = [];
  for (const c of report.classes ?? []) {
    lines.push('');
    if (!c.metrics) {
      lines.push(tooMany(c));
      continue;
    }
    const m = c.metrics;
    lines.push(`## Classes of ${cell(title(c))}`, '', `${m.rows} scored rows`, '');
    lines.push(row(['class', 'precision', 'recall', 'f1', 'support']), `| --- |${' ---: |'.repeat(4)}`);
    lines.push(
      ...figureRows(m).map(row),
      '',
      '### Confusion matrix (rows: expected, columns: predicted)',
      '',
    );
    lines.push(
      row(['expected \\ predicted', ...m.predicted]),
      `| --- |${' ---: |'.repeat(m.predicted.length)}`,
    );
    lines.push(...matrixRows(m).map(row));
  }
  return lines;
}

/** For --format json: the figures as numbers, the matrix as rows of counts. */
export function classesJson(report: Report): Record<string, unknown>[] | undefined {
  return report.classes?.map((c) =>
    c.metrics
      ? {
          name: title(c),
          rows: c.metrics.rows,
          classes: c.metrics.perClass,
          macro: c.metrics.macro,
          micro: c.metrics.micro,
          confusion: {
            expected: c.metrics.classes,
            predicted: c.metrics.predicted,
            matrix: c.metrics.matrix,
          },
        }
      : { name: title(c), too_many_classes: true },
  );
}
