/**
 * `--fail-rate P`: random faults, reproducible. Every arriving model request takes the next draws
 * of one PRNG seeded with `--seed`, so the same sequence of arrivals meets the same faults.
 */
import type { ExceptionName } from './exceptions.js';
import { prng } from './text.js';

export type Fault =
  /** An HTTP error response instead of the answer. */
  | { kind: 'error'; exception: ExceptionName }
  /** The connection (HTTP/1.1) or session (HTTP/2) is destroyed without a response. */
  | { kind: 'drop' }
  /** A stream breaks after its first delta with this in-stream exception. */
  | { kind: 'midstream'; exception: ExceptionName };

export type FaultScope = 'plain' | 'stream' | 'count-tokens';

/** What each scope can meet: only exceptions the operation models, mid-stream ones on streams. */
const MENU: Record<FaultScope, Fault[]> = {
  plain: [
    { kind: 'error', exception: 'InternalServerException' },
    { kind: 'error', exception: 'ServiceUnavailableException' },
    { kind: 'error', exception: 'ModelTimeoutException' },
    { kind: 'drop' },
  ],
  stream: [
    { kind: 'error', exception: 'InternalServerException' },
    { kind: 'error', exception: 'ServiceUnavailableException' },
    { kind: 'error', exception: 'ModelTimeoutException' },
    { kind: 'drop' },
    { kind: 'midstream', exception: 'InternalServerException' },
    { kind: 'midstream', exception: 'ModelStreamErrorException' },
  ],
  // CountTokens models neither ModelTimeoutException nor a stream.
  'count-tokens': [
    { kind: 'error', exception: 'InternalServerException' },
    { kind: 'error', exception: 'ServiceUnavailableException' },
    { kind: 'drop' },
  ],
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
   * meets never shifts what the next one meets. The two mid-stream kinds share one slot, so each
   * of the five kinds of fault is equally likely on a stream.
   */
  next(scope: FaultScope): Fault | undefined {
    const hit = this.random() < this.rate;
    const pick = this.random();
    if (!hit) return undefined;
    const menu = MENU[scope];
    if (scope !== 'stream') return menu[Math.floor(pick * menu.length)];
    const slot = Math.floor(pick * 5);
    if (slot < 4) return menu[slot];
    return menu[pick * 5 - 4 < 0.5 ? 4 : 5];
  }

  /** Starts the sequence over from the seed. */
  reset(): void {
    this.random = prng(this.seed);
  }
}
