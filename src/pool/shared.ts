/**
 * The connection to a limiter shared through Redis (`--limiter redis://host:port[/db]`): one
 * ioredis client, the key every runner on the same quota meets under, and what happens when Redis
 * fails.
 *
 * A Redis that cannot be reached at start is a setup error (exit 2, the URL named), found before
 * any row is sent. One that goes away mid-run must not stop the run: the first failure of any
 * command warns once, the connection is dropped, and the gates fall back to local limits
 * (`whenFailed`). ioredis is told not to queue commands offline nor reconnect, so a dead Redis
 * fails a command at once instead of holding every call.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RunBatchError } from '../errors.js';
import { QuotaSamples } from './quota-samples.js';
import { PACE_SCRIPT, SHARE_SCRIPT, TOKEN_SCRIPT } from './token-script.js';

/** How often a runner adds its counts to the shared ones. */
const SAMPLE_MS = 250;

export interface SharedLimiterOptions {
  /** redis://host:port[/db] */
  url: string;
  /** Who shares one quota: see `limiterKey`. */
  key: string;
  /** How long a reservation may stay open before another runner may count it as given back. @default 305000 */
  reservationTtlMs?: number;
  /** Told once when Redis goes away mid-run. */
  onWarning?: (message: string) => void;
  /** @default 3000 */
  connectTimeoutMs?: number;
}

/**
 * The shared limiter's key: runners share one quota when their account, region and model agree.
 * The account is `--limiter-key` when given; else a hash of the access key id, which is the same
 * for every runner using the same credentials and needs no call to AWS (the account id itself is
 * not derivable offline). Runners with different credentials on one account need `--limiter-key`.
 */
export function limiterKey(parts: {
  account?: string;
  accessKeyId?: string;
  region: string;
  model: string;
}): string {
  const account =
    parts.account ??
    (parts.accessKeyId
      ? `akid-${createHash('sha256').update(parts.accessKeyId).digest('hex').slice(0, 16)}`
      : 'default');
  return `${account}:${parts.region}:${parts.model}`;
}

/** The URL as it may be shown: without a password. */
export function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/**
 * What the pace script says: the wait for a turn (-1: nothing paces; for a rate, 1 when a climb was
 * refused), the shared rate and measured quota (0: none), and how many rates were set so far.
 */
export interface PaceReply {
  wait: number;
  rate: number;
  quota: number;
  cuts: number;
}

export class SharedLimiter {
  /** Prefix of every key this limiter uses in Redis. */
  readonly prefix: string;
  /** Identifies this runner's reservations. */
  readonly runner = randomUUID();
  readonly reservationTtlMs: number;
  private failedFlag = false;
  private resolveFailed!: () => void;
  /** Resolves once Redis has failed and the run has gone local. */
  readonly whenFailed: Promise<'failed'>;
  private ownCalls = 0;
  private ownOk = 0;
  private ownThrottled = 0;
  private readonly quota = new QuotaSamples();
  private alone = false;
  /**
   * Told the quota's rate (calls per second, all runners together) whenever the last samples show
   * it: each had throttles, and the calls let through in them came at the rate the server refills.
   */
  onQuota?: (rps: number) => void;
  /**
   * How long this runner's calls take lately (ms): the quota's rate is read only from samples
   * that began at least that long after the bucket ran dry.
   */
  latencyMs?: () => number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly client: Redis,
    private readonly options: SharedLimiterOptions,
  ) {
    this.prefix = `run-batch:{${options.key}}`;
    this.reservationTtlMs = options.reservationTtlMs ?? 305_000;
    this.whenFailed = new Promise((resolve) => {
      this.resolveFailed = () => resolve('failed');
    });
    client.defineCommand('runBatchTokens', { numberOfKeys: 3, lua: TOKEN_SCRIPT });
    client.defineCommand('runBatchPace', { numberOfKeys: 1, lua: PACE_SCRIPT });
    client.defineCommand('runBatchShare', { numberOfKeys: 2, lua: SHARE_SCRIPT });
    client.on('error', (error: Error) => this.fail(error));
    client.on('end', () => this.fail(new Error('connection closed')));
    this.timer = setInterval(() => void this.sampleShare(), SAMPLE_MS);
    this.timer.unref();
    void this.sampleShare();
  }

  get failed(): boolean {
    return this.failedFlag;
  }

  /** Runs the token script (see token-script.ts). */
  tokens(op: 'take' | 'settle' | 'held', args: Array<string | number>): Promise<[number, number]> {
    const keys = ['bucket', 'held', 'give'].map((k) => `${this.prefix}:tokens:${k}`);
    // biome-ignore lint/suspicious/noExplicitAny: a command added by defineCommand has no type
    return (this.client as any).runBatchTokens(...keys, op, ...args);
  }

  /**
   * Runs the pace script (see token-script.ts): 'turn' gives the ms to wait before a call may start
   * (-1: nothing paces), 'rate' sets the adaptive rate all runners share: outright, or given `from`
   * (the count of rates set this runner last heard) only if no rate was set since, and as a climb
   * (`raise`) only if higher. Both say the rate now (0: none).
   */
  async pace(
    op: 'turn' | 'rate',
    arg: number,
    quota?: number,
    from?: number,
    raise = false,
  ): Promise<PaceReply> {
    // biome-ignore lint/suspicious/noExplicitAny: a command added by defineCommand has no type
    const [wait, rate, measured, cuts] = await (this.client as any).runBatchPace(
      `${this.prefix}:pace`,
      op,
      arg,
      quota === undefined ? '' : String(quota),
      from === undefined ? '' : String(from),
      raise ? 'raise' : '',
    );
    return { wait: Number(wait), rate: Number(rate), quota: Number(measured) || 0, cuts: Number(cuts) };
  }

  /**
   * The calls every runner was let through lately, per second, between throttles at least `apart`
   * samples of SAMPLE_MS apart (see QuotaSamples.letThrough).
   */
  letThrough(apart: number): number | undefined {
    return this.failedFlag ? undefined : this.quota.letThrough(this.latencyMs?.() ?? 0, apart);
  }

  /** The most calls every runner started per second in a sample lately (QuotaSamples.sending). */
  sending(): number | undefined {
    return this.failedFlag ? undefined : this.quota.sending();
  }

  /** Counts one call this runner started, for `share`. */
  counted(): void {
    this.ownCalls++;
  }

  /** Counts how one of this runner's calls ended, for the quota's rate every runner reads. */
  outcome(outcome: 'ok' | 'throttle'): void {
    if (outcome === 'ok') this.ownOk++;
    else this.ownThrottled++;
  }

  /** This runner's share of the calls every runner on the key started lately (1 when alone). */
  share(): number {
    return this.alone ? 1 : this.quota.share;
  }

  /**
   * A few times a second: add this runner's counts to the shared ones and say it is here. The share
   * is this runner's part of the calls all of them started in the last two seconds; before there
   * are enough of those (the first calls of a run), one over the runners seen.
   */
  private async sampleShare(): Promise<void> {
    if (this.failedFlag) return;
    const own = this.ownCalls;
    const ok = this.ownOk;
    const throttled = this.ownThrottled;
    this.ownCalls = 0;
    this.ownOk = 0;
    this.ownThrottled = 0;
    try {
      // biome-ignore lint/suspicious/noExplicitAny: a command added by defineCommand has no type
      const counts = (await (this.client as any).runBatchShare(
        `${this.prefix}:counts`,
        `${this.prefix}:runners`,
        this.runner,
        own,
        ok,
        throttled,
      )) as [number, number, number, number];
      const [calls, okAll, throttledAll, runners] = counts.map(Number);
      const quota = this.quota.add(
        own,
        { calls: calls ?? 0, ok: okAll ?? 0, throttled: throttledAll ?? 0, runners: runners ?? 1 },
        performance.now(),
        this.latencyMs?.() ?? 0,
      );
      if (quota !== undefined) this.onQuota?.(quota);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Goes local for the rest of the run, with one warning. */
  fail(error: unknown): void {
    if (this.failedFlag) return;
    this.failedFlag = true;
    this.alone = true;
    clearInterval(this.timer);
    const reason = error instanceof Error ? error.message : String(error);
    this.options.onWarning?.(
      `--limiter ${shownUrl(this.options.url)}: Redis failed (${reason}); going on with this runner's own limits`,
    );
    this.resolveFailed();
    this.client.disconnect();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    if (this.failedFlag) return;
    // The last counts, so the other runners' figures (and the totals) hold every call.
    await this.sampleShare();
    if (this.failedFlag) return;
    this.failedFlag = true; // closing on purpose: the 'end' that follows is no failure
    this.resolveFailed();
    await this.client.quit().catch(() => undefined);
  }
}

/** Connects to the limiter's Redis, or throws a setup error (exit 2) naming the URL. */
export async function connectLimiter(options: SharedLimiterOptions): Promise<SharedLimiter> {
  const timeout = options.connectTimeoutMs ?? 3000;
  const client = new Redis(options.url, {
    connectTimeout: timeout,
    commandTimeout: 5000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    lazyConnect: true,
  });
  client.on('error', () => undefined); // reported through connect() below, or by SharedLimiter
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw new RunBatchError(
      'USAGE',
      `--limiter ${shownUrl(options.url)}: cannot reach Redis (${(error as Error).message || 'no answer'})`,
      { cause: error },
    );
  }
  return new SharedLimiter(client, options);
}
