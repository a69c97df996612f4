/** `<output>.summary.json`, written atomically (temporary file, then rename) on every exit path. */
import { renameSync, writeFileSync } from 'node:fs';

export function summaryPath(output: string): string {
  return `${output}.summary.json`;
}

export function writeSummaryFile(output: string, summary: object): void {
  const path = summaryPath(output);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(summary, null, 2)}\n`);
  renameSync(tmp, path);
}
