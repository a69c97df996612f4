/** `<output>.summary.json`, written atomically (temporary file, then rename) on every exit path. */
import { renameSync, writeFileSync } from 'node:fs';

export function summaryPath(output: string): string {
  return `${output}.summary.json`;
}

/** @param redact keeps credentials an error message might echo out of the file */
export function writeSummaryFile(output: string, summary: object, redact: (text: string) => string): void {
  const path = summaryPath(output);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${redact(JSON.stringify(summary, null, 2))}\n`);
  renameSync(tmp, path);
}
