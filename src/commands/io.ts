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
  /** Subscribes to SIGINT/SIGTERM; returns the unsubscribe function. */
  onSignal: (listener: (signal: 'SIGINT' | 'SIGTERM') => void) => () => void;
}
