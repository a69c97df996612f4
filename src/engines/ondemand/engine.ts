/**
 * The on-demand engine: every planned row becomes one pool task (Converse or InvokeModel calls,
 * retried, paced by rpm/tpm and the adaptive controller). It reads rows no further ahead than the
 * pool can use, admits each through the budget, and gives every outcome to the sink.
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { CallOptions } from '../../bedrock/call.js';
import type { CallFailure } from '../../bedrock/errors.js';
import type { PlannedRow } from '../../plan/plan.js';
import { type AttemptEvent, Pool, type PoolOptions } from '../../pool/pool.js';
import type { Engine, EngineStats, EngineWork } from '../engine.js';
import { rowTask } from './row-task.js';

export class OnDemandEngine implements Engine {
  private readonly pool: Pool;
  private readonly running = new Set<Promise<void>>();
  private wake: (() => void) | undefined;

  constructor(
    private readonly client: BedrockRuntimeClient,
    private readonly call: CallOptions,
    pool: Omit<PoolOptions, 'softStop' | 'hardStop'>,
    largestReservation: number,
    control: { soft: AbortSignal; hard: AbortSignal },
    /** Hears every attempt of a row as it happens (progress, metrics, traces). */
    private readonly observe?: (row: PlannedRow, event: AttemptEvent<CallFailure>) => void,
  ) {
    this.pool = new Pool({ ...pool, softStop: control.soft, hardStop: control.hard }, largestReservation);
  }

  get stats(): EngineStats {
    return { attempts: this.pool.stats.attempts, throttles: this.pool.stats.throttles };
  }

  async run({ rows, sink, stopper, budget }: EngineWork): Promise<void> {
    try {
      for await (const row of rows) {
        if (stopper.stopped) break;
        // Backpressure: never read further ahead than the pool can use.
        while (this.pool.load >= this.pool.concurrency * 2 && !stopper.stopped) await this.settledOne();
        if (stopper.stopped) break;
        let admission = budget?.admit(row) ?? { ok: true as const, hold: 0n };
        // The worst case of the calls in flight may not come to pass: wait for them to settle
        // before deciding the budget is spent (other models' too, when several share it).
        while (!admission.ok && (this.running.size > 0 || budget?.holding) && !stopper.stopped) {
          await (this.running.size > 0 ? this.settledOne() : budget?.released());
          admission = budget?.admit(row) ?? admission;
        }
        if (!admission.ok) {
          stopper.stop('soft', 'budget', admission.reason);
          break;
        }
        const startsNow = this.pool.load < this.pool.concurrency;
        this.schedule(row, sink, admission.hold, budget);
        // A row that takes a free slot gets its call onto the wire before the next row is read:
        // the SDK's send is a chain of promise steps, and calls started together advance through it
        // in lockstep, so without this the first of 50 leaves only as the 50th does.
        if (startsNow) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      await Promise.allSettled(this.running);
    }
  }

  private schedule(
    row: PlannedRow,
    sink: EngineWork['sink'],
    hold: bigint,
    budget: EngineWork['budget'],
  ): void {
    const observe = this.observe;
    const heard = observe && ((event: AttemptEvent<CallFailure>) => observe(row, event));
    const task = this.pool.run(rowTask(this.client, row, this.call), heard).then((outcome) => {
      if (outcome.kind === 'notSent') return budget?.settle(hold, { costUsd: null, paid: false });
      const { attempts, latencyMs } = outcome;
      const finished = { attempts, latencyMs, finishedAt: new Date() };
      const charge =
        outcome.kind === 'ok'
          ? sink.finish(row, { kind: 'ok', value: outcome.value, ...finished })
          : sink.finish(row, { kind: 'failed', failure: outcome.failure, ...finished });
      budget?.settle(hold, charge);
    });
    this.running.add(task);
    const settled = () => {
      this.running.delete(task);
      this.wake?.();
    };
    // Both ways, so a failed task is not also an unhandled rejection.
    task.then(settled, settled);
  }

  /** Resolves once a running task settles (at once when none is running). */
  private settledOne(): Promise<void> {
    if (this.running.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => (this.wake = resolve));
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
