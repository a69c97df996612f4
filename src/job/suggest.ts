/**
 * "Did you mean": the known option a mistyped one most likely meant, for job-file keys and
 * command-line flags alike.
 */

/**
 * The known key a mistyped one most likely meant: `concurency`, `max_tokens` and `maxTokens` all
 * point at theirs. None when nothing is close, so a suggestion is never a wild guess.
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const wanted = key
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase();
  let best: string | undefined;
  // Short keys allow one edit; longer ones about a third of their length.
  let bestDistance = (wanted.length <= 3 ? 1 : Math.max(2, Math.floor(wanted.length / 3))) + 1;
  for (const candidate of known) {
    const distance = editDistance(wanted, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/**
 * Edits between two keys, a swap of neighbours counting one (optimal string alignment): `modle` is
 * one edit from `model`, as it is from `mode`, and the tie goes to the key of the same length.
 */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length) + (a.length === b.length ? 0 : 0.5);
}
