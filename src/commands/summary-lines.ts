/**
 * The cost lines of the printed run summary: the total, then the cost of each model when there is
 * more than one, and the rows that could not be priced (shown as such, never as $0).
 */

import { dollars, picoFromUsd } from '../cost/money.js';
import type { RunSummary } from '../run/summary.js';

export function costLines(summary: Pick<RunSummary, 'costUsd' | 'unpricedRows' | 'costByModel'>): string[] {
  const models = Object.entries(summary.costByModel);
  const total = summary.costUsd === null ? 'unknown' : dollars(picoFromUsd(summary.costUsd));
  const unpriced = summary.unpricedRows > 0 ? `, ${summary.unpricedRows} rows unpriced` : '';
  if (models.length === 1 && models[0]) {
    return [`cost      ${total} ${models[0][0]}${unpriced}`];
  }
  const lines = [`cost      ${total}${unpriced}`];
  for (const [model, totals] of models) {
    const cost = totals.costUsd === null ? 'unpriced' : dollars(picoFromUsd(totals.costUsd));
    const extra =
      totals.costUsd !== null && totals.unpricedRows > 0 ? `, ${totals.unpricedRows} unpriced` : '';
    lines.push(`          ${cost.padStart(9)} ${model} (${totals.rows} rows${extra})`);
  }
  return lines;
}
