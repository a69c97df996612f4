/** `<output>.summary.json`, written atomically and durably (atomic-write.ts) on every exit path. */
import { writeFileAtomic } from '../atomic-write.js';

export function summaryPath(output: string): string {
  return `${output}.summary.json`;
}

/** @param redact keeps credentials an error message might echo out of the file */
export function writeSummaryFile(output: string, summary: object, redact: (text: string) => string): void {
  writeFileAtomic(summaryPath(output), `${redact(JSON.stringify(summary, null, 2))}\n`);
}
