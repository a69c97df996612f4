/** What a caller gives runBatch besides the spec: a client, the environment, callbacks and stop signals. */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { CallFailure } from '../bedrock/errors.js';
import type { Budget } from '../engines/budget.js';
import type { Slots } from '../pool/fair-slots.js';
import type { AttemptEvent } from '../pool/pool.js';
import type { ResultRecord } from '../types.js';
import type { Progress } from './summary.js';

/** What the runs of several models at once share (several-models.ts); a lone run shares nothing. */
export interface SharedRun {
  /** The one `-c`: calls in flight across every model's pool, handed out in turn. */
  slots: Slots;
  /** The one `--max-cost`, across every model's rows. */
  budget?: Budget;
  /** Every model of the run: a `model` column in the input is refused, as it would override them all. */
  models: readonly string[];
}

/** Which row an attempt was for. */
export interface AttemptRow {
  id: string;
  index: number;
  model: string;
}

export interface RunDeps {
  /** A ready client (tests); otherwise one is built from the spec (or the emulator's, --emulate). */
  client?: BedrockRuntimeClient;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called after every finished row, and after every throttle (it moves the count at once). */
  onProgress?: (progress: Progress) => void;
  /** Every call attempt as it happens: sent, answered, failed (throttles among them). */
  onAttempt?: (row: AttemptRow, event: AttemptEvent<CallFailure>) => void;
  /** Every row finished this run (reused ones too), as written to the results file. */
  onRecord?: (record: Readonly<ResultRecord>) => void;
  /** Something the user should know that does not stop the run (an unpriced model, a stale lock). */
  onWarning?: (message: string) => void;
  /**
   * Where one of the user's files went (the old results kept aside by --fresh or a rebuild, a cut
   * half-written row): a warning a caller should not silence, since it is where their data is.
   * Default: onWarning.
   */
  onMoved?: (message: string) => void;
  /** Where the run stands beyond rows (batch jobs' status): for the log, not a warning. */
  onInfo?: (message: string) => void;
  /**
   * A finished row that could not be written anywhere (the disk is full and its reserve spent):
   * its record as JSON, so the answer reaches the log instead of being lost. Never silenced.
   */
  onUnwritten?: (record: string) => void;
  /**
   * Aborting it stops the run softly (stop reason `signal`): no new row starts; calls in flight
   * get the grace period.
   */
  softStop?: AbortSignal;
  /** Aborting it stops the run hard: calls in flight are cut off at once (what finished is still written). */
  hardStop?: AbortSignal;
  /** Set by runModels for each model's run: what it shares with the others. */
  shared?: SharedRun;
}
