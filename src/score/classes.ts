/**
 * Per-class metrics of a scored run (`report` when the expected values are few): precision,
 * recall, F1 and support per class, their macro and micro averages, and the confusion matrix. Pure:
 * counts in, figures out.
 *
 * The classes are the distinct expected values. A prediction that is none of them counts in one
 * column, `(other)`: it is a miss for its row's class and no class's false positive. Micro
 * averages sum the counts over the classes: micro recall is the accuracy, micro precision leaves
 * the `(other)` predictions out. A class never predicted has precision 0 (as scikit-learn's
 * `zero_division=0`), and F1 is 0 when precision and recall are both 0.
 */

/** The most distinct expected values that are still classes; past it the values are free text. */
export const MAX_CLASSES = 50;
export const OTHER = '(other)';

export interface ClassFigures {
  precision: number;
  recall: number;
  f1: number;
}

export interface ClassMetrics {
  /** The classes, sorted; the matrix's rows, and its columns followed by `(other)` when any. */
  classes: string[];
  /** Columns: the classes, then `(other)` when some prediction was none of them. */
  predicted: string[];
  /** matrix[i][j]: rows expecting classes[i] that predicted predicted[j]. */
  matrix: number[][];
  perClass: Array<ClassFigures & { class: string; support: number }>;
  macro: ClassFigures;
  micro: ClassFigures;
  rows: number;
}

/** Counts of (expected, predicted) pairs, as they stream in. */
export class ClassCounter {
  private readonly counts = new Map<string, Map<string, number>>();
  /** More distinct expected values than MAX_CLASSES: no class figures. */
  tooMany = false;

  add(expected: string, predicted: string): void {
    let row = this.counts.get(expected);
    if (row === undefined) {
      if (this.counts.size >= MAX_CLASSES) {
        this.tooMany = true;
        return;
      }
      row = new Map();
      this.counts.set(expected, row);
    }
    row.set(predicted, (row.get(predicted) ?? 0) + 1);
  }

  metrics(): ClassMetrics | undefined {
    if (this.tooMany || this.counts.size === 0) return undefined;
    return classMetrics(this.counts);
  }
}

export function classMetrics(counts: ReadonlyMap<string, ReadonlyMap<string, number>>): ClassMetrics {
  const classes = [...counts.keys()].sort();
  const known = new Set(classes);
  const anyOther = [...counts.values()].some((row) => [...row.keys()].some((p) => !known.has(p)));
  const predicted = anyOther ? [...classes, OTHER] : classes;
  const matrix = classes.map((e) => {
    const cells = predicted.map(() => 0);
    for (const [p, n] of counts.get(e) ?? []) {
      const j = known.has(p) ? classes.indexOf(p) : classes.length;
      cells[j] = (cells[j] ?? 0) + n;
    }
    return cells;
  });
  let tpAll = 0;
  let predictedAll = 0;
  let rows = 0;
  const perClass = classes.map((c, i) => {
    const tp = matrix[i]?.[i] ?? 0;
    const support = (matrix[i] ?? []).reduce((a, b) => a + b, 0);
    const column = matrix.reduce((sum, row) => sum + (row[i] ?? 0), 0);
    tpAll += tp;
    predictedAll += column;
    rows += support;
    return { class: c, ...figures(tp, column, support), support };
  });
  const mean = (key: keyof ClassFigures) => perClass.reduce((s, c) => s + c[key], 0) / perClass.length;
  return {
    classes,
    predicted,
    matrix,
    perClass,
    macro: { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') },
    micro: figures(tpAll, predictedAll, rows),
    rows,
  };
}

function figures(tp: number, predicted: number, actual: number): ClassFigures {
  const precision = predicted === 0 ? 0 : tp / predicted;
  const recall = actual === 0 ? 0 : tp / actual;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}
