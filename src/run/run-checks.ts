/** Refusals a run makes once its input is known, before anything is sent. */
import { statSync } from 'node:fs';
import { displayPath, RunBatchError } from '../errors.js';
import type { JobSpec } from '../job/spec.js';

/** Several models at once: a `model` column would override every one of them, so which ran what? */
export function refuseModelColumn(
  models: readonly string[] | undefined,
  columns: readonly string[],
  label: string,
) {
  if (!models || !columns.includes('model')) return;
  throw new RunBatchError(
    'INPUT',
    `${label}: has a "model" column (each row's model), but -m names ${models.length} models (${models.join(', ')}); run the models one at a time, or rename the column`,
  );
}

/**
 * Never write over the input: `-o` may name it through a symlink, a hard link or another path, so
 * files are compared by device and inode, not by name.
 */
export function refuseInputAsOutput(spec: JobSpec, cwd: string): void {
  const a = statOrUndefined(spec.input);
  const b = statOrUndefined(spec.output);
  if (a && b && a.dev === b.dev && a.ino === b.ino) {
    throw new RunBatchError(
      'USAGE',
      `--output ${displayPath(spec.output, cwd)} is the input file ${displayPath(spec.input, cwd)} (the same file under another name); give another output file`,
    );
  }
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
