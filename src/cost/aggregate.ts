/**
 * Groups results rows into report totals, `--by model|day|job|status`. Costs add up in
 * picodollars, so the total of every format is the exact sum of `cost_usd` over the files; rows
 * without a cost are counted as failed (they cost nothing) or unpriced (ok, but no price was
 * known), never added as $0.
 */
import type { Pico } from './money.js';
import type { ReportRow } from './results.js';

export const GROUP_BY = ['model', 'day', 'job', 'status'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

export interface GroupTotals {
  key: string;
  rows: number;
  ok: number;
  error: number;
  /** Ok rows with an empty cost_usd: their model had no price. */
  unpriced: number;
  /** Rows with a cost, so `cost` means something. */
  priced: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** Sum of the priced rows. */
  cost: Pico;
}

export interface Report {
  by: GroupBy;
  files: string[];
  groups: GroupTotals[];
  total: GroupTotals;
}

export function emptyTotals(key: string): GroupTotals {
  return {
    key,
    rows: 0,
    ok: 0,
    error: 0,
    unpriced: 0,
    priced: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    cost: 0n,
  };
}

/** The cost of a group as a report shows it: null when it has unpriced rows and nothing priced. */
export function groupCost(group: GroupTotals): Pico | null {
  return group.priced === 0 && group.unpriced > 0 ? null : group.cost;
}

function keyOf(row: ReportRow, by: GroupBy): string {
  const value = by === 'model' ? row.model : by === 'day' ? row.day : by === 'job' ? row.job : row.status;
  return value === '' ? '(none)' : value;
}

function add(totals: GroupTotals, row: ReportRow): void {
  totals.rows++;
  if (row.status === 'ok') totals.ok++;
  else if (row.status === 'error') totals.error++;
  if (row.cost !== null) {
    totals.priced++;
    totals.cost += row.cost;
  } else if (row.status === 'ok') {
    totals.unpriced++;
  }
  totals.inputTokens += row.inputTokens;
  totals.outputTokens += row.outputTokens;
  totals.cacheReadTokens += row.cacheReadTokens;
  totals.cacheWriteTokens += row.cacheWriteTokens;
}

/** Accumulates rows as they stream in; `report()` sorts the groups. */
export class Aggregator {
  private readonly groups = new Map<string, GroupTotals>();
  private readonly total = emptyTotals('total');

  constructor(
    readonly by: GroupBy,
    readonly files: string[],
  ) {}

  add(row: ReportRow): void {
    const key = keyOf(row, this.by);
    let group = this.groups.get(key);
    if (!group) {
      group = emptyTotals(key);
      this.groups.set(key, group);
    }
    add(group, row);
    add(this.total, row);
  }

  report(): Report {
    const groups = [...this.groups.values()];
    // Days, files and statuses read best in order; models from the most expensive down.
    if (this.by === 'model')
      groups.sort((a, b) => (b.cost > a.cost ? 1 : b.cost < a.cost ? -1 : cmp(a.key, b.key)));
    else groups.sort((a, b) => cmp(a.key, b.key));
    return { by: this.by, files: this.files, groups, total: this.total };
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
