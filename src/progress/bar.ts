/**
 * The live progress bar on a terminal, drawn by cli-progress. The bar's text comes from a callback
 * read at each redraw, so a run finishing thousands of rows a second costs one assignment per row,
 * and the terminal is redrawn at most FPS times a second. Lines logged while the bar is up (warnings)
 * are printed above it. Writes only through the function it is given: the CLI owns the console.
 */
import cliProgress from 'cli-progress';

const FPS = 8;

export class LiveBar {
  private readonly multibar: cliProgress.MultiBar;
  private started = false;
  private stopped = false;

  constructor(
    private readonly write: (text: string) => void,
    /** The bar's text, for a terminal `columns` wide. */
    render: (columns: number) => string,
    columns: () => number | undefined = () => undefined,
  ) {
    // cli-progress wants a stream; this one forwards to `write` and answers its few questions.
    const stream = {
      isTTY: true,
      get columns() {
        return columns();
      },
      write(text: string, callback?: () => void) {
        write(text);
        callback?.();
        return true;
      },
    };
    this.multibar = new cliProgress.MultiBar({
      stream: stream as unknown as NodeJS.WritableStream,
      // Called at each redraw with the terminal's width (80 when it does not say).
      format: (_options, params) => render(params.maxWidth),
      fps: FPS,
      // Redraw even when the text is unchanged, so a warning logged above the bar never erases it.
      forceRedraw: true,
      // Truncate to the terminal's width ourselves rather than switch the terminal's line wrapping
      // off, which a run killed with -9 would leave off.
      linewrap: true,
      hideCursor: false,
      clearOnComplete: false,
      // Signals belong to the run command; the bar is stopped from its finally block.
      gracefulExit: false,
    });
  }

  /** Draws the bar from now on (the first call), or does nothing: the text comes from `render`. */
  show(total: number): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.multibar.create(total, 0);
  }

  /** A line (with its newline) printed above the bar, or straight out when no bar is drawn. */
  log(line: string): void {
    if (this.started && !this.stopped) this.multibar.log(line);
    else this.write(line);
  }

  /** Draws the final state once more, leaves it on screen and moves below it. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (!this.started) return;
    this.multibar.update(); // flushes lines logged since the last redraw
    this.multibar.stop();
  }
}
