/**
 * The options reference (docs/options.md) and the man page (run-batch.1), written from the option
 * tables by `npm run docs`. Pure functions of the tables, so a test can regenerate both and fail
 * when the committed files are stale.
 */
import { defaultText, flagText, valueText } from '../job/describe.js';
import type { Command, OptionDef } from '../job/option-def.js';
import { COMMANDS } from './tables.js';

export type Tables = ReadonlyMap<Command, readonly OptionDef[]>;

/** A job file's key is the flag itself, for run's and estimate's options (but --job). */
const jobKey = (command: Command, def: OptionDef) =>
  (command === 'run' || command === 'estimate') && def.flag !== 'job' ? `\`${def.flag}\`` : '';

const EXIT_CODES: ReadonlyArray<[string, string]> = [
  ['0', 'every row answered (or nothing left to do)'],
  ['1', 'the run finished, and some rows are error rows'],
  ['2', 'a usage or input problem: a bad option, job file, input or output; nothing was sent'],
  ['3', 'stopped: a signal, --max-errors, --max-cost, --no-wait or --cancel; rerun to resume'],
  ['4', "another live run holds the output's lock"],
  ['70', 'a bug in run-batch'],
];

/** The entry's help as a sentence, then its extra facts: where its value may come from, what it rules out. */
function notes(def: OptionDef): string[] {
  const repeatable = /repeatable/i.test(def.describe);
  return [
    /[.!?]$/.test(def.describe) ? def.describe : `${def.describe}.`,
    ...(def.env ? [`Environment: ${def.env.join(', ')}.`] : []),
    ...(def.conflicts ? [`Not with --${def.conflicts.flag}.`] : []),
    ...(def.type === 'list'
      ? [repeatable ? 'A list in a job file.' : 'Repeatable; a list in a job file.']
      : []),
  ];
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/\n/g, ' ');

/** A Markdown table with its columns padded, as the formatter (biome) writes one. */
function table(header: readonly string[], rows: readonly string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, 3, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

export function optionsMarkdown(tables: Tables): string {
  const out = [
    '# Options reference',
    '',
    '<!-- Generated from the option tables by `npm run docs`; do not edit by hand. A test fails when it is stale. -->',
    '',
    'Every option of every command, with its type, its default and, for `run` and `estimate`, its',
    'job-file key (a job file takes the long option names as keys; flags given on the command line',
    'override them). A value given twice on the command line takes the last one, except for list',
    'options, which collect every value.',
    '',
  ];
  for (const info of COMMANDS) {
    const defs = tables.get(info.name) ?? [];
    out.push(`## ${info.name}`, '', `\`run-batch ${info.usage}\``, '', `${info.summary}.`, '');
    const withKeys = info.name === 'run' || info.name === 'estimate';
    const header = ['Option', 'Type', 'Default', 'Description', ...(withKeys ? ['Job-file key'] : [])];
    let rows: string[][] = [];
    let group = '';
    for (const def of defs) {
      if (def.group !== group) {
        if (rows.length > 0) out.push(...table(header, rows), '');
        group = def.group;
        rows = [];
        out.push(`### ${info.name}: ${group}`, '');
      }
      const type = def.choices ? `${def.type}: ${def.choices.join(', ')}` : def.type;
      const shown = defaultText(def);
      rows.push([
        `\`${flagText(def)}\``,
        cell(type),
        shown === undefined ? '' : cell(shown),
        cell(notes(def).join(' ')),
        ...(withKeys ? [jobKey(info.name, def)] : []),
      ]);
    }
    out.push(...table(header, rows), '');
  }
  out.push(
    '## Exit codes',
    '',
    ...table(
      ['Code', 'Meaning'],
      EXIT_CODES.map((row) => [...row]),
    ),
  );
  return `${out.join('\n')}\n`;
}

/** Text for roff: backslashes escaped, hyphens as minus signs, no line starting with a control character. */
function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/^([.'])/gm, '\\&$1');
}

export function manPage(tables: Tables, version: string): string {
  const out = [
    '.\\" Generated from the option tables by `npm run docs`; do not edit by hand.',
    `.TH RUN\\-BATCH 1 "" "run\\-batch ${roff(version)}" "User Commands"`,
    '.SH NAME',
    'run\\-batch \\- run a table of prompts through Amazon Bedrock',
    '.SH SYNOPSIS',
    ...COMMANDS.flatMap((c) => ['.B run\\-batch', `${roff(c.usage)}`, '.br']),
    '.B run\\-batch',
    'completion bash|zsh|fish',
    '.SH DESCRIPTION',
    'run\\-batch sends every row of a CSV, JSONL or Parquet file of prompts to Amazon Bedrock, as fast as the',
    'quota allows, and writes one result row per input row. An interrupted run resumes where it',
    'stopped. A job file (\\fB\\-\\-job\\fR) holds the options as keys; flags override it.',
    '.SH COMMANDS',
  ];
  for (const c of COMMANDS) out.push('.TP', `.B ${c.name}`, roff(`${c.summary}.`));
  out.push('.TP', '.B completion', 'Print a shell completion script for bash, zsh or fish.');
  const env = new Set<string>();
  for (const c of COMMANDS) {
    out.push(`.SH ${c.name.toUpperCase()} OPTIONS`);
    let group = '';
    for (const def of tables.get(c.name) ?? []) {
      if (def.group !== group) {
        group = def.group;
        out.push(`.SS ${roff(group)}`);
      }
      for (const name of def.env ?? []) env.add(name);
      const shown = defaultText(def);
      const value = valueText(def);
      out.push(
        '.TP',
        `.B ${roff(flagText(def))}${value ? ` \\fI${roff(value)}\\fR` : ''}`,
        roff([...notes(def), ...(shown === undefined ? [] : [`Default: ${shown}.`])].join(' ')),
      );
    }
  }
  out.push('.SH ENVIRONMENT');
  for (const name of [...env].sort())
    out.push('.TP', `.B ${roff(name)}`, 'Read when the option it stands for is not given.');
  out.push('.SH EXIT STATUS');
  for (const [code, meaning] of EXIT_CODES) out.push('.TP', `.B ${code}`, roff(meaning));
  out.push('.SH SEE ALSO', 'The options reference, docs/options.md, and the manual in docs/ of the package.');
  return `${out.join('\n')}\n`;
}
