/**
 * One `-c` shared by several pools (several models in one run, `-m a,b,c`): at most `size` calls in
 * flight across all of them, and a freed slot goes to the members in turn, so a model with a long
 * queue cannot starve the others. Each pool keeps its own rate and adaptive control (Bedrock's
 * quotas are per model); only the calls in flight are shared.
 *
 * A pool takes a slot after its rate gate admitted the call and gives it back when the call ends,
 * never across a backoff wait: a model paced down by throttles waits without holding slots the
 * others could use.
 */

/** Gives the slot back. Call once. */
export type Release = () => void;

export interface Slots {
  /** Waits for a slot; undefined when `signal` aborted first (nothing was taken). */
  acquire(signal?: AbortSignal): Promise<Release | undefined>;
}

interface Waiter {
  grant(release: Release): void;
}

export class FairSlots {
  private free: number;
  private readonly queues: Array<Waiter[]> = [];
  /** The member served last: the next free slot goes to the first member after it with a waiter. */
  private last = -1;
  private inFlight = 0;
  /** Most calls in flight at once, for tests and the summary. */
  peak = 0;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`slots: expected a whole number from 1 up, got ${size}`);
    this.free = size;
  }

  /** A member's handle: each pool (model) gets one, and is served in turn with the others. */
  member(): Slots {
    const index = this.queues.push([]) - 1;
    return { acquire: (signal) => this.acquire(index, signal) };
  }

  private acquire(index: number, signal?: AbortSignal): Promise<Release | undefined> {
    if (signal?.aborted) return Promise.resolve(undefined);
    if (this.free > 0 && this.queues.every((q) => q.length === 0)) {
      this.free--;
      this.last = index;
      return Promise.resolve(this.taken());
    }
    const queue = this.queues[index] as Waiter[];
    return new Promise((resolve) => {
      const onAbort = () => {
        const at = queue.indexOf(waiter);
        if (at >= 0) queue.splice(at, 1);
        resolve(undefined);
      };
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private taken(): Release {
    this.inFlight++;
    this.peak = Math.max(this.peak, this.inFlight);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.handOn();
    };
  }

  /** A slot came free: to the next member in turn that is waiting, else back to the pool. */
  private handOn(): void {
    const n = this.queues.length;
    for (let step = 1; step <= n; step++) {
      const index = (this.last + step) % n;
      const waiter = this.queues[index]?.shift();
      if (waiter) {
        this.last = index;
        waiter.grant(this.taken());
        return;
      }
    }
    this.free++;
  }
}
