/**
 * Groups results rows into report totals, `--by model|day|job|status|tier`. Costs add up in
 * picodollars, so the total of every format is the exact sum of `cost_usd` over the files; rows
 * without a cost are counted as failed (they cost nothing; one that paid for bad answers has a cost) or unpriced (ok, but no price was
 * known), never added as $0. What caching saved is worked out from the price table: each cached
 * row's cost with its cache tokens billed as plain input, less its cost as it ran.
 */
import { ClassCounter, type ClassMetrics } from '../score/classes.js';
import { modelCost } from './cost.js';
import type { Pico } from './money.js';
import type { ReportRow } from './results.js';
import type { PriceTable } from './table.js';

export const GROUP_BY = ['model', 'day', 'job', 'status', 'tier', 'mode', 'profile'] as const;
/** A fixed grouping, or `tag:KEY`: the value of one tag (docs/attribution.md). */
export type GroupBy = (typeof GROUP_BY)[number] | `tag:${string}`;

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
  cacheWrite1hTokens: number;
  /** Sum of the priced rows. */
  cost: Pico;
  /** What caching saved over the rows that used it and could be priced (negative: it cost more). */
  cacheSaved: Pico;
  /** Rows that read or wrote the cache. */
  cachedRows: number;
  /** Rows written from the answer ledger (`reused`), and what their answers cost when bought. */
  reusedRows: number;
  reusedValue: Pico;
  /** Rows run under a guardrail, those it intervened on, and its text units' part of `cost`. */
  guardrailRows: number;
  guardrailIntervened: number;
  guardrailCost: Pico;
  /** --judge: rows with a judge_cost_usd, and its sum: apart from `cost`, the answers'. */
  judgedRows: number;
  judgeCost: Pico;
}

export interface Report {
  by: GroupBy;
  files: string[];
  groups: GroupTotals[];
  total: GroupTotals;
  /** --expect: class figures per scored answer ('' the whole answer, else a schema field). */
  classes?: ClassReport[];
}

export interface ClassReport {
  name: string;
  /** Undefined when there were more than MAX_CLASSES distinct expected values. */
  metrics?: ClassMetrics;
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
    cacheWrite1hTokens: 0,
    cost: 0n,
    cacheSaved: 0n,
    cachedRows: 0,
    reusedRows: 0,
    reusedValue: 0n,
    guardrailRows: 0,
    guardrailIntervened: 0,
    guardrailCost: 0n,
    judgedRows: 0,
    judgeCost: 0n,
  };
}

/** The cost of a group as a report shows it: null when it has unpriced rows and nothing priced. */
export function groupCost(group: GroupTotals): Pico | null {
  return group.priced === 0 && group.unpriced > 0 ? null : group.cost;
}

function keyOf(row: ReportRow, by: GroupBy): string {
  const value = by.startsWith('tag:')
    ? (row.tags?.[by.slice(4)] ?? '')
    : by === 'profile'
      ? (row.profile ?? '')
      : fixedKey(row, by);
  return value === '' ? '(none)' : value;
}

function fixedKey(row: ReportRow, by: GroupBy): string {
  return by === 'model'
    ? row.model
    : by === 'day'
      ? row.day
      : by === 'job'
        ? row.job
        : by === 'tier'
          ? row.tier
          : by === 'mode'
            ? // A Bedrock Batch Inference record is written with service_tier "batch".
              row.tier === 'batch'
              ? 'batch'
              : 'ondemand'
            : row.status;
}

/**
 * What caching saved on one row: its cost with the cache reads and writes billed as plain input,
 * less its cost as it ran, both at today's table and the tier that served it. Undefined when the
 * row used no cache or cannot be priced.
 */
export function cacheSaving(row: ReportRow, prices: PriceTable | undefined): Pico | undefined {
  if (!prices || row.status !== 'ok' || row.cacheReadTokens + row.cacheWriteTokens === 0) return undefined;
  const tier = { tier: row.tier };
  const ran = modelCost(prices, row.model, row, tier);
  const plain = modelCost(
    prices,
    row.model,
    {
      inputTokens: row.inputTokens + row.cacheReadTokens + row.cacheWriteTokens,
      outputTokens: row.outputTokens,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    },
    tier,
  );
  return 'pico' in ran && 'pico' in plain ? plain.pico - ran.pico : undefined;
}

function add(totals: GroupTotals, row: ReportRow, saved: Pico | undefined): void {
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
  totals.cacheWrite1hTokens += row.cacheWrite1hTokens;
  if (row.reusedValue !== undefined && row.reusedValue > 0n) {
    totals.reusedRows++;
    totals.reusedValue += row.reusedValue;
  }
  if (row.guardrailAction) {
    totals.guardrailRows++;
    if (row.guardrailAction === 'INTERVENED') totals.guardrailIntervened++;
    totals.guardrailCost += row.guardrailCost ?? 0n;
  }
  if (row.judgeCost !== undefined) {
    totals.judgedRows++;
    totals.judgeCost += row.judgeCost;
  }
  if (saved !== undefined) {
    totals.cachedRows++;
    totals.cacheSaved += saved;
  }
}

/** Accumulates rows as they stream in; `report()` sorts the groups. */
export class Aggregator {
  private readonly groups = new Map<string, GroupTotals>();
  private readonly total = emptyTotals('total');
  private readonly classes = new Map<string, ClassCounter>();

  constructor(
    readonly by: GroupBy,
    readonly files: string[],
    /** For what caching saved; without it the saving is not worked out. */
    private readonly prices?: PriceTable,
  ) {}

  add(row: ReportRow): void {
    const key = keyOf(row, this.by);
    let group = this.groups.get(key);
    if (!group) {
      group = emptyTotals(key);
      this.groups.set(key, group);
    }
    const saved = cacheSaving(row, this.prices);
    add(group, row, saved);
    add(this.total, row, saved);
    for (const pair of row.classes ?? []) {
      const counter = this.classes.get(pair.name) ?? new ClassCounter();
      this.classes.set(pair.name, counter);
      counter.add(pair.expected, pair.predicted);
    }
  }

  report(): Report {
    const groups = [...this.groups.values()];
    // Days, files and statuses read best in order; models from the most expensive down.
    if (this.by === 'model')
      groups.sort((a, b) => (b.cost > a.cost ? 1 : b.cost < a.cost ? -1 : cmp(a.key, b.key)));
    else groups.sort((a, b) => cmp(a.key, b.key));
    const classes = [...this.classes].map(([name, counter]): ClassReport => {
      const metrics = counter.metrics();
      return metrics ? { name, metrics } : { name };
    });
    return {
      by: this.by,
      files: this.files,
      groups,
      total: this.total,
      ...(classes.length > 0 ? { classes } : {}),
    };
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
