/**
 * The command line: yargs wiring, and the only place that touches the console, process.exit and
 * signals. Every option value reaches the commands as the raw text typed, so the one validator
 * (job/resolve.ts) can quote it back in its error messages.
 */
// First, for its side effect: signal handlers in place before the other modules load. ESM evaluates
// imports in order, but it loads the whole static graph first, so yargs and the SDK are imported
// dynamically below: on a busy machine they take hundreds of milliseconds to load.
import './signals.js';
import { readFileSync } from 'node:fs';
import type { default as YargsFactory } from 'yargs';
import { refuseUnknownFlags } from './commands/check-options.js';
import type { CommandIO } from './commands/io.js';
import { optionsOf } from './commands/tables.js';
import { yargsOptions } from './commands/yargs-options.js';
import { ExitCode, RunBatchError } from './errors.js';
import { glueDashValues } from './job/argv.js';
import type { Command } from './job/option-def.js';
import { fromCommandLine, type RawOptions } from './job/table.js';
import { errorText, logFormatFromArgs } from './progress/events.js';
import { redactor } from './redact.js';
import { onSignal, signalled, withoutSignalHandling } from './signals.js';

// The AWS SDK warns that its versions published after January 2027 need Node 22. The lockfile pins
// one that supports Node 20, so the warning tells a user of this tool nothing; the SDK's own switch
// turns it off.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const version = ownVersion();

/** The package's version, from its package.json: one level up from dist/cli.js, two from the bundle. */
function ownVersion(): string {
  for (const up of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as Record<string, unknown>;
      if (pkg.name === 'run-batch' && typeof pkg.version === 'string') return pkg.version;
    } catch {}
  }
  return 'unknown';
}

// Every line printed goes through this: no credential from the environment is ever shown.
const redact = redactor(process.env);
// JSON error lines from the start when the command line asks for them; a job file can too (below).
let logFormat = logFormatFromArgs(process.argv.slice(2));

// A closed pipe (`run-batch ... 2>&1 | head -1`) or a closed terminal ends logging, never the run:
// an EPIPE on stdout or stderr marks that stream gone, and the run goes on to write its results.
const gone = new Set<NodeJS.WriteStream>();
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => gone.add(stream));
const write = (stream: NodeJS.WriteStream, text: string) => {
  if (gone.has(stream)) return;
  try {
    stream.write(redact(text));
  } catch {
    gone.add(stream);
  }
};

const io: CommandIO = {
  stdout: (text) => write(process.stdout, text),
  stderr: (text) => write(process.stderr, text),
  env: process.env,
  cwd: process.cwd(),
  isTTY: process.stderr.isTTY === true,
  columns: () => process.stderr.columns,
  setLogFormat: (format) => {
    logFormat = format;
  },
  onSignal,
};

let exitCode: number = ExitCode.Ok;
const run = (fn: () => Promise<number>) => async () => {
  exitCode = await fn();
};

const COMMAND_NAMES = new Set<string>([
  'run',
  'estimate',
  'report',
  'compare',
  'emulator',
  'batch',
  'ledger',
  'show-request',
  'completion',
]);

async function main(yargs: typeof YargsFactory, hideBin: (argv: string[]) => string[]): Promise<void> {
  const given = hideBin(process.argv);
  const command = (COMMAND_NAMES.has(given[0] ?? '') ? given[0] : 'run') as Command | 'completion';
  const defs = command === 'completion' ? [] : await optionsOf(command);
  const args = glueDashValues(given, defs);
  // The table's view of the parsed flags: a repeated scalar flag takes its last value.
  // Unknown flags are refused first, in one message with every bad value the command line holds.
  const raw = async (argv: unknown) => {
    const values = fromCommandLine(defs, argv as RawOptions);
    await refuseUnknownFlags(command, values, defs, io);
    return values;
  };
  await yargs(args)
    .scriptName('run-batch')
    .usage(
      '$0 <input> [options]\n\nRun every row of a CSV, JSONL or Parquet file of prompts through Amazon Bedrock.',
    )
    // Values stay as typed (parse-numbers off): each option's check quotes them back.
    .parserConfiguration({ 'camel-case-expansion': false, 'boolean-negation': true, 'parse-numbers': false })
    .command(
      ['$0 [input..]', 'run [input..]'],
      'Run a file of prompts (the default command); several run one after another',
      (y) =>
        y
          .positional('input', {
            describe: 'CSV, JSONL or Parquet file(s) of prompts: paths, or s3:// objects, prefixes or globs',
            type: 'string',
            array: true,
          })
          .options(yargsOptions(defs)),
      (argv) =>
        run(async () => {
          // yargs drops a bare "-" from an array positional; it is kept so the user hears about stdin.
          const inputs = (argv.input as string[] | undefined) ?? [];
          const all = inputs.length === 0 && args.includes('-') ? ['-'] : inputs;
          if (all.length > 1) {
            const { runSeveral } = await import('./commands/several.js');
            return runSeveral(all, await raw(argv), io, printError);
          }
          const { runCommand } = await import('./commands/run.js');
          return runCommand({ ...(await raw(argv)), input: all[0] }, io);
        })(),
    )
    .command(
      'estimate [input]',
      'Validate every row, count tokens, predict cost and duration; calls no model',
      (y) =>
        y
          .positional('input', { describe: 'CSV, JSONL or Parquet file of prompts', type: 'string' })
          .options(yargsOptions(defs)),
      (argv) =>
        run(async () => {
          // estimate listens itself: a signal stops its CountTokens calls.
          const { estimateCommand } = await import('./commands/estimate.js');
          return estimateCommand(await raw(argv), io);
        })(),
    )
    .command(
      'show-request [input]',
      'Print the request a run would send for one row (operation, model, body); sends nothing',
      (y) =>
        y
          .positional('input', { describe: 'CSV, JSONL or Parquet file of prompts', type: 'string' })
          .options(yargsOptions(defs)),
      (argv) =>
        run(async () => {
          withoutSignalHandling();
          const { showRequestCommand } = await import('./commands/show-request.js');
          return showRequestCommand(await raw(argv), io);
        })(),
    )
    .command(
      'report <files..>',
      'Usage and cost totals over results files (CSV, JSONL, globs)',
      (y) =>
        y
          .positional('files', { describe: 'Results files or quoted globs', type: 'string', array: true })
          .options(yargsOptions(defs)),
      (argv) =>
        run(async () => {
          withoutSignalHandling();
          const { reportCommand } = await import('./commands/report.js');
          return reportCommand(await raw(argv), io);
        })(),
    )
    .command(
      'compare <files..>',
      'Models side by side: accuracy, cost, latency, projected cost',
      (y) => y.positional('files', { type: 'string', array: true }).options(yargsOptions(defs)),
      (argv) =>
        run(async () => {
          withoutSignalHandling();
          return (await import('./commands/compare.js')).compareCommand(await raw(argv), io);
        })(),
    )
    .command(
      'ledger <action> [files..]',
      'The answer ledger: stats, prune --older-than 30d|--before DATE, export (JSONL), import FILE...',
      (y) =>
        y
          .positional('action', { choices: ['stats', 'prune', 'export', 'import'], type: 'string' })
          .positional('files', { describe: 'import: results files', type: 'string', array: true })
          .options(yargsOptions(defs)),
      (argv) =>
        run(async () => {
          withoutSignalHandling();
          const { ledgerCommand } = await import('./commands/ledger.js');
          return ledgerCommand(await raw(argv), io);
        })(),
    )
    .command(
      'emulator',
      'Run the Bedrock Runtime emulator in the foreground',
      (y) => y.options(yargsOptions(defs)),
      (argv) =>
        run(async () => {
          const { emulatorCommand } = await import('./commands/emulator.js');
          return emulatorCommand(await raw(argv), io);
        })(),
    )
    .command(
      'completion <shell>',
      'Print a shell completion script: bash, zsh or fish (e.g. source <(run-batch completion bash))',
      (y) => y.positional('shell', { describe: 'bash, zsh or fish', type: 'string' }),
      (argv) =>
        run(async () => {
          withoutSignalHandling();
          await raw(argv);
          const { completionScript } = await import('./commands/completion.js');
          io.stdout(await completionScript(String(argv.shell)));
          return ExitCode.Ok;
        })(),
    )
    .command('batch', 'Batch Inference jobs: run-batch batch status [OUTPUT...]', (y) =>
      y
        .command(
          'status [outputs..]',
          'The batch jobs of results files: state, records, age, expected end, S3 locations',
          async (z) =>
            z
              .positional('outputs', {
                describe: 'Results files (default: every <output>.batch.json here)',
                type: 'string',
                array: true,
              })
              .options(yargsOptions(defs)),
          (argv) =>
            run(async () => {
              withoutSignalHandling();
              const { batchStatusCommand } = await import('./commands/batch-status.js');
              return batchStatusCommand(await raw(argv), io);
            })(),
        )
        .demandCommand(1, 'run-batch batch status [OUTPUT...]'),
    )
    // No strictOptions: unknown flags are found by refuseUnknownFlags, so they are reported with
    // every bad value and a suggestion of the flag meant.
    .version(version)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((message, error) => {
      if (error) throw error;
      throw new RunBatchError(
        'USAGE',
        `${message}\nRun run-batch${command === 'run' ? '' : ` ${command}`} --help for the options.`,
      );
    })
    .parseAsync();
}

function printError(error: unknown): number {
  const internal = !(error instanceof RunBatchError);
  const exit = internal ? ExitCode.Internal : error.exitCode;
  const message = internal ? `internal error: ${(error as Error)?.stack ?? String(error)}` : error.message;
  const code = internal ? 'INTERNAL' : error.code;
  write(process.stderr, errorText({ message, code, exitCode: exit }, logFormat, Date.now()));
  return exit;
}

/** No top-level await: the bundle the bin loads is a classic script, for its code cache. */
async function start(): Promise<void> {
  try {
    const [{ default: yargs }, { hideBin }] = await Promise.all([import('yargs'), import('yargs/helpers')]);
    await main(yargs, hideBin);
  } catch (error) {
    exitCode = printError(error);
  }
  finish();
}

function finish(): void {
  process.exitCode = exitCode;
  // At a natural end Node closes its handles before the process goes, and closing the last listener
  // of a signal puts its default action back: a stop signal in those milliseconds would end a run that
  // had finished and written everything by the signal, not its exit code (cron and shells would see
  // it killed). Exiting from the 'exit' event skips that teardown; registered here, after every
  // listener the run added, so theirs still run first.
  process.once('exit', (code) => process.exit(code));
  // A signalled run has written its results and released its lock; nothing left to do may keep the
  // process alive after that.
  if (signalled()) setTimeout(() => process.exit(exitCode), 100).unref();
}

void start();
