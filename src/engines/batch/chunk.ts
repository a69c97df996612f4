/**
 * Splits records into jobs and input files within Bedrock's limits. One job takes one model and one
 * invocation type, so records are grouped by both first. Jobs (and files within a job) are split
 * evenly rather than filled greedily: 50,050 records become two jobs of 25,025, never one of 50,000
 * and one of 50 that the minimum-records quota would reject.
 */
import type { BatchLimits } from './limits.js';
import type { BatchRecord, InvocationType } from './records.js';

export interface JobChunk {
  model: string;
  type: InvocationType;
  /** Records of the job in input order. */
  records: BatchRecord[];
  /** How many of `records` go in each input file, in order. */
  files: number[];
  bytes: number;
}

export interface ChunkPlan {
  jobs: JobChunk[];
  /** Records of a model with fewer than the minimum per job: they cannot go as a batch. */
  belowMinimum: BatchRecord[];
  /** Records bigger than an input file may be. */
  tooLarge: BatchRecord[];
}

export function chunkRecords(records: readonly BatchRecord[], limits: BatchLimits): ChunkPlan {
  const plan: ChunkPlan = { jobs: [], belowMinimum: [], tooLarge: [] };
  const groups = new Map<string, BatchRecord[]>();
  for (const record of records) {
    if (record.bytes > limits.bytesPerFile) {
      plan.tooLarge.push(record);
      continue;
    }
    const key = `${record.type}\u0000${record.model}`;
    const group = groups.get(key) ?? [];
    if (group.length === 0) groups.set(key, group);
    group.push(record);
  }
  for (const group of groups.values()) {
    if (group.length < limits.minRecordsPerJob) {
      plan.belowMinimum.push(...group);
      continue;
    }
    for (const part of evenSplit(group, limits.recordsPerJob, limits.bytesPerJob)) {
      const first = part[0] as BatchRecord;
      plan.jobs.push({
        model: first.model,
        type: first.type,
        records: part,
        files: evenSplit(part, limits.recordsPerFile, limits.bytesPerFile).map((f) => f.length),
        bytes: sizeOf(part),
      });
    }
  }
  return plan;
}

/**
 * The fewest equal-count parts that each hold at most `maxCount` records and `maxBytes` bytes.
 * Every record fits a part alone (checked by the caller), so the search ends.
 */
export function evenSplit<T extends { bytes: number }>(
  items: readonly T[],
  maxCount: number,
  maxBytes: number,
): T[][] {
  const total = sizeOf(items);
  let parts = Math.max(1, Math.ceil(items.length / maxCount), Math.ceil(total / maxBytes));
  for (;;) {
    const split = splitInto(items, parts);
    if (split.every((part) => sizeOf(part) <= maxBytes)) return split;
    parts += 1;
  }
}

function splitInto<T>(items: readonly T[], parts: number): T[][] {
  const out: T[][] = [];
  const base = Math.floor(items.length / parts);
  let extra = items.length % parts;
  let at = 0;
  for (let i = 0; i < parts; i++) {
    const size = base + (extra > 0 ? 1 : 0);
    if (extra > 0) extra -= 1;
    if (size > 0) out.push(items.slice(at, at + size));
    at += size;
  }
  return out;
}

function sizeOf(items: readonly { bytes: number }[]): number {
  let bytes = 0;
  for (const item of items) bytes += item.bytes;
  return bytes;
}

/** Sorted row indexes as inclusive ranges, the compact form the state file keeps. */
export function toRanges(indexes: readonly number[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const index of indexes) {
    const last = ranges[ranges.length - 1];
    if (last && index === last[1] + 1) last[1] = index;
    else ranges.push([index, index]);
  }
  return ranges;
}

export function fromRanges(ranges: ReadonlyArray<readonly [number, number]>): number[] {
  const out: number[] = [];
  for (const [first, last] of ranges) for (let i = first; i <= last; i++) out.push(i);
  return out;
}
