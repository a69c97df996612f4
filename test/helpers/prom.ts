/**
 * Reading a `--metrics-file` in tests: the samples by name and labels, and promtool's verdict on it
 * (/usr/bin/promtool, Debian's prometheus package: `promtool check metrics` reads stdin and prints
 * nothing when the text is good).
 */
import { spawnSync } from 'node:child_process';

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parseProm(text: string): PromSample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, key = '', value = ''] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
        labels[key] = value.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      return { name: match[1] ?? '', labels, value: Number(match[3]) };
    });
}

/** The value of the one sample named so whose labels include `labels`; throws when there is none. */
export function sample(samples: PromSample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return (found[0] as PromSample).value;
}

/** What promtool says about the text: '' when it passes (its exit code 0 and nothing printed). */
export function promtool(text: string): string {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (run.error) throw run.error;
  const said = `${run.stdout}${run.stderr}`.trim();
  return run.status === 0 && said === '' ? '' : `exit ${run.status}: ${said}`;
}
