/**
 * Prompt caching on the emulator's clock. A cache point closes a prefix of the prompt (tools,
 * then system, then messages); points whose prefix is below the model's minimum are ignored, as
 * on Bedrock. The longest prefix still within its TTL is read from the cache; the tokens from
 * there to the last counting point are written; the rest of the prompt is plain input. Entries
 * are stored (and read ones refreshed) only when the call succeeds.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../wire/canonical.js';

export type Ttl = '5m' | '1h';

export interface CachePoint {
  /** Tokens of the prefix this point closes. */
  tokens: number;
  /** Hash of the prefix's content. */
  key: string;
  ttl: Ttl;
}

export interface CacheUsage {
  read: number;
  write: number;
  /** Written tokens by TTL, 1h before 5m, as Bedrock lists them. */
  details: Array<{ ttl: Ttl; inputTokens: number }>;
  /** The points to store when the call succeeds. */
  store: CachePoint[];
}

const TTL_MS: Record<Ttl, number> = { '5m': 300_000, '1h': 3_600_000 };
export const MAX_CACHE_POINTS = 4;

export class PromptCache {
  private entries = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  usage(modelId: string, points: readonly CachePoint[], minimum: number): CacheUsage {
    const counting = points.filter((p) => p.tokens >= minimum);
    const last = counting.at(-1);
    if (!last) return { read: 0, write: 0, details: [], store: [] };
    const now = this.now();
    let read = 0;
    for (const point of [...counting].reverse()) {
      if ((this.entries.get(`${modelId}\n${point.key}`) ?? -1) > now) {
        read = point.tokens;
        break;
      }
    }
    const byTtl: Record<Ttl, number> = { '1h': 0, '5m': 0 };
    let covered = read;
    for (const point of counting) {
      if (point.tokens <= covered) continue;
      byTtl[point.ttl] += point.tokens - covered;
      covered = point.tokens;
    }
    const details = (['1h', '5m'] as const)
      .filter((ttl) => byTtl[ttl] > 0 || (ttl === '5m' && byTtl['1h'] === 0))
      .map((ttl) => ({ ttl, inputTokens: byTtl[ttl] }));
    return { read, write: last.tokens - read, details, store: counting };
  }

  commit(modelId: string, points: readonly CachePoint[]): void {
    const now = this.now();
    for (const point of points) this.entries.set(`${modelId}\n${point.key}`, now + TTL_MS[point.ttl]);
  }

  reset(): void {
    this.entries.clear();
  }
}

/**
 * Builds cache points while a codec walks the prompt in order: `add` each piece of content with
 * its tokens, `point` where a cache point (or cache_control) stands.
 */
export class Prefix {
  tokens = 0;
  readonly points: CachePoint[] = [];
  private readonly hash = createHash('sha256');

  add(content: unknown, tokens: number): void {
    this.hash.update(canonicalJson(content));
    this.tokens += tokens;
  }

  point(ttl: unknown): void {
    this.points.push({
      tokens: this.tokens,
      key: this.hash.copy().digest('hex'),
      ttl: ttl === '1h' ? '1h' : '5m',
    });
  }
}
