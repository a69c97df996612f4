/**
 * The small statistics `compare` prints, as pure functions so tests can check them by hand:
 * nearest-rank percentiles, accuracy over scored rows, and macro F1 over a few classes.
 */

/**
 * The nearest-rank percentile: the smallest value with at least p% of the values at or below it
 * (so p50 of 1..10 is 5 and p95 is 10). Always one of the values, never an interpolation, so the
 * figure printed is a latency some call really took. Null for an empty list.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

/** Classes above this many are free text, not categories: no macro F1. */
export const MAX_CLASSES = 50;

/**
 * Macro F1: the unweighted mean over the expected classes of each class's F1 (2PR / (P + R);
 * 0 when the class is never predicted right). Pairs are (expected, answer) after the same
 * normalising as matching; null when there are no pairs or more than MAX_CLASSES classes.
 */
export function macroF1(pairs: readonly (readonly [string, string])[]): number | null {
  if (pairs.length === 0) return null;
  const classes = new Set(pairs.map(([expected]) => expected));
  if (classes.size > MAX_CLASSES) return null;
  let sum = 0;
  for (const label of classes) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const [expected, got] of pairs) {
      if (expected === label && got === label) tp++;
      else if (got === label) fp++;
      else if (expected === label) fn++;
    }
    sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return sum / classes.size;
}

/** How `normalized` matching sees a cell: trimmed, case-folded, whitespace collapsed, trailing punctuation off. */
export function normalizeLabel(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[.!?,;:]+$/, '');
}
