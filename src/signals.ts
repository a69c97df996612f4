/**
 * The stop signals (SIGINT, SIGTERM, SIGHUP, SIGQUIT) from the first moment the CLI runs. Loading the modules (yargs, the AWS SDK)
 * takes a few hundred milliseconds on a busy machine; without handlers, a signal then would end the
 * process with the default action (no exit code, no summary, a stale lock left by an earlier run
 * never cleared). cli.ts imports this module first, so its handlers exist before anything else
 * loads. A signal that comes before a command listens waits for the first one that does (`run`,
 * `emulator`); commands that never listen (`report`, `estimate`) end at once on one.
 */
import { STOP_SIGNALS, type StopSignal } from './commands/io.js';

export type Signal = StopSignal;

const SIGNALS: readonly Signal[] = STOP_SIGNALS;
const EXIT_CODES: Record<Signal, number> = { SIGHUP: 129, SIGINT: 130, SIGQUIT: 131, SIGTERM: 143 };
let heard = false;
const listeners = new Set<(signal: Signal) => void>();
const early: Signal[] = [];
let deferring = true;

const exitOn = (signal: Signal) => process.exit(EXIT_CODES[signal]);

function heardSignal(signal: Signal): void {
  heard = true;
  if (listeners.size === 0 && !deferring) exitOn(signal);
  if (listeners.size === 0) early.push(signal);
  for (const listener of [...listeners]) listener(signal);
}

for (const signal of SIGNALS) process.on(signal, () => heardSignal(signal));

/**
 * The bin listens from its first line, while it reads and compiles this bundle, and hands over what
 * it heard (bin/run-batch.js). Its handlers go only now that these are in place: a moment with no
 * handler would give a signal its default action back.
 */
interface BinSignals {
  heard: Signal[];
  stop(): void;
}
const fromBin = (globalThis as Record<symbol, BinSignals | undefined>)[Symbol.for('run-batch.bin-signals')];
if (fromBin) {
  fromBin.stop();
  for (const signal of fromBin.heard.splice(0)) heardSignal(signal);
}

/** Subscribes to the stop signals; a signal that came before anyone listened is delivered now. */
export function onSignal(listener: (signal: Signal) => void): () => void {
  listeners.add(listener);
  for (const signal of early.splice(0)) listener(signal);
  return () => listeners.delete(listener);
}

/** For a command that never listens: a signal (one that came already, or a later one) ends it. */
export function withoutSignalHandling(): void {
  deferring = false;
  for (const signal of early.splice(0, 1)) exitOn(signal);
}

/** Whether a stop signal came during this process. */
export function signalled(): boolean {
  return heard;
}
