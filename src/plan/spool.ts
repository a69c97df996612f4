/**
 * Inputs that can be read only once (a pipe, a FIFO, `<(zcat in.csv.gz)`, /dev/stdin) are copied to
 * a private temporary file first, so the check pass and the run read the same bytes. Without this,
 * the second pass would read nothing and the run would end "done" with every row unsent.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { RunBatchError } from '../errors.js';

export interface Spooled {
  /** The path to read: the input itself, or its spooled copy. */
  path: string;
  /** Removes the copy (nothing for a regular file). */
  dispose(): void;
}

export async function spoolIfOnceOnly(input: string, label: string, signal?: AbortSignal): Promise<Spooled> {
  if (statSync(input).isFile()) return { path: input, dispose: () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'run-batch-input-'));
  const path = join(dir, 'input');
  const dispose = () => rmSync(dir, { recursive: true, force: true });
  try {
    await pipeline(createReadStream(input), createWriteStream(path), ...(signal ? [{ signal }] : []));
  } catch (error) {
    dispose();
    if (signal?.aborted)
      throw new RunBatchError('STOPPED', `${String(signal.reason)} while reading ${label}; nothing was sent`);
    throw new RunBatchError('INPUT', `${label}: cannot read: ${(error as Error).message}`, { cause: error });
  }
  return { path, dispose };
}
