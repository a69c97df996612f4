/**
 * Signals that stop a run gracefully: Ctrl-C, `kill`, a closed terminal or SSH session (SIGHUP)
 * and Ctrl-\ (SIGQUIT). Each gets the grace period, the summary and the lock released; only a
 * second SIGINT cuts calls off at once.
 */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** Where commands write: injected so tests can capture it and only the CLI touches the console. */
export interface CommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Whether stderr is a terminal (progress bar) or not (plain lines). */
  isTTY: boolean;
  /** Width of that terminal, for the progress bar. */
  columns?: () => number | undefined;
  /** Tells the CLI the --log-format once it is known (a job file can set it), so its errors follow it. */
  setLogFormat?: (format: 'text' | 'json') => void;
  /** Subscribes to the stop signals (STOP_SIGNALS); returns the unsubscribe function. */
  onSignal: (listener: (signal: StopSignal) => void) => () => void;
}
