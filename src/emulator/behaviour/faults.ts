/**
 * `--fail-rate P`: random faults, reproducible. Every arriving model request takes the next draws
 * of one PRNG seeded with `--seed`, so the same sequence of arrivals meets the same faults.
 */
import type { ExceptionName } from '../wire/exceptions.js';
import { prng } from './text.js';

export type Fault =
  /** An HTTP error response instead of the answer. */
  | { kind: 'error'; exception: ExceptionName }
  /** The connection (HTTP/1.1) or session (HTTP/2) is destroyed without a response. */
  | { kind: 'drop' }
  /** A stream breaks after its first delta with this in-stream exception. */
  | { kind: 'midstream'; exception: ExceptionName };

export type FaultScope = 'plain' | 'stream' | 'count-tokens';

/** A kind of fault, or several that share one kind's probability evenly. */
type Slot = Fault | Fault[];

const PLAIN: Slot[] = [
  { kind: 'error', exception: 'InternalServerException' },
  { kind: 'error', exception: 'ServiceUnavailableException' },
  { kind: 'error', exception: 'ModelTimeoutException' },
  { kind: 'drop' },
];

/** What each scope can meet: only exceptions the operation models, mid-stream ones on streams. */
const MENU: Record<FaultScope, Slot[]> = {
  plain: PLAIN,
  // The two mid-stream exceptions share one slot: each of the five kinds is equally likely.
  stream: [
    ...PLAIN,
    [
      { kind: 'midstream', exception: 'InternalServerException' },
      { kind: 'midstream', exception: 'ModelStreamErrorException' },
    ],
  ],
  // CountTokens models neither ModelTimeoutException nor a stream.
  'count-tokens': PLAIN.filter(
    (slot) => !('exception' in slot && slot.exception === 'ModelTimeoutException'),
  ),
};

export class Faults {
  private random: () => number;

  constructor(
    private readonly rate: number,
    private readonly seed: number,
  ) {
    this.random = prng(seed);
  }

  /**
   * The fault for the next arrival, if any. Always takes exactly two draws, so what one request
   * meets never shifts what the next one meets.
   */
  next(scope: FaultScope): Fault | undefined {
    const hit = this.random() < this.rate;
    const pick = this.random();
    if (!hit) return undefined;
    const slots = MENU[scope];
    const at = pick * slots.length;
    const slot = slots[Math.floor(at)];
    return Array.isArray(slot) ? slot[Math.floor((at % 1) * slot.length)] : slot;
  }

  /** Starts the sequence over from the seed. */
  reset(): void {
    this.random = prng(this.seed);
  }
}
