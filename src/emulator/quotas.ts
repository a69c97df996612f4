/**
 * Per-model quotas the way Bedrock admits on-demand calls: a requests-per-minute and a
 * tokens-per-minute bucket per base model id, refilled continuously at quota/60 per second. A call
 * reserves one request and `inputTokens + maxTokens` tokens when it arrives, and gives back the
 * unused `maxTokens - outputTokens` when it ends, so a large max_tokens throttles sooner, as on
 * Bedrock (reference §8.1).
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
  | { ok: true; release: (unusedTokens: number) => void }
  | { ok: false; limit: 'rpm' | 'tpm' };

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

  has(now: number, need: number): boolean {
    this.refill(now, need);
    return this.level >= need;
  }

  take(amount: number): void {
    this.level -= amount;
  }

  give(amount: number): void {
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
  admit(modelId: string, tokens: number): Admission {
    const now = this.now();
    const model = this.model(modelId, now);
    if (model.requests && !model.requests.has(now, 1)) return { ok: false, limit: 'rpm' };
    if (model.tokens && !model.tokens.has(now, tokens)) return { ok: false, limit: 'tpm' };
    model.requests?.take(1);
    model.tokens?.take(tokens);
    let released = false;
    return {
      ok: true,
      release: (unusedTokens) => {
        if (released) return;
        released = true;
        if (unusedTokens > 0) model.tokens?.give(unusedTokens);
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
