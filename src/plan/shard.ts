/**
 * `--shard i/N`: which of N shards a row belongs to, from its id alone, so every host that splits
 * the same input agrees without talking to the others, run after run. The id's SHA-1 (UTF-8) is
 * read as a big unsigned integer modulo N: SHA-1 spreads any id set evenly, and unlike Node's
 * string hashing it is the same on every platform and version. Shards count from 1, as in
 * `--shard 1/3`.
 */
import { createHash } from 'node:crypto';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** The shard (1..count) the row with this id belongs to. */
export function shardOf(id: string, count: number): number {
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`shard count must be 1 or more, got ${count}`);
  const digest = createHash('sha1').update(id, 'utf8').digest();
  // The first 6 bytes (48 bits) fit a double exactly, and their remainder is as even as the whole.
  return (digest.readUIntBE(0, 6) % count) + 1;
}

/** Whether the row with this id is in `shard`; every id is in exactly one of the N shards. */
export function inShard(id: string, shard: Shard): boolean {
  return shardOf(id, shard.count) === shard.index;
}

/** `shard 2/3` for summaries and logs. */
export function shardLabel(shard: Shard): string {
  return `shard ${shard.index}/${shard.count}`;
}
