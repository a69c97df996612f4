/**
 * The connection to a limiter shared through Redis (`--limiter redis://host:port[/db]`): one
 * ioredis client (bottleneck's clustering reuses it, plus the subscriber it makes), the key every
 * runner on the same quota meets under, and what happens when Redis fails.
 *
 * A Redis that cannot be reached at start is a setup error (exit 2, the URL named), found before
 * any row is sent. One that goes away mid-run must not stop the run: the first failure of any
 * command warns once, the connection is dropped, and the gates fall back to local limits
 * (`whenFailed`). ioredis is told not to queue commands offline nor reconnect, so a dead Redis
 * fails a command at once instead of holding every call.
 */
import { createHash, randomUUID } from 'node:crypto';
import Bottleneck from 'bottleneck';
import { Redis } from 'ioredis';
import { RunBatchError } from '../errors.js';
import { TOKEN_SCRIPT } from './token-script.js';

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

export class SharedLimiter {
  /** Prefix of every key this limiter uses in Redis. */
  readonly prefix: string;
  /** Identifies this runner's reservations. */
  readonly runner = randomUUID();
  readonly reservationTtlMs: number;
  readonly connection: Bottleneck.IORedisConnection;
  private failedFlag = false;
  private resolveFailed!: () => void;
  /** Resolves once Redis has failed and the run has gone local. */
  readonly whenFailed: Promise<'failed'>;
  private ownCalls = 0;
  private seenTotal: number | undefined;
  private shareEstimate = 1;
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
    client.on('error', (error: Error) => this.fail(error));
    client.on('end', () => this.fail(new Error('connection closed')));
    this.connection = new Bottleneck.IORedisConnection({ client, Redis } as never);
    this.connection.on('error', (error: Error) => this.fail(error));
    this.timer = setInterval(() => void this.sampleShare(), 1000);
    this.timer.unref();
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

  /** Counts one call this runner started, for `share`. */
  counted(): void {
    this.ownCalls++;
  }

  /** This runner's share of the calls every runner on the key started lately (1 when alone). */
  share(): number {
    return this.shareEstimate;
  }

  /**
   * Once a second: add this runner's calls to a shared counter, and compare what it grew by since
   * the last sample with this runner's own part of that.
   */
  private async sampleShare(): Promise<void> {
    if (this.failedFlag) return;
    const own = this.ownCalls;
    this.ownCalls = 0;
    try {
      const key = `${this.prefix}:calls`;
      const [[, total]] = (await this.client.multi().incrby(key, own).pexpire(key, 600_000).exec()) as [
        [unknown, number],
      ];
      const grown = this.seenTotal === undefined ? own : total - this.seenTotal;
      this.seenTotal = total;
      if (grown > 0 && own > 0)
        this.shareEstimate = 0.5 * this.shareEstimate + 0.5 * Math.min(1, own / grown);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Goes local for the rest of the run, with one warning. */
  fail(error: unknown): void {
    if (this.failedFlag) return;
    this.failedFlag = true;
    this.shareEstimate = 1;
    clearInterval(this.timer);
    const reason = error instanceof Error ? error.message : String(error);
    this.options.onWarning?.(
      `--limiter ${shownUrl(this.options.url)}: Redis failed (${reason}); going on with this runner's own limits`,
    );
    this.resolveFailed();
    void this.connection.disconnect(false).catch(() => undefined);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    if (this.failedFlag) return;
    this.failedFlag = true; // closing on purpose: the 'end' that follows is no failure
    this.resolveFailed();
    await this.connection.disconnect(true).catch(() => undefined);
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
  // bottleneck makes its subscriber with duplicate(), which must connect by itself.
  client.options.lazyConnect = false;
  return new SharedLimiter(client, options);
}
