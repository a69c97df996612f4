/**
 * Fault-injection scenarios from a seed: which interruptions hit a run, when, and how a results file
 * is damaged between runs. Pure and seeded (mulberry32), so a failing seed replays the same steps.
 */

export type StepKind = 'SIGKILL' | 'SIGTERM' | 'SIGHUP' | 'endpoint' | 'damage';

export type Damage = 'quote' | 'newline' | 'letter' | 'delete';

export interface Step {
  kind: StepKind;
  /** After the CLI starts: when the signal is sent, or the endpoint goes down. */
  delayMs: number;
  /** endpoint: how long it stays down before it comes back on the same port. */
  downMs: number;
  /** damage: where (a fraction of the file's size) and what. */
  at: number;
  damage: Damage;
}

export interface Scenario {
  seed: number;
  format: 'csv' | 'jsonl';
  steps: Step[];
}

export const STEP_KINDS: readonly StepKind[] = ['SIGKILL', 'SIGTERM', 'SIGHUP', 'endpoint', 'damage'];
const DAMAGES: readonly Damage[] = ['quote', 'newline', 'letter', 'delete'];

export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 1 to 3 steps; `kinds` narrows what may happen (a regression case, or a suite about one fault). */
export function scenarioFor(seed: number, kinds: readonly StepKind[] = STEP_KINDS): Scenario {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const format = next() < 0.5 ? 'csv' : 'jsonl';
  const count = 1 + Math.floor(next() * 3);
  const steps: Step[] = [];
  for (let i = 0; i < count; i++) {
    steps.push({
      kind: pick(kinds),
      delayMs: Math.round(300 + next() * 1500),
      downMs: Math.round(100 + next() * 900),
      at: next(),
      damage: pick(DAMAGES),
    });
  }
  return { seed, format, steps };
}

/** The results file with one byte damaged at `at` (a fraction of its length). */
export function damaged(bytes: Buffer, at: number, damage: Damage): Buffer {
  const i = Math.min(bytes.length - 1, Math.floor(at * bytes.length));
  if (damage === 'delete') return Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)]);
  const copy = Buffer.from(bytes);
  copy[i] = damage === 'quote' ? 0x22 : damage === 'newline' ? 0x0a : 0x71; // '"', LF, 'q'
  return copy;
}
