/**
 * SIGINT and SIGTERM from the first moment the CLI runs. Loading the modules (yargs, the AWS SDK)
 * takes a few hundred milliseconds on a busy machine; without handlers, a signal then would end the
 * process with the default action (no exit code, no summary, a stale lock left by an earlier run
 * never cleared). cli.ts imports this module first, so its handlers exist before anything else
 * loads. A signal that comes before a command listens waits for the first one that does (`run`,
 * `emulator`); commands that never listen (`report`, `estimate`) end at once on one.
 */
export type Signal = 'SIGINT' | 'SIGTERM';

const SIGNALS: readonly Signal[] = ['SIGINT', 'SIGTERM'];
const listeners = new Set<(signal: Signal) => void>();
const early: Signal[] = [];
let deferring = true;

const exitOn = (signal: Signal) => process.exit(signal === 'SIGINT' ? 130 : 143);

for (const signal of SIGNALS) {
  process.on(signal, () => {
    if (listeners.size === 0 && !deferring) exitOn(signal);
    if (listeners.size === 0) early.push(signal);
    for (const listener of [...listeners]) listener(signal);
  });
}

/** Subscribes to SIGINT/SIGTERM; a signal that came before anyone listened is delivered now. */
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
