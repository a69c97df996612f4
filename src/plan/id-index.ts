/**
 * Every row id of the input, with a number for each (its first line while the input is checked,
 * its place in the plan after), in typed arrays rather than a Map of strings: a million ids in a
 * Map are about 85 MB of heap (the strings, the table, its rehash) that V8 then keeps room for;
 * here they are about 30 MB outside it (the ids' UTF-8 bytes, one offset, one number and two
 * table slots each). Lookups are exact: a hash finds candidates, the bytes decide.
 */

/** An id's number when it has none (a row of the input that the plan does not hold). */
const NONE = 0xffff_ffff;

export class IdIndex {
  private bytes: Buffer<ArrayBuffer> = Buffer.alloc(1 << 16);
  private used = 0;
  /** Entry e's id is bytes[starts[e], starts[e + 1]). */
  private starts = new Float64Array(1025);
  private values = new Uint32Array(1024);
  /** Open addressing: entry + 1, 0 for an empty slot. Never more than half full. */
  private table = new Int32Array(2048);
  private count = 0;
  private scratch = Buffer.alloc(256);

  get size(): number {
    return this.count;
  }

  /**
   * Adds an id with its number; returns the number of the entry already holding that id (and adds
   * nothing) when there is one.
   */
  add(id: string, value: number): number | undefined {
    const length = this.encode(id);
    const hash = hashOf(this.scratch, length);
    const mask = this.table.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const held = this.table[slot] as number;
      if (held === 0) {
        this.insert(slot, length, value);
        return undefined;
      }
      if (this.matches(held - 1, length)) return this.values[held - 1];
    }
  }

  /** The number of an id, undefined for an id not held (or held with none). */
  get(id: string): number | undefined {
    const entry = this.find(id);
    if (entry === undefined) return undefined;
    const value = this.values[entry] as number;
    return value === NONE ? undefined : value;
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  /** Gives every entry no number (see `number`). */
  clearNumbers(): void {
    this.values.fill(NONE, 0, this.count);
  }

  /** Sets entry `entry`'s number (entries are numbered 0, 1, ... in the order they were added). */
  number(entry: number, value: number): void {
    this.values[entry] = value;
  }

  /** Forgets every id, and gives back the memory. */
  clear(): void {
    this.bytes = Buffer.alloc(0);
    this.starts = new Float64Array(1);
    this.values = new Uint32Array(0);
    this.table = new Int32Array(2);
    this.count = 0;
    this.used = 0;
  }

  /** [id, number] of every entry that has a number, in the order added. */
  *[Symbol.iterator](): IterableIterator<[string, number]> {
    for (let e = 0; e < this.count; e++) {
      const value = this.values[e] as number;
      if (value !== NONE)
        yield [this.bytes.toString('utf8', this.starts[e] as number, this.starts[e + 1] as number), value];
    }
  }

  private find(id: string): number | undefined {
    const length = this.encode(id);
    const mask = this.table.length - 1;
    for (let slot = hashOf(this.scratch, length) & mask; ; slot = (slot + 1) & mask) {
      const held = this.table[slot] as number;
      if (held === 0) return undefined;
      if (this.matches(held - 1, length)) return held - 1;
    }
  }

  /** The id's UTF-8 bytes into `scratch`; returns how many. */
  private encode(id: string): number {
    if (id.length * 3 > this.scratch.length) this.scratch = Buffer.alloc(id.length * 3);
    return this.scratch.write(id, 0, 'utf8');
  }

  private matches(entry: number, length: number): boolean {
    const start = this.starts[entry] as number;
    const end = this.starts[entry + 1] as number;
    return end - start === length && this.scratch.compare(this.bytes, start, end, 0, length) === 0;
  }

  private insert(slot: number, length: number, value: number): void {
    const entry = this.count++;
    if (this.used + length > this.bytes.length) this.bytes = grown(this.bytes, this.used + length);
    if (entry + 2 > this.starts.length) {
      const starts = new Float64Array(this.starts.length * 2);
      starts.set(this.starts);
      this.starts = starts;
      const values = new Uint32Array(this.values.length * 2);
      values.set(this.values);
      this.values = values;
    }
    this.scratch.copy(this.bytes, this.used, 0, length);
    this.starts[entry] = this.used;
    this.used += length;
    this.starts[entry + 1] = this.used;
    this.values[entry] = value;
    this.table[slot] = entry + 1;
    if (this.count * 2 > this.table.length) this.rehash();
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    for (let e = 0; e < this.count; e++) {
      const start = this.starts[e] as number;
      let slot = hashOf(this.bytes, this.starts[e + 1] as number, start) & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = e + 1;
    }
    this.table = table;
  }
}

function grown(bytes: Buffer, need: number): Buffer<ArrayBuffer> {
  let size = bytes.length * 2;
  while (size < need) size *= 2;
  const bigger = Buffer.alloc(size);
  bytes.copy(bigger);
  return bigger;
}

/** FNV-1a over bytes[start, end), mixed so the low bits (the table's mask) spread well. */
function hashOf(bytes: Buffer, end: number, start = 0): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}
