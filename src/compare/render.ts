/**
 * `compare` in text formats: an aligned table, CSV, JSON and Markdown, with the same columns in
 * each (CSV and JSON carry the unrounded figures; the table and Markdown round for reading).
 */
import type { CompareLine, Comparison } from './build.js';

export const COMPARE_FORMATS = ['table', 'csv', 'json', 'md', 'html'] as const;
export type CompareFormat = (typeof COMPARE_FORMATS)[number];

interface Column {
  name: string;
  raw: (l: CompareLine) => string | number | null;
  shown: (l: CompareLine) => string;
}

const pct = (v: number | null) => (v === null ? '' : `${(v * 100).toFixed(1)}%`);
const money = (v: number | null, d = 4) => (v === null ? '' : `$${v.toFixed(d)}`);
const int = (v: number | null) => (v === null ? '' : v.toLocaleString('en-US'));
const ms = (v: number | null) => (v === null ? '' : `${v} ms`);

function columns(c: Comparison): Column[] {
  const cols: Column[] = [
    { name: 'file', raw: (l) => l.file, shown: (l) => l.file },
    { name: 'model', raw: (l) => l.model, shown: (l) => l.model },
    { name: 'rows', raw: (l) => l.rows, shown: (l) => int(l.rows) },
    { name: 'ok', raw: (l) => l.ok, shown: (l) => int(l.ok) },
    { name: 'accuracy', raw: (l) => l.accuracy, shown: (l) => pct(l.accuracy) },
    {
      name: 'macro_f1',
      raw: (l) => l.macroF1,
      shown: (l) => (l.macroF1 === null ? '' : l.macroF1.toFixed(3)),
    },
    { name: 'cost_usd', raw: (l) => l.cost, shown: (l) => money(l.cost) },
    { name: 'cost_per_1k_rows_usd', raw: (l) => l.costPer1k, shown: (l) => money(l.costPer1k) },
    { name: 'cost_per_correct_usd', raw: (l) => l.costPerCorrect, shown: (l) => money(l.costPerCorrect, 6) },
    { name: 'latency_p50_ms', raw: (l) => l.latencyP50, shown: (l) => ms(l.latencyP50) },
    { name: 'latency_p95_ms', raw: (l) => l.latencyP95, shown: (l) => ms(l.latencyP95) },
    { name: 'tokens_in', raw: (l) => l.tokensIn, shown: (l) => int(l.tokensIn) },
    { name: 'tokens_out', raw: (l) => l.tokensOut, shown: (l) => int(l.tokensOut) },
  ];
  if (c.fullRows !== null) {
    cols.push(
      {
        name: 'projected_on_demand_usd',
        raw: (l) => l.projected.on_demand,
        shown: (l) => money(l.projected.on_demand, 2),
      },
      { name: 'projected_flex_usd', raw: (l) => l.projected.flex, shown: (l) => money(l.projected.flex, 2) },
      {
        name: 'projected_batch_usd',
        raw: (l) => l.projected.batch,
        shown: (l) => money(l.projected.batch, 2),
      },
    );
  }
  return cols;
}

export function renderCompareTable(c: Comparison): string {
  const cols = columns(c);
  const head = cols.map((col) => col.name.replace(/_usd$|_ms$/, '').replace(/_/g, ' '));
  const body = c.lines.map((l) => cols.map((col) => col.shown(l)));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [line(head), ...body.map(line)];
  return `${out.join('\n')}\n${footer(c)}`;
}

export function renderCompareCsv(c: Comparison): string {
  const cols = columns(c);
  const cell = (v: string | number | null) => {
    const s = v === null ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const rows = [cols.map((col) => col.name), ...c.lines.map((l) => cols.map((col) => cell(col.raw(l))))];
  return `${rows.map((r) => r.join(',')).join('\n')}\n`;
}

export function renderCompareJson(c: Comparison): string {
  const cols = columns(c);
  const lines = c.lines.map((l) => Object.fromEntries(cols.map((col) => [col.name, col.raw(l)])));
  return `${JSON.stringify({ full_rows: c.fullRows, models: lines }, null, 2)}\n`;
}

export function renderCompareMarkdown(c: Comparison): string {
  const cols = columns(c);
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const out = [
    `| ${cols.map((col) => col.name).join(' | ')} |`,
    `|${cols.map((_, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...c.lines.map((l) => `| ${cols.map((col) => esc(col.shown(l))).join(' | ')} |`),
  ];
  return `${out.join('\n')}\n\n${footer(c)}`;
}

function footer(c: Comparison): string {
  const notes = [
    "Costs: every row's tokens at the model's on-demand prices (a row reused from the ledger costs what it would have).",
  ];
  if (c.fullRows !== null)
    notes.push(
      `Projected: ${c.fullRows.toLocaleString('en-US')} rows x the mean tokens per answered row x each mode's prices (empty: no such price).`,
    );
  else notes.push('Give --rows N or --input FILE for the projected cost of the full input.');
  return `${notes.join('\n')}\n`;
}
