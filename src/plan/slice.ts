/**
 * `--limit N` and `--sample N --seed S`: a slice of the input to try before the full run. A limit
 * is the first N rows. A sample is the N rows whose ids hash lowest with the seed: a row's place in
 * the sample depends on its own id alone, so editing or deleting other rows leaves the chosen ids
 * chosen (a deleted row's place goes to the next lowest), and a newly added row enters only when
 * its hash is lower. The sample is drawn from the whole input; `--shard i/N` then splits it, so N
 * hosts running the same sample together run exactly its rows.
 */
import { createHash } from 'node:crypto';
import type { Slice } from '../job/spec.js';

export type { Slice } from '../job/spec.js';

/** The sample's order key for an id: SHA-1 of the seed and id, first 48 bits (exact in a double). */
export function sampleKey(id: string, seed: number): number {
  return createHash('sha1').update(`${seed}\0${id}`, 'utf8').digest().readUIntBE(0, 6);
}

/** `--sample 120 --seed 7` or `--limit 10`, as a user would type it again. */
export function sliceFlags(slice: Slice): string {
  return slice.kind === 'limit' ? `--limit ${slice.rows}` : `--sample ${slice.rows} --seed ${slice.seed}`;
}

/** `120 of 300 rows (--sample 120 --seed 7)` for the summary and `estimate`. */
export function sliceLabel(slice: Slice, chosen: number, inputRows: number): string {
  return `${chosen} of ${inputRows} ${inputRows === 1 ? 'row' : 'rows'} (${sliceFlags(slice)})`;
}

interface Entry<T> {
  key: number;
  id: string;
  value: T;
}

/** Orders by key, then id, so two ids with the same 48-bit key are still chosen the same way. */
function above<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.key > b.key || (a.key === b.key && a.id > b.id);
}

/**
 * The `size` entries with the lowest keys seen so far, in a max-heap: a row is compared with the
 * largest kept one, so scanning a million rows holds `size` entries, never a million.
 */
export class LowestKeys<T> {
  private readonly heap: Entry<T>[] = [];
  constructor(private readonly size: number) {}

  offer(key: number, id: string, value: T): void {
    const entry = { key, id, value };
    const heap = this.heap;
    if (heap.length < this.size) {
      heap.push(entry);
      this.up(heap.length - 1);
    } else if (heap.length > 0 && above(heap[0] as Entry<T>, entry)) {
      heap[0] = entry;
      this.down(0);
    }
  }

  /** The kept values (in no particular order). */
  values(): T[] {
    return this.heap.map((entry) => entry.value);
  }

  private up(at: number): void {
    const heap = this.heap;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!above(heap[at] as Entry<T>, heap[parent] as Entry<T>)) return;
      this.swap(at, parent);
      at = parent;
    }
  }

  private down(at: number): void {
    const heap = this.heap;
    for (;;) {
      let largest = at;
      for (const child of [2 * at + 1, 2 * at + 2])
        if (child < heap.length && above(heap[child] as Entry<T>, heap[largest] as Entry<T>)) largest = child;
      if (largest === at) return;
      this.swap(at, largest);
      at = largest;
    }
  }

  private swap(a: number, b: number): void {
    const heap = this.heap;
    [heap[a], heap[b]] = [heap[b] as Entry<T>, heap[a] as Entry<T>];
  }
}

/**
 * The slice over one pass of the input. The check pass offers every good row in input order:
 * a limit takes the first N at once; a sample keeps its candidates and takes the chosen ones, in
 * input order, at `finish`. Later passes ask `has` for each row read, by its id and place.
 */
export class SliceChooser<T> {
  private read = 0;
  private readonly lowest: LowestKeys<{ at: number; value: T }> | undefined;
  private chosen: Set<string> | undefined;

  constructor(private readonly slice: Slice | undefined) {
    if (slice?.kind === 'sample') this.lowest = new LowestKeys(slice.rows);
  }

  /** Rows offered: the whole input's count. */
  get inputRows(): number {
    return this.read;
  }

  offer(id: string, value: T, take: (value: T) => void): void {
    const at = this.read++;
    const slice = this.slice;
    if (slice === undefined || (slice.kind === 'limit' && at < slice.rows)) take(value);
    else if (slice.kind === 'sample') this.lowest?.offer(sampleKey(id, slice.seed), id, { at, value });
  }

  finish(take: (value: T) => void, idOf: (value: T) => string): void {
    if (!this.lowest) return;
    const chosen = this.lowest.values().sort((a, b) => a.at - b.at);
    this.chosen = new Set(chosen.map((entry) => idOf(entry.value)));
    for (const entry of chosen) take(entry.value);
  }

  /** Whether the row at 0-based place `at` of a later pass, with this id, is in the slice. */
  has(id: string, at: number): boolean {
    const slice = this.slice;
    if (slice === undefined) return true;
    return slice.kind === 'limit' ? at < slice.rows : this.chosen?.has(id) === true;
  }
}
