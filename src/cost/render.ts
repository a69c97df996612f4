/**
 * A report as text: an aligned table for a terminal, CSV, JSON or Markdown (HTML is in html.ts).
 * Every format has the same groups and the same total row. People read dollars to 4 places;
 * CSV and JSON carry the exact sum, so all of them agree to the cent (and to the 1/100th of one).
 */
import { stringify } from 'csv-stringify/sync';
import { type GroupTotals, groupCost, type Report } from './aggregate.js';
import { classesJson, classesMarkdown, classesText } from './classes-render.js';
import { dollars, exactUsd, grouped } from './money.js';

export const FORMATS = ['table', 'csv', 'json', 'md', 'html'] as const;
export type ReportFormat = (typeof FORMATS)[number];

export const HEADINGS = [
  'rows',
  'ok',
  'error',
  'input tokens',
  'output tokens',
  'cache read',
  'cache write',
  'cache saved',
  'cost',
  'unpriced',
];

/** The cells people read, in HEADINGS order after the key. A group with nothing priced shows no cost. */
export function displayCells(group: GroupTotals): string[] {
  const cost = groupCost(group);
  return [
    num(group.rows),
    num(group.ok),
    num(group.error),
    num(group.inputTokens),
    num(group.outputTokens),
    num(group.cacheReadTokens),
    num(group.cacheWriteTokens),
    group.cachedRows === 0 ? '—' : dollars(group.cacheSaved),
    cost === null ? 'unpriced' : dollars(cost),
    num(group.unpriced),
  ];
}

export const num = grouped;

/** What an unpriced row is, for the foot of the human formats. */
export function unpricedNote(report: Report): string | undefined {
  const n = report.total.unpriced;
  if (n === 0) return undefined;
  return n === 1
    ? '1 ok row has no cost_usd (no price for its model when it ran): it is left out of the cost, not counted as $0.'
    : `${num(n)} ok rows have no cost_usd (no price for their model when they ran): they are left out of the cost, not counted as $0.`;
}

/** Answers reused from the ledger: their value, apart from the spend (which is what was paid). */
export function reusedNote(report: Report): string | undefined {
  const t = report.total;
  if (t.reusedRows === 0) return undefined;
  return `${num(t.reusedRows)} ${t.reusedRows === 1 ? 'row was' : 'rows were'} reused from the answer ledger, worth ${dollars(t.reusedValue)} when bought: the cost above is what these files paid (paid_usd), without them.`;
}

/** What "cache saved" means, for the foot of the human formats; only when some row used the cache. */
export function cacheNote(report: Report): string | undefined {
  const t = report.total;
  if (t.cachedRows === 0) return undefined;
  return `caching saved ${dollars(t.cacheSaved)} over ${num(t.cachedRows)} rows that read or wrote the cache: their cost with the cached tokens billed as plain input, less their cost with cache prices (today's table).`;
}

/** --guardrail: how many rows ran under one, how many it blocked or masked, and its part of the cost. */
export function guardrailNote(report: Report): string | undefined {
  const t = report.total;
  if (t.guardrailRows === 0) return undefined;
  return `${num(t.guardrailRows)} ${t.guardrailRows === 1 ? 'row' : 'rows'} ran under a guardrail (${num(t.guardrailIntervened)} intervened); ${dollars(t.guardrailCost)} of the cost is its text units (guardrail_usd).`;
}

/** --judge: what the verdicts cost, apart from the answers' cost above. */
export function judgeNote(report: Report): string | undefined {
  const t = report.total;
  if (t.judgedRows === 0) return undefined;
  return `the judge (--judge) cost ${dollars(t.judgeCost)} over ${num(t.judgedRows)} ${t.judgedRows === 1 ? 'row' : 'rows'}, apart from the cost above (judge_cost_usd).`;
}

export function renderTable(report: Report): string {
  const header = [report.by, ...HEADINGS];
  const body = report.groups.map((g) => [g.key, ...displayCells(g)]);
  const total = ['total', ...displayCells(report.total)];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...[...body, total].map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  const lines = [line(header), rule, ...body.map(line), rule, line(total)];
  const notes = [
    unpricedNote(report),
    cacheNote(report),
    reusedNote(report),
    guardrailNote(report),
    judgeNote(report),
  ].filter((n) => n !== undefined);
  if (notes.length > 0) lines.push('', ...notes);
  lines.push(...classesText(report));
  return `${lines.join('\n')}\n`;
}

const MACHINE_FIELDS = [
  'rows',
  'ok',
  'error',
  'unpriced_rows',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cache_write_1h_tokens',
  'cache_saved_usd',
  'cost_usd',
] as const;

/** Exact figures for machines: cost_usd is the exact sum as a decimal, or empty/null when unpriced. */
function machineRecord(group: GroupTotals): Record<(typeof MACHINE_FIELDS)[number], number | string | null> {
  const cost = groupCost(group);
  return {
    rows: group.rows,
    ok: group.ok,
    error: group.error,
    unpriced_rows: group.unpriced,
    input_tokens: group.inputTokens,
    output_tokens: group.outputTokens,
    cache_read_tokens: group.cacheReadTokens,
    cache_write_tokens: group.cacheWriteTokens,
    cache_write_1h_tokens: group.cacheWrite1hTokens,
    cache_saved_usd: group.cachedRows === 0 ? null : exactUsd(group.cacheSaved),
    cost_usd: cost === null ? null : exactUsd(cost),
  };
}

export function renderCsv(report: Report): string {
  const rows = [...report.groups, report.total].map((g) => {
    const record = machineRecord(g);
    return [g === report.total ? 'total' : g.key, ...MACHINE_FIELDS.map((f) => record[f] ?? '')];
  });
  return stringify([[report.by, ...MACHINE_FIELDS], ...rows], { record_delimiter: 'unix' });
}

export function renderJson(report: Report): string {
  const json = (g: GroupTotals) => {
    const record = machineRecord(g);
    return {
      ...record,
      cache_saved_usd: record.cache_saved_usd === null ? null : Number(record.cache_saved_usd),
      cost_usd: record.cost_usd === null ? null : Number(record.cost_usd),
      reused_rows: g.reusedRows,
      reused_value_usd: Number(exactUsd(g.reusedValue)),
      ...(report.total.guardrailRows === 0
        ? {}
        : {
            guardrail_rows: g.guardrailRows,
            guardrail_intervened: g.guardrailIntervened,
            guardrail_usd: Number(exactUsd(g.guardrailCost)),
          }),
      ...(report.total.judgedRows === 0
        ? {}
        : { judged_rows: g.judgedRows, judge_usd: Number(exactUsd(g.judgeCost)) }),
    };
  };
  const out = {
    by: report.by,
    files: report.files,
    groups: report.groups.map((g) => ({ [report.by]: g.key, ...json(g) })),
    total: json(report.total),
    ...(report.classes ? { classes: classesJson(report) } : {}),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

export function renderMarkdown(report: Report): string {
  // A model id is whatever the results file says: Markdown renderers pass HTML through, so it is
  // escaped (`<img onerror=...>` shows as text), and a pipe or newline would break the table.
  const cell = (text: string) =>
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/\|/g, '\\|')
      .replace(/[\r\n]+/g, ' ');
  const row = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const lines = [
    `# run-batch report by ${report.by}`,
    '',
    `${num(report.total.rows)} rows from ${report.files.map((f) => `\`${f}\``).join(', ')}`,
    '',
    row([report.by, ...HEADINGS]),
    `| --- |${' ---: |'.repeat(HEADINGS.length)}`,
    ...report.groups.map((g) => row([g.key, ...displayCells(g)])),
    row(['**total**', ...displayCells(report.total).map((c) => `**${c}**`)]),
  ];
  const notes = [
    unpricedNote(report),
    cacheNote(report),
    reusedNote(report),
    guardrailNote(report),
    judgeNote(report),
  ].filter((n) => n !== undefined);
  if (notes.length > 0) lines.push('', ...notes);
  lines.push(...classesMarkdown(report, cell));
  return `${lines.join('\n')}\n`;
}
