/**
 * Per-model quotas the way Bedrock admits on-demand calls: a requests-per-minute and a
 * tokens-per-minute bucket per base model id, refilled continuously at quota/60 per second. A call
 * reserves one request and its whole input (cache reads too) plus max_tokens (the model's most when
 * the request sets none) when it arrives, so a large max_tokens throttles sooner; when it ends the
 * reservation is settled to what the quota counts: input, cache writes, and output times the
 * model's burndown (Claude 4: 5). Settling gives tokens back, or takes more than was reserved, and
 * the bucket may go below empty until it refills (reference §8.1, §10.6).
 *
 * Service tiers share the on-demand quota (reference §10.3). Flex is served only when there is
 * room: a flex call is admitted only if a quarter of each bucket's capacity remains after it, so
 * when the quota is tight flex calls are throttled first while default and priority still pass.
 */

export interface QuotaOptions {
  /** Requests per minute per model; 0 or undefined = unlimited. */
  rpm?: number;
  /** Tokens (input + output) per minute per model; 0 or undefined = unlimited. */
  tpm?: number;
  /** Seconds of quota a bucket holds when full (the burst allowed after idling). @default 10 */
  burstSeconds?: number;
  /** Milliseconds clock; injected by unit tests. @default performance.now */
  now?: () => number;
}

export type Admission =
  /** `settle(counted)`: the tokens the call finally counts against the quota. */
  { ok: true; settle: (countedTokens: number) => void } | { ok: false; limit: 'rpm' | 'tpm' };

/** The share of each bucket a flex call must leave behind. */
export const FLEX_HEADROOM = 0.25;

class Bucket {
  private level: number;
  private last: number;

  constructor(
    private readonly perMinute: number,
    private readonly capacity: number,
    now: number,
  ) {
    this.level = capacity;
    this.last = now;
  }

  /**
   * Refills to `now`. The cap is at least `need`, so a call asking for more than a full bucket can
   * still pass once the bucket has refilled that far, instead of being throttled forever.
   */
  private refill(now: number, need: number): void {
    const cap = Math.max(this.capacity, need);
    this.level = Math.min(cap, this.level + ((now - this.last) * this.perMinute) / 60_000);
    this.last = now;
  }

  /** Whether `need` can be taken and still leave `keep` (a fraction of the capacity) behind. */
  has(now: number, need: number, keep = 0): boolean {
    this.refill(now, need);
    return this.level - need >= keep * this.capacity;
  }

  take(amount: number): void {
    this.level -= amount;
  }

  /** Gives tokens back (never past a full bucket) or, for a negative amount, takes more. */
  give(now: number, amount: number): void {
    this.refill(now, 0);
    this.level = Math.min(Math.max(this.capacity, this.level), this.level + amount);
  }
}

interface ModelBuckets {
  requests?: Bucket;
  tokens?: Bucket;
}

export class Quotas {
  private buckets = new Map<string, ModelBuckets>();
  private readonly now: () => number;

  constructor(private readonly options: QuotaOptions = {}) {
    this.now = options.now ?? (() => performance.now());
  }

  get limited(): boolean {
    return (this.options.rpm ?? 0) > 0 || (this.options.tpm ?? 0) > 0;
  }

  /** Reserves a call's quota, or says which limit it would pass; nothing is taken on refusal. */
  admit(modelId: string, tokens: number, tier?: string): Admission {
    const now = this.now();
    const model = this.model(modelId, now);
    const keep = tier === 'flex' ? FLEX_HEADROOM : 0;
    if (model.requests && !model.requests.has(now, 1, keep)) return { ok: false, limit: 'rpm' };
    if (model.tokens && !model.tokens.has(now, tokens, keep)) return { ok: false, limit: 'tpm' };
    model.requests?.take(1);
    model.tokens?.take(tokens);
    let settled = false;
    return {
      ok: true,
      settle: (countedTokens) => {
        if (settled) return;
        settled = true;
        model.tokens?.give(this.now(), tokens - countedTokens);
      },
    };
  }

  /** Full buckets again, as after a long idle. */
  reset(): void {
    this.buckets.clear();
  }

  private model(modelId: string, now: number): ModelBuckets {
    let model = this.buckets.get(modelId);
    if (!model) {
      const burst = this.options.burstSeconds ?? 10;
      const { rpm = 0, tpm = 0 } = this.options;
      model = {
        ...(rpm > 0 ? { requests: new Bucket(rpm, Math.max(1, (rpm * burst) / 60), now) } : {}),
        ...(tpm > 0 ? { tokens: new Bucket(tpm, (tpm * burst) / 60, now) } : {}),
      };
      this.buckets.set(modelId, model);
    }
    return model;
  }
}
