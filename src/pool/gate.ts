/**
 * What the pool asks of admission by rate, local (rate.ts) or shared with other runners
 * (shared-gate.ts): wait for a call's turn and tokens, settle its reservation when it ends, take
 * the adaptive controller's rate, and let every waiter go on stop.
 */

/** One admitted attempt's reservation. */
export interface Admission {
  /**
   * Settles the reservation to what the call finally counted against the quota: what was taken
   * beyond it is given back, and what it counted beyond what was taken is taken too. Call once.
   */
  settle(counted: number): void;
}

export interface Gate {
  /**
   * Waits until a call reserving `tokens` may start; undefined if the gate was stopped meanwhile.
   * Retries pass a higher priority (a lower number).
   */
  acquire(tokens: number, priority?: number): Promise<Admission | undefined>;
  /**
   * The adaptive controller's request rate (calls per second); undefined lifts it. `quota`: the
   * quota's rate it was just measured at, for other runners sharing the gate. `raise`: a climb,
   * which lowers no rate another runner sharing the gate set higher, nor undoes one set lower since
   * this runner last heard the shared rate.
   */
  setAdaptiveRate(rps: number | undefined, quota?: number, raise?: boolean): void;
  /** Share of the quota's recent calls that this runner made: 1 when it runs alone. */
  share(): number;
  /** Lets every waiting call go (as not admitted) and admits no more. */
  stop(): Promise<void>;
}
